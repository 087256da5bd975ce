"""Throughput and latency of the whole embedded pipeline.

    uv run python -m benchmarks.pipeline --reports 200

Starts the embedded broker and PostgreSQL and the four services as processes, drops N
uniquely modified copies of the fixture PDFs into the inbox (all at once, or `--rate` a
second), and waits until every report is stored. Files dropped at a rate are watched in
the API as they come (drop-to-API latency); a burst waits for the ledger to hold every
outcome and reads once when ingest recorded each (`finished_at`: drop-to-ledger latency,
a little after the report is queryable), so that PostgreSQL does not serve the watcher
during the run. Prints reports/s, findings/s and the latency percentiles; then parses the
same files with the parser alone, in as many processes as parse has workers, and prints
that rate, the pipeline's share of it (`pipeline_ratio`), and the CPU of every process but
the parse workers as a share of the workers' (`overhead_share`).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import multiprocessing
import os
import shutil
import statistics
import tempfile
import threading
import time
from collections.abc import AsyncIterator
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from findings_cli.chaos import unique_copies, unique_copy
from findings_cli.embedded import EmbeddedKafka, EmbeddedPostgres, free_port, wait_for_port
from findings_cli.stack import SERVICES, ServiceProcess, service_env
from findings_parse.core.parser import parse_report

FIXTURES = Path(__file__).parents[1] / "tests" / "fixtures" / "reports"
# Above this many reports the run is cut into tenths (the rate and each process's CPU per
# report as the tables grow), and the parser alone runs on the first this many.
LEDGER_WATCH_FROM = 2000


async def watch_arrivals(
    api: str, ids: set[str], timeout_s: float, poll_s: float
) -> tuple[dict[str, float], int]:
    """When each report first shows in the API, and the findings they bring."""
    arrived: dict[str, float] = {}
    findings = 0
    async with httpx.AsyncClient(base_url=api) as client, asyncio.timeout(timeout_s):
        while len(arrived) < len(ids):
            async for item in stored_files(client):
                if item["report_id"] in ids and item["report_id"] not in arrived:
                    arrived[item["report_id"]] = time.monotonic()
                    findings += item["finding_count"] or 0
            await asyncio.sleep(poll_s)  # coarse by default: the poller shares the two cores
    return arrived, findings


async def stored_files(client: httpx.AsyncClient) -> AsyncIterator[dict[str, Any]]:
    """Every stored file in the ledger, a page at a time (the copies are all of a few
    inspections, which /reports lists once each)."""
    offset: int | None = 0
    while offset is not None:
        page = (
            await client.get("/files", params={"status": "stored", "limit": 500, "offset": offset})
        ).json()
        for item in page["items"]:
            yield item
        offset = page["next_offset"]


async def watch_ledger(
    api: str, count: int, timeout_s: float, poll_s: float
) -> tuple[dict[str, float], int]:
    """For a burst: wait until the ledger holds `count` stored files, then read once when
    ingest recorded each outcome (its `finished_at`, the wall clock of this machine).
    Reading every stored file on every poll loads PostgreSQL, counted as the pipeline's."""
    async with httpx.AsyncClient(base_url=api, timeout=60) as client:
        async with asyncio.timeout(timeout_s):
            while True:
                last = await client.get(
                    "/files", params={"status": "stored", "limit": 1, "offset": count - 1}
                )
                if last.json()["items"]:
                    break
                await asyncio.sleep(poll_s)
        arrived: dict[str, float] = {}
        findings = 0
        async for item in stored_files(client):
            finished = datetime.fromisoformat(item["finished_at"]).timestamp()
            arrived.setdefault(item["report_id"], finished)
            findings += item["finding_count"] or 0
    return arrived, findings


def window_rates(
    arrived: list[float], samples: list[tuple[float, dict[str, float]]], size: int
) -> list[dict[str, float]]:
    """Every `size` reports stored in turn: their rate, and each process's CPU per report
    over the same stretch of time (from the samples taken through the run)."""
    rows = []
    times = sorted(arrived)
    for start in range(0, len(times) - size + 1, size):
        begin, end = times[start], times[start + size - 1]

        def cpu_at(moment: float) -> dict[str, float]:
            return min(samples, key=lambda sample: abs(sample[0] - moment))[1]

        before, after = cpu_at(begin), cpu_at(end)
        row = {"stored": start + size, "reports_per_s": (size - 1) / max(end - begin, 1e-9)}
        for name in ("ingest", "store", "postgres", "broker", "parse_main"):
            used = after[f"cpu_s_{name}"] - before[f"cpu_s_{name}"]
            row[f"{name}_ms_per_report"] = 1000 * used / size
        rows.append(row)
    return rows


def cpu_seconds(root_pid: int, descendants: bool = True) -> float:
    """CPU time of a process and its descendants: the live ones (e.g. parse's worker
    processes), and those that ended and were waited for (PostgreSQL's autovacuum and
    parallel workers, which `cutime`/`cstime` of the process that waited hold)."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            own = (int(fields[11]) + int(fields[12])) / ticks
            ended = (int(fields[13]) + int(fields[14])) / ticks
            stats[int(entry.name)] = (int(fields[1]), own, ended)
    total, frontier = 0.0, [root_pid]
    while frontier:
        pid = frontier.pop()
        _, own, ended = stats.get(pid, (0, 0.0, 0.0))
        total += own
        if descendants:
            total += ended
            frontier += [child for child, (parent, _, _) in stats.items() if parent == pid]
    return total


def cpu_by_process(
    services: list[ServiceProcess], kafka: EmbeddedKafka, postgres: EmbeddedPostgres
) -> dict[str, float]:
    """CPU seconds so far of each service (parse with and without its workers), the
    broker and PostgreSQL (with its backends)."""
    cpu = {
        f"cpu_s_{service.name}": cpu_seconds(service.process.pid)
        for service in services
        if service.process is not None
    }
    parse = next(s for s in services if s.name == "parse")
    assert parse.process is not None
    cpu["cpu_s_parse_main"] = cpu_seconds(parse.process.pid, descendants=False)
    assert kafka.process is not None
    cpu["cpu_s_broker"] = cpu_seconds(kafka.process.pid)
    postmaster = postgres.pid()
    cpu["cpu_s_postgres"] = cpu_seconds(postmaster) if postmaster else 0.0
    return cpu


def run(
    reports: int, parse_workers: int, rate: float, default_settings: bool, poll_s: float
) -> tuple[dict[str, float], list[dict[str, float]]]:
    """The run's totals, and at volume its tenths (see window_rates)."""
    base = Path(tempfile.mkdtemp(prefix="findings-bench-"))
    base.chmod(0o755)  # the PostgreSQL server runs as `postgres`
    kafka = EmbeddedKafka().start()
    postgres = EmbeddedPostgres(data_dir=base / "postgres").start()
    api_port = free_port()
    inbox = base / "inbox"
    env = service_env(
        bootstrap=kafka.bootstrap_servers,
        database_url=postgres.url,
        inbox=inbox,
        api_port=api_port,
        namespace="bench",
    )
    env |= {"FINDINGS_PARSE_WORKERS": str(parse_workers), "FINDINGS_LOG_LEVEL": "WARNING"}
    if not default_settings:
        env |= {"FINDINGS_INGEST_SETTLE_S": "0.2", "FINDINGS_INGEST_POLL_INTERVAL_S": "0.1"}
    services = [ServiceProcess(name, env) for name in SERVICES]
    try:
        for service in services:
            service.start()
        wait_for_port(api_port, 60, None)
        staging = base / "staging"
        staging.mkdir()
        # Written one at a time: 20,000 copies would hold gigabytes in memory at once.
        sources = sorted(FIXTURES.glob("*.pdf"))
        files: list[tuple[Path, str]] = []  # each copy and its report id
        for index in range(reports):
            source = sources[index % len(sources)]
            content = unique_copy(source.read_bytes(), f"benchmark-{index}")
            path = staging / f"{index:05d}-{source.name}"
            path.write_bytes(content)
            files.append((path, hashlib.sha256(content).hexdigest()))
        time.sleep(8)  # consumer groups settle before the clock starts
        before = cpu_by_process(services, kafka, postgres)  # start-up is not counted
        inbox.mkdir(exist_ok=True)
        dropped_at: dict[str, float] = {}
        api = f"http://127.0.0.1:{api_port}"
        ids = {report_id for _, report_id in files}
        # At volume the run is cut into tenths. A burst reads the ledger once at the end,
        # and times are the wall clock's: reading every stored file on every poll made
        # PostgreSQL serve the benchmark (4-6 of its 16 CPU-s in a 1,000-report burst),
        # counted as the pipeline's. Files dropped one at a time are watched as they come.
        at_volume = reports > LEDGER_WATCH_FROM
        burst = at_volume or not rate
        clock = time.time if burst else time.monotonic
        watch = (
            watch_ledger(api, reports, max(120, reports * 2), 1.0)
            if burst
            else watch_arrivals(api, ids, max(120, reports * 2), poll_s)
        )
        result: dict[str, Any] = {}
        watcher = threading.Thread(
            target=lambda: result.update(
                zip(("arrived", "findings"), asyncio.run(watch), strict=True)
            )
        )
        samples: list[tuple[float, dict[str, float]]] = []
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(5):
                samples.append((clock(), cpu_by_process(services, kafka, postgres)))

        sampler = threading.Thread(target=sample)
        samples.append((clock(), before))
        sampler.start()
        watcher.start()
        for path, report_id in files:
            os.replace(path, inbox / path.name)
            dropped_at[report_id] = clock()
            if rate:
                time.sleep(1 / rate)
        watcher.join()
        sampling.set()
        sampler.join()
        samples.append((clock(), cpu_by_process(services, kafka, postgres)))
        arrived, findings = result["arrived"], result["findings"]
        windows = (
            window_rates([arrived[r] for r in dropped_at], samples, max(500, reports // 10))
            if at_volume
            else []
        )
        started = min(dropped_at.values())
        elapsed = max(arrived.values()) - started
        cpu = {
            name: used - before.get(name, 0.0)
            for name, used in cpu_by_process(services, kafka, postgres).items()
        }
        latencies = sorted(arrived[r] - dropped_at[r] for r in dropped_at)
        quantiles = statistics.quantiles(latencies, n=100)
        totals = {
            "reports": len(dropped_at),
            "findings": findings,
            "seconds": elapsed,
            "reports_per_s": len(dropped_at) / elapsed,
            "findings_per_s": findings / elapsed,
            "latency_p50_s": quantiles[49],
            "latency_p95_s": quantiles[94],
            "latency_max_s": latencies[-1],
            **cpu,
        }
        return totals, windows
    finally:
        for service in services:
            service.stop()
        kafka.stop()
        postgres.stop("immediate")
        shutil.rmtree(base, ignore_errors=True)


def parse_only(files: list[bytes], workers: int) -> float:
    """Reports per second of the parser alone on these files, in `workers` processes."""
    names = [f"copy-{index}.pdf" for index in range(len(files))]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        list(pool.map(_parse_one, files[:workers], names[:workers]))  # start-up, untimed
        started = time.perf_counter()
        list(pool.map(_parse_one, files, names, chunksize=4))
        return len(files) / (time.perf_counter() - started)


def _parse_one(content: bytes, name: str) -> int:
    return len(parse_report(content, name).findings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reports", type=int, default=200)
    parser.add_argument("--parse-workers", type=int, default=2)
    parser.add_argument(
        "--rate", type=float, default=0, help="files dropped per second (0: all at once)"
    )
    parser.add_argument(
        "--default-settings",
        action="store_true",
        help="ingest's default settle and poll times (else the shorter ones a burst uses)",
    )
    parser.add_argument(
        "--api-poll-s",
        type=float,
        default=0.25,
        help="how often the API is asked (latency grain of files dropped at a rate)",
    )
    args = parser.parse_args()
    result, windows = run(
        args.reports, args.parse_workers, args.rate, args.default_settings, args.api_poll_s
    )
    # The parser alone on the same files, at most the first LEDGER_WATCH_FROM of them: its
    # rate per report does not depend on how many there are.
    copies = unique_copies(
        sorted(FIXTURES.glob("*.pdf")), min(args.reports, LEDGER_WATCH_FROM), "benchmark"
    )
    alone = parse_only([content for _, content, _ in copies], args.parse_workers)
    cpu = {name: value for name, value in result.items() if name.startswith("cpu_s_")}
    workers_cpu = cpu["cpu_s_parse"] - cpu["cpu_s_parse_main"]
    # Every process but the parse workers and the API (whose CPU is this benchmark's own
    # polling): ingest, parse's main process, store, the broker, PostgreSQL.
    overhead = sum(cpu.values()) - cpu["cpu_s_parse"] - cpu["cpu_s_api"]
    result |= {
        "parse_only_per_s": alone,
        "pipeline_ratio": result["reports_per_s"] / alone,
        "overhead_share": overhead / workers_cpu,
    }
    print(f"{'metric':<18} {'value':>10}")  # noqa: T201
    print(f"{'-' * 18} {'-' * 10}")  # noqa: T201
    for name, value in result.items():
        shown = f"{value:>10.0f}" if name in ("reports", "findings") else f"{value:>10.2f}"
        print(f"{name:<18} {shown}")  # noqa: T201
    if windows:
        print("\nas the tables grow (CPU ms per report stored in each stretch):")  # noqa: T201
        print("  ".join(f"{name:>20}" for name in windows[0]))  # noqa: T201
        for row in windows:
            print("  ".join(f"{value:>20.1f}" for value in row.values()))  # noqa: T201


if __name__ == "__main__":
    main()
