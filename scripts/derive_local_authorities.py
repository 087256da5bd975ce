"""Derive the package's tidy local-authority table from the shared reference CSV.

Usage: python scripts/derive_local_authorities.py ../shared/reference/local_authorities.csv
Writes shared/src/findings_shared/data/local_authorities.csv (committed).
"""

import csv
import sys
from pathlib import Path

OUT = Path(__file__).parent.parent / "shared/src/findings_shared/data/local_authorities.csv"
FIELDS = [
    "ofsted_urn",
    "la_code",
    "ons_code",
    "name",
    "region",
    "la_type",
    "aliases",
    "stat_neighbours",
]


def aliases_of(row: dict[str, str]) -> list[str]:
    raw = row["also_known_as"].strip().strip("[]")
    names = [a.strip() for a in raw.split(",") if a.strip()] if raw else []
    # "Bournemouth, Christchurch & Poole" was split on its comma above: keep it whole.
    if "Bournemouth" in row["local_authority_ons_name"]:
        names = ["BCP", "Bournemouth, Christchurch & Poole"]
    names += [row["ltla23nm"], row["utla23nm"]]
    return sorted({n for n in names if n and n != row["local_authority_ons_name"]})


def main() -> None:
    source = Path(sys.argv[1])
    with source.open(encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    out_rows = [
        {
            "ofsted_urn": r["urn"],
            "la_code": r["la_code"],
            "ons_code": r["la_code_new"],
            "name": r["local_authority_ons_name"],
            "region": r["region_name"],
            "la_type": r["ons_la_type"],
            "aliases": ";".join(aliases_of(r)),
            "stat_neighbours": ";".join(
                c.strip() for c in r["stat_neighbours"].split(",") if c.strip()
            ),
        }
        for r in rows
    ]
    out_rows.sort(key=lambda r: r["la_code"])
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=FIELDS)
        writer.writeheader()
        writer.writerows(out_rows)
    print(f"wrote {len(out_rows)} authorities to {OUT}")  # noqa: T201


if __name__ == "__main__":
    main()
