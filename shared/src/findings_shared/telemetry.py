"""OpenTelemetry traces, off unless asked for with the standard variables.

`OTEL_TRACES_EXPORTER=otlp` (or `console`) turns them on; the OTLP exporter then reads
`OTEL_EXPORTER_OTLP_ENDPOINT` (or `..._TRACES_ENDPOINT`), `OTEL_EXPORTER_OTLP_HEADERS` and
the rest itself; `OTEL_SERVICE_NAME` and `OTEL_RESOURCE_ATTRIBUTES` name the service
(default `findings-<service>`); `OTEL_SDK_DISABLED=true` turns them off again. Unset, the
services use OpenTelemetry's no-op tracer and pay nothing.

A report's path is one trace: ingest starts it when it takes an object from the bucket,
the context travels in the Kafka headers of every event (FastStream's telemetry
middleware), parse and store continue it, store keeps it with the report, and the API's
read of the report is a span of that trace too (linked to the request's own).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence

from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, ConsoleSpanExporter, SpanExporter

log = logging.getLogger(__name__)
TRACER_NAME = "findings"


def configure_tracing(service: str) -> TracerProvider | None:
    """The process's tracer provider, made global; None when traces are off."""
    if os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return None
    exporter_name = os.environ.get("OTEL_TRACES_EXPORTER", "none").strip().lower()
    if exporter_name in ("", "none"):
        return None
    exporter: SpanExporter
    if exporter_name == "console":
        exporter = ConsoleSpanExporter()
    elif exporter_name == "otlp":
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter()
    else:
        log.warning("OTEL_TRACES_EXPORTER=%s is not one of otlp, console: no traces", exporter_name)
        return None
    attributes = {"service.name": os.environ.get("OTEL_SERVICE_NAME") or f"findings-{service}"}
    provider = TracerProvider(resource=Resource.create(attributes))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    trace.set_tracer_provider(provider)
    return provider


def tracing_on() -> bool:
    """Whether this process exports traces (configure_tracing set a provider)."""
    return isinstance(trace.get_tracer_provider(), TracerProvider)


def tracer() -> trace.Tracer:
    return trace.get_tracer(TRACER_NAME)


def traceparent_of(span: trace.Span) -> str | None:
    """The W3C traceparent of a span, current or not."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=trace.set_span_in_context(span))
    return carrier.get("traceparent")


def context_of(traceparent: str | None) -> Context | None:
    """The context a kept traceparent names (None: none was kept)."""
    if not traceparent:
        return None
    carrier: Mapping[str, str] = {"traceparent": traceparent}
    return propagate.extract(carrier)


def context_from_headers(headers: Sequence[tuple[str, bytes]]) -> Context:
    """The trace context a Kafka message carries in its headers (empty: none)."""
    carrier = {name: value.decode("latin-1") for name, value in headers}
    return propagate.extract(carrier)


def trace_headers() -> dict[str, str]:
    """The current trace context as Kafka headers (none outside a span, or when off)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def trace_ids() -> tuple[str | None, str | None]:
    """The current trace and span ids as hex, for logs; (None, None) outside any span."""
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None, None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")
