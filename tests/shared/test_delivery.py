"""The shared at-least-once subscriber on the real broker: retries, dead letters, breaker."""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import pytest
from faststream.kafka import KafkaBroker

from findings_cli.embedded import free_port
from findings_shared.health import serving_health
from findings_shared.kafka import Delivery, Record, ensure_topics, subscribe_at_least_once
from findings_shared.reliability import PermanentError, TransientError
from findings_shared.settings import ConsumerServiceSettings, DeliverySettings, KafkaSettings
from tests.conftest import wait_until

pytestmark = pytest.mark.integration

FAST = DeliverySettings(retry_backoff_s=0.05, max_backoff_s=0.2, max_attempts=3)


class Recorder:
    """A handler whose behaviour per message is scripted by the message body."""

    def __init__(self) -> None:
        self.calls: Counter[bytes] = Counter()
        self.handled: list[bytes] = []
        self.dead: list[tuple[bytes, str, int]] = []
        self.outage_attempts = 4
        self.broken = True

    async def handle(self, _topic: str, body: bytes) -> None:
        self.calls[body] += 1
        if body == b"bug":
            raise KeyError("a bug that this message triggers every time")
        if body == b"outage" and self.calls[body] <= self.outage_attempts:
            raise TransientError("the database is away")
        if body.startswith(b"poison") and self.broken:
            raise PermanentError("cannot be handled, ever")
        self.handled.append(body)

    async def dead_letter(self, record: Record, error: Exception, attempt: int) -> None:
        self.dead.append((record.value, type(error).__name__, attempt))


async def consume(
    kafka_settings: KafkaSettings, recorder: Recorder, delivery: Delivery, bodies: list[bytes]
) -> KafkaBroker:
    topic = f"{kafka_settings.topic_namespace}.delivery"
    await ensure_topics(kafka_settings.model_copy(update={"partitions": 1}), [topic])
    broker = KafkaBroker(kafka_settings.bootstrap_servers)
    subscribe_at_least_once(broker, kafka_settings, "test", [topic], recorder.handle, delivery)
    await broker.start()
    for body in bodies:
        await broker.publish(body, topic, key=b"k")
    return broker


async def test_bugs_are_dead_lettered_after_their_attempts_and_outages_are_waited_out(
    kafka_settings: KafkaSettings,
) -> None:
    recorder = Recorder()
    delivery = Delivery.for_service("test", FAST, recorder.dead_letter)
    broker = await consume(
        kafka_settings, recorder, delivery, [b"one", b"bug", b"outage", b"poison", b"two"]
    )
    try:

        async def done() -> bool:
            return b"two" in recorder.handled

        await wait_until(done)
    finally:
        await broker.stop()
    assert recorder.handled == [b"one", b"outage", b"two"]
    # The outage lasted longer than max_attempts, and still nothing was dead-lettered for it.
    assert recorder.calls[b"outage"] == recorder.outage_attempts + 1
    assert recorder.dead == [(b"bug", "KeyError", 3), (b"poison", "PermanentError", 1)]
    assert delivery.health.snapshot()["dead_lettered"] == 2
    assert delivery.health.status == "ok"


async def test_the_breaker_stops_dead_lettering_and_health_turns_unhealthy(
    kafka_settings: KafkaSettings,
) -> None:
    recorder = Recorder()
    settings = FAST.model_copy(
        update={
            "breaker_window": 4,
            "breaker_threshold": 0.75,
            "breaker_min_outcomes": 4,
            "breaker_cooldown_s": 1.5,
        }
    )
    delivery = Delivery.for_service("test", settings, recorder.dead_letter)
    port = free_port()
    served = ConsumerServiceSettings(health_port=port)
    bodies = [b"ok", b"poison-1", b"poison-2", b"poison-3", b"poison-4", b"poison-5", b"last"]
    async with serving_health(delivery.health, served):
        broker = await consume(kafka_settings, recorder, delivery, bodies)
        try:

            async def opened() -> bool:
                return delivery.health.breaker.is_open

            await wait_until(opened)
            async with httpx.AsyncClient() as client:
                response = await client.get(f"http://127.0.0.1:{port}/health")
            assert response.status_code == 503
            assert response.json()["status"] == "unhealthy"
            assert "3 of the last 4 messages were dead-lettered" in response.json()["problems"][0]
            await asyncio.sleep(2)  # past the cool-down: a trial fails and it stays open
            assert delivery.health.breaker.is_open
            recorder.broken = False  # the operator mends what broke every message

            async def finished() -> bool:
                return b"last" in recorder.handled

            await wait_until(finished)
            async with httpx.AsyncClient() as client:
                response = await client.get(f"http://127.0.0.1:{port}/health")
        finally:
            await broker.stop()
    assert response.status_code == 200
    # Only what came before the breaker opened was dead-lettered; the rest was handled.
    assert [body for body, _, _ in recorder.dead] == [b"poison-1", b"poison-2"]
    assert recorder.handled == [b"ok", b"poison-3", b"poison-4", b"poison-5", b"last"]
