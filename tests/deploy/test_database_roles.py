"""deploy/postgres/roles.sql and the migration job, on the real PostgreSQL: each writing
service owns its schema and migrates it as its own role, the api only reads, and a
service that does not migrate waits for its schema."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import asyncpg
import httpx
import pytest

from findings_cli.embedded import EmbeddedKafka, EmbeddedPostgres, free_port
from findings_shared.settings import DatabaseSettings

pytestmark = pytest.mark.integration
ROLES_SQL = Path(__file__).parents[2] / "deploy" / "postgres" / "roles.sql"


def database_name(settings: DatabaseSettings) -> str:
    return settings.url.rsplit("/", 1)[1]


def as_role(settings: DatabaseSettings, postgres: EmbeddedPostgres, role: str) -> str:
    return f"postgresql+asyncpg://{role}:secret@127.0.0.1:{postgres.port}/{database_name(settings)}"


def apply_roles(settings: DatabaseSettings, postgres: EmbeddedPostgres) -> None:
    result = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(postgres.port),
            "-U",
            "postgres",
            "-d",
            database_name(settings),
            "-v",
            "ON_ERROR_STOP=1",
            "-v",
            f"database={database_name(settings)}",
            *("-v", "ingest_password=secret", "-v", "store_password=secret"),
            *("-v", "api_password=secret", "-f", str(ROLES_SQL)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def migrate(service: str, url: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, FINDINGS_DATABASE_URL=url)
    return subprocess.run(
        [sys.executable, "-m", f"findings_{service}", "migrate"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


async def connect(
    settings: DatabaseSettings, postgres: EmbeddedPostgres, role: str
) -> asyncpg.Connection:
    return await asyncpg.connect(
        host="127.0.0.1", port=postgres.port, user=role, database=database_name(settings)
    )


async def test_each_service_owns_its_schema_and_the_api_only_reads(
    database_settings: DatabaseSettings, postgres: EmbeddedPostgres
) -> None:
    apply_roles(database_settings, postgres)
    apply_roles(database_settings, postgres)  # idempotent: a second run changes nothing
    for service in ("ingest", "store"):
        url = as_role(database_settings, postgres, f"findings_{service}")
        result = await asyncio.to_thread(migrate, service, url)
        assert result.returncode == 0, result.stderr
        assert f"schema {service} migrated" in result.stderr

    api = await connect(database_settings, postgres, "findings_api")
    ingest = await connect(database_settings, postgres, "findings_ingest")
    store = await connect(database_settings, postgres, "findings_store")
    try:
        # The api reads both schemas, including tables created after roles.sql ran.
        assert await api.fetchval("select count(*) from store.reports") == 0
        # ... and the views over partitioned tables (a search's).
        assert await api.fetchval("select count(*) from store.finding_search_read") == 0
        assert await api.fetchval("select count(*) from ingest.objects") == 0
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await api.execute("delete from store.findings")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await api.execute("create table store.intruder (x int)")
        # A writing service cannot read, let alone write, the other's schema.
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await ingest.fetchval("select count(*) from store.reports")
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await store.fetchval("select count(*) from ingest.objects")
        # Nor create schemas of its own.
        with pytest.raises(asyncpg.InsufficientPrivilegeError):
            await store.execute("create schema elsewhere")
    finally:
        for connection in (api, ingest, store):
            await connection.close()


async def test_a_service_that_does_not_migrate_waits_for_the_migration_job(
    database_settings: DatabaseSettings, postgres: EmbeddedPostgres, kafka: EmbeddedKafka
) -> None:
    apply_roles(database_settings, postgres)
    url = as_role(database_settings, postgres, "findings_store")
    health_port = free_port()
    env = dict(
        os.environ,
        FINDINGS_DATABASE_URL=url,
        FINDINGS_DATABASE_MIGRATE_ON_START="false",
        FINDINGS_KAFKA_BOOTSTRAP_SERVERS=kafka.bootstrap_servers,
        FINDINGS_KAFKA_TOPIC_NAMESPACE=f"roles-{health_port}",
        FINDINGS_STORE_HEALTH_PORT=str(health_port),
    )
    service = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "findings_store", env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        await asyncio.sleep(3)
        assert service.returncode is None, "the store exited instead of waiting"
        async with httpx.AsyncClient() as client:
            with pytest.raises(httpx.ConnectError):
                await client.get(f"http://127.0.0.1:{health_port}/health")
            # It created nothing itself.
            owner = await connect(database_settings, postgres, "findings_store")
            try:
                assert await owner.fetchval("select to_regclass('store.reports')") is None
            finally:
                await owner.close()

            assert (await asyncio.to_thread(migrate, "store", url)).returncode == 0
            async with asyncio.timeout(30):
                while True:
                    try:
                        response = await client.get(f"http://127.0.0.1:{health_port}/health")
                        break
                    except httpx.ConnectError:
                        await asyncio.sleep(0.3)
            assert response.status_code == 200
    finally:
        service.terminate()
        _, stderr = await asyncio.wait_for(service.communicate(), 20)
    log = stderr.decode()
    assert "waiting for the migrations of schema store" in log
    assert "findings_store migrate" in log
