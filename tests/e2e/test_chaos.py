"""The chaos test: 200 unique reports while every service is SIGKILLed at random moments
and the broker restarts once, losing all its data. Nothing may be lost or duplicated.

The seed is printed and reported on failure; `FINDINGS_CHAOS_SEED=N` replays a run
(the order of faults and drops, not the operating system's timing)."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from findings_cli.chaos import ChaosRun
from findings_shared.settings import DatabaseSettings
from tests.conftest import REPORTS

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]


async def test_nothing_is_lost_or_duplicated_under_kills_and_broker_loss(
    tmp_path: Path, database_settings: DatabaseSettings
) -> None:
    seed = int(os.environ.get("FINDINGS_CHAOS_SEED") or random.randrange(1_000_000))
    print(f"chaos seed {seed} (replay: FINDINGS_CHAOS_SEED={seed})")  # noqa: T201
    work = tmp_path / "chaos"
    run = ChaosRun(
        sources=sorted(REPORTS.glob("*.pdf")),
        reports=200,
        seed=seed,
        database_url=database_settings.url.replace("+asyncpg", ""),
        work_dir=work,
        mean_kill_interval_s=4.0,
        broker_restarts=1,
        drop_rate_per_s=5.0,
        timeout_s=600,
    )
    result = await run.run()
    report = f"seed {seed}\n{result.table()}\nfaults: {result.faults}"
    print(report)  # noqa: T201
    assert result.ok, report
    assert result.not_stored == {}, report
    assert any(fault.startswith("broker") for fault in result.faults), report
    killed = {fault.split(" ", 1)[0] for fault in result.faults}
    assert {"ingest", "parse", "store", "api"} <= killed, report
