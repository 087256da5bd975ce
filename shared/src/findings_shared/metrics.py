"""Prometheus metrics, on /metrics of every service (the consumers' health port, the API's
own port), from prometheus-client's process-wide registry.

FastStream's Prometheus middleware counts each topic's messages received, processed (with
their outcome: acked, nacked, error) and publishes, with durations; these add what it cannot
see: dead letters by topic, consumer lag by partition, the circuit breaker, parse time and
pages, and the database pool. The API's requests (by route template, method and status,
with latency histograms) are counted by prometheus-fastapi-instrumentator.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aiokafka import TopicPartition
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from sqlalchemy.ext.asyncio import AsyncEngine

DEAD_LETTERED = Counter(
    "findings_dead_lettered_total",
    "Messages given up on and published to the failed topic, by the topic they came from",
    ["topic"],
)
CONSUMER_LAG = Gauge(
    "findings_consumer_lag_messages",
    "Messages between a consumer's position and the end of the partition, as of its last fetch",
    ["group", "topic", "partition"],
)
BREAKER_OPEN = Gauge(
    "findings_breaker_open", "1 while the dead-letter circuit breaker holds the consumer"
)
RETRYING = Gauge("findings_retrying", "1 while the consumer retries an outage or an error")
PARSE_SECONDS = Histogram(
    "findings_parse_seconds",
    "Time to read, parse and encode one report in a worker, by outcome",
    ["outcome"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120),
)
PARSE_PAGES = Histogram(
    "findings_parse_pages",
    "Pages of each PDF report parsed",
    buckets=(1, 2, 5, 10, 20, 30, 40, 60, 80, 120, 200),
)
READ_CACHE = Counter(
    "findings_api_read_cache_total",
    "Aggregates the API answered from memory (hit), from memory and the reports stored"
    " since (added) or computed (miss), by kind",
    ["kind", "outcome"],
)
DB_POOL = Gauge(
    "findings_db_pool_connections", "Database connections of the pool, by state", ["state"]
)


def latest() -> tuple[bytes, str]:
    """The exposition of every metric, and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST


def watch_pool(engine: AsyncEngine) -> None:
    """Report the engine's pool on each scrape (QueuePool: in use, idle, overflow); a pool
    that keeps no connections (NullPool) has nothing to report."""
    pool: Any = engine.sync_engine.pool
    if not hasattr(pool, "checkedout"):
        return
    readers: dict[str, Callable[[], float]] = {
        "in_use": lambda: float(pool.checkedout()),
        "idle": lambda: float(pool.checkedin()),
        "size": lambda: float(pool.size()),
        "overflow": lambda: float(max(0, pool.overflow())),
    }
    for state, read in readers.items():
        DB_POOL.labels(state).set_function(read)


def record_lag(group: str, consumer: Any, positions: Sequence[tuple[str, int, int]]) -> None:
    """After records (topic, partition, offset) were handled: how far behind the end of
    each partition the consumer is, from the high-water mark of its last fetch."""
    last: dict[tuple[str, int], int] = {}
    for topic, partition, offset in positions:
        last[topic, partition] = max(offset, last.get((topic, partition), -1))
    for (topic, partition), offset in last.items():
        highwater = consumer.highwater(TopicPartition(topic, partition))
        if highwater is not None:
            lag = max(0, highwater - offset - 1)
            CONSUMER_LAG.labels(group, topic, str(partition)).set(lag)
