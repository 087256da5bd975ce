"""Kafka plumbing shared by the services: broker construction and topic creation."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import KafkaConnectionError, KafkaError
from faststream.kafka import KafkaBroker

from findings_shared.events import Event
from findings_shared.settings import KafkaSettings

log = logging.getLogger(__name__)
TOPIC_ALREADY_EXISTS = 36


def make_broker(settings: KafkaSettings) -> KafkaBroker:
    # acks="all" for durability on real Kafka; no idempotent producer (the embedded
    # broker rejects it), so consumers are idempotent instead.
    return KafkaBroker(settings.bootstrap_servers, acks="all", logger=log, log_level=logging.DEBUG)


def event_key(event: Event) -> bytes:
    return event.report_id.encode()


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
