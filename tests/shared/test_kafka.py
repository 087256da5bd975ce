"""Topic and reader upkeep on a broker that loses its data."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka import AIOKafkaConsumer
from aiokafka.admin import AIOKafkaAdminClient

from findings_cli.embedded import EmbeddedKafka
from findings_shared.kafka import (
    Delivery,
    ensure_topics,
    keeping_topics,
    make_broker,
    publish_event,
    publish_events,
    start_broker,
    stop_broker,
    stop_consumer,
    subscribe_at_least_once,
)
from findings_shared.settings import DeliverySettings, KafkaSettings

pytestmark = pytest.mark.integration


async def test_topics_a_broker_lost_are_created_again(
    kafka_settings: KafkaSettings, caplog: pytest.LogCaptureFixture
) -> None:
    own_broker = EmbeddedKafka().start()  # this test restarts it
    settings = kafka_settings.model_copy(update={"bootstrap_servers": own_broker.bootstrap_servers})
    names = [f"{settings.topic_namespace}.a", f"{settings.topic_namespace}.b"]
    try:
        assert sorted(await ensure_topics(settings, names)) == names
        assert await ensure_topics(settings, names) == []  # already there: nothing created
        async with keeping_topics(settings, names, interval_s=0.5):
            own_broker.kill()  # memory storage: every topic is gone
            own_broker.start()
            async with asyncio.timeout(20):
                while "the broker had lost topics" not in caplog.text:
                    await asyncio.sleep(0.1)
        admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
        await admin.start()
        try:
            assert set(names) <= set(await admin.list_topics())
        finally:
            await admin.close()
    finally:
        own_broker.stop()


async def test_a_reader_sent_beyond_the_end_of_a_partition_reads_it_from_the_start(
    kafka_settings: KafkaSettings, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by the third 10,000-report soak: after a broker lost its data, an offset from
    before the loss was committed to it, and a reader that joined later waited there for
    good (real Kafka would answer OFFSET_OUT_OF_RANGE and the reader would start over)."""
    topic = f"{kafka_settings.topic_namespace}.outcomes"
    await ensure_topics(kafka_settings, [topic])
    group = f"{kafka_settings.topic_namespace}-ledger"
    stale = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_settings.bootstrap_servers,
        group_id=group,
        enable_auto_commit=False,
    )
    await stale.start()
    try:
        async with asyncio.timeout(20):
            while not stale.assignment():
                await stale.getmany(timeout_ms=200)
        await stale.commit({partition: 1000 for partition in stale.assignment()})
    finally:
        await stale.stop()

    broker = make_broker(kafka_settings)
    got: list[bytes] = []

    async def record(_topic: str, body: bytes) -> None:
        got.append(body)

    subscribe_at_least_once(
        broker,
        kafka_settings,
        "ledger",
        [topic],
        record,
        Delivery.for_service("test", DeliverySettings()),
    )
    await broker.start()
    try:
        async with keeping_topics(kafka_settings, [topic], interval_s=0.5, broker=broker):
            for n in range(6):
                await (await publish_event(broker, topic, b'{"n": %d}' % n, str(n)))
            async with asyncio.timeout(30):
                while len(got) < 6:
                    await asyncio.sleep(0.1)
    finally:
        await broker.stop()
    assert sorted(got) == [b'{"n": %d}' % n for n in range(6)]
    assert "from its start: the broker had lost it" in caplog.text


async def test_a_service_starting_while_the_broker_is_down_waits_for_it(
    kafka_settings: KafkaSettings,
) -> None:
    """Found by chaos seed 986565: parse started its broker just as Kafka restarted, after
    the topics' check had passed, and exited with KafkaConnectionError. `start_broker`
    waits for Kafka as the topics' check does, and the service reads once it is back."""
    own_broker = EmbeddedKafka()  # not started yet
    settings = kafka_settings.model_copy(update={"bootstrap_servers": own_broker.bootstrap_servers})
    topic = f"{kafka_settings.topic_namespace}.late"
    broker = make_broker(settings)
    received: asyncio.Queue[str] = asyncio.Queue()

    @broker.subscriber(topic, group_id=f"{topic}.group", auto_offset_reset="earliest")
    async def handle(message: str) -> None:
        await received.put(message)

    async def kafka_comes_up() -> None:
        await asyncio.sleep(1.5)
        await asyncio.to_thread(own_broker.start)
        await ensure_topics(settings, [topic])

    try:
        coming_up = asyncio.create_task(kafka_comes_up())
        await start_broker(broker, settings)
        await coming_up
        await broker.publish("after the wait", topic)
        assert await asyncio.wait_for(received.get(), 60) == "after the wait"
        await stop_broker(broker)
    finally:
        own_broker.stop()


async def test_a_reader_stopped_while_the_broker_is_down_does_not_cancel_its_caller(
    kafka_settings: KafkaSettings,
) -> None:
    """Found by chaos seed 417039: aiokafka's stop() lets a cancelled fetch task's
    CancelledError escape when the broker is unreachable (aio-libs/aiokafka#647); it ended
    ingest's watch loop, and the service with it, at the broker's restart. It happens
    nearly every time, so a few tries are enough to fail without `stop_consumer`."""
    own_broker = EmbeddedKafka().start()  # this test kills it
    try:
        for attempt in range(4):
            consumer = AIOKafkaConsumer(
                f"{kafka_settings.topic_namespace}.absent",
                bootstrap_servers=own_broker.bootstrap_servers,
                auto_offset_reset="earliest",
                retry_backoff_ms=100,
            )
            await consumer.start()
            await consumer.getmany(timeout_ms=100)
            own_broker.kill()
            reading = asyncio.create_task(consumer.getmany(timeout_ms=2000))
            await asyncio.sleep(0.05 * attempt)
            await stop_consumer(consumer)  # raises CancelledError without the workaround
            assert consumer._client._sync_task is None, "the client was left running"
            reading.cancel()
            own_broker.start()
    finally:
        own_broker.stop()


async def test_a_reports_events_sent_as_batches_go_where_one_by_one_they_would_in_order(
    kafka_settings: KafkaSettings,
) -> None:
    """`publish_events` names the partition of its record batches itself: it must be the
    one the producer picks for the report's key, and the events must keep their order,
    even when they need more than one batch."""
    topic = f"{kafka_settings.topic_namespace}.findings"
    await ensure_topics(kafka_settings.model_copy(update={"partitions": 4}), [topic])
    broker = make_broker(kafka_settings)
    await broker.start()
    reports = [f"{index:064x}" for index in range(12)]
    large = [bytes([65 + n]) * 200_000 for n in range(6)]  # three batches' worth
    # Many small records fill a batch by their overheads too: none may overflow it.
    small = [f"{n:04d}".encode() * 100 for n in range(1200)]
    sent = {reports[0]: large, reports[1]: small}

    def bodies_of(report_id: str) -> list[bytes]:
        return sent.get(report_id) or [f"{report_id}:{n}".encode() for n in range(5)]

    try:
        pending = []
        for report_id in reports:
            pending.append(await publish_event(broker, topic, b"alone", report_id))
            futures = await publish_events(broker, topic, bodies_of(report_id), report_id)
            assert len(futures) == {reports[0]: 3, reports[1]: 2}.get(report_id, 1)
            pending += futures
        await asyncio.gather(*pending)
    finally:
        await broker.stop()

    consumer = AIOKafkaConsumer(
        topic,
        bootstrap_servers=kafka_settings.bootstrap_servers,
        auto_offset_reset="earliest",
        max_partition_fetch_bytes=8 * 1024 * 1024,
    )
    await consumer.start()
    seen: dict[str, list[tuple[int, bytes]]] = {}
    try:
        async with asyncio.timeout(30):
            while sum(len(records) for records in seen.values()) < 12 + 6 + 1200 + 10 * 5:
                for records in (await consumer.getmany(timeout_ms=500)).values():
                    for record in records:
                        assert record.key is not None
                        assert dict(record.headers)["content-type"] == b"application/json"
                        seen.setdefault(record.key.decode(), []).append(
                            (record.partition, record.value)
                        )
    finally:
        await stop_consumer(consumer)
    assert sorted(seen) == reports
    assert len({records[0][0] for records in seen.values()}) > 1  # the keys spread
    for report_id in reports:
        partitions = {partition for partition, _ in seen[report_id]}
        assert len(partitions) == 1, report_id  # where `publish_event` sent "alone"
        assert [value for _, value in seen[report_id]] == [b"alone", *bodies_of(report_id)]
