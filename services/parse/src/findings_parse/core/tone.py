"""The tone of a finding: strength, concern, mixed or neutral (docs/themes.md).

A finding from a list keeps its list's tone: the report says what it is. Summary and
evidence paragraphs are read sentence by sentence: words that praise, words that criticise,
and negation ("not consistently effective" criticises). A sentence that does both around a
contrast ("Although…, …", "…, but…") is mixed, or otherwise takes the side with more words;
a paragraph with both kinds of sentence is mixed and carries each sentence's tone.

The word lists are matched in one pass (Aho-Corasick, whole words, the longest phrase
winning where two overlap). Pure: no I/O, no model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import ahocorasick

from findings_shared.events import FindingCategory, SentenceTone, Tone

_LIST_TONE = {
    FindingCategory.STRENGTH: Tone.STRENGTH,
    FindingCategory.MEETS_REQUIREMENTS: Tone.STRENGTH,
    FindingCategory.AREA_FOR_DEVELOPMENT: Tone.CONCERN,
    FindingCategory.IMPROVEMENT: Tone.CONCERN,
    FindingCategory.PRIORITY_ACTION: Tone.CONCERN,
}

# Words that praise (and any word starting "well-": well-planned, well-led).
PRAISE: tuple[str, ...] = (
    "good",
    "better",
    "best",
    "well",
    "effective",
    "effectively",
    "strong",
    "strongly",
    "strength",
    "strengths",
    "timely",
    "thorough",
    "thoroughly",
    "appropriate",
    "appropriately",
    "positive",
    "positively",
    "benefit",
    "benefits",
    "benefited",
    "benefiting",
    "improved",
    "improving",
    "improvement in",
    "improvement to",
    "improvement have",
    "improvement has",
    "improvements in",
    "improvements to",
    "improvements have",
    "improvements has",
    "high-quality",
    "high quality",
    "skilful",
    "skilfully",
    "skillful",
    "skillfully",
    "skilled",
    "knowledgeable",
    "committed",
    "commitment",
    "creative",
    "creatively",
    "sensitive",
    "sensitively",
    "comprehensive",
    "robust",
    "robustly",
    "clear",
    "clearly",
    "swift",
    "swiftly",
    "prompt",
    "promptly",
    "quickly",
    "helpful",
    "help",
    "helps",
    "helped",
    "supportive",
    "value",
    "valued",
    "enjoy",
    "enjoys",
    "enjoyed",
    "proud",
    "impressive",
    "excellent",
    "outstanding",
    "detailed",
    "purposeful",
    "purposefully",
    "meaningful",
    "meaningfully",
    "consistent",
    "consistently",
    "thrive",
    "thriving",
    "stable",
    "settled",
    "secure",
    "safe",
    "safer",
    "safely",
    "progress",
    "progressing",
    "successful",
    "successfully",
    "success",
    "rigorous",
    "rigorously",
    "ambitious",
    "tenacious",
    "tenaciously",
    "persistent",
    "persistently",
    "child-centred",
    "child-focused",
    "responsive",
    "accurate",
    "accurately",
    "proportionate",
    "reflective",
    "innovative",
    "effectiveness",
    "well-being",
    "reduced",
    "reduction",
    "strengthened",
    "embedded",
    "ensure",
    "ensures",
    "ensured",
    "ensuring",
    "prioritise",
    "prioritised",
    "insightful",
    "warm",
    "caring",
    "dedicated",
    "confident",
    "confidently",
    "confidence",
    "understand",
    "understands",
    "know them well",
    "know their well",
    "know children well",
    "know the children well",
    "know young people well",
    "knows them well",
    "knows their well",
    "knows children well",
    "knows the children well",
    "knows young people well",
    "celebrate",
    "celebrates",
    "celebrated",
    "celebrating",
    "exceptional",
    "exceptionally",
    "impact",
    "impactful",
    "resilient",
    "increased",
)

# Words that criticise.
CRITICISM: tuple[str, ...] = (
    "lack",
    "lacks",
    "lacking",
    "lack of",
    "absence",
    "absent",
    "insufficient",
    "insufficiently",
    "inconsistent",
    "inconsistently",
    "inconsistency",
    "inconsistencies",
    "variable",
    "variability",
    "variation",
    "vary",
    "varies",
    "weak",
    "weaker",
    "weakness",
    "weaknesses",
    "poor",
    "poorly",
    "poorer",
    "too many",
    "too few",
    "too long",
    "too much",
    "too slow",
    "too late",
    "too high",
    "too low",
    "too early",
    "too often",
    "too variable",
    "too narrow",
    "too reliant",
    "too focused",
    "too great",
    "few children",
    "few young people",
    "few families",
    "few care leavers",
    "few plans",
    "few assessments",
    "few records",
    "few staff",
    "few social workers",
    "very few children",
    "very few young people",
    "very few families",
    "very few care leavers",
    "very few plans",
    "very few assessments",
    "very few records",
    "very few staff",
    "very few social workers",
    "only a number",
    "only a minority",
    "only a small number",
    "only a small minority",
    "only some",
    "only a few",
    "only partially",
    "only just",
    "some children do",
    "some children are",
    "some children have",
    "some children experience",
    "some children wait",
    "some children remain",
    "some children did",
    "some children were",
    "some children had",
    "some children continue",
    "some young people do",
    "some young people are",
    "some young people have",
    "some young people experience",
    "some young people wait",
    "some young people remain",
    "some young people did",
    "some young people were",
    "some young people had",
    "some young people continue",
    "some families do",
    "some families are",
    "some families have",
    "some families experience",
    "some families wait",
    "some families remain",
    "some families did",
    "some families were",
    "some families had",
    "some families continue",
    "some care leavers do",
    "some care leavers are",
    "some care leavers have",
    "some care leavers experience",
    "some care leavers wait",
    "some care leavers remain",
    "some care leavers did",
    "some care leavers were",
    "some care leavers had",
    "some care leavers continue",
    "some plans do",
    "some plans are",
    "some plans have",
    "some plans experience",
    "some plans wait",
    "some plans remain",
    "some plans did",
    "some plans were",
    "some plans had",
    "some plans continue",
    "some assessments do",
    "some assessments are",
    "some assessments have",
    "some assessments experience",
    "some assessments wait",
    "some assessments remain",
    "some assessments did",
    "some assessments were",
    "some assessments had",
    "some assessments continue",
    "some records do",
    "some records are",
    "some records have",
    "some records experience",
    "some records wait",
    "some records remain",
    "some records did",
    "some records were",
    "some records had",
    "some records continue",
    "some cases do",
    "some cases are",
    "some cases have",
    "some cases experience",
    "some cases wait",
    "some cases remain",
    "some cases did",
    "some cases were",
    "some cases had",
    "some cases continue",
    "some social workers do",
    "some social workers are",
    "some social workers have",
    "some social workers experience",
    "some social workers wait",
    "some social workers remain",
    "some social workers did",
    "some social workers were",
    "some social workers had",
    "some social workers continue",
    "wait too",
    "waits too",
    "waited too",
    "waiting too",
    "still not",
    "still too",
    "still to",
    "still a",
    "still an",
    "still need",
    "still needs",
    "still require",
    "still requires",
    "still lack",
    "still lacks",
    "still waiting",
    "cannot be",
    "cannot yet",
    "cannot always",
    "cannot demonstrate",
    "cannot show",
    "cannot evidence",
    "need to be",
    "need to improve",
    "need to strengthen",
    "need to ensure",
    "need to develop",
    "need to address",
    "need to make",
    "need to do",
    "need to focus",
    "need to take",
    "need to have",
    "needs to be",
    "needs to improve",
    "needs to strengthen",
    "needs to ensure",
    "needs to develop",
    "needs to address",
    "needs to make",
    "needs to do",
    "needs to focus",
    "needs to take",
    "needs to have",
    "should be",
    "should improve",
    "should ensure",
    "should have",
    "should include",
    "should consider",
    "below the",
    "below national",
    "below average",
    "below target",
    "below expected",
    "below comparators",
    "delay",
    "delays",
    "delayed",
    "drift",
    "deficit",
    "deficits",
    "shortfall",
    "shortfalls",
    "gap",
    "gaps",
    "fail",
    "fails",
    "failed",
    "failing",
    "failure",
    "failures",
    "unable",
    "unclear",
    "unsuitable",
    "limited",
    "inadequate",
    "require improvement",
    "requires improvement",
    "minority",
    "small number",
    "however",
    "ineffective",
    "ineffectively",
    "unnecessary",
    "unnecessarily",
    "struggle",
    "struggles",
    "struggled",
    "struggling",
    "overly",
    "vague",
    "generic",
    "superficial",
    "narrow",
    "slow",
    "slowly",
    "late",
    "overdue",
    "out of date",
    "outdated",
    "missed",
    "high caseloads",
    "higher caseloads",
    "yet to",
    "remain too",
    "remain high",
    "remain low",
    "remain a",
    "remain an",
    "remain underdeveloped",
    "remain inconsistent",
    "remain variable",
    "remain weak",
    "remain limited",
    "remains too",
    "remains high",
    "remains low",
    "remains a",
    "remains an",
    "remains underdeveloped",
    "remains inconsistent",
    "remains variable",
    "remains weak",
    "remains limited",
    "underdeveloped",
    "under-developed",
    "in its infancy",
    "not yet",
    "error",
    "errors",
    "unaware",
    "unmet",
    "hinder",
    "hinders",
    "hindered",
    "undermine",
    "undermines",
    "undermined",
    "worse",
    "worsened",
    "decline",
    "declined",
    "deteriorate",
    "deteriorated",
    "deteriorating",
    "deterioration",
    "fall short",
    "falls short",
    "inaccurate",
    "incomplete",
    "uncertainty",
)

# Negation of what a service does ("are not always offered", "not all children"): criticism
# wherever it stands, and it negates praise that follows as any negation does.
NOT_ALWAYS: tuple[str, ...] = (
    "not always",
    "not routinely",
    "not consistently",
    "not all",
    "not sufficiently",
    "not fully",
    "not enough",
    "not yet",
    "not well",
    "not effectively",
    "not regularly",
    "not robust",
    "not timely",
)

# What a report asks for more of: criticism ("more work is required").
MORE_NEEDED: tuple[str, ...] = (
    "more to do",
    "more work is required",
    "more work is needed",
    "more work to do",
    "more needs to be done",
    "more is needed",
    "is needed to",
    "are needed to",
    "need to do more",
    "needs to do more",
)

# What introduces a purpose ("…to ensure that they are safe"): praise after it says what the
# work is for, not that it works, so it is not counted.
PURPOSE: tuple[str, ...] = (
    "to ensure",
    "to make sure",
    "in order to",
    "so that",
    "to help",
    "to keep",
)

# Phrases that hold a critical or praising word and are neither ("without delay").
NOT_CRITICISM: tuple[str, ...] = (
    "not only",
    "no longer",
    "no child",
    "without delay",
    "no delay",
    "no drift",
    "not delayed",
    "reduce delay",
    "reduce drift",
    "reduce the risk",
    "reduce risk",
    "reduce harm",
    "reduces delay",
    "reduces drift",
    "reduces the risk",
    "reduces risk",
    "reduces harm",
    "reduced delay",
    "reduced drift",
    "reduced the risk",
    "reduced risk",
    "reduced harm",
    "reducing delay",
    "reducing drift",
    "reducing the risk",
    "reducing risk",
    "reducing harm",
    "reduced",
    "risk of harm",
    "at risk of",
    "waiting list are reduced",
    "waiting list are shorter",
    "waiting list have reduced",
    "waiting list have shorter",
    "waiting lists are reduced",
    "waiting lists are shorter",
    "waiting lists have reduced",
    "waiting lists have shorter",
    "left care",
    "left school",
    "never been",
)

# Words that turn a sentence ("…, but…"): praise and criticism around one make it mixed.
CONTRAST: tuple[str, ...] = (
    "but",
    "however",
    "although",
    "though",
    "while",
    "whilst",
    "despite",
    "yet",
    "except",
    "apart from",
)

# Negation: before a word of praise it criticises; alone, in a sentence without praise, too.
NEGATION: tuple[str, ...] = (
    "not",
    "never",
    "don't",
    "doesn't",
    "isn't",
    "aren't",
    "wasn't",
    "weren't",
    "haven't",
    "hasn't",
    "hadn't",
    "won't",
    "can't",
    "couldn't",
    "wouldn't",
    "shouldn't",
    "didn't",
    "cannot",
)

# What negates a word of praise up to two words after it ("not consistently effective").
NEGATORS: tuple[str, ...] = (*NEGATION, "insufficiently", "less", "lack of", "lacking", "no")

_SAME_LENGTH_PAIRS = (("’", "'"), ("‘", "'"), ("–", "-"), ("—", "-"), ("‐", "-"), ("‑", "-"))
_SENTENCE = re.compile(r"[^.!?;]+(?:[.!?;]+|$)")
_PRAISE, _CRITICISM, _NEUTRAL, _CONTRAST, _NEGATION, _NEGATOR, _PURPOSE = (
    1,
    2,
    4,
    8,
    16,
    32,
    64,
)


@cache
def _automaton() -> ahocorasick.Automaton:
    kinds: dict[str, int] = {}
    for words, kind in (
        (PRAISE, _PRAISE),
        (CRITICISM, _CRITICISM),
        (NOT_CRITICISM, _NEUTRAL),
        (CONTRAST, _CONTRAST),
        (NEGATION, _NEGATION),
        (NEGATORS, _NEGATOR),
        (NOT_ALWAYS, _CRITICISM | _NEGATOR),
        (MORE_NEEDED, _CRITICISM),
        (PURPOSE, _PURPOSE),
    ):
        for word in words:
            kinds[word] = kinds.get(word, 0) | kind
    automaton = ahocorasick.Automaton()
    for word, kind in kinds.items():
        automaton.add_word(word, (len(word), kind))
    automaton.make_automaton()
    return automaton


def _same_length_lower(text: str) -> str:
    """Lower case with one kind of apostrophe, hyphen and space, offsets unchanged."""
    if not text.isascii():
        # str.translate with a table is slow; these characters are few and rare.
        for old, new in _SAME_LENGTH_PAIRS:
            if old in text:
                text = text.replace(old, new)
    normal = text.replace("\n", " ").replace("\t", " ").lower()
    if len(normal) != len(text):  # a character whose lower case is longer: rare
        normal = "".join(c if len(c.lower()) != 1 else c.lower() for c in text)
    return normal


@dataclass
class _Counts:
    praise: int = 0
    criticism: int = 0
    negations: int = 0
    contrast: bool = False
    matches: list[tuple[int, int, int]] = field(default_factory=list)


def _words_between(text: str, start: int, end: int) -> int:
    return len(text[start:end].split())


def _sentence_tone(normal: str, matches: list[tuple[int, int, int]]) -> Tone:
    counts = _Counts()
    # Where the last negation (or the praise it negated) ends: praise up to two words on
    # is negated ("not consistently effective": one criticism, no praise).
    negated_to: int | None = None
    spent = False  # the negation has already counted as a criticism
    negator_kind = 0
    purpose = False  # past a purpose ("to ensure"): praise no longer counts
    for start, end, kind in matches:
        if kind & _PURPOSE:
            purpose = True
            continue
        if purpose and kind & _PRAISE and not kind & _CRITICISM:
            continue
        if kind & _NEUTRAL:
            negated_to = None
            continue
        if negated_to is not None and _words_between(normal, negated_to, start) > 2:
            negated_to = None
        if kind & _PRAISE and negated_to is not None:
            if not spent:
                counts.criticism += 1
                counts.negations -= 1 if negator_kind & _NEGATION else 0
                spent = True
            negated_to = end
            continue
        if kind & _PRAISE:
            counts.praise += 1
        if kind & _CRITICISM:
            counts.criticism += 1
        if kind & _CONTRAST:
            counts.contrast = True
        if kind & _NEGATOR:
            negated_to, negator_kind, spent = end, kind, False
        if kind & _NEGATION:
            counts.negations += 1
    return _decide(counts)


def _decide(counts: _Counts) -> Tone:
    criticism = counts.criticism + (1 if counts.negations and not counts.praise else 0)
    if counts.praise and criticism:
        if counts.contrast or counts.praise == criticism:
            return Tone.MIXED
        return Tone.STRENGTH if counts.praise > criticism else Tone.CONCERN
    if criticism:
        return Tone.CONCERN
    if counts.praise:
        return Tone.STRENGTH
    return Tone.NEUTRAL


def sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence, spaces left out."""
    spans = []
    for match in _SENTENCE.finditer(text):
        start, end = match.span()
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            spans.append((start, end))
    return spans


def _matches(normal: str) -> list[tuple[int, int, int]]:
    """Whole-word matches, the longest winning where two overlap, in order."""
    found = []
    size = len(normal)
    for last, (length, kind) in _automaton().iter(normal):
        start = last - length + 1
        # Whole words only: no letter, digit or hyphen either side.
        before = normal[start - 1] if start else " "
        after = normal[last + 1] if last + 1 < size else " "
        if not (before.isalnum() or before == "-" or after.isalnum() or after == "-"):
            found.append((start, last + 1, kind))
    found.sort(key=lambda match: (match[0], match[0] - match[1]))
    kept: list[tuple[int, int, int]] = []
    for match in found:
        if kept and match[0] < kept[-1][1]:
            continue
        kept.append(match)
    # "well-planned", "well-led": praise, whatever follows the hyphen.
    kept += [(m.start(), m.end(), _PRAISE) for m in re.finditer(r"(?<![\w-])well-\w+", normal)]
    kept.sort()
    return kept


def tone_of(category: FindingCategory, text: str) -> tuple[Tone, list[SentenceTone]]:
    """The finding's tone, and each sentence's when that tone is mixed."""
    if category in _LIST_TONE:
        return _LIST_TONE[category], []
    normal = _same_length_lower(text)
    matches = _matches(normal)
    tones = []
    for start, end in sentences(text):
        inside = [match for match in matches if start <= match[0] < end]
        tones.append(SentenceTone(start=start, end=end, tone=_sentence_tone(normal, inside)))
    kinds = {sentence.tone for sentence in tones} - {Tone.NEUTRAL}
    if not kinds:
        return Tone.NEUTRAL, []
    if len(kinds) == 1 and Tone.MIXED not in kinds:
        return next(iter(kinds)), []
    return Tone.MIXED, tones
