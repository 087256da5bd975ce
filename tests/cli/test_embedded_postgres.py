"""The embedded PostgreSQL starts from any folder and keeps what it committed."""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
from pathlib import Path

import asyncpg
import pytest

from findings_cli.embedded import EmbeddedPostgres, reachable_by_others

pytestmark = pytest.mark.integration


async def server_setting(port: int, name: str) -> str:
    connection = await asyncpg.connect(host="127.0.0.1", port=port, user="postgres")
    try:
        value: str = await connection.fetchval(f"show {name}")
        return value
    finally:
        await connection.close()


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
    finally:
        server.stop("immediate")
        shutil.rmtree(home, ignore_errors=True)
        if server.data_dir.is_relative_to("/var/lib/findings"):
            shutil.rmtree(server.data_dir.parent, ignore_errors=True)
