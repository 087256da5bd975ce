import json
from pathlib import Path

from findings_shared.asyncapi import build_specification
from findings_shared.events import Topics

DOCUMENT = Path(__file__).parents[2] / "docs" / "asyncapi.json"


def test_the_committed_asyncapi_document_is_current() -> None:
    committed = json.loads(DOCUMENT.read_text())
    assert committed == build_specification(), (
        "regenerate: uv run python -m findings_shared.asyncapi > docs/asyncapi.json"
    )


def test_every_topic_is_documented_with_its_schema() -> None:
    document = build_specification()
    assert set(document["channels"]) == set(Topics().all())
    for schema in (
        "ReportReceived",
        "ReportParsedEvent",
        "FindingPublished",
        "ReportFailed",
        "ReportStored",
    ):
        properties = document["components"]["schemas"][schema]["properties"]
        assert {"schema_version", "event_id", "occurred_at", "report_id"} <= set(properties)
