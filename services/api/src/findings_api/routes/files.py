"""/files: every file seen in the bucket and where its report is in the pipeline."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, status

from findings_api.deps import (
    CursorParam,
    Limit,
    Offset,
    ReportIdPath,
    RepositoryDep,
    decoded_cursor,
    is_operator,
)
from findings_api.repository import FILE_SORT
from findings_api.schemas import FileDetail, FileStatus, Page
from findings_api.views import file_detail, file_status, page

router = APIRouter()
FILES_SORT = "newest"  # the one order of /files, named in its cursors


class FileState(StrEnum):
    REJECTED = "rejected"
    PENDING = "pending"
    ANNOUNCED = "announced"
    STORED = "stored"
    FAILED = "failed"
    STUCK = "stuck"


@router.get("/files", response_model=Page[FileStatus])
async def list_files(
    request: Request,
    repository: RepositoryDep,
    status: Annotated[FileState | None, Query(description="Only files in this state")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    cursor: CursorParam = None,
) -> Any:
    """Every file seen in the bucket, newest first, with its report's state and reason."""
    rows = await repository.list_files(
        status.value if status else None,
        limit,
        offset,
        decoded_cursor(cursor, FILES_SORT, FILE_SORT),
    )
    operator = is_operator(request)
    items = [file_status(row, operator) for row in rows]
    return page(items, rows, limit, offset, FILES_SORT, FILE_SORT)


@router.get("/files/{report_id}", response_model=FileDetail, responses={404: {}})
async def get_file(request: Request, repository: RepositoryDep, report_id: ReportIdPath) -> Any:
    """One report's lifecycle: names, announcements, outcome and every failure."""
    row = await repository.file_report(report_id)
    if row is None:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND,
            f"No file with content {report_id} was accepted: see GET /files for rejections.",
        )
    return file_detail(row, await repository.failures_of(report_id), is_operator(request))
