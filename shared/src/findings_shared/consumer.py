"""The lifespan every consuming service (ingest, parse, store) shares: database, topics,
broker, handlers, /health, topic keeping, then shutdown in reverse.

Apart from findings_shared.service (the process entry) so that the API, which consumes
nothing, does not import the Kafka client.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Protocol

from faststream.kafka import KafkaBroker
from sqlalchemy.ext.asyncio import AsyncEngine

from findings_shared.database import wait_for_database
from findings_shared.health import serving_health
from findings_shared.kafka import (
    Delivery,
    ensure_topics,
    keeping_topics,
    make_broker,
    start_broker,
    stop_broker,
)
from findings_shared.lifetime import CONSUMER_YOUNG_COLLECTION, frozen_start_up
from findings_shared.metrics import BREAKER_OPEN, RETRYING, watch_pool
from findings_shared.settings import ConsumerServiceSettings


class ConsumerService(Protocol):
    """A service built on a broker, its handlers subscribed, not yet started."""

    @property
    def delivery(self) -> Delivery:
        """Its retries and dead letters; their health is served on /health."""
        ...

    async def serve(self, stop: asyncio.Event) -> None:
        """Work until `stop` is set (the subscribers work on their own meanwhile)."""
        ...

    def close(self) -> None:
        """Release what the service holds itself (worker processes), after the broker stopped."""
        ...


async def run_consumer_service(
    settings: ConsumerServiceSettings,
    topic_names: Sequence[str],
    build: Callable[[KafkaBroker], ConsumerService],
    stop: asyncio.Event,
    engine: AsyncEngine | None = None,
) -> None:
    """Wait for the database (if the service has one), create the topics, build the
    service on a new broker (`build` subscribes its handlers), start the broker, then
    serve /health and keep the topics while `service.serve(stop)` runs; on the way out
    stop the broker, close the service and dispose of the engine."""
    if engine is not None:
        await wait_for_database(engine)
    await ensure_topics(settings.kafka, topic_names)
    broker = make_broker(settings.kafka)
    service = build(broker)
    health = service.delivery.health
    BREAKER_OPEN.set_function(lambda: float(health.breaker.is_open))
    RETRYING.set_function(lambda: float(health.retrying_since is not None))
    if engine is not None:
        watch_pool(engine)
    await start_broker(broker, settings.kafka)
    try:
        async with (
            serving_health(service.delivery.health, settings),
            # The broker: its readers are rewound should the broker lose their partitions.
            keeping_topics(
                settings.kafka, topic_names, settings.kafka.topic_check_interval_s, broker
            ),
        ):
            with frozen_start_up(CONSUMER_YOUNG_COLLECTION):
                await service.serve(stop)
    finally:
        await stop_broker(broker)
        service.close()
        if engine is not None:
            await engine.dispose()
