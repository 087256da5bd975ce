"""One report's path is one trace: with OTEL_TRACES_EXPORTER=otlp, ingest, parse, store
and the API send their spans to an OTLP endpoint (here a real HTTP receiver decoding
OTLP's protobuf), and ingest's announcement, parse, store and the API's read of the
report share one trace id, carried in the Kafka headers from service to service."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI, Request, Response
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from findings_shared.settings import DatabaseSettings, KafkaSettings
from tests.api.conftest import serving
from tests.conftest import copy_fixture
from tests.e2e.test_pipeline import TEXTS, Pipeline, running_pipeline

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Span:
    service: str
    name: str
    trace_id: str
    span_id: str
    report_id: str | None
    links: tuple[str, ...]  # the trace ids it links to


class Collector:
    """What the services exported, span by span."""

    def __init__(self) -> None:
        self.spans: list[Span] = []
        self.app = FastAPI()
        self.app.post("/v1/traces")(self.receive)

    async def receive(self, request: Request) -> Response:
        export = ExportTraceServiceRequest.FromString(await request.body())
        for resource_spans in export.resource_spans:
            service = next(
                a.value.string_value
                for a in resource_spans.resource.attributes
                if a.key == "service.name"
            )
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    attributes = {a.key: a.value.string_value for a in span.attributes}
                    self.spans.append(
                        Span(
                            service,
                            span.name,
                            span.trace_id.hex(),
                            span.span_id.hex(),
                            attributes.get("findings.report_id"),
                            tuple(link.trace_id.hex() for link in span.links),
                        )
                    )
        return Response(
            ExportTraceServiceRequest().SerializeToString(), media_type="application/x-protobuf"
        )


@pytest.fixture
async def collector() -> AsyncIterator[tuple[Collector, str]]:
    receiver = Collector()
    async with serving(receiver.app) as url:
        yield receiver, url


@pytest.fixture
def traced_pipeline(
    tmp_path: Path,
    kafka_settings: KafkaSettings,
    database_settings: DatabaseSettings,
    collector: tuple[Collector, str],
) -> Iterator[Pipeline]:
    _, url = collector
    otel = {
        "OTEL_TRACES_EXPORTER": "otlp",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": f"{url}/v1/traces",
        "OTEL_BSP_SCHEDULE_DELAY": "100",  # ms: spans leave at once, for the test
    }
    yield from running_pipeline(tmp_path, kafka_settings, database_settings, otel)


async def test_a_reports_path_from_the_bucket_to_the_api_is_one_trace(
    traced_pipeline: Pipeline, collector: tuple[Collector, str]
) -> None:
    receiver, _ = collector
    dropped = copy_fixture(TEXTS[0], traced_pipeline.inbox)
    report_id = hashlib.sha256(dropped.read_bytes()).hexdigest()
    await traced_pipeline.wait_for_reports(1)
    async with httpx.AsyncClient(base_url=traced_pipeline.api) as client:
        assert (await client.get(f"/reports/{report_id}")).status_code == 200
    wanted = {
        ("findings-ingest", "ingest: announce report"),
        ("findings-parse", "parse: parse report"),
        ("findings-store", "store: store report"),
        ("findings-api", "api: read report"),
    }
    async with asyncio.timeout(30):
        while True:
            mine = [s for s in receiver.spans if s.report_id == report_id]
            if wanted <= {(s.service, s.name) for s in mine}:
                break
            await asyncio.sleep(0.2)
    path = [s for s in mine if (s.service, s.name) in wanted]
    assert len({s.trace_id for s in path}) == 1, path
    # The read is linked to the API request's own trace (its server span).
    (read,) = [s for s in path if s.service == "findings-api"]
    requests = {
        s.trace_id
        for s in receiver.spans
        if s.service == "findings-api" and s.name.startswith("GET")
    }
    assert set(read.links) & requests
