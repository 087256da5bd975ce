"""Composition root of ingest: settings to adapters (the bucket, the ledger in
PostgreSQL, Kafka), wired into the core (findings_ingest.core.ingest), run in the
consumer services' lifespan (findings_shared.consumer)."""

from __future__ import annotations

import asyncio

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from findings_ingest.adapters.broker_memory import BrokerMemory, marker_topic
from findings_ingest.adapters.folder import FolderBucket
from findings_ingest.adapters.publisher import KafkaPublisher
from findings_ingest.adapters.repository import SqlLedger
from findings_ingest.adapters.s3 import S3Bucket

# The core's names the tests know from here.
from findings_ingest.core.ingest import Ingest as Ingest
from findings_ingest.core.ingest import recover_lost_events as recover_lost_events
from findings_ingest.core.ingest import watch
from findings_ingest.core.objects import Bucket
from findings_ingest.settings import IngestSettings
from findings_shared.consumer import run_consumer_service
from findings_shared.database import make_engine, make_sessionmaker
from findings_shared.events import Topics
from findings_shared.kafka import (
    Delivery,
    Record,
    subscribe_at_least_once,
    subscribe_batches_at_least_once,
)

LEDGER_GROUP = "findings-ingest-ledger"
NOTIFICATIONS_GROUP = "findings-ingest-notifications"
# Outcomes recorded in one ledger transaction: under a burst, one commit for many reports.
OUTCOMES_PER_COMMIT = 200


def topic_names_of(settings: IngestSettings) -> list[str]:
    """Every topic ingest writes to or reads."""
    topics = Topics(namespace=settings.kafka.topic_namespace)
    extra = [settings.notifications_topic] if settings.notifications_topic else []
    return [*topics.all(), *extra, marker_topic(topics.namespace)]


def bucket_of(settings: IngestSettings) -> Bucket:
    if settings.is_s3:
        assert settings.s3_bucket is not None
        return S3Bucket(
            settings.s3,
            settings.s3_bucket,
            settings.s3_prefix,
            settings.s3_page_size,
            settings.s3_listing_interval_s,
        )
    return FolderBucket(settings.inbox, settings.settle_s)


def ingest_of(
    settings: IngestSettings,
    broker: KafkaBroker,
    sessions: async_sessionmaker[AsyncSession],
    delivery: Delivery | None = None,
) -> Ingest:
    """The core on its adapters: the configured bucket, the ledger, Kafka."""
    # Outcomes and notifications that cannot be read are logged and dropped.
    delivery = delivery or Delivery.for_service("ingest", settings.delivery)
    return Ingest(
        settings,
        bucket_of(settings),
        SqlLedger(sessions),
        KafkaPublisher(settings.kafka, broker, topic_names_of(settings)),
        delivery.health,
    )


class IngestService:
    """ingest as the consumer lifespan runs it: its subscribers, then the watch loop."""

    def __init__(
        self,
        settings: IngestSettings,
        broker: KafkaBroker,
        sessions: async_sessionmaker[AsyncSession],
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.delivery = Delivery.for_service("ingest", settings.delivery)
        self.ingest = ingest_of(settings, broker, sessions, self.delivery)

    def subscribe(self) -> None:
        async def record_outcomes(records: list[Record]) -> None:
            await self.ingest.record_outcomes([(record.topic, record.value) for record in records])

        subscribe_batches_at_least_once(
            self.broker,
            self.settings.kafka,
            LEDGER_GROUP,
            [self.ingest.topics.stored, self.ingest.topics.failed],
            record_outcomes,
            self.delivery,
            max_records=OUTCOMES_PER_COMMIT,
        )
        if self.settings.notifications_topic:
            subscribe_at_least_once(
                self.broker,
                self.settings.kafka,
                NOTIFICATIONS_GROUP,
                [self.settings.notifications_topic],
                self.ingest.on_notification,
                self.delivery,
            )

    async def serve(self, stop: asyncio.Event) -> None:
        await watch(self.ingest, stop, BrokerMemory(self.settings.kafka, self.broker))

    def close(self) -> None:
        """Nothing of its own to release: the engine is the lifespan's."""


async def run(settings: IngestSettings, stop: asyncio.Event | None = None) -> None:
    engine = make_engine(settings.database)
    sessions = make_sessionmaker(engine)

    def build(broker: KafkaBroker) -> IngestService:
        service = IngestService(settings, broker, sessions)
        service.subscribe()
        return service

    await run_consumer_service(
        settings, topic_names_of(settings), build, stop or asyncio.Event(), engine
    )
