"""Session fixtures start the real broker (Tansu) and a real PostgreSQL cluster once;
function fixtures isolate each test with its own topic namespace and database."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from aiokafka import AIOKafkaConsumer
from faststream.kafka import KafkaBroker
from pydantic import SecretStr

from findings_cli.embedded import EmbeddedKafka, EmbeddedPostgres, free_port, wait_for_port
from findings_ingest.adapters.repository import SeenObject
from findings_shared.bucket import s3_client
from findings_shared.events import Event, encode_event, report_id_of
from findings_shared.kafka import publish_event
from findings_shared.settings import DatabaseSettings, KafkaSettings, S3Settings
from tests.corpus import PipelineCorpus, fill_by_pipeline

# The API's start-up warm-up (findings_api.warm) off for every test that does not ask for
# it: its requests would run beside the test's own and fill the caches they observe.
os.environ.setdefault("FINDINGS_API_WARM_PATHS", "")

FIXTURES = Path(__file__).parent / "fixtures"
REPORTS = FIXTURES / "reports"


@pytest.fixture(scope="session")
def kafka() -> Iterator[EmbeddedKafka]:
    broker = EmbeddedKafka().start()
    yield broker
    broker.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[EmbeddedPostgres]:
    # Not pytest's tmp_path: it is private to root, and the server runs as `postgres`.
    base = Path(tempfile.mkdtemp(prefix="findings-pg-"))
    base.chmod(0o755)
    server = EmbeddedPostgres(data_dir=base / "data", durable=False).start()
    yield server
    server.stop("immediate")
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def pipeline_corpus(kafka: EmbeddedKafka, postgres: EmbeddedPostgres) -> PipelineCorpus:
    """Every fixture report stored by the real ingest, parse and store, once a session."""
    return asyncio.run(fill_by_pipeline(kafka, postgres))


@pytest.fixture(scope="session")
def s3_endpoint() -> Iterator[str]:
    """A real S3 HTTP endpoint (moto_server) on a free port."""
    port = free_port()
    process = start_moto_server(port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


def start_moto_server(port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_port(port, 30, process)
    return process


@pytest.fixture
def s3_settings(s3_endpoint: str) -> S3Settings:
    return S3Settings(
        endpoint_url=s3_endpoint, access_key_id="test", secret_access_key=SecretStr("test")
    )


@pytest.fixture
def s3_bucket(s3_settings: S3Settings, namespace: str) -> str:
    """A new, empty bucket for this test."""
    s3_client(s3_settings).create_bucket(Bucket=namespace)
    return namespace


@pytest.fixture
def namespace() -> str:
    return f"t{uuid.uuid4().hex[:10]}"


@pytest.fixture
def kafka_settings(kafka: EmbeddedKafka, namespace: str) -> KafkaSettings:
    return KafkaSettings(
        bootstrap_servers=kafka.bootstrap_servers,
        topic_namespace=namespace,
        partitions=3,
        session_timeout_ms=6000,
        heartbeat_interval_ms=1000,
    )


@pytest.fixture
async def database_settings(postgres: EmbeddedPostgres) -> AsyncIterator[DatabaseSettings]:
    name = f"test_{uuid.uuid4().hex[:12]}"
    connection = await asyncpg.connect(
        host="127.0.0.1", port=postgres.port, user="postgres", database="postgres"
    )
    await connection.execute(f'create database "{name}"')
    await connection.close()
    yield DatabaseSettings(url=f"postgresql+asyncpg://postgres@127.0.0.1:{postgres.port}/{name}")
    connection = await asyncpg.connect(
        host="127.0.0.1", port=postgres.port, user="postgres", database="postgres"
    )
    await connection.execute(f'drop database if exists "{name}" with (force)')
    await connection.close()


async def expect_events(
    bootstrap_servers: str,
    topic: str,
    count: int,
    timeout_s: float = 30.0,
) -> list[bytes]:
    """Read `count` events from the start of `topic`; fail after `timeout_s`.

    Reads a little longer than needed so an unexpected extra event is seen too.
    """
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=bootstrap_servers, auto_offset_reset="earliest"
    )
    await consumer.start()
    values: list[bytes] = []
    try:
        async with asyncio.timeout(timeout_s):
            while len(values) < count:
                batch = await consumer.getmany(timeout_ms=200)
                values += [record.value for records in batch.values() for record in records]
        # Grace period: anything more than expected would show up here.
        batch = await consumer.getmany(timeout_ms=500)
        values += [record.value for records in batch.values() for record in records]
    except TimeoutError:
        pytest.fail(f"expected {count} events on {topic}, got {len(values)} in {timeout_s}s")
    finally:
        await consumer.stop()
    return values


def seen_in_inbox(
    name: str, content: bytes, rejection: str | None = None, at: datetime | None = None
) -> SeenObject:
    """A file of a folder inbox as ingest records it on seeing it."""
    return SeenObject(
        object_uri=f"file:///inbox/{name}",
        name=name,
        size=len(content),
        mtime_ns=1,
        version=f"{len(content)}:1",
        seen_at=at or datetime.now(UTC),
        sha256=report_id_of(content),
        content_type=None if rejection else "application/pdf",
        rejection=rejection,
    )


def copy_fixture(name: str, target: Path, as_name: str | None = None) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    destination = target / (as_name or name)
    shutil.copyfile(REPORTS / name, destination)
    return destination


@contextlib.asynccontextmanager
async def running(
    service: Callable[[asyncio.Event], Coroutine[Any, Any, None]],
) -> AsyncIterator[asyncio.Task[None]]:
    """Run a service's `run(settings, stop)` in this event loop for the duration."""
    stop = asyncio.Event()
    task = asyncio.create_task(service(stop))
    try:
        yield task
    finally:
        stop.set()
        await asyncio.wait_for(task, 30)


async def wait_until(
    condition: Callable[[], Coroutine[Any, Any, bool]], timeout_s: float = 30.0
) -> None:
    async with asyncio.timeout(timeout_s):
        while not await condition():
            await asyncio.sleep(0.1)


async def publish(broker: KafkaBroker, topic: str, *events: Event) -> None:
    """Publish events the way the services do (shared encoding, keyed by report)."""
    for event in events:
        body = encode_event(event, KafkaSettings().max_message_bytes)
        await (await publish_event(broker, topic, body, event.report_id))
