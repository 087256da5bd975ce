"""Changes to the stored reports made as store makes them: store's own repository, in one
transaction, counted (`store.changes`) and stamped on the reports it touched."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import timedelta

from findings_shared.database import make_engine, make_sessionmaker
from findings_shared.settings import DatabaseSettings
from findings_store.repository import WITHDRAWN_KEPT, ReportRepository


async def store_changes(
    database_settings: DatabaseSettings,
    change: Callable[[ReportRepository], Awaitable[object]],
    withdrawn_kept: timedelta = WITHDRAWN_KEPT,
) -> None:
    """One transaction of store's repository, counted as store's handler counts it,
    keeping withdrawn reports this long."""
    engine = make_engine(database_settings)
    try:
        async with make_sessionmaker(engine).begin() as session:
            store = ReportRepository(session, withdrawn_kept)
            await change(store)
            await store.changed()
    finally:
        await engine.dispose()
