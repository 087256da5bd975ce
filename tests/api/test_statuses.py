"""Statuses that tell the truth: bad input is 422, an unreachable database 503."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from findings_api.settings import ApiSettings
from findings_cli.embedded import free_port
from findings_shared.events import ReportParsed
from findings_shared.settings import DatabaseSettings
from tests.api.conftest import api_client

pytestmark = pytest.mark.integration

FILES = ["inspection_salford_2018-11-12.pdf"]


def forged(sort: str, key: list[object]) -> str:
    payload = json.dumps({"sort": sort, "key": key}).encode()
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


@pytest.mark.parametrize(
    ("path", "params"),
    [
        pytest.param("/findings", {"q": "\x00"}, id="nul-search"),
        pytest.param("/findings", {"q": "care\x00leavers"}, id="nul-in-words"),
        pytest.param("/reports", {"authority": "Salf\x00ord"}, id="nul-authority"),
        pytest.param(
            "/reports", {"cursor": forged("newest", ["2018-11-12", "a\x00b"])}, id="nul-cursor"
        ),
        pytest.param(
            "/findings",
            {"cursor": forged("newest", ["2018-11-12", "a" * 64, 10**30])},
            id="huge-integer-cursor",
        ),
    ],
)
async def test_bad_input_is_422_whatever_would_reach_the_database(
    stored: dict[str, ReportParsed], client: httpx.AsyncClient, path: str, params: dict[str, str]
) -> None:
    response = await client.get(path, params=params)
    assert response.status_code == 422, response.text


async def test_an_unreachable_database_is_503_with_a_time_to_retry(
    database_settings: DatabaseSettings,
) -> None:
    nowhere = DatabaseSettings(url=f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/x")
    async with api_client(ApiSettings(database=nowhere)) as client:
        for path in ("/reports", "/findings?q=care", "/local-authorities/212", "/files"):
            response = await client.get(path)
            assert response.status_code == 503, (path, response.text)
            assert int(response.headers["Retry-After"]) > 0
