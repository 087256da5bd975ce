"""Topic upkeep on a broker that loses its data."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from findings_cli.embedded import EmbeddedKafka
from findings_shared.kafka import ensure_topics, keeping_topics
from findings_shared.settings import KafkaSettings

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
