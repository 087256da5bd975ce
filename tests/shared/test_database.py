"""The pool's check of idle connections (findings_shared.database.make_engine) against a
real PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from findings_shared.database import make_engine
from findings_shared.settings import DatabaseSettings

pytestmark = pytest.mark.integration


async def backend_after_its_connection_is_killed(
    database_settings: DatabaseSettings, ping_after_idle_s: float
) -> tuple[int, int]:
    """The server process of the pool's connection; the server then ends it while it sits
    in the pool, and a moment later the pool's connection is used again."""
    engine = make_engine(database_settings, ping_after_idle_s=ping_after_idle_s)
    killer = make_engine(database_settings)
    try:
        async with engine.connect() as connection:
            first = (await connection.execute(text("select pg_backend_pid()"))).scalar_one()
        async with killer.connect() as connection:
            await connection.execute(text(f"select pg_terminate_backend({first})"))
        await asyncio.sleep(0.3)
        async with engine.connect() as connection:
            second = (await connection.execute(text("select pg_backend_pid()"))).scalar_one()
        return int(first), int(second)
    finally:
        await engine.dispose()
        await killer.dispose()


async def test_a_connection_idle_long_enough_is_checked_and_replaced_when_dead(
    database_settings: DatabaseSettings,
) -> None:
    first, second = await backend_after_its_connection_is_killed(database_settings, 0.1)
    assert second != first


async def test_a_connection_returned_a_moment_ago_is_not_checked(
    database_settings: DatabaseSettings,
) -> None:
    """Idle less than the threshold: used as it is, so a dead one fails its statement
    (which is what the check above spares a request)."""
    with pytest.raises(DBAPIError):
        await backend_after_its_connection_is_killed(database_settings, 60)
