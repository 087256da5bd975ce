"""What the core sends events through, and how it tells that the broker lost them.
Adapters: findings_ingest.adapters.publisher and .broker_memory."""

from __future__ import annotations

from typing import Protocol

from findings_shared.events import Event


class EventPublisher(Protocol):
    async def publish(self, topic: str, event: Event) -> None:
        """Publish the event, keyed by its report, and wait for the broker's acknowledgement."""
        ...

    async def restore_topics(self) -> None:
        """Create again the topics a broker that lost its data no longer has."""
        ...


class BrokerMarker(Protocol):
    """A marker kept on the broker: gone when the broker lost its data."""

    async def lost(self) -> bool: ...

    async def remember(self) -> None: ...
