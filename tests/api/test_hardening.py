"""What a hostile or careless client meets: security headers, no server paths, the original
file only while unchanged, bounded headers and uploads, names that keep their suffix,
compatibility characters searched as what they are."""

from __future__ import annotations

import asyncio
import hashlib
import io
import socket
import zipfile
from pathlib import Path

import asyncpg
import pytest
import uvicorn
from pydantic import SecretStr

from findings_api.__main__ import server_config
from findings_api.settings import ApiSettings
from findings_api.uploads import CHUNK, UploadTarget
from findings_cli.embedded import free_port, wait_for_port
from findings_shared.events import ReportParsed
from findings_shared.settings import BucketSettings, DatabaseSettings, S3Settings
from tests.api.conftest import api_client
from tests.api.test_queries import FILES as QUERY_FILES
from tests.api.test_queries import SALFORD_2018
from tests.conftest import REPORTS

pytestmark = pytest.mark.integration
FILES = QUERY_FILES
WRITE = "writer-key"


async def point_at(database: DatabaseSettings, report_id: str, path: Path) -> None:
    """Say the report's file lies at `path` (the pipeline's inbox is gone by now)."""
    uri = path.as_uri()
    connection = await asyncpg.connect(database.url.replace("+asyncpg", ""))
    try:
        await connection.execute(
            "update store.reports set object_uri = $1 where report_id = $2", uri, report_id
        )
    finally:
        await connection.close()


async def test_every_answer_tells_the_browser_what_to_refuse(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> None:
    async with api_client(ApiSettings(database=database_settings)) as client:
        for path in ["/", "/reports", "/static/app.js", "/no-such-page"]:
            headers = (await client.get(path)).headers
            assert headers["x-content-type-options"] == "nosniff", path
            assert headers["x-frame-options"] == "DENY", path
            assert headers["referrer-policy"] == "no-referrer", path
            policy = headers["content-security-policy"]
            assert "script-src 'self';" in policy, path
            assert "frame-ancestors 'none'" in policy, path
        docs = await client.get("/docs")
        assert "cdn" not in docs.text.lower()
        assert "/static-docs/swagger-ui-bundle.js" in docs.text
        assert "script-src 'self' 'sha256-" in docs.headers["content-security-policy"]
        assert (await client.get("/static-docs/swagger-ui-bundle.js")).status_code == 200


async def test_readers_get_a_file_url_never_a_server_path(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings, tmp_path: Path
) -> None:
    salford = stored[SALFORD_2018]
    original = (tmp_path / SALFORD_2018).resolve()
    original.write_bytes((REPORTS / SALFORD_2018).read_bytes())
    await point_at(database_settings, salford.report_id, original)
    settings = ApiSettings(database=database_settings, write_keys=[SecretStr(WRITE)])
    async with api_client(settings) as client:
        listed = (await client.get("/reports", params={"limit": 500})).json()["items"]
        assert all(report["object_uri"] is None for report in listed)
        detail = (await client.get(f"/reports/{salford.report_id}")).json()
        assert detail["object_uri"] is None
        assert str(tmp_path) not in str(detail)
        files = (await client.get("/files")).json()["items"]
        assert all(file["object_uri"] is None for file in files)
        as_operator = await client.get(
            f"/reports/{salford.report_id}", headers={"X-API-Key": WRITE}
        )
        assert as_operator.json()["object_uri"] == original.as_uri()

        response = await client.get(detail["file_url"])
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/pdf"
        assert SALFORD_2018 in response.headers["content-disposition"]
        assert hashlib.sha256(response.content).hexdigest() == salford.report_id

        original.write_bytes(b"%PDF-1.7 other content")  # replaced after it was stored
        replaced = await client.get(detail["file_url"])
        assert replaced.status_code == 410
        assert "now holds other content" in replaced.json()["detail"]
        original.unlink()
        assert (await client.get(detail["file_url"])).status_code == 410
        missing = await client.get(f"/reports/{'0' * 64}/file")
        assert missing.status_code == 404


async def test_a_huge_header_is_refused_before_it_is_read(
    database_settings: DatabaseSettings,
) -> None:
    settings = ApiSettings(database=database_settings, port=free_port())
    server = uvicorn.Server(server_config(settings))
    serving = asyncio.create_task(server.serve())
    await asyncio.to_thread(wait_for_port, settings.port, 30, None)
    loop = asyncio.get_running_loop()
    sock = socket.socket()
    sock.setblocking(False)
    sent = 0
    try:
        await loop.sock_connect(sock, ("127.0.0.1", settings.port))
        await loop.sock_sendall(sock, b"GET /reports HTTP/1.1\r\nHost: x\r\nX-API-Key: ")
        chunk = b"k" * 1024 * 1024
        refused: OSError | None = None
        async with asyncio.timeout(30):
            for _ in range(50):  # a 50 MB header
                try:
                    await loop.sock_sendall(sock, chunk)
                except OSError as error:  # the server stopped reading and closed
                    refused = error
                    break
                sent += len(chunk)
        assert isinstance(refused, ConnectionError)
        assert sent < 10 * len(chunk)
    finally:
        sock.close()
        server.should_exit = True
        await serving


async def test_uploads_are_copied_in_chunks_and_bounded_before_they_are_read(
    database_settings: DatabaseSettings, tmp_path: Path
) -> None:
    class Recorded(io.BytesIO):
        def __init__(self, content: bytes) -> None:
            super().__init__(content)
            self.reads: list[int] = []

        def read(self, size: int | None = -1) -> bytes:
            self.reads.append(size if size is not None else -1)
            return super().read(size)

    content = (REPORTS / SALFORD_2018).read_bytes()  # a real PDF, ~260 KB
    big = b"%PDF-1.7\n" + b"0" * (5 * CHUNK) + b"\n%%EOF\n"
    target = UploadTarget(BucketSettings(inbox=tmp_path / "inbox", s3=S3Settings()))
    for payload in (content, big):
        source = Recorded(payload)
        stored = target.put("report.pdf", source, max_bytes=10 * CHUNK)
        assert stored.report_id == hashlib.sha256(payload).hexdigest()
        assert max(source.reads) <= CHUNK  # never the whole upload at once
    settings = ApiSettings(
        database=database_settings,
        write_keys=[SecretStr(WRITE)],
        inbox=tmp_path / "inbox",
        max_upload_bytes=1_000_000,
    )
    async with api_client(settings) as client:
        too_big = await client.post(
            "/reports",
            content=b"x" * 10,
            headers={"X-API-Key": WRITE, "Content-Length": "999999999"},
        )
        assert too_big.status_code == 413
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as zipped:
            zipped.writestr("report.pdf", content)
        refused = await client.post(
            "/reports",
            files={"file": ("report.pdf", archive.getvalue())},
            headers={"X-API-Key": WRITE},
        )
        assert refused.status_code == 415
        assert "ZIP archive" in refused.json()["detail"]
        for filename, suffix in [("r" * 200 + ".pdf", ".pdf"), ("!!! ###.PDF", ".pdf")]:
            accepted = await client.post(
                "/reports",
                files={"file": (filename, content)},
                headers={"X-API-Key": WRITE},
            )
            assert accepted.status_code == 202, accepted.text
            assert accepted.json()["name"].endswith(suffix)


async def test_full_width_letters_are_searched_as_the_letters_they_are(
    stored: dict[str, ReportParsed], database_settings: DatabaseSettings
) -> None:
    async with api_client(ApiSettings(database=database_settings)) as client:
        plain = (await client.get("/findings", params={"q": "CHILDREN", "limit": 5})).json()
        wide = (await client.get("/findings", params={"q": "ＣＨＩＬＤＲＥＮ", "limit": 5})).json()
        authority = await client.get("/reports", params={"authority": "Ｓａｌｆｏｒｄ"})
    assert plain["items"]
    assert [f["finding_id"] for f in wide["items"]] == [f["finding_id"] for f in plain["items"]]
    assert authority.status_code == 200
    assert authority.json()["items"]
