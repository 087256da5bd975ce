"""English local authorities (Ofsted URN, DfE code, ONS code) and name resolution.

The table is derived from the project's reference data by
`scripts/derive_local_authorities.py` and shipped with the package.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

from findings_shared.events import LocalAuthorityRef


@dataclass(frozen=True, slots=True)
class LocalAuthority:
    ofsted_urn: str
    la_code: str
    ons_code: str
    name: str
    region: str
    la_type: str
    aliases: tuple[str, ...] = field(default=())
    stat_neighbours: tuple[str, ...] = field(default=())

    def as_ref(self) -> LocalAuthorityRef:
        return LocalAuthorityRef(
            name=self.name, ofsted_urn=self.ofsted_urn, la_code=self.la_code, ons_code=self.ons_code
        )


def normalise_name(text: str) -> str:
    """Fold the spellings that differ between documents: case, '&', hyphens, full stops."""
    text = text.lower().replace("’", "'").replace("&", " and ")
    text = re.sub(r"[-–.,]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


# Printed short forms: "East Riding" for East Riding of Yorkshire, "Newcastle" for Newcastle
# upon Tyne, "Stoke" for Stoke-on-Trent. A short form two authorities share ("Kingston")
# is no one's.
# ("of" only after two words: the Isle of Wight is never "Isle", nor the City of London "City".)
_SHORT_FORM = re.compile(
    r"^(?:(?P<short>.+?)(?:\s+upon\s+|-on-)|(?P<two_words>\S+\s+\S+)\s+of\s+)\w+$",
    re.IGNORECASE,
)


def _short_forms(authority: LocalAuthority) -> set[str]:
    forms = set()
    for name in (authority.name, *authority.aliases):
        if match := _SHORT_FORM.match(name.removesuffix(", City of")):
            forms.add(match["short"] or match["two_words"])
    return forms


def _spellings(authority: LocalAuthority) -> set[str]:
    names = {authority.name, *authority.aliases}
    # "Bristol, City of" is printed "City of Bristol"; "Bedford Borough" as "Bedford".
    for name in list(names):
        if name.endswith(", City of"):
            base = name.removesuffix(", City of")
            names |= {base, f"City of {base}"}
        if name.endswith(" Borough"):
            names.add(name.removesuffix(" Borough"))
    if authority.name == "City of London":
        names |= {"London Corporation", "City of London Corporation"}
    return {normalise_name(n) for n in names}


@cache
def all_local_authorities() -> tuple[LocalAuthority, ...]:
    source = files("findings_shared").joinpath("data/local_authorities.csv")
    with source.open(encoding="utf-8") as fh:
        return tuple(
            LocalAuthority(
                ofsted_urn=row["ofsted_urn"],
                la_code=row["la_code"],
                ons_code=row["ons_code"],
                name=row["name"],
                region=row["region"],
                la_type=row["la_type"],
                aliases=tuple(a for a in row["aliases"].split(";") if a),
                stat_neighbours=tuple(c for c in row["stat_neighbours"].split(";") if c),
            )
            for row in csv.DictReader(fh)
        )


def current_local_authorities() -> tuple[LocalAuthority, ...]:
    """The authorities that exist today: the list also keeps those a reorganisation
    abolished (Poole, Northamptonshire, Cumbria), whose reports still name them; the DfE
    gives statistical neighbours only to current ones."""
    return tuple(a for a in all_local_authorities() if a.stat_neighbours)


@cache
def _spelling_index() -> tuple[re.Pattern[str], dict[str, LocalAuthority]]:
    by_spelling: dict[str, LocalAuthority] = {}
    for authority in all_local_authorities():
        for spelling in _spellings(authority):
            by_spelling.setdefault(spelling, authority)
    short_owners: dict[str, set[str]] = {}
    for authority in all_local_authorities():
        for short in map(normalise_name, _short_forms(authority)):
            short_owners.setdefault(short, set()).add(authority.la_code)
    for authority in all_local_authorities():
        for short in map(normalise_name, _short_forms(authority)):
            if len(short_owners[short]) == 1:
                by_spelling.setdefault(short, authority)
    # Longest first, so "north yorkshire" wins over "york" and BCP over "poole".
    alternatives = sorted(by_spelling, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(a) for a in alternatives) + r")\b")
    return pattern, by_spelling


def find_local_authority(text: str) -> LocalAuthority | None:
    """The authority named in `text`: the longest spelling found, earliest on ties."""
    pattern, by_spelling = _spelling_index()
    matches = list(pattern.finditer(normalise_name(text)))
    if not matches:
        return None
    best = max(matches, key=lambda m: (len(m.group(1)), -m.start()))
    return by_spelling[best.group(1)]


def local_authority_by_code(la_code: str) -> LocalAuthority | None:
    return next((a for a in all_local_authorities() if a.la_code == la_code), None)
