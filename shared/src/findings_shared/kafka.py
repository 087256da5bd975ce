"""Kafka plumbing shared by the services: broker construction and topic creation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage

from findings_shared.events import Event
from findings_shared.settings import KafkaSettings

log = logging.getLogger(__name__)
TOPIC_ALREADY_EXISTS = 36


def make_broker(settings: KafkaSettings) -> KafkaBroker:
    # acks="all" for durability on real Kafka; no idempotent producer (the embedded
    # broker rejects it), so consumers are idempotent instead.
    return KafkaBroker(
        settings.bootstrap_servers,
        acks="all",
        compression_type="gzip",
        max_request_size=settings.max_message_bytes,
        logger=log,
        log_level=logging.DEBUG,
    )


async def ensure_topics(settings: KafkaSettings, topics: Iterable[str], attempts: int = 30) -> None:
    """Create the topics if missing; waits for the broker to come up."""
    wanted = list(topics)
    for attempt in range(1, attempts + 1):
        admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
        try:
            await admin.start()
            response = await admin.create_topics(
                [
                    NewTopic(name, settings.partitions, settings.replication_factor)
                    for name in wanted
                ]
            )
            for name, code, message in response.topic_errors:
                if code not in (0, TOPIC_ALREADY_EXISTS):
                    raise KafkaError(f"cannot create topic {name}: {message}")
            return
        except KafkaConnectionError:
            if attempt == attempts:
                raise
            log.info("waiting for Kafka at %s", settings.bootstrap_servers)
            await asyncio.sleep(min(0.2 * attempt, 2.0))
        finally:
            await admin.close()


EventHandler = Callable[[str, bytes], Awaitable[None]]
BatchHandler = Callable[[list[tuple[str, bytes]]], Awaitable[None]]


def subscribe_at_least_once(
    broker: KafkaBroker,
    settings: KafkaSettings,
    group: str,
    topics: Sequence[str],
    handler: EventHandler,
    *,
    retry_backoff_s: float = 1.0,
    **options: Any,
) -> None:
    """Subscribe `handler(topic, body)` with the delivery policy every service shares.

    The offset is committed only after the handler returns (NACK_ON_ERROR: an exception
    rewinds to the message, after a back-off so a database outage is not a hot loop);
    groups start at `earliest`, because "latest" offsets are unreliable on some brokers.
    A handler deals with permanent failures itself (dead letter, log) and returns.
    """

    async def one(records: list[tuple[str, bytes]]) -> None:
        for topic, body in records:
            await handler(topic, body)

    _subscribe(broker, settings, group, topics, one, retry_backoff_s, batch=False, **options)


def subscribe_batches_at_least_once(
    broker: KafkaBroker,
    settings: KafkaSettings,
    group: str,
    topics: Sequence[str],
    handler: BatchHandler,
    *,
    max_records: int,
    retry_backoff_s: float = 1.0,
    **options: Any,
) -> None:
    """As `subscribe_at_least_once`, for handlers that work on up to `max_records` at once;
    the whole batch is committed after the handler returns, or redelivered."""
    _subscribe(
        broker,
        settings,
        group,
        topics,
        handler,
        retry_backoff_s,
        batch=True,
        max_records=max_records,
        **options,
    )


def _subscribe(
    broker: KafkaBroker,
    settings: KafkaSettings,
    group: str,
    topics: Sequence[str],
    handler: BatchHandler,
    retry_backoff_s: float,
    **options: Any,
) -> None:
    subscriber = broker.subscriber(
        *topics,
        group_id=f"{settings.topic_namespace}-{group}",
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        session_timeout_ms=settings.session_timeout_ms,
        heartbeat_interval_ms=settings.heartbeat_interval_ms,
        **options,
    )

    @subscriber  # type: ignore[untyped-decorator]
    async def on_message(message: KafkaMessage) -> None:
        raw = message.raw_message
        records = raw if isinstance(raw, tuple) else (raw,)
        try:
            await handler([(record.topic, record.value or b"") for record in records])
        except Exception:
            log.exception("events from %s failed; they will be redelivered", records[0].topic)
            await asyncio.sleep(retry_backoff_s)
            raise


class EventTooLarge(Exception):
    """An event is larger than `KafkaSettings.max_message_bytes`: retrying cannot help."""


def encode_event(event: Event, max_bytes: int) -> bytes:
    body = event.model_dump_json().encode()
    if len(body) > max_bytes:
        raise EventTooLarge(f"the event is {len(body)} bytes, over the {max_bytes}-byte limit")
    return body


async def publish_event(
    broker: KafkaBroker, topic: str, body: bytes, report_id: str
) -> asyncio.Future[Any]:
    """Send one encoded event keyed by its report; await the returned future for the ack."""
    future: asyncio.Future[Any] = await broker.publish(
        body,
        topic,
        key=report_id.encode(),
        headers={"content-type": "application/json"},
        no_confirm=True,
    )
    return future
