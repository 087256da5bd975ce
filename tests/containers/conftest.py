"""The containers tier: Kafka, PostgreSQL and an S3 store started with testcontainers, and
each service's image run against them as deployed (migration jobs, least-privilege roles,
configuration by environment only). Tests speak to the services only through the bucket,
Kafka and HTTP.

Not in the default test run (`-m "not containers"`): `make test-containers` runs it. It
needs a Docker engine and the service images (`make images`); without an engine it skips
and says so. Images (defaults in brackets):
  FINDINGS_CONTAINERS_KAFKA_IMAGE      [apache/kafka:3.9.0]
  FINDINGS_CONTAINERS_POSTGRES_IMAGE   [postgres:16]
  FINDINGS_CONTAINERS_S3_IMAGE         [minio/minio:RELEASE.2025-04-22T22-12-26Z]
  FINDINGS_CONTAINERS_SERVICE_TAG      [dev]   (findings-<service>:<tag>)
  FINDINGS_CONTAINERS_LOCAL_IMAGES=1   the images deploy/local-images/build.sh makes, for a
                                       machine whose engine can pull nothing

Every container shares the host's network: a single-listener broker (Tansu) advertises one
address, which both the services and the tests must reach.
"""

from __future__ import annotations

import os
import secrets
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import httpx
import pytest
from mypy_boto3_s3 import S3Client

from findings_cli.embedded import free_port, wait_for_port

ROOT = Path(__file__).parents[2]
LOCAL = os.environ.get("FINDINGS_CONTAINERS_LOCAL_IMAGES") == "1"
KAFKA_IMAGE = os.environ.get(
    "FINDINGS_CONTAINERS_KAFKA_IMAGE",
    "findings-local/kafka:tansu" if LOCAL else "apache/kafka:3.9.0",
)
POSTGRES_IMAGE = os.environ.get(
    "FINDINGS_CONTAINERS_POSTGRES_IMAGE", "findings-local/postgres:15" if LOCAL else "postgres:16"
)
S3_IMAGE = os.environ.get(
    "FINDINGS_CONTAINERS_S3_IMAGE",
    "findings-local/s3:moto" if LOCAL else "minio/minio:RELEASE.2025-04-22T22-12-26Z",
)
SERVICE_TAG = os.environ.get("FINDINGS_CONTAINERS_SERVICE_TAG", "dev")
S3_USER, S3_PASSWORD = "findings", "findings-secret"
BUCKET = "reports"
PASSWORDS = {"ingest": "ingest-pw", "store": "store-pw", "api": "api-pw"}

if LOCAL:
    # The reaper container (testcontainers/ryuk) cannot be pulled either; the fixtures
    # stop what they start.
    os.environ.setdefault("TESTCONTAINERS_RYUK_DISABLED", "true")

from testcontainers.core.container import DockerContainer  # noqa: E402 (after the env)


def docker_engine_or_skip() -> None:
    try:
        import docker

        docker.from_env().ping()
    except Exception as error:
        pytest.skip(
            f"containers tier: no Docker engine reachable ({type(error).__name__}); "
            "start one (or set DOCKER_HOST) and build the images: make images"
        )


def image_or_fail(name: str) -> None:
    import docker

    try:
        docker.from_env().images.get(name)
    except docker.errors.ImageNotFound:
        if not name.startswith(("findings-", "findings-local/")):
            return  # a registry image: the engine pulls it
        pytest.fail(f"image {name} is missing: run `make images` (or build.sh, see conftest)")


def host_container(image: str) -> DockerContainer:
    image_or_fail(image)
    return DockerContainer(image).with_kwargs(network_mode="host")


@dataclass
class Infrastructure:
    kafka: str
    database_port: int
    s3_endpoint: str

    def database_url(self, role: str) -> str:
        return (
            f"postgresql+asyncpg://findings_{role}:{PASSWORDS[role]}"
            f"@127.0.0.1:{self.database_port}/findings"
        )

    def s3(self) -> S3Client:
        return boto3.client(
            "s3",
            endpoint_url=self.s3_endpoint,
            aws_access_key_id=S3_USER,
            aws_secret_access_key=S3_PASSWORD,
            region_name="us-east-1",
        )


def start_postgres(port: int, started: list[DockerContainer]) -> DockerContainer:
    postgres = (
        host_container(POSTGRES_IMAGE)
        .with_env("POSTGRES_USER", "findings")
        .with_env("POSTGRES_PASSWORD", "findings")
        .with_env("POSTGRES_DB", "findings")
        .with_volume_mapping(str(ROOT / "deploy" / "postgres"), "/findings", "ro")
        .with_command(f"postgres -p {port}")
    )
    postgres.start()
    started.append(postgres)  # stopped by the fixture even if what follows fails
    wait_for_port(port, 120, None)
    # The first start initialises, restarts; wait until it answers for real.
    deadline = time.monotonic() + 120
    while postgres.exec(["pg_isready", "-h", "127.0.0.1", "-p", str(port)]).exit_code != 0:
        assert time.monotonic() < deadline, postgres.get_logs()
        time.sleep(0.5)
    # As the database's owner over the local socket (trusted there, as in the official
    # image); the services connect over TCP with passwords.
    result = postgres.exec(
        [
            "psql", "-h", "/var/run/postgresql", "-p", str(port),
            "-U", "findings", "-d", "findings",
            "-v", "ON_ERROR_STOP=1", "-v", "database=findings",
            "-v", f"ingest_password={PASSWORDS['ingest']}",
            "-v", f"store_password={PASSWORDS['store']}",
            "-v", f"api_password={PASSWORDS['api']}",
            "-f", "/findings/roles.sql",
        ]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return postgres


def start_kafka(port: int, started: list[DockerContainer]) -> DockerContainer:
    address = f"127.0.0.1:{port}"
    if "tansu" in KAFKA_IMAGE:
        kafka = host_container(KAFKA_IMAGE).with_command(
            f"--listener-url tcp://{address} --advertised-listener-url tcp://{address}"
        )
    else:
        controller = free_port()
        kafka = (
            host_container(KAFKA_IMAGE)
            .with_env("KAFKA_NODE_ID", "1")
            .with_env("KAFKA_PROCESS_ROLES", "broker,controller")
            .with_env(
                "KAFKA_LISTENERS", f"PLAINTEXT://{address},CONTROLLER://127.0.0.1:{controller}"
            )
            .with_env("KAFKA_ADVERTISED_LISTENERS", f"PLAINTEXT://{address}")
            .with_env("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
            .with_env(
                "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP", "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT"
            )
            .with_env("KAFKA_CONTROLLER_QUORUM_VOTERS", f"1@127.0.0.1:{controller}")
            .with_env("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        )
    kafka.start()
    started.append(kafka)
    wait_for_port(port, 120, None)
    return kafka


def start_s3(port: int, started: list[DockerContainer]) -> DockerContainer:
    if "moto" in S3_IMAGE:
        s3 = host_container(S3_IMAGE).with_command(f"-H 127.0.0.1 -p {port}")
    else:
        s3 = (
            host_container(S3_IMAGE)
            .with_env("MINIO_ROOT_USER", S3_USER)
            .with_env("MINIO_ROOT_PASSWORD", S3_PASSWORD)
            .with_command(f"server /data --address 127.0.0.1:{port} --console-address :0")
        )
    s3.start()
    started.append(s3)
    wait_for_port(port, 120, None)
    return s3


@pytest.fixture(scope="session")
def infrastructure() -> Iterator[Infrastructure]:
    docker_engine_or_skip()
    started: list[DockerContainer] = []
    try:
        database_port, kafka_port, s3_port = free_port(), free_port(), free_port()
        start_postgres(database_port, started)
        start_kafka(kafka_port, started)
        start_s3(s3_port, started)
        infrastructure = Infrastructure(
            f"127.0.0.1:{kafka_port}", database_port, f"http://127.0.0.1:{s3_port}"
        )
        infrastructure.s3().create_bucket(Bucket=BUCKET)
        yield infrastructure
    finally:
        for container in reversed(started):
            container.stop()


@dataclass
class Deployment:
    """The four service containers, configured as docker-compose.yml configures them."""

    infrastructure: Infrastructure
    namespace: str
    api: str
    write_key: str
    health: dict[str, str]
    containers: dict[str, list[DockerContainer]] = field(default_factory=dict)

    def logs(self) -> str:
        out = []
        for name, containers in self.containers.items():
            for container in containers:
                stdout, stderr = container.get_logs()
                out.append(f"--- {name}\n{stdout.decode()[-3000:]}{stderr.decode()[-6000:]}")
        return "\n".join(out)


def run_migration(infrastructure: Infrastructure, service: str) -> None:
    """The migration job: the service's image with `migrate`, as the schema's owner."""
    job = (
        host_container(f"findings-{service}:{SERVICE_TAG}")
        .with_env("FINDINGS_DATABASE_URL", infrastructure.database_url(service))
        .with_command("migrate")
    )
    job.start()
    try:
        status = job.get_wrapped_container().wait(timeout=120)
        _, stderr = job.get_logs()
        assert status["StatusCode"] == 0, stderr.decode()
        assert f"schema {service} migrated" in stderr.decode()
    finally:
        job.stop()


def service_environment(
    infrastructure: Infrastructure, namespace: str, service: str, port: int
) -> dict[str, str]:
    env = {
        "FINDINGS_KAFKA_BOOTSTRAP_SERVERS": infrastructure.kafka,
        "FINDINGS_KAFKA_TOPIC_NAMESPACE": namespace,
        "FINDINGS_KAFKA_PARTITIONS": "3",
        "FINDINGS_S3_ENDPOINT_URL": infrastructure.s3_endpoint,
        "FINDINGS_S3_ACCESS_KEY_ID": S3_USER,
        "FINDINGS_S3_SECRET_ACCESS_KEY": S3_PASSWORD,
        "FINDINGS_DATABASE_MIGRATE_ON_START": "false",
    }
    if service == "api":
        env |= {
            "FINDINGS_DATABASE_URL": infrastructure.database_url("api"),
            "FINDINGS_API_PORT": str(port),
            "FINDINGS_API_S3_BUCKET": BUCKET,
            "FINDINGS_API_S3_PREFIX": f"{namespace}/",
        }
    else:
        env[f"FINDINGS_{service.upper()}_HEALTH_PORT"] = str(port)
    if service in ("ingest", "store"):
        env["FINDINGS_DATABASE_URL"] = infrastructure.database_url(service)
    if service == "ingest":
        env |= {
            "FINDINGS_INGEST_S3_BUCKET": BUCKET,
            "FINDINGS_INGEST_S3_PREFIX": f"{namespace}/",
            "FINDINGS_INGEST_S3_LISTING_INTERVAL_S": "1",
        }
    if service == "parse":
        env["FINDINGS_PARSE_WORKERS"] = "1"
    return env


def start_service(deployment: Deployment, service: str) -> DockerContainer:
    port = free_port()
    env = service_environment(deployment.infrastructure, deployment.namespace, service, port)
    if service == "api":
        env["FINDINGS_API_WRITE_KEYS"] = deployment.write_key
    container = host_container(f"findings-{service}:{SERVICE_TAG}").with_envs(**env)
    deployment.containers.setdefault(service, []).append(container)
    container.start()
    url = f"http://127.0.0.1:{port}/health"
    deadline = time.monotonic() + 120
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        assert time.monotonic() < deadline, f"{service} never became healthy\n{deployment.logs()}"
        time.sleep(0.5)
    if service == "api":
        deployment.api = f"http://127.0.0.1:{port}"
    else:
        deployment.health[service] = url
    return container


@pytest.fixture(scope="session")
def deployment(infrastructure: Infrastructure) -> Iterator[Deployment]:
    for service in ("ingest", "store"):
        run_migration(infrastructure, service)
    deployment = Deployment(
        infrastructure,
        namespace=f"tier{uuid.uuid4().hex[:8]}",
        api="",
        write_key=secrets.token_urlsafe(16),
        health={},
    )
    try:
        for service in ("store", "parse", "ingest", "api"):
            start_service(deployment, service)
        yield deployment
    finally:
        for containers in deployment.containers.values():
            for container in containers:
                container.stop()
