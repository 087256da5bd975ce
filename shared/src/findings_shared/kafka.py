"""Kafka plumbing shared by the services: broker construction and topic creation."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import IllegalStateError, KafkaConnectionError, KafkaError
from aiokafka.helpers import create_ssl_context
from aiokafka.partitioner import DefaultPartitioner
from faststream import AckPolicy
from faststream.kafka import KafkaBroker, KafkaMessage, KafkaResponse
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.kafka.security import parse_security
from faststream.security import BaseSecurity, SASLPlaintext, SASLScram256, SASLScram512
from prometheus_client import REGISTRY

from findings_shared.events import ReportFailed, Stage
from findings_shared.metrics import record_lag
from findings_shared.reliability import (
    CircuitOpen,
    DeadLetterBreaker,
    Health,
    InvalidEvent,
    PermanentError,
    TransientError,
    backoff_s,
    is_transient,
)
from findings_shared.settings import DeliverySettings, KafkaSettings
from findings_shared.telemetry import trace_headers

log = logging.getLogger(__name__)
TOPIC_ALREADY_EXISTS = 36
REPORT_ID = re.compile(r"[0-9a-f]{64}")
BATCH_POLL_MS = 20


async def stop_consumer(consumer: AIOKafkaConsumer) -> None:
    """Stop an aiokafka consumer even when the broker is down.

    `AIOKafkaConsumer.stop()` cancels its fetch tasks and then awaits them without
    catching their CancelledError (aio-libs/aiokafka#647): with the broker unreachable a
    fetch task sits in its retry back-off, and stop() raises CancelledError as though
    its caller had been cancelled, before it closes the client's connections. That
    error ended ingest's watch loop, and so the service, whenever the broker went away.
    Raised on only if the caller really is being cancelled."""
    try:
        await consumer.stop()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
        log.debug("a consumer's stop was cut short by its own fetch task; closing its client")
        await consumer._client.close()  # what stop() did not reach


async def stop_broker(broker: KafkaBroker) -> None:
    """Stop a FastStream broker (its subscribers stop aiokafka consumers: see
    `stop_consumer`) without its consumers' leaked CancelledError escaping."""
    try:
        await broker.stop()
    except asyncio.CancelledError:
        task = asyncio.current_task()
        if task is not None and task.cancelling():
            raise
        log.warning("a consumer's stop was cut short while the broker was unreachable")


SASL = {"PLAIN": SASLPlaintext, "SCRAM-SHA-256": SASLScram256, "SCRAM-SHA-512": SASLScram512}


def kafka_security(settings: KafkaSettings) -> BaseSecurity | None:
    """TLS and SASL from the settings, as FastStream's security objects."""
    tls = settings.security_protocol in ("SSL", "SASL_SSL")
    context = (
        create_ssl_context(
            cafile=settings.ssl_cafile,
            certfile=settings.ssl_certfile,
            keyfile=settings.ssl_keyfile,
        )
        if tls
        else None
    )
    if settings.security_protocol.startswith("SASL"):
        # The settings refuse SASL without both.
        username = settings.sasl_username or ""
        password = settings.sasl_password.get_secret_value() if settings.sasl_password else ""
        return SASL[settings.sasl_mechanism](
            username,
            password,
            ssl_context=context,
            use_ssl=tls,
        )
    return BaseSecurity(ssl_context=context, use_ssl=tls) if tls else None


def client_options(settings: KafkaSettings) -> dict[str, Any]:
    """Connection options for a bare aiokafka client (admin, marker reader, `findings
    tail`), the same security the services' brokers use."""
    return {
        "bootstrap_servers": settings.bootstrap_servers,
        **parse_security(kafka_security(settings)),
    }


# Chooses an event's partition from its key: the producer's, and `publish_events`'s for a
# report's events sent as record batches (which name their partition).
PARTITIONER = DefaultPartitioner()
# A record batch's size before compression, at most: one report's findings (76 kB for an
# ILACS report) fit one; well under Kafka's default limit for a batch (1 MB).
RECORD_BATCH_BYTES = 512 * 1024


def record_batch_bytes(settings: KafkaSettings) -> int:
    """The producer's batch size: `RECORD_BATCH_BYTES`, unless requests must be smaller."""
    return min(RECORD_BATCH_BYTES, settings.max_message_bytes)


def make_broker(settings: KafkaSettings) -> KafkaBroker:
    # acks="all" for durability on real Kafka; no idempotent producer (the embedded
    # broker rejects it), so consumers are idempotent instead.
    return KafkaBroker(
        settings.bootstrap_servers,
        security=kafka_security(settings),
        acks="all",
        compression_type=None if settings.compression == "none" else settings.compression,
        max_request_size=settings.max_message_bytes,
        max_batch_size=record_batch_bytes(settings),
        partitioner=PARTITIONER,
        logger=log,
        log_level=logging.DEBUG,
        middlewares=(KafkaPrometheusMiddleware(registry=REGISTRY, app_name="findings"),),
    )


async def ensure_topics(
    settings: KafkaSettings, topics: Iterable[str], attempts: int = 30
) -> list[str]:
    """Create the topics if missing (waiting for the broker to come up); the ones created."""
    wanted = list(topics)
    for attempt in range(1, attempts + 1):
        admin = AIOKafkaAdminClient(**client_options(settings))
        try:
            await admin.start()
            response = await admin.create_topics(
                [
                    NewTopic(name, settings.partitions, settings.replication_factor)
                    for name in wanted
                ]
            )
            created = []
            for name, code, message in response.topic_errors:
                if code not in (0, TOPIC_ALREADY_EXISTS):
                    raise KafkaError(f"cannot create topic {name}: {message}")
                if code == 0:
                    created.append(name)
            return created
        except KafkaConnectionError:
            if attempt == attempts:
                raise
            log.info("waiting for Kafka at %s", settings.bootstrap_servers)
            await asyncio.sleep(min(0.2 * attempt, 2.0))
        finally:
            await admin.close()
    raise AssertionError("unreachable: the last attempt returns or raises")


async def start_broker(broker: KafkaBroker, settings: KafkaSettings, attempts: int = 30) -> None:
    """Start the broker's producer and subscribers, waiting for Kafka as `ensure_topics`
    does: Kafka can go away between the topics' check and the start (a restart, a
    failover), and a service that exited then would wait for its supervisor. A failed
    start is stopped before the next (FastStream starts a stopped broker again)."""
    for attempt in range(1, attempts + 1):
        try:
            await broker.start()
            return
        except KafkaConnectionError:
            await stop_broker(broker)
            if attempt == attempts:
                raise
            log.info("waiting for Kafka at %s to start", settings.bootstrap_servers)
            await asyncio.sleep(min(0.2 * attempt, 2.0))


async def rewind_readers_past_the_end(broker: KafkaBroker) -> list[TopicPartition]:
    """Move each of the broker's consumers that reads a partition beyond its end back to
    the partition's start; the partitions moved.

    A broker that lost its data can be sent, by a consumer still running, an offset from
    before the loss. Real Kafka answers a fetch from beyond the end with
    OFFSET_OUT_OF_RANGE, and the consumer starts again from `earliest`; the embedded broker
    answers with nothing, and the consumer would wait until the topic grew that far. The
    end is the high watermark of the last fetch (what the broker's offset listing says is
    wrong after batched writes on that broker); on a sane broker no position passes it."""
    rewound: list[TopicPartition] = []
    for subscriber in broker.subscribers:
        consumer = getattr(subscriber, "consumer", None)
        if not isinstance(consumer, AIOKafkaConsumer):
            continue
        for partition in consumer.assignment():
            try:
                end = consumer.highwater(partition)
                if end is None:
                    continue
                position = await asyncio.wait_for(consumer.position(partition), timeout=1)
                if position > end:
                    await consumer.seek_to_beginning(partition)
                    rewound.append(partition)
            except (TimeoutError, IllegalStateError, KafkaError):
                continue  # a rebalance under way: checked again next time
    return rewound


@contextlib.asynccontextmanager
async def keeping_topics(
    settings: KafkaSettings,
    topics: Sequence[str],
    interval_s: float = 10.0,
    broker: KafkaBroker | None = None,
) -> AsyncIterator[None]:
    """Create the topics again whenever they vanish (checked every `interval_s`): a
    broker that lost its data (the embedded one keeps it in memory) would otherwise
    acknowledge and drop every event sent to them. The `broker`'s consumers found
    reading beyond a partition's end (an offset from before the loss) start it again."""

    async def keep() -> None:
        while True:
            await asyncio.sleep(interval_s)
            try:
                created = await ensure_topics(settings, topics, attempts=1)
                rewound = await rewind_readers_past_the_end(broker) if broker else []
            except KafkaError as error:
                log.warning("cannot check the topics: %s", error)
                continue
            if created:
                log.warning("the broker had lost topics %s: created them again", created)
            for partition in rewound:
                log.warning(
                    "reading %s[%d] from its start: the broker had lost it (this reader's "
                    "offset was beyond its end)",
                    partition.topic,
                    partition.partition,
                )

    task = asyncio.create_task(keep())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


EventHandler = Callable[[str, bytes], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Record:
    """A consumed message."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes
    headers: tuple[tuple[str, bytes], ...] = ()  # the trace context travels here


BatchHandler = Callable[[list[Record]], Awaitable[None]]


DeadLetterHandler = Callable[[Record, Exception, int], Awaitable[None]]


@dataclass
class Delivery:
    """How one consumer retries, dead-letters and reports (findings_shared.reliability)."""

    health: Health
    settings: DeliverySettings = field(default_factory=DeliverySettings)
    # None: a dead letter is logged and skipped (e.g. a consumer of the failed topic).
    dead_letter: DeadLetterHandler | None = None

    @classmethod
    def for_service(
        cls, name: str, settings: DeliverySettings, dead_letter: DeadLetterHandler | None = None
    ) -> Delivery:
        breaker = DeadLetterBreaker(
            window=settings.breaker_window,
            threshold=settings.breaker_threshold,
            min_outcomes=settings.breaker_min_outcomes,
            cooldown_s=settings.breaker_cooldown_s,
        )
        return cls(Health(name, breaker), settings, dead_letter)


def subscribe_at_least_once(
    broker: KafkaBroker,
    settings: KafkaSettings,
    group: str,
    topics: Sequence[str],
    handler: EventHandler,
    delivery: Delivery,
    **options: Any,
) -> None:
    """Subscribe `handler(topic, body)` with the delivery policy every service shares.

    The offset is committed only after the handler returns, or after the message went to
    the dead letters (NACK_ON_ERROR: an exception rewinds to the message, after a
    back-off). Transient errors are retried for as long as they last; a PermanentError,
    or any other error seen `max_attempts` times on the same message, is dead-lettered.
    Groups start at `earliest`, because "latest" offsets are unreliable on some brokers.
    """

    async def one(records: list[Record]) -> None:
        for record in records:
            await handler(record.topic, record.value)

    _subscribe(broker, settings, group, topics, one, delivery, batch=False, **options)


def subscribe_batches_at_least_once(
    broker: KafkaBroker,
    settings: KafkaSettings,
    group: str,
    topics: Sequence[str],
    handler: BatchHandler,
    delivery: Delivery,
    *,
    max_records: int,
    **options: Any,
) -> None:
    """As `subscribe_at_least_once`, for handlers that work on up to `max_records` at once;
    the whole batch is committed after the handler returns, or redelivered. The handler
    dead-letters single messages itself (and records them in `delivery.health`): a
    failing batch is only ever retried."""
    _subscribe(
        broker,
        settings,
        group,
        topics,
        handler,
        delivery,
        batch=True,
        max_records=max_records,
        **options,
    )


async def _undecoded(message: Any) -> None:
    """The handlers read each record's bytes and validate them with pydantic: FastStream's
    own JSON decoding of every body (it would decode a report's whole parsed event) was
    thrown away, at a tenth of store's CPU."""
    return None


def _subscribe(
    broker: KafkaBroker,
    settings: KafkaSettings,
    group: str,
    topics: Sequence[str],
    handler: BatchHandler,
    delivery: Delivery,
    *,
    batch: bool,
    **options: Any,
) -> None:
    group_id = f"{settings.topic_namespace}-{group}"
    subscriber = broker.subscriber(
        *topics,
        group_id=group_id,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        session_timeout_ms=settings.session_timeout_ms,
        heartbeat_interval_ms=settings.heartbeat_interval_ms,
        batch=batch,
        # An empty poll of a batch subscriber sleeps this long before the next one: a
        # report arriving then waits for it, at every hop (FastStream's default is 200).
        batch_timeout_ms=BATCH_POLL_MS,
        decoder=_undecoded,
        **options,
    )
    policy = delivery.settings
    health = delivery.health
    attempts: dict[tuple[str, int, int], int] = {}
    failures_in_a_row = 0

    @subscriber  # type: ignore[untyped-decorator]
    async def on_message(message: KafkaMessage) -> None:
        nonlocal failures_in_a_row
        raw = message.raw_message
        records = [
            Record(r.topic, r.partition, r.offset, r.key, r.value or b"", tuple(r.headers or ()))
            for r in (raw if isinstance(raw, tuple) else (raw,))
        ]
        position = (records[0].topic, records[0].partition, records[0].offset)
        try:
            if health.breaker.waiting_s() > 0:
                raise CircuitOpen(health.breaker.describe())
            await handler(records)
        except Exception as error:
            outage = is_transient(error)
            # An outage is no fault of the message: only other errors count as attempts.
            attempt = attempts.get(position, 0) + (0 if outage else 1)
            attempts[position] = attempt
            permanent = isinstance(error, PermanentError) or attempt >= policy.max_attempts
            if not batch and not outage and permanent:
                health.dead_letter(f"{type(error).__name__}: {error}", records[0].topic)
                if not health.breaker.is_open:
                    await _dead_letter(delivery, records[0], error, attempt)
                    attempts.pop(position, None)
                    return
            failures_in_a_row += 1
            health.retrying(error)
            wait = max(
                health.breaker.waiting_s(),
                backoff_s(policy.retry_backoff_s, policy.max_backoff_s, failures_in_a_row),
            )
            log.warning(
                "%s at %s[%d]@%d (%d attempt(s) counted); retrying in %.1f s: %s",
                type(error).__name__,
                *position,
                attempt,
                wait,
                error,
                exc_info=not isinstance(error, TransientError),
            )
            # Bounded, so that the consumer keeps its place in the group while it waits.
            await asyncio.sleep(min(wait, policy.max_backoff_s))
            raise
        attempts.pop(position, None)
        if len(attempts) > 10_000:  # positions left behind by a rebalance
            attempts.clear()
        failures_in_a_row = 0
        record_lag(group_id, message.consumer, [(r.topic, r.partition, r.offset) for r in records])
        if batch:
            health.retrying_since = None
        else:
            health.succeeded(len(records))


async def _dead_letter(delivery: Delivery, record: Record, error: Exception, attempt: int) -> None:
    if delivery.dead_letter is None:
        log.error(
            "dropping %s[%d]@%d after %d attempt(s): %s",
            record.topic,
            record.partition,
            record.offset,
            attempt,
            error,
        )
        return
    await delivery.dead_letter(record, error, attempt)


def failure_of(record: Record, stage: Stage, error: Exception, attempt: int) -> ReportFailed | None:
    """The dead letter for a message that could not be handled; None when its key is not
    a report id (every Findings event is keyed by one), so no report can be named."""
    report_id = (record.key or b"").decode(errors="replace")
    if not REPORT_ID.fullmatch(report_id):
        return None
    invalid = isinstance(error, InvalidEvent)
    return ReportFailed(
        report_id=report_id,
        object_uri=_object_uri_in(record.value),
        stage=stage,
        error_type="invalid_event" if invalid else f"handler_error:{type(error).__name__}",
        reason=f"{record.topic}[{record.partition}]@{record.offset}: {error}",
        attempt=attempt,
    )


def _object_uri_in(body: bytes) -> str:
    """The object URI of an event we could not read, if it can be found at all."""
    with contextlib.suppress(ValueError):
        value = json.loads(body)
        uri = value.get("object_uri") if isinstance(value, dict) else None
        if isinstance(uri, str):
            return uri
    return ""


async def publish_event(
    broker: KafkaBroker, topic: str, body: bytes, report_id: str
) -> asyncio.Future[Any]:
    """Send one encoded event keyed by its report; await the returned future for the ack."""
    future: asyncio.Future[Any] = await broker.publish(
        body,
        topic,
        key=report_id.encode(),
        headers=event_headers(),
        no_confirm=True,
    )
    return future


async def publish_events(
    broker: KafkaBroker,
    topic: str,
    bodies: Sequence[bytes],
    report_id: str,
    batch_bytes: int = RECORD_BATCH_BYTES,
) -> list[asyncio.Future[Any]]:
    """Send one report's encoded events (its findings), keyed by it, in order, as record
    batches to the partition its key goes to (as `publish_event` would send each): the
    cost is then a batch's, not an event's each (one by one, FastStream and the Kafka
    client took 60-80 µs an event, 4-5 ms for a report's 68 findings; see
    docs/benchmarks.md). `batch_bytes` is the producer's batch size (`record_batch_bytes`).
    Await the returned futures for the acks."""
    key = report_id.encode()
    headers = event_headers()
    # Each record's bytes beside its value, over-estimated so that a batch never
    # overflows: the key, the headers (FastStream adds a correlation id) and varints.
    overhead = len(key) + sum(len(name) + len(value) + 16 for name, value in headers.items())
    overhead += 128
    batches: list[list[bytes]] = [[]]
    size = 128  # the batch's own header
    for body in bodies:
        if batches[-1] and size + len(body) + overhead > batch_bytes:
            batches.append([])
            size = 128
        batches[-1].append(body)
        size += len(body) + overhead
    partition = await partition_of(broker, topic, key)
    return [
        await broker.publish_batch(
            *(KafkaResponse(body, key=key) for body in batch),
            topic=topic,
            partition=partition,
            headers=headers,
            no_confirm=True,
        )
        for batch in batches
        if batch
    ]


async def partition_of(broker: KafkaBroker, topic: str, key: bytes) -> int:
    """The partition the broker's producer sends an event with this key to."""
    # FastStream keeps its aiokafka producer there and offers no other way to it.
    fast_producer: Any = broker.config.producer
    producer = fast_producer._producer.producer
    partitions = sorted(await producer.partitions_for(topic))
    return int(PARTITIONER(key, partitions, partitions))


def event_headers() -> dict[str, str]:
    """An event's headers: JSON, and, with traces on, the W3C trace context of the span
    publishing it."""
    return {"content-type": "application/json", **trace_headers()}
