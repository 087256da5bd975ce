"""PostgreSQL plumbing: engines, session factories and Alembic migrations per service."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError, DisconnectionError, OperationalError, ProgrammingError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.pool import ConnectionPoolEntry

from findings_shared.settings import DatabaseSettings

log = logging.getLogger(__name__)


def make_engine(
    settings: DatabaseSettings,
    server_settings: Mapping[str, str] | None = None,
    ping_after_idle_s: float | None = None,
) -> AsyncEngine:
    """An engine with the settings' pool; `server_settings` are PostgreSQL settings each
    connection starts with (startup parameters: a pooler such as PgBouncer refuses those
    it does not know, unless told to ignore them). The pool checks a connection before
    handing it out (a restarted server or a proxy may have closed it): every one, or with
    `ping_after_idle_s` only one that sat in the pool at least that long."""
    engine = create_async_engine(
        settings.url,
        pool_size=settings.pool_size,
        max_overflow=settings.max_overflow,
        pool_timeout=settings.pool_timeout_s,
        pool_pre_ping=ping_after_idle_s is None,
        connect_args={"server_settings": dict(server_settings)} if server_settings else {},
    )
    if ping_after_idle_s is not None:
        _ping_when_idle(engine, ping_after_idle_s)
    return engine


def _ping_when_idle(engine: AsyncEngine, idle_s: float) -> None:
    """Check a pooled connection only when it sat idle at least `idle_s`: one in use a
    moment ago is alive, and with asyncpg each check is three round trips (a transaction
    begun, a ping, a rollback), 10-20 % of the API's rate (docs/benchmarks.md). A dead one
    is a disconnection, which the pool answers with another connection."""
    returned_at = "findings_returned_at"

    @event.listens_for(engine.sync_engine.pool, "checkin")
    def returned(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info[returned_at] = time.monotonic()

    @event.listens_for(engine.sync_engine.pool, "checkout")
    def handed_out(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
        since = record.info.get(returned_at)
        if since is None or time.monotonic() - since < idle_s:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError(str(error)) from error


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


async def wait_for_database(engine: AsyncEngine, attempts: int = 60) -> None:
    for attempt in range(1, attempts + 1):
        try:
            async with engine.connect() as connection:
                await connection.execute(text("select 1"))
            return
        except (OSError, OperationalError, DBAPIError):
            if attempt == attempts:
                raise
            log.info("waiting for PostgreSQL")
            await asyncio.sleep(min(0.2 * attempt, 2.0))


def alembic_config(migrations_dir: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url)
    return config


def upgrade_to_head(migrations_dir: Path, url: str) -> None:
    """Apply a service's migrations (sync: call it in a thread from async code)."""
    command.upgrade(alembic_config(migrations_dir, url), "head")


async def migrate(migrations_dir: Path, url: str) -> None:
    await asyncio.to_thread(upgrade_to_head, migrations_dir, url)


@dataclass(frozen=True)
class ServiceSchema:
    """A service's own schema and the migrations that build it."""

    name: str
    migrations: Path

    def heads(self) -> set[str]:
        config = alembic_config(self.migrations, "postgresql://unused")
        return set(ScriptDirectory.from_config(config).get_heads())


async def wait_for_schema(
    schema: ServiceSchema, settings: DatabaseSettings, poll_s: float = 2.0
) -> None:
    """Wait until someone else (a migration job) has brought the schema to this code's
    head: a service that does not migrate must not run on tables it does not know."""
    heads = schema.heads()
    engine = create_async_engine(settings.url, pool_size=1)
    try:
        while True:
            current: set[str] = set()
            try:
                async with engine.connect() as connection:
                    rows = await connection.execute(
                        text(f'select version_num from "{schema.name}".alembic_version')
                    )
                    current = {row[0] for row in rows}
            except ProgrammingError:
                pass  # no version table yet
            except (OSError, OperationalError, DBAPIError):
                log.info("waiting for PostgreSQL")
            if heads <= current:
                return
            log.info(
                "waiting for the migrations of schema %s (at %s, this code needs %s): "
                "run `python -m findings_%s migrate`",
                schema.name,
                ", ".join(sorted(current)) or "nothing",
                ", ".join(sorted(heads)),
                schema.name,
            )
            await asyncio.sleep(poll_s)
    finally:
        await engine.dispose()


NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def run_alembic_env(schema: str) -> None:
    """Body of a service's Alembic env.py: migrations and their version table live in
    the service's own schema, so services never touch each other's tables."""
    from alembic import context
    from sqlalchemy import pool

    url = context.config.get_main_option("sqlalchemy.url")
    assert url is not None

    def run(connection: object) -> None:
        context.configure(
            connection=connection,  # type: ignore[arg-type]
            version_table_schema=schema,
            include_schemas=True,
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(url, poolclass=pool.NullPool)
        async with engine.begin() as connection:
            # Created only if missing: a least-privilege role owns its schema but may not
            # create schemas (PostgreSQL checks that before IF NOT EXISTS).
            exists = await connection.scalar(
                text("select 1 from pg_namespace where nspname = :schema"), {"schema": schema}
            )
            if not exists:
                await connection.execute(text(f'CREATE SCHEMA "{schema}"'))
            await connection.run_sync(run)
        await engine.dispose()

    asyncio.run(main())
