"""Query results as CSV (streamed) or XLSX (built in constant memory, then sent).

Cells are written as text, never as formulas: in CSV a value starting with = + - @ is
prefixed with an apostrophe, so a spreadsheet does not run it (CSV injection).
"""

from __future__ import annotations

import asyncio
import csv
import io
import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

import xlsxwriter
from fastapi.responses import FileResponse, Response, StreamingResponse
from starlette.background import BackgroundTask

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
    last = 0
    async for row in rows:
        last += 1
        for column, value in enumerate(row):
            worksheet.write(last, column, _cell(value))
    worksheet.autofilter(0, 0, max(last, 1), len(header) - 1)
    await asyncio.to_thread(workbook.close)
    return path


async def export(
    fmt: Format, name: str, header: Sequence[str], rows: AsyncIterator[Sequence[Any]]
) -> Response:
    filename = f"{name}-{date.today().isoformat()}.{fmt.value}"
    if fmt is Format.CSV:
        return StreamingResponse(
            _csv_chunks(header, rows),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    # Written to a temporary file in constant memory, sent from there, then removed.
    folder = Path(tempfile.mkdtemp(prefix="findings-export-"))
    try:
        path = await _xlsx_file(folder, name, header, rows)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return FileResponse(
        path,
        media_type=XLSX_TYPE,
        filename=filename,
        background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
    )
