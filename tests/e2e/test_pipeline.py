"""The whole pipeline: four services as separate processes, real broker and PostgreSQL."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text

from findings_cli.embedded import EmbeddedPostgres, free_port, wait_for_port
from findings_cli.stack import CONSUMERS, SERVICES, ServiceProcess, service_env
from findings_parse.core.parser import PARSER_VERSION, parse_report
from findings_shared.database import make_engine
from findings_shared.settings import DatabaseSettings, KafkaSettings
from tests.conftest import copy_fixture
from tests.golden import expected_path
from tests.pdfs import encrypted_pdf, text_pdf

pytestmark = pytest.mark.e2e
REPORTS_DIR = Path(__file__).parents[1] / "fixtures" / "reports"

MAX_FILE_BYTES = 20 * 1024 * 1024
WRITE_KEY = "e2e-write-key"
TEXTS = [
    "inspection_wandsworth_2023-01-13.txt",
    "letter_wandsworth_2011-07-07.txt",
    "letter_wolverhampton_2010-10-13.txt",
]
PDFS = [
    "inspection_wandsworth_2023-01-13.pdf",
    "inspection_salford_2018-11-12.pdf",
    "inspection_bolton_2023-10-27.pdf",
    "inspection_brent_2026-06-17.pdf",
    "inspection_cheshire-east_2020-01-09.pdf",
]


def golden_count(name: str) -> int:
    count: int = json.loads(expected_path(Path(name)).read_text())["finding_count"]
    return count


class Pipeline:
    def __init__(
        self, inbox: Path, api_port: int, health_ports: dict[str, int], env: dict[str, str]
    ) -> None:
        self.inbox = inbox
        self.api = f"http://127.0.0.1:{api_port}"
        self.api_port = api_port
        self.health = {
            name: f"http://127.0.0.1:{port}/health" for name, port in health_ports.items()
        }
        self.services = {name: ServiceProcess(name, env) for name in SERVICES}

    def start(self) -> None:
        for service in self.services.values():
            service.start()
        wait_for_port(self.api_port, 60, None)
        # Healthy once store has created its tables.
        deadline = time.monotonic() + 60
        while httpx.get(f"{self.api}/health").status_code != 200:
            assert time.monotonic() < deadline, "the API never became healthy"
            time.sleep(0.1)

    def stop(self) -> dict[str, int | None]:
        """Stop every service with SIGTERM; their exit codes (0: a clean shutdown in time)."""
        return {name: service.stop() for name, service in self.services.items()}

    async def reports(self) -> list[dict[str, Any]]:
        """Every report stored, one per distinct content (the ledger's view: two files of
        one inspection are two reports stored, though /reports lists the inspection once;
        the same bytes under two names are one)."""
        async with httpx.AsyncClient(base_url=self.api) as client:
            items: list[dict[str, Any]] = (
                await client.get("/files", params={"status": "stored", "limit": 500})
            ).json()["items"]
        by_report: dict[str, dict[str, Any]] = {}
        for item in items:  # an object named again may not carry the counts: keep one that does
            if by_report.get(item["report_id"], {}).get("finding_count") is None:
                by_report[item["report_id"]] = item
        return list(by_report.values())

    async def wait_for_reports(self, count: int, timeout_s: float = 120) -> list[dict[str, Any]]:
        async with asyncio.timeout(timeout_s):
            while len(reports := await self.reports()) < count:
                await asyncio.sleep(0.25)
        return reports


@pytest.fixture
def pipeline(
    tmp_path: Path, kafka_settings: KafkaSettings, database_settings: DatabaseSettings
) -> Iterator[Pipeline]:
    yield from running_pipeline(tmp_path, kafka_settings, database_settings, {})


def running_pipeline(
    tmp_path: Path,
    kafka_settings: KafkaSettings,
    database_settings: DatabaseSettings,
    more_env: dict[str, str],
) -> Iterator[Pipeline]:
    """The four services, started with the tests' settings (and `more_env`); stopped
    after, each expected to end cleanly."""
    api_port = free_port()
    health_ports = {name: free_port() for name in CONSUMERS}
    env = service_env(
        bootstrap=kafka_settings.bootstrap_servers,
        database_url=database_settings.url,
        inbox=tmp_path / "inbox",
        api_port=api_port,
        namespace=kafka_settings.topic_namespace,
        health_ports=health_ports,
    )
    env["FINDINGS_INGEST_SETTLE_S"] = "0.3"
    env["FINDINGS_INGEST_POLL_INTERVAL_S"] = "0.1"
    env["FINDINGS_INGEST_MAX_FILE_BYTES"] = str(MAX_FILE_BYTES)
    # The truncated PDFs below are taken as damaged after this, not as still being copied.
    env["FINDINGS_INGEST_UNFINISHED_PDF_WAIT_S"] = "1"
    env["FINDINGS_API_WRITE_KEYS"] = WRITE_KEY
    env.update(more_env)
    pipeline = Pipeline(tmp_path / "inbox", api_port, health_ports, env)
    pipeline.start()
    yield pipeline
    exit_codes = pipeline.stop()
    # Graceful shutdown: every service still running ends on SIGTERM, cleanly, within 10 s.
    assert all(code in (0, None) for code in exit_codes.values()), exit_codes


async def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """A /metrics page as {(sample name, sorted labels): value}."""
    async with httpx.AsyncClient() as client:
        response = await client.get(url)
    assert response.status_code == 200, url
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


async def test_every_report_arrives_once_with_its_findings(pipeline: Pipeline) -> None:
    for name in TEXTS + PDFS:
        copy_fixture(name, pipeline.inbox)
    reports = await pipeline.wait_for_reports(len(TEXTS + PDFS))

    async with httpx.AsyncClient(base_url=pipeline.api) as client:
        for name in TEXTS + PDFS:
            sha = hashlib.sha256((pipeline.inbox / name).read_bytes()).hexdigest()
            detail = (await client.get(f"/reports/{sha}")).json()
            if detail["report_id"] != sha:
                # Another file of an inspection already stored (Wandsworth 2023 as PDF
                # and as text export): one record, which names this file.
                assert sha in detail["other_files"], name
                continue
            assert len(detail["findings"]) == golden_count(name), name
            findings = (
                await client.get("/findings", params={"report_id": sha, "limit": 500})
            ).json()["items"]
            assert len(findings) == golden_count(name)

        # The same bytes under 50 other names: still one report, one set of findings.
        for copy in range(50):
            copy_fixture(PDFS[1], pipeline.inbox, as_name=f"salford copy {copy}.pdf")
        await asyncio.sleep(4)
        again = await pipeline.reports()
        assert sorted(r["report_id"] for r in again) == sorted(r["report_id"] for r in reports)
        total = sum(r["finding_count"] for r in again)
        assert total == sum(golden_count(n) for n in TEXTS + PDFS)


async def test_poison_files_end_failed_or_rejected_and_good_ones_are_stored(
    pipeline: Pipeline,
) -> None:
    good = copy_fixture(TEXTS[1], pipeline.inbox)
    # A valid report whose name is not UTF-8, as some file systems and zip tools leave them.
    odd_name = pipeline.inbox / os.fsdecode(b"caf\xe9 " + good.name.encode())
    odd_name.write_bytes((REPORTS_DIR / TEXTS[2]).read_bytes())
    bad = Path(__file__).parents[1] / "fixtures" / "bad" / "inspection_birmingham_2012-10-19.pdf"
    (pipeline.inbox / "error page.pdf").write_bytes(bad.read_bytes())
    pdf = (REPORTS_DIR / PDFS[1]).read_bytes()
    (pipeline.inbox / "truncated.pdf").write_bytes(pdf[: len(pdf) // 2])
    (pipeline.inbox / "empty.txt").write_bytes(b"")
    (pipeline.inbox / "junk.txt").write_bytes(bytes(range(256)) * 40)
    (pipeline.inbox / "not a report.txt").write_text("Minutes of the allotment society.\n")
    (pipeline.inbox / "locked.pdf").write_bytes(encrypted_pdf((REPORTS_DIR / PDFS[3]).read_bytes()))
    (pipeline.inbox / "random.pdf").write_bytes(random.Random(1).randbytes(50_000))
    (pipeline.inbox / "random with a header.pdf").write_bytes(
        b"%PDF-1.7\n" + random.Random(2).randbytes(50_000)
    )
    (pipeline.inbox / "oversized.pdf").write_bytes(b"%PDF-1.7\n" + b"0" * MAX_FILE_BYTES)
    (pipeline.inbox / "minutes.pdf").write_bytes(
        text_pdf(["Minutes of the Harbury Allotment Society", "The committee bought a shed."])
    )
    hostile = "report ..\\..\\x.pdf; rm -rf ~ $(reboot) `id` ' \" <b>\t.pdf"
    (pipeline.inbox / hostile).write_bytes((REPORTS_DIR / PDFS[4]).read_bytes())

    # two letters and the hostile name
    await pipeline.wait_for_reports(3)
    async with httpx.AsyncClient(base_url=pipeline.api) as client, asyncio.timeout(60):
        while True:
            files = {f["name"]: f for f in (await client.get("/files")).json()["items"]}
            if all(f["status"] in ("stored", "failed", "rejected") for f in files.values()):
                break
            await asyncio.sleep(0.25)
    assert files[good.name]["status"] == "stored"
    assert files["caf\ufffd " + good.name]["status"] == "stored"
    assert files["error page.pdf"]["status"] == "rejected"
    assert "HTML page" in files["error page.pdf"]["reason"]
    assert files["empty.txt"]["status"] == "rejected"
    assert files["truncated.pdf"]["status"] == "failed"
    assert "cannot be opened" in files["truncated.pdf"]["reason"]
    assert files["junk.txt"]["status"] == "rejected"
    assert "binary" in files["junk.txt"]["reason"]
    # A readable text or PDF that is no Ofsted report fails with its reason: never filed
    # under an authority or a date.
    for name in ("not a report.txt", "minutes.pdf"):
        assert files[name]["status"] == "failed"
        assert "not an Ofsted inspection report" in files[name]["reason"]
    assert files["locked.pdf"]["status"] == "failed"
    assert "encrypted with a password" in files["locked.pdf"]["reason"]
    assert files["random.pdf"]["status"] == "rejected"
    assert "not a PDF" in files["random.pdf"]["reason"]
    assert files["random with a header.pdf"]["status"] == "failed"
    assert "cannot be opened" in files["random with a header.pdf"]["reason"]
    assert files["oversized.pdf"]["status"] == "rejected"
    assert f"over the {MAX_FILE_BYTES}-byte limit" in files["oversized.pdf"]["reason"]
    assert files[hostile]["status"] == "stored"
    async with httpx.AsyncClient(base_url=pipeline.api) as client:
        minutes = await client.get(f"/files/{files['minutes.pdf']['report_id']}")
    assert [f["error_type"] for f in minutes.json()["failures"]] == ["not_a_report"]
    assert all(service.exited() is None for service in pipeline.services.values())

    # What an operator's Prometheus sees: every failed file dead-lettered by parse, from the
    # topic it came from; parse time and pages; each consumer's messages and lag; the
    # API's requests by route.
    metrics = {
        name: await scrape(url.replace("/health", "/metrics"))
        for name, url in pipeline.health.items()
    }
    failed = sum(1 for f in files.values() if f["status"] == "failed")
    dead = sum(
        v for (name, _), v in metrics["parse"].items() if name == "findings_dead_lettered_total"
    )
    assert dead == failed
    parsed = metrics["parse"][("findings_parse_seconds_count", (("outcome", "parsed"),))]
    assert parsed >= 3
    assert metrics["parse"][("findings_parse_pages_count", ())] >= 1
    for name in CONSUMERS:
        received = [
            v
            for (metric, _), v in metrics[name].items()
            if metric == "faststream_received_messages_total"
        ]
        assert sum(received) > 0, name
        assert metrics[name][("findings_breaker_open", ())] == 0
    assert any(metric == "findings_consumer_lag_messages" for metric, _ in metrics["store"])
    api = await scrape(f"{pipeline.api}/metrics")
    files_read = api[
        ("http_requests_total", (("handler", "/files"), ("method", "GET"), ("status", "200")))
    ]
    assert files_read >= 1

    status = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "findings_cli.main", "status", "--api", pipeline.api],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "rejected   error page.pdf" in status.stdout
    assert status.stdout.rstrip().splitlines()[-1].startswith(f"{len(files)} files: ")


async def test_a_slow_writer_and_an_overwrite_leave_one_report_for_the_file(
    pipeline: Pipeline,
) -> None:
    letter = (REPORTS_DIR / TEXTS[1]).read_bytes()
    other = (REPORTS_DIR / TEXTS[2]).read_bytes()
    target = pipeline.inbox / "letter.txt"
    pipeline.inbox.mkdir(parents=True, exist_ok=True)
    # A slow copy: pauses three times the settle time, so partial copies are taken.
    with target.open("wb") as file:
        step = len(letter) // 4 + 1
        for start in range(0, len(letter), step):
            file.write(letter[start : start + step])
            file.flush()
            await asyncio.sleep(1.0)

    async def only(report_id: str) -> list[dict[str, Any]]:
        async with asyncio.timeout(60):
            while True:
                reports = await pipeline.reports()
                if [r["report_id"] for r in reports] == [report_id]:
                    return reports
                await asyncio.sleep(0.25)

    whole, replacement = (hashlib.sha256(c).hexdigest() for c in (letter, other))
    [report] = await only(whole)
    assert report["finding_count"] == golden_count(TEXTS[1])
    target.write_bytes(other)  # overwritten with another report
    [report] = await only(replacement)
    assert report["finding_count"] == golden_count(TEXTS[2])
    async with httpx.AsyncClient(base_url=pipeline.api) as client:
        findings = (await client.get("/findings", params={"limit": 500})).json()["items"]
        assert {f["report_id"] for f in findings} == {replacement}
        withdrawn = (await client.get(f"/files/{whole}")).json()
        assert (withdrawn["status"], withdrawn["replaced_by"]) == ("replaced", replacement)
        files = (await client.get("/files")).json()["items"]
        assert [(f["name"], f["report_id"]) for f in files] == [("letter.txt", replacement)]


async def test_a_killed_parser_loses_and_duplicates_nothing(pipeline: Pipeline) -> None:
    # Enough work that the parser is killed mid-stream: each PDF ten times, made unique
    # (three were all stored within one look at the API once the pipeline got faster).
    drops: list[int] = []  # the golden finding count of each dropped file
    pipeline.inbox.mkdir(parents=True, exist_ok=True)
    for copy in range(10):
        for name in PDFS:
            content = (REPORTS_DIR / name).read_bytes() + f"\n% copy {copy}\n".encode()
            (pipeline.inbox / f"{copy}-{name}").write_bytes(content)
            drops.append(golden_count(name))
    await pipeline.wait_for_reports(1)
    parse = pipeline.services["parse"]
    assert parse.process is not None
    parse.process.send_signal(signal.SIGKILL)
    parse.process.wait()
    stored_when_killed = len(await pipeline.reports())
    assert stored_when_killed < len(drops)  # the kill really was mid-stream
    parse.start()

    await pipeline.wait_for_reports(len(drops))
    await asyncio.sleep(2)  # any duplicate would have shown by now
    reports = await pipeline.reports()
    assert len(reports) == len(drops)
    assert sorted(r["finding_count"] for r in reports) == sorted(drops)
    async with httpx.AsyncClient(base_url=pipeline.api) as client:
        ids: list[str] = []
        offset: int | None = 0
        while offset is not None:
            page = (await client.get("/findings", params={"limit": 500, "offset": offset})).json()
            ids += [f["finding_id"] for f in page["items"]]
            offset = page["next_offset"]
    # The ten files of each inspection are one record: its findings are searched once.
    assert len(ids) == len(set(ids)) == sum(golden_count(name) for name in PDFS)


@pytest.fixture
def state_dir() -> Iterator[Path]:
    path = Path(tempfile.mkdtemp(prefix="findings-up-"))
    path.chmod(0o755)
    yield path
    subprocess.run(["rm", "-rf", str(path)], check=False)


@pytest.fixture
def findings_up(state_dir: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    api_port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FINDINGS_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "findings_cli.main",
            "up",
            "--inbox",
            str(state_dir / "inbox"),
            "--api-port",
            str(api_port),
            "--state-dir",
            str(state_dir),
        ],
        env=env,
    )
    yield process, api_port
    if process.poll() is None:
        process.kill()
        process.wait()


async def test_findings_up_runs_the_embedded_stack_and_stops_cleanly(
    findings_up: tuple[subprocess.Popen[bytes], int], state_dir: Path
) -> None:
    process, api_port = findings_up
    await asyncio.to_thread(wait_for_port, api_port, 90, process)
    drop = await asyncio.to_thread(
        subprocess.run,
        [
            sys.executable,
            "-m",
            "findings_cli.main",
            "drop",
            "--inbox",
            str(state_dir / "inbox"),
            str(Path(__file__).parents[1] / "fixtures/reports" / TEXTS[1]),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    assert "dropped" in drop.stdout
    sha = __import__("hashlib").sha256((state_dir / "inbox" / TEXTS[1]).read_bytes()).hexdigest()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api_port}") as client:
        async with asyncio.timeout(60):
            while (response := await client.get(f"/reports/{sha}")).status_code != 200:
                await asyncio.sleep(0.25)
        assert len(response.json()["findings"]) == golden_count(TEXTS[1])
    # An upload with the stack's key flows through ingest like a dropped file.
    stack = json.loads((state_dir / "stack.json").read_text())
    upload = (REPORTS_DIR / TEXTS[2]).read_bytes()
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{api_port}") as client:
        accepted = await client.post(
            "/reports",
            files={"file": (TEXTS[2], upload, "text/plain")},
            headers={"X-API-Key": stack["upload_key"]},
        )
        assert accepted.status_code == 202, accepted.text
        async with asyncio.timeout(60):
            while (await client.get(accepted.json()["status_url"])).json().get(
                "status"
            ) != "stored":
                await asyncio.sleep(0.25)
    status = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "findings_cli.main", "status", "--state-dir", str(state_dir)],
        check=True,
        capture_output=True,
        text=True,
    )
    for service in SERVICES:  # every service's health, then the files
        assert f"{service:<10} ok" in status.stdout, status.stdout
    assert f"stored     {TEXTS[1]}" in status.stdout
    process.send_signal(signal.SIGTERM)
    assert await asyncio.to_thread(process.wait, 30) == 0


async def test_a_database_outage_delays_but_loses_nothing(
    pipeline: Pipeline, postgres: EmbeddedPostgres
) -> None:
    names = TEXTS + PDFS
    for name in names[:2]:
        copy_fixture(name, pipeline.inbox)
    await pipeline.wait_for_reports(1)
    await asyncio.to_thread(postgres.stop, "fast")
    try:
        # Mid-batch: these arrive while PostgreSQL is down.
        for name in names[2:]:
            copy_fixture(name, pipeline.inbox)
        await asyncio.sleep(20)
        assert all(service.exited() is None for service in pipeline.services.values())
        async with httpx.AsyncClient(base_url=pipeline.api) as client:
            assert (await client.get("/health")).status_code == 503
            # ingest cannot record the new files: it waits the outage out, degraded (not
            # unhealthy), and nothing is dead-lettered anywhere.
            health = {n: (await client.get(url)).json() for n, url in pipeline.health.items()}
        assert health["ingest"]["status"] == "degraded", health
        assert "retrying for" in health["ingest"]["problems"][0]
        assert all(h["dead_lettered"] == 0 for h in health.values()), health
    finally:
        await asyncio.to_thread(postgres.start)
    reports = await pipeline.wait_for_reports(len(names), timeout_s=120)
    assert sorted(r["finding_count"] for r in reports) == sorted(golden_count(n) for n in names)
    assert all(service.exited() is None for service in pipeline.services.values())
    async with httpx.AsyncClient() as client:
        health = {name: (await client.get(url)).json() for name, url in pipeline.health.items()}
    assert {name: h["status"] for name, h in health.items()} == dict.fromkeys(CONSUMERS, "ok")


async def test_replay_reparses_reports_of_an_older_parser(
    pipeline: Pipeline, kafka_settings: KafkaSettings, database_settings: DatabaseSettings
) -> None:
    """Every stored file, the second file of an inspection (its copy) too."""
    for name in TEXTS:
        copy_fixture(name, pipeline.inbox)
    await pipeline.wait_for_reports(3)
    copy_fixture(PDFS[0], pipeline.inbox)  # the same inspection as TEXTS[0]: stored as its copy
    pdf = parse_report((REPORTS_DIR / PDFS[0]).read_bytes(), PDFS[0]).report_id
    async with httpx.AsyncClient(base_url=pipeline.api) as client:
        for _ in range(600):
            if (await client.get(f"/files/{pdf}")).json().get("same_as"):
                break
            await asyncio.sleep(0.1)
    engine = make_engine(database_settings)
    async with engine.begin() as connection:  # as if an older parser had stored them
        await connection.execute(text("update store.reports set parser_version = '0.0.1'"))
    await engine.dispose()
    replay = await asyncio.to_thread(
        subprocess.run,
        [
            *(sys.executable, "-m", "findings_cli.main", "replay", "--all", "--wait", "60"),
            *("--api", pipeline.api, "--namespace", kafka_settings.topic_namespace),
            *("--bootstrap-servers", kafka_settings.bootstrap_servers),
            *("--key", WRITE_KEY),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert replay.returncode == 0, replay.stderr
    assert "replaying 3 reports (and 1 other file of the same inspections)" in replay.stdout
    assert "4/4" in replay.stdout
    async with httpx.AsyncClient(base_url=pipeline.api) as client:
        reports = (await client.get("/reports")).json()["items"]
        copy = (await client.get(f"/files/{pdf}")).json()
    assert {r["parser_version"] for r in reports} == {PARSER_VERSION}
    assert sorted(r["finding_count"] for r in reports) == sorted(golden_count(n) for n in TEXTS)
    assert copy["parser_version"] == PARSER_VERSION
    assert copy["finding_count"] == golden_count(PDFS[0])


async def read_events(
    response: httpx.Response, until_reports: int
) -> list[tuple[str, str | None, dict[str, Any]]]:
    """(event, id, data) from a Server-Sent Events response, until N `report` events."""
    events: list[tuple[str, str | None, dict[str, Any]]] = []
    kind, event_id, data = "message", None, ""
    async for line in response.aiter_lines():
        if line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("id: "):
            event_id = line[4:]
        elif line.startswith("data: "):
            data = line[6:]
        elif line == "" and data:
            events.append((kind, event_id, json.loads(data)))
            kind, event_id, data = "message", None, ""
            if sum(1 for e in events if e[0] == "report") == until_reports:
                return events
    return events


async def test_live_events_stream_new_reports_and_resume(pipeline: Pipeline) -> None:
    params = {"la_code": "212", "category": "strength"}
    async with httpx.AsyncClient(base_url=pipeline.api, timeout=90) as client:
        async with client.stream("GET", "/events", params=params) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            copy_fixture("letter_wolverhampton_2010-10-13.txt", pipeline.inbox)  # not 212
            copy_fixture(TEXTS[1], pipeline.inbox)
            first = await asyncio.wait_for(read_events(response, 1), 90)
        letter = parse_report((REPORTS_DIR / TEXTS[1]).read_bytes(), TEXTS[1])
        strengths = [f.text for f in letter.findings if f.category.value == "strength"]
        assert strengths
        assert [e[0] for e in first] == ["finding"] * len(strengths) + ["report"]
        assert [e[2]["text"] for e in first[:-1]] == strengths
        report = first[-1][2]
        assert report["local_authority"]["name"] == "Wandsworth"
        resume_from = first[-1][1]
        assert resume_from

        # Disconnected while another Wandsworth report is stored: resuming sends it.
        copy_fixture(PDFS[0], pipeline.inbox)
        await pipeline.wait_for_reports(3)
        headers = {"Last-Event-ID": resume_from}
        async with client.stream("GET", "/events", params=params, headers=headers) as response:
            resumed = await asyncio.wait_for(read_events(response, 1), 30)
    assert resumed[-1][0] == "report"
    assert resumed[-1][2]["report_type"] == "ilacs_inspection"
    assert resumed[-1][2]["report_id"] != report["report_id"]
