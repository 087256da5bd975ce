"""`findings evaluate`: the parser measured against a manifest and Ofsted's own tables."""

from __future__ import annotations

import shutil
from pathlib import Path

from findings_cli.evaluate import read_corpus
from tests.cli.test_parse_command import run_findings
from tests.golden import FIXTURES, REPORTS

HEADER = "file\tkind\tla\tofsted_urn\tpublished\tsha256\tsource\n"
PROVENANCE = {report.path.name: report for report in read_corpus([FIXTURES / "PROVENANCE.tsv"])}
# Two ILACS inspections and a 2014 SIF that Ofsted's tables grade, and a focused visit.
ROWS = {
    name: (
        PROVENANCE[name].kind,
        PROVENANCE[name].ofsted_urn or "",
        str(PROVENANCE[name].published),
    )
    for name in (
        "inspection_salford_2018-11-12.pdf",
        "inspection_wandsworth_2023-01-13.pdf",
        "focused_visit_ealing_2022-11-22.pdf",
        "inspection_coventry_2014-03-21.pdf",
    )
}


def corpus(tmp_path: Path, rows: dict[str, tuple[str, str, str]]) -> Path:
    """A corpus folder as ../shared/corpus lays it out: reports, a manifest, labels."""
    folder = tmp_path / "corpus"
    (folder / "reports").mkdir(parents=True)
    shutil.copytree(FIXTURES / "labels", folder / "labels")
    lines = [HEADER]
    for name, (kind, urn, published) in rows.items():
        shutil.copy(REPORTS / name, folder / "reports" / name)
        lines.append(f"{name}\t{kind}\t-\t{urn}\t{published}\t-\tfixture\n")
    (folder / "reports" / "MANIFEST.tsv").write_text("".join(lines))
    return folder


def test_a_corpus_the_parser_reads_right_passes(tmp_path: Path) -> None:
    result = run_findings("evaluate", str(corpus(tmp_path, ROWS)))
    assert result.returncode == 0, result.stdout + result.stderr
    table = {
        line.split("|")[1].strip(" *"): [cell.strip() for cell in line.split("|")[2:-1]]
        for line in result.stdout.splitlines()
        if line.startswith("| ")
    }
    header = table.pop("family")
    column = {name: index for index, name in enumerate(header)}
    assert table["all"][column["reports"]] == "4"
    # Official grades checked for the three graded inspections, all equal.
    assert table["all"][column["grades"]] == "3/3"
    assert table["all"][column["all checks"]] == "4/4"
    assert "0 failing" in result.stdout


def test_a_wrong_family_or_authority_fails_with_its_reason(tmp_path: Path) -> None:
    rows = dict(ROWS)
    rows["focused_visit_ealing_2022-11-22.pdf"] = ("jtai", "80495", "2022-11-22")
    rows["inspection_salford_2018-11-12.pdf"] = ("inspection", "80518", "2018-11-12")  # Wandsworth
    result = run_findings("evaluate", str(corpus(tmp_path, rows) / "reports" / "MANIFEST.tsv"))
    assert result.returncode == 1
    failing = [line for line in result.stdout.splitlines() if line.startswith("- ")]
    assert len(failing) == 2
    assert "family: focused_visit, expected jtai" in result.stdout
    assert "authority: Salford (URN 80548), expected URN 80518" in result.stdout


def test_a_path_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    result = run_findings("evaluate", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "no such path" in result.stderr


def test_a_known_exception_is_listed_apart_and_does_not_fail_the_run(tmp_path: Path) -> None:
    """Windsor and Maidenhead 2020 skips a paragraph number as published: flagged, explained."""
    windsor = "inspection_windsor-maidenhead_2020-02-24.pdf"
    rows = {
        windsor: (PROVENANCE[windsor].kind, PROVENANCE[windsor].ofsted_urn or "", "2020-02-24"),
    }
    result = run_findings("evaluate", str(corpus(tmp_path, rows)))
    assert result.returncode == 0, result.stdout
    assert "0 failing, 1 known exceptions" in result.stdout
    assert (
        "explained: Windsor and Maidenhead 2020 as published has no paragraph 15" in result.stdout
    )
