"""`findings drop --wait`: copy files into the inbox, then wait for each one's report and
say how it ended: against the API on rows the pipeline wrote, and against the pipeline."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import SecretStr

from findings_api.settings import ApiSettings
from findings_ingest.adapters.repository import LedgerRepository, Outcome
from findings_shared.database import make_engine, make_sessionmaker
from findings_shared.events import report_id_of
from findings_shared.settings import DatabaseSettings
from tests.api.conftest import serving_api
from tests.conftest import FIXTURES, REPORTS, seen_in_inbox
from tests.corpus import PipelineCorpus
from tests.e2e import test_pipeline as e2e

# The whole pipeline (four services as processes): tests/e2e's fixture, used here too.
pipeline = e2e.pipeline

LETTER = "letter_wandsworth_2011-07-07.txt"
INSPECTION = "inspection_wandsworth_2023-01-13.txt"
FLAGGED = "inspection_windsor-maidenhead_2020-02-24.pdf"  # stored, flagged for review
NEVER_STORED = "letter_wolverhampton_2010-10-13.txt"
BROKEN_PDF = b"%PDF-1.7 broken"
LETTER_STORED = (
    "stored 26 findings: Annual unannounced inspection of contact, referral and assessment"
    " arrangements within the London Borough of Wandsworth Council children's services"
    " (Wandsworth, 212)"
)


async def findings_drop(
    *args: str | Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    # None of this machine's FINDINGS_ settings: only what the test gives.
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FINDINGS_")}
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "findings_cli.main", "drop", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
        timeout=180,
        cwd=cwd,
        env=clean | (env or {}),
    )


def outcomes(stdout: str, names: list[str]) -> dict[str, str]:
    """`--wait`'s line for each file (`state  name  what`), as `state what`, by name."""
    lines = stdout.splitlines()
    assert lines[0].startswith(f"dropped {len(names)} file(s) into ")
    by_name: dict[str, str] = {}
    for line in lines[1:]:
        state, rest = line[:10].strip(), line[11:]
        name = next(n for n in names if rest.startswith(n))
        by_name[name] = f"{state} {rest[len(name) :].strip()}"
    assert sorted(by_name) == sorted(names)  # one line a file
    return by_name


async def record_rejected_and_failed(database_settings: DatabaseSettings) -> None:
    """As ingest and store record them: an empty file rejected; a broken PDF accepted,
    announced, then failed."""
    now = datetime.now(UTC)
    engine = make_engine(database_settings)
    async with make_sessionmaker(engine).begin() as session:
        ledger = LedgerRepository(session)
        for name, content, rejection in (
            ("empty.pdf", b"", "the file is empty"),
            ("broken.pdf", BROKEN_PDF, None),
        ):
            seen = seen_in_inbox(name, content, rejection, at=now)
            await ledger.record_objects([seen])
            if rejection is None:
                await ledger.add_reports([seen])
                await ledger.mark_announced([report_id_of(content)], now)
        await ledger.mark_finished(
            [Outcome(report_id_of(BROKEN_PDF), "failed", "the PDF cannot be opened")], now
        )
    await engine.dispose()


@pytest.mark.integration
async def test_drop_waits_for_each_report_and_says_how_it_ended(
    pipeline_corpus: PipelineCorpus, database_settings: DatabaseSettings, tmp_path: Path
) -> None:
    await pipeline_corpus.store_reports(database_settings, [LETTER, INSPECTION, FLAGGED])
    await record_rejected_and_failed(database_settings)
    empty, broken = tmp_path / "empty.pdf", tmp_path / "broken.pdf"
    empty.write_bytes(b"")
    broken.write_bytes(BROKEN_PDF)
    inbox = tmp_path / "inbox"
    async with serving_api(ApiSettings(database=database_settings)) as api:
        where = ("--api", api, "--inbox", inbox)
        stored = await findings_drop(
            "--wait", *where, REPORTS / LETTER, REPORTS / INSPECTION, REPORTS / FLAGGED
        )
        mixed = await findings_drop("--wait", *where, REPORTS / LETTER, empty, broken)
        # Nothing ingests this inbox: a report no pipeline stored never settles.
        unsettled = await findings_drop(
            "--wait", "--timeout", "1", *where, REPORTS / LETTER, REPORTS / NEVER_STORED
        )
        no_api = await findings_drop(
            "--wait", "--timeout", "1", "--api", "http://127.0.0.1:9", "--inbox", inbox, empty
        )

    assert stored.returncode == 0, stored.stderr
    assert stored.stdout.startswith(f"dropped 3 file(s) into {inbox}; waiting")
    assert outcomes(stored.stdout, [LETTER, INSPECTION, FLAGGED]) == {
        LETTER: LETTER_STORED,
        INSPECTION: "stored 51 findings: Inspection of Wandsworth local authority children's"
        " services (Wandsworth, 212)",
        FLAGGED: "stored 50 findings: The Royal Borough of Windsor and Maidenhead: Inspection of"
        " children’s social care services (Windsor and Maidenhead, 868); needs review:"
        " paragraph numbering gap: 14 is followed by 16",
    }
    assert (inbox / LETTER).read_bytes() == (REPORTS / LETTER).read_bytes()
    assert not list(inbox.glob(".*.part"))

    assert mixed.returncode == 1, mixed.stderr
    assert outcomes(mixed.stdout, [LETTER, "empty.pdf", "broken.pdf"]) == {
        LETTER: LETTER_STORED,
        "empty.pdf": "rejected the file is empty",
        "broken.pdf": "failed the PDF cannot be opened",
    }

    assert unsettled.returncode == 2
    assert outcomes(unsettled.stdout, [LETTER, NEVER_STORED]) == {
        LETTER: LETTER_STORED,
        NEVER_STORED: "waiting not settled in 1 s",
    }
    assert "findings drop: 1 file(s) not settled in 1 s; findings status" in unsettled.stderr

    assert no_api.returncode == 2
    assert "no API at http://127.0.0.1:9" in no_api.stderr


@pytest.mark.integration
async def test_drop_waits_with_the_key_an_api_needs_to_read(
    pipeline_corpus: PipelineCorpus, database_settings: DatabaseSettings, tmp_path: Path
) -> None:
    await pipeline_corpus.store_reports(database_settings, [LETTER])
    settings = ApiSettings(
        database=database_settings,
        read_keys=[SecretStr("reader")],
        write_keys=[SecretStr("writer")],
    )
    letter = REPORTS / LETTER
    async with serving_api(settings) as api:
        where = ("--api", api, "--inbox", tmp_path / "inbox")
        without_key = await findings_drop("--wait", *where, letter)
        given_key = await findings_drop("--wait", *where, "--key", "reader", letter)
        environment_key = await findings_drop(
            "--wait", *where, letter, env={"FINDINGS_API_READ_KEYS": "reader,another"}
        )
        # As after `findings up`: the API, the inbox and the upload key in stack.json.
        (tmp_path / ".findings").mkdir()
        (tmp_path / ".findings" / "stack.json").write_text(
            json.dumps({"api": api, "inbox": str(tmp_path / "stack inbox"), "upload_key": "writer"})
        )
        stack_key = await findings_drop("--wait", letter, cwd=tmp_path)

    assert without_key.returncode == 1
    assert "findings drop: 401" in without_key.stderr
    assert "X-API-Key" in without_key.stderr
    for result in (given_key, environment_key, stack_key):
        assert result.returncode == 0, result.stderr
        assert outcomes(result.stdout, [LETTER]) == {LETTER: LETTER_STORED}
    assert (tmp_path / "stack inbox" / LETTER).read_bytes() == letter.read_bytes()


@pytest.mark.e2e
async def test_drop_waits_for_the_pipeline_to_store_fail_or_reject_each_file(
    pipeline: e2e.Pipeline, tmp_path: Path
) -> None:
    minutes = tmp_path / "minutes.txt"
    minutes.write_text("Minutes of the allotment society.\n")
    error_page = tmp_path / "error page.pdf"
    error_page.write_bytes((FIXTURES / "bad" / "inspection_birmingham_2012-10-19.pdf").read_bytes())
    result = await findings_drop(
        *("--wait", "--timeout", "120", "--api", pipeline.api, "--inbox", pipeline.inbox),
        *(REPORTS / LETTER, minutes, error_page),
    )
    assert result.returncode == 1, result.stderr
    ended = outcomes(result.stdout, [LETTER, "minutes.txt", "error page.pdf"])
    assert ended[LETTER] == LETTER_STORED
    assert ended["minutes.txt"].startswith("failed ")
    assert "not an Ofsted inspection report" in ended["minutes.txt"]
    assert ended["error page.pdf"].startswith("rejected ")
    assert "HTML page" in ended["error page.pdf"]

    again = await findings_drop(
        "--wait", "--api", pipeline.api, "--inbox", pipeline.inbox, REPORTS / LETTER
    )
    assert again.returncode == 0, again.stderr
    assert outcomes(again.stdout, [LETTER]) == {LETTER: LETTER_STORED}
