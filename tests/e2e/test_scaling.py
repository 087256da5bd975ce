"""Scaling out on the embedded broker: a second parse process joins the group, and the two
share one burst with nothing lost or duplicated (docs/scaling.md)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from findings_cli.chaos import unique_copies
from findings_cli.embedded import free_port
from findings_cli.stack import ServiceProcess
from findings_shared.settings import KafkaSettings
from tests.e2e import test_pipeline as e2e
from tests.e2e.test_pipeline import PDFS, REPORTS_DIR, Pipeline, golden_count, scrape

pytestmark = pytest.mark.integration
BURST = 40
pipeline = e2e.pipeline  # the four services, as the pipeline's own tests run them


@pytest.fixture
def second_parse(pipeline: Pipeline) -> Iterator[tuple[ServiceProcess, str]]:
    port = free_port()
    env = dict(pipeline.services["parse"].env)
    env["FINDINGS_PARSE_HEALTH_PORT"] = str(port)
    parse = ServiceProcess("parse", env)
    parse.start()
    yield parse, f"http://127.0.0.1:{port}"
    assert parse.stop() in (0, None)


async def parsed_by(base: str) -> float:
    metrics = await scrape(f"{base}/metrics")
    return metrics.get(("findings_parse_seconds_count", (("outcome", "parsed"),)), 0.0)


async def test_two_parse_processes_share_a_burst_with_nothing_lost_or_duplicated(
    pipeline: Pipeline,
    second_parse: tuple[ServiceProcess, str],
    kafka_settings: KafkaSettings,
) -> None:
    _, second = second_parse
    first = pipeline.health["parse"].removesuffix("/health")
    async with httpx.AsyncClient() as client, asyncio.timeout(60):
        while True:
            try:
                if (await client.get(f"{second}/health")).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    # Both in the group before the burst: a join takes about half the session timeout.
    await asyncio.sleep(kafka_settings.session_timeout_ms / 1000)
    pipeline.inbox.mkdir(parents=True, exist_ok=True)
    copies = unique_copies([REPORTS_DIR / name for name in PDFS], BURST, "scale")
    for name, content, _source in copies:
        (pipeline.inbox / name).write_bytes(content)

    reports = await pipeline.wait_for_reports(BURST, timeout_s=180)
    await asyncio.sleep(2)  # a duplicate would have shown by now
    reports = await pipeline.reports()
    assert len(reports) == BURST  # none lost, none stored twice
    expected = sorted(golden_count(source.name) for _, _, source in copies)
    assert sorted(r["finding_count"] for r in reports) == expected
    # Both did part of the work, and no report was parsed twice.
    shares = [await parsed_by(first), await parsed_by(second)]
    assert all(share > 0 for share in shares), shares
    assert sum(shares) == BURST, shares
