"""The theme tagger and tone reader scored against findings labelled by hand.

    findings evaluate-themes tests/fixtures/themes

A labels folder holds `sample.jsonl` (the findings: id, category, text, where from) and
`labels-*.jsonl` (for each finding id, its themes and tone as a person read them). Each
labels file may be scored alone (`--split`), e.g. the files the phrase lists were tuned on
apart from those they were not. `agreement-*.jsonl` holds a second reader's labels of some
of the same findings: how far two people agree is the ceiling to read the scores against.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from findings_parse.core.themes import tag_themes
from findings_parse.core.tone import tone_of
from findings_shared.events import FindingCategory, Theme


@dataclass
class ThemeScores:
    findings: int = 0
    true_positive: Counter[str] = field(default_factory=Counter)
    false_positive: Counter[str] = field(default_factory=Counter)
    false_negative: Counter[str] = field(default_factory=Counter)
    tone_right: int = 0
    # (labelled tone, read tone) -> findings
    tone_confusion: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def precision(self) -> float:
        found = sum(self.true_positive.values()) + sum(self.false_positive.values())
        return sum(self.true_positive.values()) / found if found else 0.0

    @property
    def recall(self) -> float:
        wanted = sum(self.true_positive.values()) + sum(self.false_negative.values())
        return sum(self.true_positive.values()) / wanted if wanted else 0.0

    @property
    def tone_accuracy(self) -> float:
        return self.tone_right / self.findings if self.findings else 0.0

    def of_theme(self, theme: str) -> tuple[int, float, float]:
        """(findings labelled with it, precision, recall)."""
        tp, fp, fn = (
            self.true_positive[theme],
            self.false_positive[theme],
            self.false_negative[theme],
        )
        return tp + fn, tp / (tp + fp) if tp + fp else 0.0, tp / (tp + fn) if tp + fn else 0.0

    def table(self) -> str:
        lines = [
            f"findings {self.findings}: themes micro precision {self.precision:.2f}, "
            f"recall {self.recall:.2f}; tone accuracy {self.tone_accuracy:.2f}",
            "",
            "| theme | labelled | precision | recall |",
            "|---|---:|---:|---:|",
        ]
        for theme in Theme:
            labelled, precision, recall = self.of_theme(theme.value)
            if labelled or self.false_positive[theme.value]:
                lines.append(f"| {theme.value} | {labelled} | {precision:.2f} | {recall:.2f} |")
        lines += ["", "| labelled tone | read as | findings |", "|---|---|---:|"]
        for (labelled_tone, read_tone), count in sorted(self.tone_confusion.items()):
            lines.append(f"| {labelled_tone} | {read_tone} | {count} |")
        return "\n".join(lines)


def read_jsonl(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def score(folder: Path, label_files: list[Path] | None = None) -> ThemeScores:
    """The tagger's scores on the labelled findings of `folder` (all its label files, or
    those given)."""
    sample = {str(item["finding_id"]): item for item in read_jsonl(folder / "sample.jsonl")}
    scores = ThemeScores()
    for path in label_files or sorted(folder.glob("labels-*.jsonl")):
        for label in read_jsonl(path):
            finding = sample[str(label["finding_id"])]
            text = str(finding["text"])
            found = {tag.theme.value for tag in tag_themes(text)}
            wanted = {str(theme) for theme in label["themes"]}  # type: ignore[attr-defined]
            scores.findings += 1
            scores.true_positive.update(found & wanted)
            scores.false_positive.update(found - wanted)
            scores.false_negative.update(wanted - found)
            tone, _ = tone_of(FindingCategory(str(finding["category"])), text)
            scores.tone_right += tone.value == label["tone"]
            scores.tone_confusion[(str(label["tone"]), tone.value)] += 1
    return scores


def agreement(folder: Path, second: Path) -> ThemeScores:
    """A second reader's labels scored against the first reader's, as the tagger is."""
    first = {
        str(label["finding_id"]): label
        for path in sorted(folder.glob("labels-*.jsonl"))
        for label in read_jsonl(path)
    }
    scores = ThemeScores()
    for label in read_jsonl(second):
        wanted_label = first[str(label["finding_id"])]
        found = {str(theme) for theme in label["themes"]}  # type: ignore[attr-defined]
        wanted = {str(theme) for theme in wanted_label["themes"]}  # type: ignore[attr-defined]
        scores.findings += 1
        scores.true_positive.update(found & wanted)
        scores.false_positive.update(found - wanted)
        scores.false_negative.update(wanted - found)
        scores.tone_right += label["tone"] == wanted_label["tone"]
        scores.tone_confusion[(str(wanted_label["tone"]), str(label["tone"]))] += 1
    return scores
