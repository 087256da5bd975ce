"""Grade tables read by each row's label, whatever the column width does to the grade."""

from __future__ import annotations

import pytest

from findings_parse.core.extract import Line
from findings_parse.core.families import ilacs, sif
from findings_parse.core.judgements import parse_grade_table
from findings_shared.events import Grade, JudgementArea


def lines(*texts: str) -> list[Line]:
    return [Line(text=text, page=1) for text in texts]


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param(("Requires", "improvement to be", "good"), id="three-lines"),
        pytest.param(("Requires improvement to", "be good"), id="two-lines"),
        pytest.param(("Requires improvement", "to be good"), id="to-be-good-apart"),
        pytest.param(("Requires improvement to be good",), id="one-line"),
    ],
)
def test_a_grade_cut_by_a_narrow_column_is_read_whole(rows: tuple[str, ...]) -> None:
    table = parse_grade_table(
        lines(
            "The experiences and progress of",
            "children in care",
            *rows,
            "Overall effectiveness Good",
        ),
        ilacs.LABELS,
    )
    assert [(j.area, j.grade) for j in table.judgements] == [
        (JudgementArea.CHILDREN_IN_CARE, Grade.REQUIRES_IMPROVEMENT),
        (JudgementArea.OVERALL_EFFECTIVENESS, Grade.GOOD),
    ]


def test_the_longest_label_wins() -> None:
    assert (
        ilacs.LABELS.area_of("The experiences and progress of children in care and care leavers")
        is JudgementArea.CHILDREN_IN_CARE_AND_CARE_LEAVERS
    )
    assert (
        ilacs.LABELS.area_of("The experiences and progress of care leavers")
        is JudgementArea.CARE_LEAVERS
    )
    assert sif.LABELS.area_of("2.1 Adoption performance") is JudgementArea.ADOPTION
    # Compatibility forms fold to their letters (full-width type).
    assert (
        ilacs.LABELS.area_of("ＯＶＥＲＡＬＬ effectiveness") is JudgementArea.OVERALL_EFFECTIVENESS
    )


def test_rows_not_judged_are_recorded_apart() -> None:
    table = parse_grade_table(
        lines(
            "1. Children who need help and protection Good",
            "2. Children looked after and achieving",
            "permanence",
            "Not Judged",
            "2.1 Adoption performance Not Judged",
            "3. Leadership, management and governance Good",
        ),
        sif.LABELS,
    )
    assert [j.area for j in table.judgements] == [
        JudgementArea.HELP_AND_PROTECTION,
        JudgementArea.LEADERSHIP_MANAGEMENT_GOVERNANCE,
    ]
    assert table.not_judged == [JudgementArea.CHILDREN_LOOKED_AFTER, JudgementArea.ADOPTION]


def test_one_area_printed_with_two_grades_is_a_warning() -> None:
    table = parse_grade_table(
        lines("Overall effectiveness Good", "Overall effectiveness Inadequate"), ilacs.LABELS
    )
    assert table.warnings == [
        "overall_effectiveness printed twice with different grades: good and inadequate"
    ]


@pytest.mark.parametrize(
    "grades",
    [
        pytest.param(("Requires improvement", "Good", "Inadequate"), id="a-line-each"),
        pytest.param(("Requires", "improvement", "Good", "Inadequate"), id="a-grade-cut"),
    ],
)
def test_a_run_of_labels_then_their_grades_is_read_in_order(grades: tuple[str, ...]) -> None:
    """pdftotext prints a table so where a grade stands a little above its label: the
    labels, one wrapped, then their grades in the same order."""
    table = parse_grade_table(
        lines(
            "1. Children who need help and protection",
            "Good",
            "2. Children looked after and achieving",
            "permanence",
            "2.1 Adoption performance",
            "2.2 Experiences and progress of care leavers",
            *grades,
            "3. Leadership, management and governance",
            "Good",
            "Executive summary",
        ),
        sif.LABELS,
    )
    assert [(j.area, j.grade) for j in table.judgements] == [
        (JudgementArea.HELP_AND_PROTECTION, Grade.GOOD),
        (JudgementArea.CHILDREN_LOOKED_AFTER, Grade.REQUIRES_IMPROVEMENT),
        (JudgementArea.ADOPTION, Grade.GOOD),
        (JudgementArea.CARE_LEAVERS, Grade.INADEQUATE),
        (JudgementArea.LEADERSHIP_MANAGEMENT_GOVERNANCE, Grade.GOOD),
    ]
    assert table.lines_used == 8 + len(grades)


def test_a_run_of_labels_with_fewer_grades_is_not_paired() -> None:
    """Labels and grades that do not pair one to one are no rows: two labels' text is
    never one label, graded by the first grade below it."""
    table = parse_grade_table(
        lines(
            "1. Children who need help and protection",
            "2. Children looked after and achieving permanence",
            "Good",
            "2.1 Adoption performance Good",
        ),
        sif.LABELS,
    )
    assert table.judgements == []
