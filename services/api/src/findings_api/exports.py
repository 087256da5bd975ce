"""Query results as CSV or XLSX: written to a temporary file in constant memory, then sent
with its length. Never a truncated 200: a query that fails half-way is an error status,
and a client that gets fewer bytes than announced knows it.

Cells are written as text, never as formulas: in CSV a value starting with = + - @ is
prefixed with an apostrophe, so a spreadsheet does not run it (CSV injection).
"""

from __future__ import annotations

import asyncio
import csv
import functools
import operator
import shutil
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

import xlsxwriter
from fastapi import Request
from fastapi.responses import FileResponse, Response
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from findings_api.limits import when_done
from findings_api.paging import SortColumn
from findings_api.repository import ReadRepository
from findings_shared.local_authorities import LocalAuthority, local_authority_by_code
from findings_shared.official import WEB_LINK

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


class Format(StrEnum):
    JSON = "json"
    CSV = "csv"
    XLSX = "xlsx"


def chosen_format(format_param: Format | None, accept: str | None) -> Format:
    """`format=` wins; else the Accept header; else JSON."""
    if format_param is not None:
        return format_param
    accept = (accept or "").lower()
    if "text/csv" in accept:
        return Format.CSV
    if XLSX_TYPE in accept:
        return Format.XLSX
    return Format.JSON


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, list):  # a finding's themes: their names in one cell
        return "; ".join(
            str(item.get("theme", "")) if isinstance(item, dict) else str(item) for item in value
        )
    return value


def _csv_safe(value: Any) -> Any:
    value = _cell(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


async def _csv_file(
    folder: Path, header: Sequence[str], rows: AsyncIterator[Sequence[Any]]
) -> Path:
    path = folder / "export.csv"
    # utf-8-sig: a BOM, so that Excel reads UTF-8.
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        async for row in rows:
            writer.writerow([_csv_safe(value) for value in row])
    return path


async def _xlsx_file(
    folder: Path, sheet: str, header: Sequence[str], rows: AsyncIterator[Sequence[Any]]
) -> Path:
    path = folder / "export.xlsx"
    workbook = xlsxwriter.Workbook(
        str(path), {"constant_memory": True, "strings_to_formulas": False, "tmpdir": str(folder)}
    )
    worksheet = workbook.add_worksheet(sheet[:31])
    worksheet.write_row(0, 0, list(header), workbook.add_format({"bold": True}))
    worksheet.freeze_panes(1, 0)
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    last = 0
    async for row in rows:
        last += 1
        for column, value in enumerate(row):
            # Dates as Excel's dates (sortable, filterable), not text; times in UTC.
            if isinstance(value, datetime):
                naive = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
                worksheet.write_datetime(last, column, naive, moment)
            elif isinstance(value, date):
                worksheet.write_datetime(last, column, datetime.combine(value, time()), day)
            else:
                worksheet.write(last, column, _cell(value))
    worksheet.autofilter(0, 0, max(last, 1), len(header) - 1)
    await asyncio.to_thread(workbook.close)
    return path


async def export(
    request: Request,
    fmt: Format,
    name: str,
    header: Sequence[str],
    rows: AsyncIterator[Sequence[Any]],
) -> Response:
    filename = f"{name}-{date.today().isoformat()}.{fmt.value}"
    folder = Path(tempfile.mkdtemp(prefix="findings-export-"))
    # Removed once the response ended, however it ended (a client gone half-way too).
    when_done(request, functools.partial(shutil.rmtree, folder, ignore_errors=True))
    try:
        if fmt is Format.CSV:
            path = await _csv_file(folder, header, rows)
            media_type = "text/csv; charset=utf-8"
        else:
            path = await _xlsx_file(folder, name, header, rows)
            media_type = XLSX_TYPE
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(path, media_type=media_type, filename=filename)


PAGE_ROWS = 1000
RowT = TypeVar("RowT")


@dataclass(frozen=True, slots=True)
class ExportColumn:
    """A spreadsheet column: its heading in plain English, and its cell from a row."""

    label: str
    cell: Callable[[Any], Any]


def field_column(label: str, name: str) -> ExportColumn:
    return ExportColumn(label, operator.attrgetter(name))


def authority_columns(request_base: str) -> list[ExportColumn]:
    """What analysts join a row to (from its `la_code` and `report_id`): the authority's
    ONS code and region, the report in Findings, the authority's page at Ofsted."""

    def authority(row: Any) -> LocalAuthority | None:
        return local_authority_by_code(row.la_code) if row.la_code else None

    return [
        ExportColumn("ONS code", lambda row: (a := authority(row)) and a.ons_code),
        ExportColumn("Region", lambda row: (a := authority(row)) and a.region),
        ExportColumn("Report in Findings", lambda row: f"{request_base}/reports/{row.report_id}"),
        ExportColumn(
            "Ofsted page", lambda row: WEB_LINK.format(la_code=row.la_code) if row.la_code else None
        ),
    ]


PageQuery = Callable[[ReadRepository, int, int, list[Any] | None], Awaitable[list[RowT]]]


async def export_query(
    request: Request,
    fmt: Format,
    name: str,
    cells: list[ExportColumn],
    query: PageQuery[RowT],
    columns: list[SortColumn],
    client: str,
) -> Response:
    """Every row of a query (limit, offset, after) as a spreadsheet, a keyset page at a
    time, each page on a connection of its own, so that memory stays flat and no
    connection waits on the client."""
    request.app.state.exports.enter(request, client)
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions

    async def rows() -> AsyncIterator[list[Any]]:
        after: list[Any] | None = None
        while True:
            async with sessions() as session:
                page = await query(ReadRepository(session), PAGE_ROWS, 0, after)
            for row in page:
                yield [column.cell(row) for column in cells]
            if len(page) < PAGE_ROWS:
                return
            after = [getattr(page[-1], c.field) for c in columns]

    return await export(request, fmt, name, [column.label for column in cells], rows())
