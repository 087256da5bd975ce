"""Query results as CSV (streamed) or XLSX (built in constant memory, then sent).

Cells are written as text, never as formulas: in CSV a value starting with = + - @ is
prefixed with an apostrophe, so a spreadsheet does not run it (CSV injection).
"""

from __future__ import annotations

import asyncio
import csv
import io
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import xlsxwriter
from fastapi.responses import Response, StreamingResponse

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
    return value


def _csv_safe(value: Any) -> Any:
    value = _cell(value)
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


async def _csv_chunks(
    header: Sequence[str], rows: AsyncIterator[Sequence[Any]]
) -> AsyncIterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    yield ("\ufeff" + buffer.getvalue()).encode()  # BOM: Excel then reads UTF-8
    async for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([_csv_safe(value) for value in row])
        yield buffer.getvalue().encode()


async def _xlsx_bytes(
    sheet: str, header: Sequence[str], rows: AsyncIterator[Sequence[Any]]
) -> bytes:
    with tempfile.TemporaryDirectory() as folder:
        path = f"{folder}/export.xlsx"
        workbook = xlsxwriter.Workbook(
            path, {"constant_memory": True, "strings_to_formulas": False, "tmpdir": folder}
        )
        worksheet = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        worksheet.write_row(0, 0, list(header), bold)
        worksheet.freeze_panes(1, 0)
        index = 0
        async for index, row in _numbered(rows):
            for column, value in enumerate(row):
                worksheet.write(index, column, _cell(value))
        worksheet.autofilter(0, 0, max(index, 1), len(header) - 1)
        workbook.close()
        return await asyncio.to_thread(Path(path).read_bytes)


async def _numbered(
    rows: AsyncIterator[Sequence[Any]],
) -> AsyncIterator[tuple[int, Sequence[Any]]]:
    index = 0
    async for row in rows:
        index += 1
        yield index, row


async def export(
    fmt: Format, name: str, header: Sequence[str], rows: AsyncIterator[Sequence[Any]]
) -> Response:
    day = date.today().isoformat()
    if fmt is Format.CSV:
        return StreamingResponse(
            _csv_chunks(header, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}-{day}.csv"'},
        )
    content = await _xlsx_bytes(name, header, rows)
    return Response(
        content,
        media_type=XLSX_TYPE,
        headers={"Content-Disposition": f'attachment; filename="{name}-{day}.xlsx"'},
    )
