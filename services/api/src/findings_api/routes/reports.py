"""/reports: list, upload, one report, and its original file."""

from __future__ import annotations

import asyncio
import functools
import shutil
import tempfile
from dataclasses import replace
from datetime import date
from enum import StrEnum
from pathlib import Path, PurePosixPath
from typing import Annotated, Any
from urllib.parse import unquote, urlparse

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile, status
from fastapi.responses import FileResponse
from opentelemetry import trace
from opentelemetry.trace import Link

from findings_api.deps import (
    AcceptHeader,
    AuthorityDep,
    ChangedSinceParam,
    CursorParam,
    FormatParam,
    Limit,
    MismatchesDep,
    NeedsReviewParam,
    Offset,
    ReportIdPath,
    RepositoryDep,
    SettingsDep,
    TotalParam,
    is_operator,
    require_write,
)
from findings_api.exports import (
    ExportColumn,
    Format,
    authority_columns,
    chosen_format,
    field_column,
)
from findings_api.limits import when_done
from findings_api.originals import FileReplaced, copy_original
from findings_api.recurring import LISTED, recurring
from findings_api.repository import (
    REPORT_SORTS,
    ListedReportRow,
    ReadRepository,
)
from findings_api.routes.listing import page_or_export, report_filter
from findings_api.schemas import Page, ReportDetail, ReportSummary, UploadAccepted
from findings_api.settings import ApiSettings
from findings_api.uploads import UploadRejected
from findings_api.views import report_detail, report_summary
from findings_shared.admission import sniff
from findings_shared.bucket import ObjectMissing
from findings_shared.events import Grade, JudgementArea, ReportType
from findings_shared.telemetry import context_of, tracer

router = APIRouter()


def report_export(request: Request) -> list[ExportColumn]:
    """A reports spreadsheet's columns, headed in plain English."""
    links = authority_columns(str(request.base_url).rstrip("/"))
    return [
        field_column("Report ID", "report_id"),
        field_column("Local authority", "la_name"),
        field_column("DfE code", "la_code"),
        *links[:2],
        field_column("Report type", "report_type"),
        field_column("Title", "title"),
        field_column("Inspection start", "inspection_start"),
        field_column("Inspection end", "inspection_end"),
        field_column("Published", "published"),
        field_column("Lead inspector", "lead_inspector"),
        field_column("Findings", "finding_count"),
        field_column("Needs review", "needs_review"),
        *links[2:],
    ]


class ReportSort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"


@router.get("/reports", response_model=Page[ReportSummary], responses={422: {}})
async def list_reports(
    request: Request,
    repository: RepositoryDep,
    authority: AuthorityDep,
    mismatches: MismatchesDep,
    report_type: ReportType | None = None,
    published_from: date | None = None,
    published_to: date | None = None,
    judgement_area: Annotated[
        JudgementArea | None, Query(description="Reports judged on this area")
    ] = None,
    grade: Annotated[Grade | None, Query(description="… with this grade")] = None,
    needs_review: NeedsReviewParam = None,
    changed_since: ChangedSinceParam = None,
    sort: Annotated[ReportSort, Query(description="Order of the reports")] = ReportSort.NEWEST,
    limit: Limit = 50,
    offset: Offset = 0,
    cursor: CursorParam = None,
    format: FormatParam = None,
    accept: AcceptHeader = None,
    total: TotalParam = False,
) -> Any:
    """Reports, newest first (by publication, else the inspection's last day).
    With `format=csv` or `xlsx` (or an Accept header asking for one): every matching
    report as a spreadsheet, ignoring limit, offset and cursor."""
    where = report_filter(
        authority,
        report_type,
        published_from,
        published_to,
        judgement_area,
        grade,
        needs_review,
        changed_since,
        flagged=tuple(mismatches),
    )

    fmt = chosen_format(format, accept)
    copies: dict[str, list[str]] = {}

    async def query(
        repository: ReadRepository, limit: int, offset: int, after: list[Any] | None
    ) -> list[ListedReportRow]:
        rows = await repository.list_reports(where, sort.value, limit, offset, after)
        if fmt is Format.JSON:  # a page names the other files; a spreadsheet has no column
            copies.update(await repository.copies_of([row.report_id for row in rows]))
        # A spreadsheet's "Needs review" says what the report's page says.
        return [
            replace(row, needs_review=True) if row.report_id in mismatches else row for row in rows
        ]

    operator = is_operator(request)
    return await page_or_export(
        request,
        repository,
        fmt,
        ("reports", report_export(request)),
        query,
        (sort.value, REPORT_SORTS[sort.value]),
        (limit, offset, cursor),
        lambda row: report_summary(
            row, operator, mismatches.get(row.report_id), copies.get(row.report_id)
        ),
        (lambda: repository.count_reports(where)) if total else None,
    )


@router.post(
    "/reports",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=UploadAccepted,
    responses={401: {}, 403: {}, 413: {}, 415: {}, 422: {}},
    dependencies=[Depends(require_write)],
)
async def upload_report(
    request: Request,
    file: Annotated[UploadFile, File(description="A report: PDF or plain text (.txt)")],
) -> Any:
    """Put a report into the bucket; ingest takes it from there like any dropped file.
    Follow it at `status_url`: pending, then stored or failed (with the reason)."""
    settings: ApiSettings = request.app.state.settings
    try:
        # Starlette spooled the upload to disk; it is copied from there in chunks.
        stored = await asyncio.to_thread(
            request.app.state.uploads.put,
            file.filename,
            file.file,
            settings.max_upload_bytes,
        )
    except UploadRejected as error:
        raise HTTPException(error.status_code, str(error)) from error
    return UploadAccepted(
        report_id=stored.report_id,
        name=stored.name,
        object_uri=stored.object_uri,
        status_url=f"/files/{stored.report_id}",
    )


@router.get("/reports/{report_id}", response_model=ReportDetail, responses={404: {}})
async def get_report(request: Request, repository: RepositoryDep, report_id: ReportIdPath) -> Any:
    """One report with its judgements and findings. The id of another file of the same
    inspection (a text export of a PDF already stored) answers with the inspection's
    report, which names it among `other_files`."""
    row = await repository.get_report(report_id)
    if row is None and (copy := await repository.copy_of(report_id)):
        row = await repository.get_report(copy[0])
    if row is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"No report {report_id} is stored (yet): check GET /reports or drop the file.",
        )
    # The read joins the report's own trace (from the bucket to here), linked to this
    # request's: one trace shows a report's whole path.
    with tracer().start_as_current_span(
        "api: read report",
        context=context_of(row.trace_parent),
        links=[Link(trace.get_current_span().get_span_context())],
        attributes={"findings.report_id": row.report_id},
    ):
        judgements = await repository.judgements_of(row.report_id)
        findings = await repository.findings_of(row.report_id)
        report_date = row.published or row.inspection_end
        themes = sorted(
            {tag["theme"] for f in findings if f.category in LISTED for tag in f.themes}
        )
        earlier = (
            recurring(
                await repository.authority_weaknesses(
                    row.la_code, (row.report_id, report_date, themes)
                ),
                of_report=row.report_id,
            )
            if row.la_code and report_date and themes
            else []
        )
        detail = report_detail(
            row, is_operator(request), judgements, findings, request.app.state.official, earlier
        )
        detail.other_files = (await repository.copies_of([row.report_id])).get(row.report_id, [])
    return detail


@router.get(
    "/reports/{report_id}/file",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/pdf": {}, "text/plain": {}}},
        404: {},
        410: {},
    },
)
async def get_report_file(
    request: Request, settings: SettingsDep, repository: RepositoryDep, report_id: ReportIdPath
) -> FileResponse:
    """The report's original file (PDF or text), as long as the file still holds the
    very bytes the report was read from: 410 Gone once it was replaced or removed."""
    row = await repository.get_report(report_id)
    other_file = await repository.copy_of(report_id) if row is None else None
    if row is not None:
        object_uri = row.object_uri
    elif other_file is not None:
        # Another file of an inspection already stored: served from its own file.
        object_uri = other_file[1]
    else:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No report {report_id} is stored.")
    folder = Path(tempfile.mkdtemp(prefix="findings-original-"))
    when_done(request, functools.partial(shutil.rmtree, folder, ignore_errors=True))
    try:
        copy = await asyncio.to_thread(
            copy_original, object_uri, report_id, settings.s3, folder / "original"
        )
    except (ObjectMissing, FileReplaced) as error:
        raise HTTPException(
            status.HTTP_410_GONE, f"The original file is no longer here: {error}."
        ) from error
    with copy.open("rb") as file:
        is_pdf = sniff(file.read(1024)) == "pdf"  # as admission judged it
    name = PurePosixPath(unquote(urlparse(object_uri).path)).name or report_id
    return FileResponse(
        copy,
        media_type="application/pdf" if is_pdf else "text/plain; charset=utf-8",
        filename=name,
        content_disposition_type="inline",
    )
