"""Aggregates read from the whole read model (facets, the latest grades, the latest
inspections), kept in memory until store counts a change (`store.change_read`).

At 20,000 reports a facet over every finding reads the whole findings table (1.4-2 s): an
analyst's page asks the same few of them again and again between two arrivals of reports.
Each request still reads the change counter (one row); a stored, replaced or withdrawn
report changes it, so nothing stale is served. Requests that miss together at one version
share one computation (a search page asks seven facets of the same findings at once):
their snapshots hold the same changes, so the answer is the same. If the request
computing it fails or goes away, the others compute their own.

A sum over reports (a facet's counts) is not computed again when the change only added
or withdrew reports: the kept value plus the same question asked of the new reports alone
(`changed_in`, `created_in`), less the question asked of the withdrawn ones as they were
(store keeps them: `store.withdrawn_report_read`). A value made per authority (the latest
grades, the latest inspections) is asked again of the authorities of the new reports
alone, whose rows replace the kept ones, and of the authorities of the withdrawn ones,
whose kept rows go first (`by_authority`). A change that replaced a report it counted, or
made a copy stand for its inspection, computes it all again. The API's transactions are
REPEATABLE READ, so the counter and the reads of one request see the same commits.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar, cast

from findings_api.repository import ReadRepository
from findings_shared.metrics import READ_CACHE

T = TypeVar("T")
Gone = TypeVar("Gone")

# Distinct questions kept (a facet with its filters is one); the least recently asked goes.
ENTRIES = 512


@dataclass(frozen=True, slots=True)
class Additive(Generic[T, Gone]):
    """How a value grows when store only adds reports: the question asked of what store
    changed after a version only (the new reports, or their authorities), and how the kept
    answer and that one add up. It may also say how it shrinks when store withdraws
    reports: what to ask of those withdrawn after a version (a sum over reports: the same
    question of them, as they were; rows per authority: their authorities), and how to
    take that from the kept answer, before the new reports are added."""

    since: Callable[[int], Awaitable[T]]
    add: Callable[[T, T], T]
    withdrawn: Callable[[int], Awaitable[Gone]] | None = None
    take: Callable[[T, Gone], T] | None = None


@dataclass(frozen=True, slots=True)
class Kept:
    version: int
    # How many reports the read model served at that version (additive values only).
    reports: int | None
    value: object


class OfAuthority(Protocol):
    @property
    def la_code(self) -> str | None: ...


Row = TypeVar("Row", bound=OfAuthority)


def by_authority(
    since: Callable[[int], Awaitable[list[Row]]],
    order: Callable[[Row], Any],
    withdrawn: Callable[[int], Awaitable[set[str]]],
) -> Additive[list[Row], set[str]]:
    """Rows per authority, asked again (`since`) of the authorities of the reports store
    stored or withdrew after a version: the kept rows of an authority that lost a report
    go (`withdrawn`: those authorities), then the rows asked again replace the kept rows
    of their authorities (a report added never takes an authority's row away), in the
    query's `order`."""

    def add(kept: list[Row], asked_again: list[Row]) -> list[Row]:
        authorities = {row.la_code for row in asked_again}
        rows = [row for row in kept if row.la_code not in authorities] + asked_again
        return sorted(rows, key=order)

    def take(kept: list[Row], authorities: set[str]) -> list[Row]:
        return [row for row in kept if row.la_code not in authorities]

    return Additive(since, add, withdrawn, take)


class ReadCache:
    def __init__(self, entries: int = ENTRIES) -> None:
        self.entries = entries
        self.kept: OrderedDict[Hashable, Kept] = OrderedDict()
        # Answers being computed, by question and version: later requests wait for them.
        self.computing: dict[tuple[Hashable, int], asyncio.Future[object]] = {}

    def holds(self, key: tuple[Hashable, ...]) -> bool:
        """Whether an answer to `key` is kept, of whatever version: `get` then serves it,
        or brings it up to date, without a full count unless a report was replaced."""
        return key in self.kept

    async def get(
        self,
        repository: ReadRepository,
        key: tuple[Hashable, ...],
        compute: Callable[[], Awaitable[T]],
        additive: Additive[T, Any] | None = None,
    ) -> T:
        """The value for `key` (its first part names the kind) as of the read model's
        current version: kept, kept less the reports withdrawn and plus those added since
        (`additive`), or computed."""
        kind = str(key[0])
        version = await repository.change_version()
        while True:
            found = self.kept.get(key)
            if found is not None and found.version == version:
                self.kept.move_to_end(key)
                READ_CACHE.labels(kind, "hit").inc()
                return cast(T, found.value)
            if found is not None and found.version > version:
                # This request's snapshot is older than the kept answer: its own, not kept.
                READ_CACHE.labels(kind, "miss").inc()
                return await compute()
            computing = self.computing.get((key, version))
            if computing is None:
                break
            try:
                theirs = await asyncio.shield(computing)
            except Exception:
                continue  # its request failed: look again (another may have kept it since)
            READ_CACHE.labels(kind, "shared").inc()
            return cast(T, theirs)
        computing = asyncio.get_running_loop().create_future()
        self.computing[(key, version)] = computing
        try:
            value = await self._current(repository, key, version, found, compute, additive)
            computing.set_result(value)
            return value
        except BaseException as error:
            computing.set_exception(
                error if isinstance(error, Exception) else RuntimeError("its request went")
            )
            computing.exception()  # retrieved, whether or not another request waited
            raise
        finally:
            if self.computing.get((key, version)) is computing:
                del self.computing[(key, version)]

    async def _current(
        self,
        repository: ReadRepository,
        key: tuple[Hashable, ...],
        version: int,
        found: Kept | None,
        compute: Callable[[], Awaitable[T]],
        additive: Additive[T, Any] | None,
    ) -> T:
        """The kept answer brought to `version`, or computed; kept."""
        kind = str(key[0])
        # Only a sum over reports needs to know how the reports changed (a scan of them).
        growth = (
            await repository.report_growth(found.version if found else version)
            if additive is not None
            else None
        )
        if (
            found is not None
            and additive is not None
            and growth is not None
            and found.reports is not None
            and growth.all_new
            and growth.withdrawn_unchanged
            # Every report withdrawn since is still kept by store to be taken away.
            and found.version >= growth.purged_through
            and growth.reports == found.reports + growth.changed - growth.withdrawn
            and (not growth.withdrawn or (additive.withdrawn and additive.take))
        ):
            value = cast(T, found.value)
            if growth.withdrawn and additive.withdrawn and additive.take:
                value = additive.take(value, await additive.withdrawn(found.version))
            value = additive.add(value, await additive.since(found.version))
            READ_CACHE.labels(kind, "withdrawn" if growth.withdrawn else "added").inc()
        else:
            READ_CACHE.labels(kind, "miss").inc()
            value = await compute()
        self.kept[key] = Kept(version, growth.reports if growth else None, value)
        self.kept.move_to_end(key)
        while len(self.kept) > self.entries:
            self.kept.popitem(last=False)
        return value
