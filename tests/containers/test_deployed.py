"""The services as deployed: their images on Kafka, PostgreSQL and an S3 store in
containers, driven only through the bucket, Kafka and HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import docker
import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from findings_shared.events import FindingPublished, Topics
from tests.containers.conftest import BUCKET, Deployment, start_service
from tests.golden import expected_path

pytestmark = pytest.mark.containers
REPORTS = Path(__file__).parents[1] / "fixtures" / "reports"
BAD = Path(__file__).parents[1] / "fixtures" / "bad" / "inspection_birmingham_2012-10-19.pdf"


def golden_count(name: str) -> int:
    count: int = json.loads(expected_path(Path(name)).read_text())["finding_count"]
    return count


def wait_for_file(deployment: Deployment, report_id: str, timeout_s: float = 120) -> dict[str, Any]:
    """The file's status once it is stored, failed or rejected."""
    deadline = time.monotonic() + timeout_s
    while True:
        response = httpx.get(f"{deployment.api}/files/{report_id}", timeout=5)
        if response.status_code == 200 and response.json()["status"] in (
            "stored",
            "failed",
            "rejected",
        ):
            body: dict[str, Any] = response.json()
            return body
        assert time.monotonic() < deadline, f"{report_id}: {response.text}\n{deployment.logs()}"
        time.sleep(0.5)


def upload(deployment: Deployment, path: Path) -> dict[str, Any]:
    response = httpx.post(
        f"{deployment.api}/reports",
        files={"file": (path.name, path.read_bytes(), "application/pdf")},
        headers={"X-API-Key": deployment.write_key},
        timeout=30,
    )
    assert response.status_code == 202, response.text
    body: dict[str, Any] = response.json()
    return body


async def finding_events(
    deployment: Deployment, report_id: str, count: int
) -> list[FindingPublished]:
    topic = Topics(namespace=deployment.namespace).finding
    consumer = AIOKafkaConsumer(
        topic, bootstrap_servers=deployment.infrastructure.kafka, auto_offset_reset="earliest"
    )
    await consumer.start()
    found: list[FindingPublished] = []
    try:
        async with asyncio.timeout(60):
            while len(found) < count:
                batches = await consumer.getmany(timeout_ms=500)
                for records in batches.values():
                    for record in records:
                        event = FindingPublished.model_validate_json(record.value)
                        if event.report_id == report_id:
                            found.append(event)
    finally:
        await consumer.stop()
    return found


def test_an_upload_flows_through_every_image_to_the_api_and_kafka(deployment: Deployment) -> None:
    name = "inspection_salford_2018-11-12.pdf"
    accepted = upload(deployment, REPORTS / name)
    status = wait_for_file(deployment, accepted["report_id"])
    assert status["status"] == "stored", status
    report = httpx.get(f"{deployment.api}/reports/{accepted['report_id']}", timeout=10).json()
    assert report["local_authority"]["la_code"] == "355"
    assert report["finding_count"] == golden_count(name)
    assert len(report["findings"]) == golden_count(name)
    events = asyncio.run(finding_events(deployment, accepted["report_id"], golden_count(name)))
    assert len({event.finding.finding_id for event in events}) == golden_count(name)
    assert {event.la_code for event in events} == {"355"}


def test_a_report_put_in_the_bucket_is_found_and_a_bad_one_fails_visibly(
    deployment: Deployment,
) -> None:
    s3 = deployment.infrastructure.s3()
    good = "letter_wandsworth_2011-07-07.txt"
    s3.put_object(
        Bucket=BUCKET, Key=f"{deployment.namespace}/{good}", Body=(REPORTS / good).read_bytes()
    )
    s3.put_object(Bucket=BUCKET, Key=f"{deployment.namespace}/bad.pdf", Body=BAD.read_bytes())
    good_id = hashlib.sha256((REPORTS / good).read_bytes()).hexdigest()
    stored = wait_for_file(deployment, good_id)
    assert stored["status"] == "stored"
    assert stored["finding_count"] == golden_count(good)
    files = httpx.get(f"{deployment.api}/files", params={"limit": 100}, timeout=10).json()
    (bad,) = [f for f in files["items"] if f["name"].endswith("bad.pdf")]
    assert bad["status"] in ("rejected", "failed")
    assert "HTML" in bad["reason"], bad


def test_a_second_parse_container_shares_the_work(deployment: Deployment) -> None:
    start_service(deployment, "parse")
    names = sorted(p.name for p in REPORTS.glob("focused_*.pdf"))[:4]
    accepted = [upload(deployment, REPORTS / name) for name in names]
    for name, item in zip(names, accepted, strict=True):
        status = wait_for_file(deployment, item["report_id"])
        assert status["status"] == "stored", (name, status)
        assert status["finding_count"] == golden_count(name)
    assert len(deployment.containers["parse"]) == 2


def test_every_service_container_reports_healthy_to_docker(deployment: Deployment) -> None:
    """The images' own HEALTHCHECK (no curl inside: python -m findings_shared.healthcheck)."""
    client = docker.from_env()
    deadline = time.monotonic() + 90
    for name, containers in deployment.containers.items():
        for container in containers:
            while True:
                state = client.api.inspect_container(container.get_container_id())
                health = state["State"].get("Health", {}).get("Status")
                if health == "healthy":
                    break
                assert health != "unhealthy", (name, state["State"]["Health"])
                assert time.monotonic() < deadline, (name, health)
                time.sleep(1)
            assert state["Config"]["User"] == "10001", name
