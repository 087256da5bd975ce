"""POST /reports and API keys."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from pydantic import SecretStr

from findings_api.settings import ApiSettings
from findings_shared.bucket import s3_client, s3_location
from findings_shared.database import migrate
from findings_shared.settings import DatabaseSettings, S3Settings
from findings_store.migrations_path import MIGRATIONS
from tests.api.conftest import api_client
from tests.conftest import FIXTURES, REPORTS

pytestmark = pytest.mark.integration

LETTER = (REPORTS / "letter_wandsworth_2011-07-07.txt").read_bytes()
WRITE = "w-" + "x" * 30
READ = "r-" + "y" * 30


def keyed(settings: ApiSettings, **update: object) -> ApiSettings:
    return settings.model_copy(update=update)


@pytest.fixture
def settings(tmp_path: Path, database_settings: DatabaseSettings) -> ApiSettings:
    return ApiSettings(
        database=database_settings,
        inbox=tmp_path / "inbox",
        write_keys=[SecretStr(WRITE)],
        max_upload_bytes=2_000_000,
    )


async def test_an_upload_lands_in_the_inbox_under_a_safe_name(settings: ApiSettings) -> None:
    async with api_client(settings) as client:
        response = await client.post(
            "/reports",
            files={"file": ("../../etc/wandsworth letter.txt", LETTER, "text/plain")},
            headers={"X-API-Key": WRITE},
        )
    assert response.status_code == 202, response.text
    body = response.json()
    report_id = hashlib.sha256(LETTER).hexdigest()
    assert body["report_id"] == report_id
    assert body["status_url"] == f"/files/{report_id}"
    assert body["name"] == f"{report_id[:12]}-wandsworth letter.txt"
    [landed] = list(settings.inbox.iterdir())  # no temporary file is left behind
    assert landed.name == body["name"]
    assert landed.read_bytes() == LETTER


@pytest.mark.parametrize(
    ("filename", "content", "status", "reason"),
    [
        ("empty.pdf", b"", 422, "empty"),
        (
            "page.pdf",
            (FIXTURES / "bad" / "inspection_birmingham_2012-10-19.pdf").read_bytes(),
            415,
            "HTML page",
        ),
        ("huge.pdf", b"%PDF-1.7" + b"0" * 2_000_000, 413, "2000008 bytes, over the 2000000-byte"),
        ("setup.exe", b"MZ\x90\x00", 415, "only PDF and .txt files are read (got .exe)"),
        ("notes.txt", b"\x00\x01binary", 415, "binary"),
        (
            "cut.pdf",
            (REPORTS / "inspection_salford_2018-11-12.pdf").read_bytes()[:60_000],
            422,
            "stops before its end-of-file marker",
        ),
    ],
)
async def test_bad_uploads_get_a_clear_reason(
    settings: ApiSettings, filename: str, content: bytes, status: int, reason: str
) -> None:
    async with api_client(settings) as client:
        response = await client.post(
            "/reports", files={"file": (filename, content)}, headers={"X-API-Key": WRITE}
        )
    assert response.status_code == status
    assert reason in response.json()["detail"]
    assert not settings.inbox.exists() or list(settings.inbox.iterdir()) == []


async def test_uploading_needs_a_write_key(settings: ApiSettings) -> None:
    upload = {"file": ("letter.txt", LETTER)}
    with_read_keys = keyed(settings, read_keys=[SecretStr(READ)])
    async with api_client(with_read_keys) as client:
        assert (await client.post("/reports", files=upload)).status_code == 401
        wrong = await client.post("/reports", files=upload, headers={"X-API-Key": READ})
        assert wrong.status_code == 403
        assert "may read but not upload" in wrong.json()["detail"]
        unknown = await client.post("/reports", files=upload, headers={"X-API-Key": "guessed"})
        assert unknown.status_code == 401
    async with api_client(keyed(settings, write_keys=[])) as client:
        off = await client.post("/reports", files=upload, headers={"X-API-Key": WRITE})
    assert off.status_code == 403
    assert "FINDINGS_API_WRITE_KEYS" in off.json()["detail"]


async def test_read_keys_guard_reads_but_not_health_nor_metrics(
    settings: ApiSettings, database_settings: DatabaseSettings
) -> None:
    await migrate(MIGRATIONS, database_settings.url)
    async with api_client(keyed(settings, read_keys=[SecretStr(READ)])) as client:
        assert (await client.get("/reports")).status_code == 401
        assert (await client.get("/reports", headers={"X-API-Key": "nope"})).status_code == 401
        assert (await client.get("/reports", headers={"X-API-Key": READ})).status_code == 200
        assert (await client.get("/reports", headers={"X-API-Key": WRITE})).status_code == 200
        assert (await client.get("/health")).status_code == 200
        assert (await client.get("/openapi.json")).status_code == 200
        # Prometheus scrapes without a key; requests are counted by route template.
        await client.get("/reports/" + "0" * 64, headers={"X-API-Key": READ})
        metrics = await client.get("/metrics")
        assert metrics.status_code == 200
        assert 'handler="/reports/{report_id}",method="GET",status="404"' in metrics.text
        assert "findings_db_pool_connections" in metrics.text
    async with api_client(settings) as client:  # no read keys: open
        assert (await client.get("/reports")).status_code == 200


async def test_an_upload_goes_to_the_s3_bucket_when_ingest_watches_one(
    settings: ApiSettings, s3_settings: S3Settings, s3_bucket: str
) -> None:
    to_s3 = keyed(settings, s3_bucket=s3_bucket, s3_prefix="inbox/", s3=s3_settings)
    async with api_client(to_s3) as client:
        response = await client.post(
            "/reports", files={"file": ("letter.txt", LETTER)}, headers={"X-API-Key": WRITE}
        )
    assert response.status_code == 202
    bucket, key = s3_location(response.json()["object_uri"])
    assert (bucket, key) == (s3_bucket, f"inbox/{response.json()['name']}")
    body = s3_client(s3_settings).get_object(Bucket=bucket, Key=key)["Body"].read()
    assert body == LETTER
