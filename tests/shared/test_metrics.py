"""/metrics beside /health on the consumers' port: Prometheus's text format, with the
dead letters counted by the topic they came from and the breaker's state."""

from __future__ import annotations

import httpx
from prometheus_client.parser import text_string_to_metric_families

from findings_shared.health import health_app
from findings_shared.metrics import BREAKER_OPEN
from findings_shared.reliability import DeadLetterBreaker, Health


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


async def test_metrics_count_dead_letters_by_topic_and_show_the_breaker() -> None:
    health = Health("parse", DeadLetterBreaker(window=4, threshold=0.5, min_outcomes=2))
    BREAKER_OPEN.set_function(lambda: float(health.breaker.is_open))
    transport = httpx.ASGITransport(app=health_app(health))
    async with httpx.AsyncClient(transport=transport, base_url="http://service") as client:
        before = samples((await client.get("/metrics")).text)
        key = ("findings_dead_lettered_total", (("topic", "test.report.received.v1"),))
        health.dead_letter("not_a_report", "test.report.received.v1")
        health.dead_letter("not_a_report", "test.report.received.v1")
        response = await client.get("/metrics")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/plain")
        after = samples(response.text)
        assert after[key] - before.get(key, 0) == 2
        # Two dead letters out of two outcomes: the breaker opens, and says so.
        assert after[("findings_breaker_open", ())] == 1
        assert (await client.get("/health")).json()["dead_lettered"] == 2
        assert (await client.get("/nothing")).status_code == 404
