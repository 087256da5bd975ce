"""Whether the broker still holds what ingest sent it.

ingest keeps one marker record on a topic of its own. A broker that lost its data (the
embedded broker keeps everything in memory; a real cluster can be rebuilt) has lost the
marker too: then every report announced but without an outcome must be announced again,
at once, rather than after the usual wait. A restart of ingest alone changes nothing.
"""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer
from faststream.kafka import KafkaBroker

from findings_shared.kafka import client_options, publish_event, stop_consumer
from findings_shared.settings import KafkaSettings

MARKER_KEY = "0" * 64


def marker_topic(namespace: str) -> str:
    return f"{namespace}.ingest.broker-marker"


class BrokerMemory:
    def __init__(self, settings: KafkaSettings, broker: KafkaBroker) -> None:
        self.settings = settings
        self.broker = broker
        self.topic = marker_topic(settings.topic_namespace)

    async def lost(self, wait_s: float = 3.0) -> bool:
        """True when the marker is gone (or was never written: a new broker)."""
        consumer = AIOKafkaConsumer(
            self.topic,
            **client_options(self.settings),
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
        )
        await consumer.start()
        try:
            async with asyncio.timeout(wait_s):
                while not await consumer.getmany(timeout_ms=250, max_records=1):
                    pass
            return False
        except TimeoutError:
            return True
        finally:
            await stop_consumer(consumer)

    async def remember(self) -> None:
        await (await publish_event(self.broker, self.topic, b"{}", MARKER_KEY))
