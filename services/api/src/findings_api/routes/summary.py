"""/summary: views over every authority at once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from fastapi import APIRouter, Request

from findings_api.deps import AcceptHeader, FormatParam, RepositoryDep, client_id
from findings_api.exports import Format, chosen_format, export
from findings_api.schemas import NationalSummary
from findings_api.views import national_summary_of
from findings_shared.local_authorities import local_authority_by_code

router = APIRouter()


@router.get("/summary/national", response_model=NationalSummary)
async def national_summary(
    request: Request,
    repository: RepositoryDep,
    format: FormatParam = None,
    accept: AcceptHeader = None,
) -> Any:
    """The latest grade of every authority for every judgement, and the distribution of
    those grades; `format=xlsx` or `csv` for the spreadsheet."""
    rows = await repository.latest_grades()
    fmt = chosen_format(format, accept)
    if fmt is not Format.JSON:
        request.app.state.exports.enter(request, client_id(request))
        header = ["la_code", "local_authority_name", "region", "area", "grade"]
        header += ["report_date", "report_type", "report_id"]

        async def table() -> AsyncIterator[list[Any]]:
            for row in rows:
                authority = local_authority_by_code(row.la_code)
                yield [
                    row.la_code,
                    authority.name if authority else row.la_name,
                    authority.region if authority else "",
                    row.area,
                    row.grade,
                    row.report_date,
                    row.report_type,
                    row.report_id,
                ]

        return await export(request, fmt, "national-summary", header, table())
    return national_summary_of(rows)
