"""Search snippets start at a sentence and keep every highlight closed."""

from __future__ import annotations

from findings_api.snippets import sentence_snippet

TEXT = (
    "Leaders have strengthened the front door. Social workers respond to "
    "<mark>domestic</mark> <mark>abuse</mark> notifications quickly, and most children are "
    "seen within a day. Managers, e.g. Dr. Smith, review decisions. Plans are clear."
)


def test_a_snippet_starts_at_the_sentence_holding_the_match() -> None:
    snippet = sentence_snippet(TEXT)
    assert snippet is not None
    assert snippet.startswith("Social workers respond to <mark>domestic</mark>")
    assert "Leaders have strengthened" not in snippet


def test_a_short_matching_sentence_brings_the_next_and_abbreviations_do_not_split() -> None:
    snippet = sentence_snippet(
        "Plans are clear. <mark>Neglect</mark> is seen. Managers, e.g. Dr. Smith, review it. End."
    )
    assert snippet == "<mark>Neglect</mark> is seen. Managers, e.g. Dr. Smith, review it. …"


def test_separate_matches_are_joined_by_an_ellipsis() -> None:
    filler = " ".join(["Work continues apace with families across the area."] * 2)
    text = (
        f"The <mark>LADO</mark> acts quickly on every allegation made. {filler}"
        " The <mark>LADO</mark> reports yearly to partners."
    )
    snippet = sentence_snippet(text)
    assert snippet is not None
    assert snippet.count("<mark>LADO</mark>") == 2
    assert " … The <mark>LADO</mark> reports" in snippet


def test_a_long_sentence_is_cut_after_its_match_and_its_highlight_stays_closed() -> None:
    words = [f"word{i}" for i in range(120)]
    words[0] = "Children"
    words[30] = "<mark>neglect</mark>"
    snippet = sentence_snippet("Start. " + " ".join(words) + ".")
    assert snippet is not None
    assert snippet.startswith("Children word1 ")
    assert snippet.endswith("…")
    assert snippet.count("<mark>") == snippet.count("</mark>") == 1
    assert len(snippet.split()) <= 72


def test_no_match_leaves_the_text_alone() -> None:
    assert sentence_snippet(None) is None
    assert sentence_snippet("Nothing highlighted here.") == "Nothing highlighted here."


def test_only_a_whole_abbreviation_keeps_a_sentence_open() -> None:
    """`para.` after a space does not end a sentence; a word that merely ends in one
    (`Separa.`) does."""
    snippet = sentence_snippet(
        "Start here. See para. 12 on <mark>neglect</mark>. Then Separa. Next one. After."
    )
    assert snippet == "See para. 12 on <mark>neglect</mark>. Then Separa. …"
