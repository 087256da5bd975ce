import json
import subprocess
import sys

from tests.golden import FIXTURES, REPORTS


def run_findings(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "findings_cli.main", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_parse_prints_one_report_parsed_object() -> None:
    result = run_findings("parse", str(REPORTS / "letter_wandsworth_2011-07-07.txt"))
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["report_type"] == "annual_unannounced_inspection"
    assert report["local_authority"]["la_code"] == "212"
    assert len(report["findings"]) == 26
    assert report["quality"]["coverage"] > 0.95


def test_parse_of_a_broken_file_fails_with_one_line() -> None:
    result = run_findings("parse", str(FIXTURES / "bad" / "inspection_birmingham_2012-10-19.pdf"))
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1
    assert "HTML page" in result.stderr
