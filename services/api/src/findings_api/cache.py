"""Aggregates read from the whole read model (facets, the latest grades, the latest
inspections), kept in memory until store counts a change (`store.change_read`).

At 20,000 reports a facet over every finding reads the whole findings table (1.8 s): an
analyst's page asks the same few of them again and again between two arrivals of reports.
Each request still reads the change counter (one row); a stored, replaced or withdrawn
report changes it, so nothing stale is served. Two requests that miss together both
compute: simpler than sharing one computation across requests and their sessions.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import TypeVar, cast

from findings_api.repository import ReadRepository
from findings_shared.metrics import READ_CACHE

T = TypeVar("T")

# Distinct questions kept (a facet with its filters is one); the least recently asked goes.
ENTRIES = 512


class ReadCache:
    def __init__(self, entries: int = ENTRIES) -> None:
        self.entries = entries
        self.kept: OrderedDict[Hashable, tuple[int, object]] = OrderedDict()

    async def get(
        self,
        repository: ReadRepository,
        key: tuple[Hashable, ...],
        compute: Callable[[], Awaitable[T]],
    ) -> T:
        """The value for `key` (its first part names the kind) as of the read model's
        current version, computed if needed."""
        version = await repository.change_version()
        found = self.kept.get(key)
        if found is not None and found[0] == version:
            self.kept.move_to_end(key)
            READ_CACHE.labels(str(key[0]), "hit").inc()
            return cast(T, found[1])
        READ_CACHE.labels(str(key[0]), "miss").inc()
        value = await compute()
        self.kept[key] = (version, value)
        self.kept.move_to_end(key)
        while len(self.kept) > self.entries:
            self.kept.popitem(last=False)
        return value
