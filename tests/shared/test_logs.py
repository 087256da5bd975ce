"""JSON log lines name their service, the report and event they are about, and the trace
and span they were written in."""

from __future__ import annotations

import io
import json
import logging

from opentelemetry.sdk.trace import TracerProvider

from findings_shared.logs import about, log_handler


def test_a_json_line_names_its_report_event_and_trace() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("findings.test.json")
    logger.propagate = False
    logger.addHandler(log_handler("parse", "json", stream))
    logger.setLevel(logging.INFO)
    tracer = TracerProvider().get_tracer("test")
    with tracer.start_as_current_span("parse report") as span, about("a" * 64, "e" * 32):
        logger.info("parsed %s", "one.pdf")
    logger.info("between reports")
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    context = span.get_span_context()
    assert first["message"] == "parsed one.pdf"
    assert first["service"] == "parse"
    assert first["level"] == "INFO"
    assert first["report_id"] == "a" * 64
    assert first["event_id"] == "e" * 32
    assert first["trace_id"] == format(context.trace_id, "032x")
    assert first["span_id"] == format(context.span_id, "016x")
    # Outside the report and the span: nothing borrowed from them.
    assert (second["report_id"], second["trace_id"]) == (None, None)


def test_a_text_line_stays_readable() -> None:
    stream = io.StringIO()
    logger = logging.getLogger("findings.test.text")
    logger.propagate = False
    logger.addHandler(log_handler("store", "text", stream))
    logger.warning("a line")
    assert stream.getvalue().rstrip().endswith("store  WARNING findings.test.text: a line")
