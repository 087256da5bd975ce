"""Property tests from the OpenAPI schema (schemathesis): whatever a client sends within
or around the schema, the API never answers with a server error."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
import uvicorn
from hypothesis import HealthCheck, given, settings

from findings_api.app import create_app
from findings_api.settings import ApiSettings
from findings_cli.embedded import free_port, wait_for_port
from findings_shared.events import ReportParsed
from findings_shared.settings import DatabaseSettings
from tests.api.test_queries import FILES as QUERY_FILES

pytestmark = pytest.mark.integration
# The reports `stored` (tests/api/conftest.py) puts in each test's database.
FILES = QUERY_FILES


@pytest.fixture
def api_url(stored: dict[str, ReportParsed], database_settings: DatabaseSettings) -> Iterator[str]:
    """The API over HTTP, in a thread of its own (the generated calls are synchronous)."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(ApiSettings(database=database_settings)), port=port, log_level="warning"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for_port(port, 30, None)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_no_input_makes_a_server_error(api_url: str) -> None:
    schema = schemathesis.openapi.from_url(f"{api_url}/openapi.json")
    # /events streams for as long as the client listens: tested on its own.
    operations = [
        result.ok()  # type: ignore[union-attr]
        for result in schema.exclude(path="/events").get_all_operations()
    ]
    assert len(operations) >= 10
    failures: list[str] = []
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
        def no_server_error(case: Any) -> None:
            response = case.call(timeout=30)
            if response.status_code >= 500:
                problem = f"{case.method} {case.formatted_path} {case.query}"
                failures.append(f"{problem}: {response.status_code} {response.text[:300]}")

        no_server_error()
    assert failures == [], "\n".join(sorted(set(failures))[:20])
