"""ingest's events onto Kafka."""

from __future__ import annotations

from collections.abc import Sequence

from faststream.kafka import KafkaBroker

from findings_shared.events import Event, encode_event
from findings_shared.kafka import ensure_topics, publish_event
from findings_shared.settings import KafkaSettings


class KafkaPublisher:
    def __init__(
        self, settings: KafkaSettings, broker: KafkaBroker, topic_names: Sequence[str]
    ) -> None:
        self.settings = settings
        self.broker = broker
        self.topic_names = list(topic_names)

    async def publish(self, topic: str, event: Event) -> None:
        body = encode_event(event, self.settings.max_message_bytes)
        await (await publish_event(self.broker, topic, body, event.report_id))

    async def restore_topics(self) -> None:
        # One attempt: the caller's pass is retried anyway.
        await ensure_topics(self.settings, self.topic_names, attempts=1)
