"""One log format for every service: readable lines by default, or JSON objects
(`FINDINGS_LOG_FORMAT=json`, as the deployments set it) with the service, the report and
event a line is about, and the trace and span it was written in."""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from findings_shared.telemetry import trace_ids

REPORT_ID: ContextVar[str | None] = ContextVar("report_id", default=None)
EVENT_ID: ContextVar[str | None] = ContextVar("event_id", default=None)


@contextlib.contextmanager
def about(report_id: str | None, event_id: str | None = None) -> Iterator[None]:
    """Log lines written meanwhile (in this task) name this report and event."""
    report_token = REPORT_ID.set(report_id)
    event_token = EVENT_ID.set(event_id)
    try:
        yield
    finally:
        EVENT_ID.reset(event_token)
        REPORT_ID.reset(report_token)


class ContextFields(logging.Filter):
    """Adds report_id, event_id, trace_id and span_id to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.report_id = REPORT_ID.get()
        record.event_id = EVENT_ID.get()
        record.trace_id, record.span_id = trace_ids()
        return True


def configure_logging(service: str) -> None:
    level = os.environ.get("FINDINGS_LOG_LEVEL", "INFO").upper()
    handler = log_handler(service, os.environ.get("FINDINGS_LOG_FORMAT", "text").lower())
    logging.basicConfig(level=level, handlers=[handler], force=True)
    for noisy in ("aiokafka", "faststream.access", "sqlalchemy.engine", "alembic"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


def log_handler(service: str, form: str, stream: TextIO | None = None) -> logging.Handler:
    """A handler writing `form` ("json" or "text") lines to `stream` (stderr)."""
    handler = logging.StreamHandler(stream)
    handler.addFilter(ContextFields())
    if form == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s %(report_id)s %(event_id)s"
                " %(trace_id)s %(span_id)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                static_fields={"service": service},
                timestamp=False,
            )
        )
    else:
        handler.setFormatter(
            logging.Formatter(
                f"%(asctime)s {service:<6} %(levelname)-7s %(name)s: %(message)s",
                datefmt="%H:%M:%S",
            )
        )
    return handler
