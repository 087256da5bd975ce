import asyncio
import sys
from datetime import date

import pytest

from findings_cli.embedded import EmbeddedKafka
from findings_shared.events import (
    Finding,
    FindingCategory,
    FindingPublished,
    ReportType,
    Topics,
)
from findings_shared.kafka import ensure_topics, make_broker
from findings_shared.settings import KafkaSettings
from tests.conftest import publish

pytestmark = pytest.mark.integration


def finding_event(la_code: str, text: str) -> FindingPublished:
    return FindingPublished(
        report_id="a" * 64,
        parser_version="0.1.0",
        report_type=ReportType.ILACS_INSPECTION,
        la_code=la_code,
        local_authority_name="Wandsworth" if la_code == "212" else "Salford",
        inspection_start=date(2022, 11, 7),
        inspection_end=date(2022, 11, 18),
        published=None,
        finding=Finding(
            finding_id="f" * 32,
            ordinal=1,
            category=FindingCategory.IMPROVEMENT,
            section="What needs to improve?",
            judgement_area=None,
            paragraph=None,
            text=text,
        ),
    )


async def test_tail_prints_matching_findings(
    kafka: EmbeddedKafka, kafka_settings: KafkaSettings
) -> None:
    topics = Topics(namespace=kafka_settings.topic_namespace)
    await ensure_topics(kafka_settings, topics.all())
    broker = make_broker(kafka_settings)
    await broker.start()
    for event in (finding_event("355", "Not this one."), finding_event("212", "Tracking plans.")):
        await publish(broker, topics.finding, event)
    await broker.stop()

    tail = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "findings_cli.main",
        "tail",
        "--bootstrap-servers",
        kafka.bootstrap_servers,
        "--namespace",
        kafka_settings.topic_namespace,
        "--la-code",
        "212",
        "--from-beginning",
        stdout=asyncio.subprocess.PIPE,
    )
    assert tail.stdout is not None
    try:
        heading = await asyncio.wait_for(tail.stdout.readline(), 30)
        text = await asyncio.wait_for(tail.stdout.readline(), 5)
    finally:
        tail.terminate()
        await tail.wait()
    assert heading.decode().startswith("Wandsworth (212) ilacs_inspection [improvement]")
    assert text.decode().strip() == "Tracking plans."
