"""`findings query`: search findings through the running API."""

from __future__ import annotations

import asyncio
import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pydantic import SecretStr

from findings_api.settings import ApiSettings
from findings_shared.settings import DatabaseSettings
from tests.api.conftest import serving_api
from tests.corpus import PipelineCorpus

pytestmark = pytest.mark.integration

FILES = ["inspection_salford_2018-11-12.pdf", "letter_wandsworth_2011-07-07.txt"]


async def findings(*args: str) -> subprocess.CompletedProcess[str]:
    return await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "findings_cli.main", "query", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


async def test_query_prints_searches_for_people_and_as_csv_or_json(
    pipeline_corpus: PipelineCorpus, database_settings: DatabaseSettings
) -> None:
    stored = await pipeline_corpus.store_reports(database_settings, FILES)
    async with serving_api(ApiSettings(database=database_settings)) as api:
        text = await findings("domestic abuse", "--authority", "Salford", "--api", api)
        as_json = await findings(
            "--la-code", "212", "--limit", "500", "--format", "json", "--api", api
        )
        as_csv = await findings("--category", "strength", "--format", "csv", "--api", api)
        unknown = await findings("--authority", "Narnia", "--api", api)
    assert text.returncode == 0, text.stderr
    assert "Salford (355) ilacs_inspection" in text.stdout
    assert "domestic abuse" in text.stdout  # matches plain when not on a terminal
    assert "<mark>" not in text.stdout
    assert text.stdout.rstrip().endswith("finding(s)")
    letter = stored[FILES[1]]
    assert [f["finding_id"] for f in json.loads(as_json.stdout)] == [
        f.finding_id for f in letter.findings
    ]
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert rows
    assert {row["Category"] for row in rows} == {"strength"}
    assert unknown.returncode == 1
    assert "422 No English local authority matches" in unknown.stderr


async def test_query_and_status_send_the_key_an_api_needs_to_read(
    pipeline_corpus: PipelineCorpus, database_settings: DatabaseSettings
) -> None:
    await pipeline_corpus.store_reports(database_settings, FILES)
    settings = ApiSettings(database=database_settings, read_keys=[SecretStr("reader")])
    async with serving_api(settings) as api:
        refused = await findings("--la-code", "212", "--api", api)
        query = await findings("--la-code", "212", "--api", api, "--key", "reader")
        status = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "findings_cli.main", "status", "--api", api, "--key", "reader"],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    assert refused.returncode == 1
    assert "401 This API needs a key" in refused.stderr
    assert query.returncode == 0, query.stderr
    assert query.stdout.rstrip().endswith(" finding(s)")
    assert "Wandsworth (212)" in query.stdout
    assert status.returncode == 0, status.stderr
    assert status.stdout.rstrip().endswith("2 files: 2 stored")


async def test_query_exports_every_match_as_a_workbook_to_a_file(
    pipeline_corpus: PipelineCorpus, database_settings: DatabaseSettings, tmp_path: Path
) -> None:
    """`--limit` pages what people read; an export holds every match, as the API's does."""
    await pipeline_corpus.store_reports(database_settings, FILES)
    workbook = tmp_path / "salford.xlsx"
    async with serving_api(ApiSettings(database=database_settings)) as api:
        as_xlsx = await findings(
            "--la-code", "355", "--format", "xlsx", "--output", str(workbook), "--api", api
        )
        as_csv = await findings("--la-code", "355", "--format", "csv", "--api", api)
        as_text = await findings(
            "--la-code", "355", "--limit", "3", "--output", str(tmp_path / "t.txt"), "--api", api
        )
    assert as_xlsx.returncode == 0, as_xlsx.stderr
    assert as_xlsx.stdout == ""
    sheet = load_workbook(workbook, read_only=True).active
    assert sheet is not None
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    by_csv = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(rows) == len(by_csv) > 3
    assert header == list(by_csv[0])
    assert {row[header.index("Local authority")] for row in rows} == {"Salford"}
    assert as_text.returncode == 0, as_text.stderr
    assert (tmp_path / "t.txt").read_text().rstrip().endswith("3 finding(s)")
