"""Views computed from the repository's rows: report summaries, pages, authorities."""

from __future__ import annotations

from typing import Any

from findings_api.paging import SortColumn, encode_cursor
from findings_api.schemas import QualityOut, ReportSummary
from findings_shared.events import LocalAuthorityRef
from findings_shared.local_authorities import LocalAuthority


def report_summary(row: dict[str, Any], operator: bool) -> ReportSummary:
    return ReportSummary(**summary_fields(row, operator))


def summary_fields(row: dict[str, Any], operator: bool) -> dict[str, Any]:
    authority = (
        LocalAuthorityRef(
            name=row["la_name"],
            ofsted_urn=row["ofsted_urn"],
            la_code=row["la_code"],
            ons_code=row["ons_code"],
        )
        if row["la_name"]
        else None
    )
    return {
        "report_id": row["report_id"],
        "parser_version": row["parser_version"],
        "report_type": row["report_type"],
        "title": row["title"],
        "local_authority": authority,
        "inspection_start": row["inspection_start"],
        "inspection_end": row["inspection_end"],
        "published": row["published"],
        "lead_inspector": row["lead_inspector"],
        "finding_count": row["finding_count"],
        "stored_at": row["stored_at"],
        "file_url": f"/reports/{row['report_id']}/file",
        "object_uri": row["object_uri"] if operator else None,
        "quality": QualityOut(
            coverage=row["coverage"], warnings=row["warnings"], needs_review=row["needs_review"]
        ),
    }


def page(
    items: list[Any],
    rows: list[dict[str, Any]] | None,
    limit: int,
    offset: int,
    sort: str | None = None,
    columns: list[SortColumn] | None = None,
) -> dict[str, Any]:
    full = len(items) == limit
    next_cursor = None
    if full and rows and sort and columns:
        next_cursor = encode_cursor(sort, columns, rows[-1])
    return {
        "items": items,
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if full else None,
        "next_cursor": next_cursor,
    }


def authority_fields(authority: LocalAuthority) -> dict[str, str]:
    return {
        "la_code": authority.la_code,
        "name": authority.name,
        "ofsted_urn": authority.ofsted_urn,
        "ons_code": authority.ons_code,
        "region": authority.region,
        "la_type": authority.la_type,
    }


def without(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key not in keys}
