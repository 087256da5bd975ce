"""The README's examples, run: each returns something on the fixture reports.

The code block or table after each `<!-- examples: run by tests/test_readme.py -->` line is
read line by line. Each `curl` is asked of the API over HTTP (its URL, headers and upload;
`localhost:8000` is the test's server), serving a database the pipeline filled with every
fixture report, as after the Quickstart's `findings drop --wait tests/fixtures/reports/*`.
Each `.venv/bin/findings` command runs as written, by the shell, in a folder laid out like
the clone, whose `.findings/stack.json` names that API as `findings up` would.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from findings_api.settings import ApiSettings
from findings_shared.settings import DatabaseSettings
from tests.api.conftest import serving_api
from tests.conftest import REPORTS
from tests.corpus import PipelineCorpus

pytestmark = pytest.mark.integration

ROOT = Path(__file__).parents[1]
README = ROOT / "README.md"
MARKER = "<!-- examples: run by tests/test_readme.py"
UPLOAD_KEY = "readme-upload-key"
# The README's placeholders, and what the test puts in their place.
WANDSWORTH_2023 = "53b69bbfc3f173d698448bdfb8e40351bf5f5c5dc94a66700e432a37819af826"
PLACEHOLDERS = {"REPORT_ID": WANDSWORTH_2023, "$UPLOAD_KEY": UPLOAD_KEY}
# What `findings query` and `findings status` say last when they found nothing.
NOTHING = {"0 finding(s)", "no files yet"}
# The parts of a response that must not be empty, where it has them.
RESULTS = ("items", "buckets", "findings", "distribution", "latest", "grade_history")


@dataclass
class Curl:
    """What a README `curl` line asks: the test asks the same of the API."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    upload: Path | None = None
    stream: bool = False


def marked_examples(readme: str) -> list[str]:
    """Every command of the blocks and tables the README marks as run by this test."""
    lines = readme.splitlines()
    examples: list[str] = []
    for number, line in enumerate(lines):
        if not line.startswith(MARKER):
            continue
        following = iter(lines[number + 1 :])
        first = next(following)
        if first.startswith("```"):  # a code block: each line a command, or a comment
            for block_line in following:
                if block_line.startswith("```"):
                    break
                if block_line.strip() and not block_line.lstrip().startswith("#"):
                    examples.append(block_line.strip())
        else:  # a table: the commands in its cells
            assert first.startswith("|"), f"no block or table after line {number + 1}"
            for row in [first, *following]:
                if not row.startswith("|"):
                    break
                examples += re.findall(r"`((?:curl|\.venv/bin/findings) [^`]+)`", row)
    return examples


def curl_of(command: str) -> Curl:
    """The request of a `curl … URL [| …] [> FILE]` line (its options that matter here)."""
    for placeholder, value in PLACEHOLDERS.items():
        command = command.replace(placeholder, value)
    words = iter(shlex.split(command, comments=True))
    assert next(words) == "curl"
    request = Curl(url="")
    for word in words:
        if word in ("|", ">"):  # what the shell does with the answer
            break
        if word == "-H":
            name, value = next(words).split(":", 1)
            request.headers[name] = value.strip()
        elif word == "-F":
            field_name, at_path = next(words).split("=@", 1)
            assert field_name == "file"
            request.upload = ROOT / at_path
        elif word == "-o":
            next(words)
        elif word.startswith("-"):
            assert set(word[1:]) <= {"s", "N"}, f"an option this test does not know: {word}"
            request.stream = "N" in word
        else:
            assert word.startswith("localhost:8000/"), f"not the local API: {word}"
            request.url = word.removeprefix("localhost:8000")
    return request


def assert_something_in(response: httpx.Response) -> None:
    assert response.status_code == 200, f"{response.status_code} {response.text[:300]}"
    media_type = response.headers["content-type"].split(";")[0]
    if media_type != "application/json":
        assert response.content, "an empty body"
        if media_type == "application/atom+xml":
            assert "<entry>" in response.text, "an empty feed"
        return
    body: Any = response.json()
    assert body, f"nothing: {body!r}"
    if isinstance(body, dict):
        empty = [key for key in RESULTS if key in body and not body[key]]
        assert not empty, f"empty {empty}"
        assert body.get("total") != 0, "total 0"


async def ask(client: httpx.AsyncClient, curl: Curl) -> None:
    if curl.stream:  # Server-Sent Events, open until the client leaves: it opens
        async with client.stream("GET", curl.url, headers=curl.headers) as response:
            assert response.status_code == 200, response.status_code
            assert response.headers["content-type"].startswith("text/event-stream")
        return
    if curl.upload is not None:
        files = {"file": (curl.upload.name, curl.upload.read_bytes())}
        response = await client.post(curl.url, headers=curl.headers, files=files)
        assert response.status_code == 202, f"{response.status_code} {response.text[:300]}"
        return
    if "NEXT_CURSOR" in curl.url:  # the page after the first one's `next_cursor`
        first = (await client.get(curl.url.replace("&cursor=NEXT_CURSOR", ""))).json()
        assert first["next_cursor"], "one page only"
        curl.url = curl.url.replace("NEXT_CURSOR", first["next_cursor"])
    assert_something_in(await client.get(curl.url, headers=curl.headers))


def run_in_clone(clone: Path, command: str) -> subprocess.CompletedProcess[str]:
    """A README command run by the shell, as written, in the clone-like folder."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("FINDINGS_")}
    return subprocess.run(
        ["sh", "-c", command],
        cwd=clone,
        env=clean,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


async def run_findings(clone: Path, command: str) -> None:
    assert command.startswith(".venv/bin/findings "), f"not runnable here: {command}"
    result = await asyncio.to_thread(run_in_clone, clone, command)
    assert result.returncode == 0, result.stderr[-500:]
    assert result.stdout.strip(), "no output"
    assert result.stdout.splitlines()[-1] not in NOTHING, result.stdout[-300:]


@pytest.fixture
async def readme_api(
    pipeline_corpus: PipelineCorpus, database_settings: DatabaseSettings, tmp_path: Path
) -> AsyncIterator[str]:
    """The API over HTTP on every fixture report, taking uploads with the stack's key."""
    every_report = sorted(p.name for p in REPORTS.iterdir() if p.suffix in {".pdf", ".txt"})
    await pipeline_corpus.store_reports(database_settings, every_report)
    settings = ApiSettings(
        database=database_settings,
        write_keys=[SecretStr(UPLOAD_KEY)],
        inbox=tmp_path / "uploads",
    )
    async with serving_api(settings) as url:
        yield url


def test_the_readme_marks_every_example_it_shows() -> None:
    """No curl or `findings` example escapes the test: each is in a block or table it runs."""
    readme = README.read_text(encoding="utf-8")
    run = set(marked_examples(readme))
    shown = set(re.findall(r"`(curl [^`]+)`", readme)) | {
        line.strip()
        for line in readme.splitlines()
        if line.lstrip().startswith(("curl ", ".venv/bin/findings ", "uv run findings "))
    }
    assert shown - run == set()
    assert not re.search(r"\bjq\b|(?<!-m )\buv run\b", readme), "a tool the Quickstart lacks"


async def test_every_readme_example_returns_something_on_the_fixture_reports(
    readme_api: str, tmp_path: Path
) -> None:
    clone = tmp_path / "clone"
    clone.mkdir()
    (clone / "tests").symlink_to(ROOT / "tests")
    (clone / ".venv").symlink_to(sys.prefix)  # the project's environment, as `make run` made
    (clone / ".findings").mkdir()
    (clone / ".findings" / "stack.json").write_text(
        json.dumps({"api": readme_api, "inbox": str(clone / "inbox"), "upload_key": UPLOAD_KEY})
    )
    examples = marked_examples(README.read_text(encoding="utf-8"))
    assert len(examples) > 30
    failures: list[str] = []  # every example that fails, not only the first
    async with httpx.AsyncClient(base_url=readme_api, timeout=60) as client:
        for example in examples:
            try:
                if example.startswith("curl "):
                    await ask(client, curl_of(example))
                else:
                    await run_findings(clone, example)
            except AssertionError as error:
                failures.append(f"{example}\n    {error}")
    assert not failures, "\n".join(failures)
