"""Clients that start exports and streams and never read, and crowds of exports: the API
keeps answering everyone else, refuses beyond its limits with 429, and never sends a
truncated 200."""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import select
import socket
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from findings_api.app import create_app
from findings_api.settings import ApiSettings
from findings_shared.events import ReportParsed
from findings_shared.settings import DatabaseSettings
from tests.api.conftest import serving
from tests.conftest import REPORTS

pytestmark = pytest.mark.integration

# Every PDF report: a findings export (about 2.5 MB) overflows every socket buffer.
FILES = sorted(path.name for path in REPORTS.glob("*.pdf"))


def hostile_settings(database: DatabaseSettings, **changes: object) -> ApiSettings:
    # A small pool that gives up quickly: a held connection shows at once.
    small_pool = database.model_copy(
        update={"pool_size": 2, "max_overflow": 0, "pool_timeout_s": 2.0}
    )
    return ApiSettings(database=small_pool).model_copy(update=changes)


@contextlib.asynccontextmanager
async def stalled(url: str, path: str, headers: str = "") -> AsyncIterator[socket.socket]:
    """A request whose client reads nothing of the answer (its receive buffer tiny)."""
    host, port = url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    await loop.sock_connect(sock, (host, int(port)))
    request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{headers}\r\n"
    await loop.sock_sendall(sock, request.encode())
    try:
        yield sock
    finally:
        sock.close()


async def answering(socks: list[socket.socket], timeout_s: float) -> None:
    """Until the server has begun to answer on every one of these connections."""
    waiting = list(socks)
    async with asyncio.timeout(timeout_s):
        while waiting:
            ready, _, _ = select.select(waiting, [], [], 0)
            waiting = [sock for sock in waiting if sock not in ready]
            await asyncio.sleep(0.05)


async def until_closed(sock: socket.socket, timeout_s: float) -> bytes:
    """Everything the server sent, read once it has closed the connection."""
    loop = asyncio.get_running_loop()
    received = b""
    async with asyncio.timeout(timeout_s):
        while chunk := await loop.sock_recv(sock, 65536):
            received += chunk
    return received


async def test_clients_that_never_read_starve_no_one(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> None:
    settings = hostile_settings(
        database_settings, max_exports=50, max_exports_per_client=50, max_streams_per_client=50
    )
    async with serving(create_app(settings)) as url, contextlib.AsyncExitStack() as stack:
        exports = [
            await stack.enter_async_context(stalled(url, "/findings?format=csv")) for _ in range(16)
        ]
        for _ in range(8):
            await stack.enter_async_context(stalled(url, "/events"))
        # Each export is written (its connection given back) once it starts to answer;
        # then they all wait on their clients. (A fixed sleep was too short on a slower
        # machine: the last exports were still waiting for a connection.)
        await answering(exports, timeout_s=120)
        async with httpx.AsyncClient(base_url=url, timeout=10) as client:
            # With the pool (2, no overflow, 2 s timeout) held by the stalled clients these
            # would answer 503; speed is measured by make bench, not asserted here.
            for path in ["/reports", "/findings?q=neglect", "/local-authorities/212"] * 4:
                response = await client.get(path)
                assert response.status_code == 200, (path, response.text)


async def test_a_client_that_reads_nothing_is_disconnected_and_frees_its_place(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> None:
    settings = hostile_settings(database_settings, send_timeout_s=1.0, max_exports_per_client=1)
    app = create_app(settings)
    async with serving(app) as url:
        async with stalled(url, "/findings?format=csv") as sock:
            await asyncio.sleep(0.5)
            assert sum(app.state.exports.held.values()) == 1
            await asyncio.sleep(2)  # twice the send timeout
            assert not app.state.exports.held
            received = await until_closed(sock, 10)
        assert received.startswith(b"HTTP/1.1 200")
        content_length = int(received.split(b"content-length: ")[1].split(b"\r\n")[0])
        body = received.split(b"\r\n\r\n", 1)[1]
        assert len(body) < content_length  # the client can tell it got less than all
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            again = await client.get("/findings", params={"format": "csv"})
        assert again.status_code == 200


async def test_exports_and_streams_beyond_the_limits_get_429_with_retry_after(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> None:
    keys = [SecretStr(f"key-{n}") for n in range(3)]
    settings = hostile_settings(
        database_settings, read_keys=keys, max_streams=3, max_streams_per_client=2
    )
    async with (
        serving(create_app(settings)) as url,
        httpx.AsyncClient(base_url=url, timeout=10) as client,
        contextlib.AsyncExitStack() as stack,
    ):

        async def open_stream(key: str) -> httpx.Response:
            return await stack.enter_async_context(
                client.stream("GET", "/events", headers={"X-API-Key": key})
            )

        assert (await open_stream("key-0")).status_code == 200
        assert (await open_stream("key-0")).status_code == 200
        per_client = await open_stream("key-0")
        assert per_client.status_code == 429
        assert per_client.headers["retry-after"] == "30"
        assert "most per client" in (await per_client.aread()).decode()
        assert (await open_stream("key-1")).status_code == 200
        overall = await open_stream("key-2")
        assert overall.status_code == 429
        assert "the most this API serves" in (await overall.aread()).decode()
        # A made-up key is no other client: it counts as its address.
        assert (await client.get("/reports", headers={"X-API-Key": "key-2"})).status_code == 200


async def test_a_crowd_of_exports_gets_whole_files_or_429_never_a_truncated_200(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> None:
    settings = hostile_settings(database_settings, max_exports=4, max_exports_per_client=32)
    async with (
        serving(create_app(settings)) as url,
        httpx.AsyncClient(base_url=url, timeout=60) as client,
    ):
        responses = await asyncio.gather(
            *(client.get("/findings", params={"format": "csv"}) for _ in range(32))
        )
    total = sum(len(report.findings) for report in stored.values())
    statuses = [response.status_code for response in responses]
    assert set(statuses) <= {200, 429}, statuses
    assert 200 in statuses
    assert 429 in statuses
    for response in responses:
        if response.status_code == 429:
            assert int(response.headers["retry-after"]) > 0
            continue
        assert int(response.headers["content-length"]) == len(response.content)
        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(rows) == total + 1
