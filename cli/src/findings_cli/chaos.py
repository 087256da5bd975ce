"""Chaos and soak runs: prove that nothing is lost or duplicated under faults.

    findings soak --reports 2000 --seed 7

Starts its own broker (Tansu, memory storage) and the four services as processes,
drops N unique reports (fixture PDFs, each with a distinct comment after its end),
and meanwhile SIGKILLs a random service at random moments (restarting it after a
pause) and restarts the broker, which loses every topic, event and offset. Then it
waits until every report has an outcome and compares the database with what an
in-process parse of each source says: reports lost, reports duplicated, finding
counts wrong. Everything random comes from the seed, so a failure can be replayed.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import random
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import psutil

from findings_cli.embedded import EmbeddedKafka, free_port
from findings_cli.stack import SERVICES, ServiceProcess, service_env
from findings_parse.core.parser import parse_report

log = logging.getLogger("findings.chaos")


def unique_copy(content: bytes, tag: str) -> bytes:
    """The same report with distinct bytes: a PDF comment after %%EOF, which readers skip."""
    return content + f"\n% findings copy {tag}\n".encode()


def unique_copies(sources: list[Path], count: int, tag: str) -> list[tuple[str, bytes, Path]]:
    """(file name, content, source) for `count` distinct reports drawn from `sources`."""
    copies = []
    for index in range(count):
        source = sources[index % len(sources)]
        name = f"{index:05d}-{source.name}"
        copies.append((name, unique_copy(source.read_bytes(), f"{tag}-{index}"), source))
    return copies


@dataclass
class ChaosResult:
    seed: int
    reports: int
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    wrong_finding_counts: int = 0
    not_stored: Counter[str] = field(default_factory=Counter)
    findings: int = 0
    # Reports announced more than once: events lost with the broker, or work redone.
    reannounced: int = 0
    faults: list[str] = field(default_factory=list)
    # Services that exited without being killed (restarted, as a process manager would):
    # a crash is a defect even when nothing is lost.
    crashes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    latencies_s: list[float] = field(default_factory=list)
    # Resident memory (MB) of each process with its children, sampled through the run.
    memory_mb: dict[str, list[float]] = field(default_factory=dict)
    # API answers to the readers by status (0: no answer, e.g. while it was killed).
    api_answers: Counter[int] = field(default_factory=Counter)

    @property
    def ok(self) -> bool:
        return (
            self.stored == self.reports
            and self.lost == 0
            and self.duplicated == 0
            and self.wrong_finding_counts == 0
            and not self.crashes
        )

    def table(self) -> str:
        latencies = sorted(self.latencies_s) or [0.0]
        cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else latencies * 99
        kinds = Counter(fault.split(" ", 1)[0] for fault in self.faults)
        rows = [
            ("seed", str(self.seed)),
            ("reports dropped", str(self.reports)),
            ("reports stored", str(self.stored)),
            ("lost", str(self.lost)),
            ("duplicated", str(self.duplicated)),
            ("wrong finding counts", str(self.wrong_finding_counts)),
            ("not stored", ", ".join(f"{n} {s}" for s, n in self.not_stored.items()) or "-"),
            ("findings stored", str(self.findings)),
            ("reports announced again", str(self.reannounced)),
            ("faults", ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())) or "-"),
            ("services that crashed", "; ".join(self.crashes) or "-"),
            ("seconds", f"{self.seconds:.1f}"),
            ("reports/s", f"{self.reports / self.seconds:.2f}" if self.seconds else "-"),
            ("latency p50 s", f"{cuts[49]:.1f}"),
            ("latency p95 s", f"{cuts[94]:.1f}"),
            ("latency max s", f"{latencies[-1]:.1f}"),
        ]
        answers = ", ".join(
            f"{n} × {code or 'none'}" for code, n in sorted(self.api_answers.items())
        )
        rows.append(("API answers to readers", answers or "-"))
        for name, samples in sorted(self.memory_mb.items()):
            rows.append((f"memory {name} MB", memory_summary(samples)))
        width = max(len(name) for name, _ in rows)
        return "\n".join(f"{name:<{width}}  {value}" for name, value in rows)


def memory_summary(samples: list[float]) -> str:
    """Early (median of the second tenth of the run: the first holds the start-up), peak
    and end (median of the last tenth)."""
    if not samples:
        return "-"
    tenth = max(1, len(samples) // 10)
    early = statistics.median(samples[tenth : 2 * tenth] or samples)
    end = statistics.median(samples[-tenth:])
    return f"early {early:.0f}, peak {max(samples):.0f}, end {end:.0f}"


def tree_rss_mb(pid: int) -> float:
    """Memory of a process and all its descendants (a service and its workers, PostgreSQL
    and its backends): proportional set size, so that shared pages count once."""
    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.Error:
        return 0.0
    total = 0
    for process in processes:
        with contextlib.suppress(psutil.Error):
            total += process.memory_full_info().pss
    return total / 1e6


@dataclass
class ChaosRun:
    """One run; `database_url` is a PostgreSQL database of its own (asyncpg URL form)."""

    sources: list[Path]
    reports: int
    seed: int
    database_url: str
    work_dir: Path
    # Seconds between two service kills: exponential with this mean, capped at 1.5 × it.
    mean_kill_interval_s: float = 6.0
    broker_restarts: int = 1
    drop_rate_per_s: float = 20.0
    timeout_s: float = 900.0
    reannounce_after_s: float = 20.0
    # The PostgreSQL server's postmaster, to sample its memory with the services'.
    postgres_pid: int | None = None
    memory_interval_s: float = 5.0
    # Readers of the API meanwhile (queries, searches, exports), so that its memory is
    # that of an API in use.
    api_readers: int = 2
    result: ChaosResult = field(init=False)

    def __post_init__(self) -> None:
        # Services killed by the run and not yet restarted: their exit is no crash.
        self.killed: set[str] = set()
        self.api_port = free_port()
        self.rng = random.Random(self.seed)
        self.result = ChaosResult(self.seed, self.reports)

    async def run(self) -> ChaosResult:
        self.work_dir.mkdir(parents=True, exist_ok=True)
        copies = unique_copies(self.sources, self.reports, f"{self.seed}")
        expected = self.expected_finding_counts(copies)
        kafka = EmbeddedKafka(log_path=self.work_dir / "broker.log").start()
        services = self.services(kafka)
        try:
            for service in services:
                service.start()
            started = time.monotonic()
            background = [
                asyncio.create_task(self.sample_memory(kafka, services)),
                asyncio.create_task(self.supervise(services)),
                *(asyncio.create_task(self.read_api(n)) for n in range(self.api_readers)),
            ]
            try:
                await self.drop_with_faults(copies, kafka, services)
                await self.wait_for_outcomes(expected, started)
            finally:
                for task in background:
                    task.cancel()
            self.result.seconds = time.monotonic() - started
            await self.compare(expected)
        finally:
            for service in services:
                service.stop()
            kafka.stop()
        return self.result

    def expected_finding_counts(self, copies: list[tuple[str, bytes, Path]]) -> dict[str, int]:
        """What each report must end with, from parsing each source once in this process."""
        per_source: dict[Path, int] = {}
        expected: dict[str, int] = {}
        for name, content, source in copies:
            if source not in per_source:
                per_source[source] = len(parse_report(content, name).findings)
            expected[hashlib.sha256(content).hexdigest()] = per_source[source]
        return expected

    def services(self, kafka: EmbeddedKafka) -> list[ServiceProcess]:
        env = service_env(
            bootstrap=kafka.bootstrap_servers,
            database_url=self.database_url.replace("postgresql://", "postgresql+asyncpg://", 1),
            inbox=self.work_dir / "inbox",
            api_port=self.api_port,
            namespace="chaos",
        )
        env |= {
            "FINDINGS_INGEST_SETTLE_S": "0.3",
            "FINDINGS_INGEST_REANNOUNCE_AFTER_S": str(self.reannounce_after_s),
            "FINDINGS_INGEST_MAX_ANNOUNCEMENTS": "100",
            "FINDINGS_KAFKA_TOPIC_CHECK_INTERVAL_S": "2",
            "FINDINGS_DELIVERY_MAX_BACKOFF_S": "5",
        }
        logs = self.work_dir / "logs"
        logs.mkdir(exist_ok=True)
        return [ServiceProcess(name, env, log_path=logs / f"{name}.log") for name in SERVICES]

    async def drop_with_faults(
        self,
        copies: list[tuple[str, bytes, Path]],
        kafka: EmbeddedKafka,
        services: list[ServiceProcess],
    ) -> None:
        """Drop every copy at the set rate; kill services and restart the broker meanwhile.

        Faults go on until the drops are done and the broker restarts have happened."""
        inbox = self.work_dir / "inbox"
        staging = self.work_dir / "staging"
        inbox.mkdir(exist_ok=True)
        staging.mkdir(exist_ok=True)
        broker_restarts_at = sorted(
            self.rng.randrange(len(copies) // 4, max(len(copies) // 4 + 1, 3 * len(copies) // 4))
            for _ in range(self.broker_restarts)
        )
        next_kill = time.monotonic() + self.kill_interval()
        restarts: list[tuple[float, ServiceProcess]] = []
        victims: list[ServiceProcess] = []  # a shuffled round: each is killed in turn
        for index, (name, content, _source) in enumerate(copies):
            (staging / name).write_bytes(content)
            (staging / name).replace(inbox / name)  # atomic: never seen half-written
            while broker_restarts_at and broker_restarts_at[0] == index:
                broker_restarts_at.pop(0)
                kafka.kill()
                await asyncio.sleep(self.rng.uniform(0.5, 2.0))
                kafka.start()
                self.fault(f"broker restarted, losing its data, after {index + 1} drops")
            now = time.monotonic()
            if not victims:
                victims = self.rng.sample(services, len(services))
            # The next victim is killed once it is running again (never a no-op "fault").
            if now >= next_kill and victims[-1].exited() is None:
                victim = victims.pop()
                self.killed.add(victim.name)
                victim.kill()
                restarts.append((now + self.rng.uniform(0.5, 3.0), victim))
                self.fault(f"{victim.name} SIGKILLed after {index + 1} drops")
                next_kill = now + self.kill_interval()
            for due, service in [r for r in restarts if r[0] <= now]:
                service.start()
                self.killed.discard(service.name)
                restarts.remove((due, service))
            await asyncio.sleep(1 / self.drop_rate_per_s)
        for due, service in restarts:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            service.start()
            self.killed.discard(service.name)

    async def supervise(self, services: list[ServiceProcess], interval_s: float = 0.5) -> None:
        """Restart a service that exited by itself, as a process manager would, and
        record it: without this a crash looked like a pipeline that had stopped moving
        (chaos seed 417039: ingest ended on a leaked CancelledError, nothing was stored)."""
        while True:
            await asyncio.sleep(interval_s)
            for service in services:
                code = service.exited()
                if service.name in self.killed or code is None:
                    continue
                what = f"{service.name} exited by itself with code {code}"
                log.error("%s; restarting it", what)
                self.result.crashes.append(what)
                service.start()

    async def sample_memory(self, kafka: EmbeddedKafka, services: list[ServiceProcess]) -> None:
        """Every `memory_interval_s`, the memory of each service (with its workers), the
        broker and PostgreSQL (with its backends); a killed service counts as it restarts."""
        while True:
            pids = {service.name: service.pid() for service in services}
            pids["broker"] = kafka.process.pid if kafka.process else None
            pids["postgres"] = self.postgres_pid
            for name, pid in pids.items():
                if pid is not None:
                    self.result.memory_mb.setdefault(name, []).append(tree_rss_mb(pid))
            await asyncio.sleep(self.memory_interval_s)

    async def read_api(self, reader: int) -> None:
        """Ask the API what an analyst would, over and over; errors (it is killed too) are
        counted, not raised."""
        rng = random.Random(self.seed + reader)
        paths = [
            "/reports?limit=50",
            "/findings?q=neglect&limit=20",
            "/findings?category=area_for_development&limit=100",
            "/summary/national",
            "/local-authorities/212",
            "/findings?format=csv&la_code=212",
        ]
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{self.api_port}", timeout=30
        ) as client:
            while True:
                try:
                    response = await client.get(rng.choice(paths))
                    self.result.api_answers[response.status_code] += 1
                except httpx.HTTPError:
                    self.result.api_answers[0] += 1
                await asyncio.sleep(0.2)

    def kill_interval(self) -> float:
        """Random (exponential), but capped: a rare long draw must not leave a service
        unkilled in a run of a few dozen seconds (seed 727655 once drew 33 s for 4)."""
        mean = self.mean_kill_interval_s
        return min(self.rng.expovariate(1 / mean), 1.5 * mean)

    def fault(self, what: str) -> None:
        log.warning("fault: %s", what)
        self.result.faults.append(what)

    async def wait_for_outcomes(self, expected: dict[str, int], started: float) -> None:
        """Until every report has an outcome in ingest's ledger (or the time is up)."""
        deadline = started + self.timeout_s
        while time.monotonic() < deadline:
            statuses = await self.ledger_statuses()
            unfinished = statuses["pending"] + statuses["announced"]
            if statuses.total() >= len(expected) and unfinished == 0:
                return
            await asyncio.sleep(1)
        log.error("timed out after %.0f s waiting for outcomes", self.timeout_s)

    async def ledger_statuses(self) -> Counter[str]:
        try:
            connection = await asyncpg.connect(self.database_url)
        except (OSError, asyncpg.PostgresError):
            return Counter()
        try:
            rows = await connection.fetch(
                "select status, count(*) from ingest.reports group by status"
            )
        except asyncpg.UndefinedTableError:
            return Counter()
        finally:
            await connection.close()
        return Counter({row[0]: row[1] for row in rows})

    async def compare(self, expected: dict[str, int]) -> None:
        connection = await asyncpg.connect(self.database_url)
        try:
            stored = {
                row["report_id"]: row["findings"]
                for row in await connection.fetch(
                    "select r.report_id, count(f.finding_id) as findings"
                    " from store.reports r left join store.findings f using (report_id)"
                    " group by r.report_id"
                )
            }
            ledger = await connection.fetch(
                "select report_id, status, announce_count, received_at, finished_at"
                " from ingest.reports"
            )
            duplicate_rows = await connection.fetchval(
                "select count(*) - count(distinct (report_id, ordinal)) from store.findings"
            )
        finally:
            await connection.close()
        result = self.result
        result.stored = sum(1 for report_id in expected if report_id in stored)
        result.lost = len(expected) - result.stored
        result.duplicated = len(set(stored) - set(expected)) + int(duplicate_rows)
        result.wrong_finding_counts = sum(
            1 for report_id, count in stored.items() if expected.get(report_id, count) != count
        )
        result.findings = sum(stored.values())
        result.reannounced = sum(1 for row in ledger if row["announce_count"] > 1)
        result.not_stored = Counter(row["status"] for row in ledger if row["status"] != "stored")
        result.latencies_s = [
            (row["finished_at"] - row["received_at"]).total_seconds()
            for row in ledger
            if row["finished_at"] is not None
        ]
