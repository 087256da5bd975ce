"""Composition root of the HTTP API (FastAPI). Read-only over the store's tables."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from enum import StrEnum
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession

from findings_api.repository import FindingFilter, ReadRepository, ReportFilter
from findings_api.schemas import (
    FailureOut,
    FileDetail,
    FileStatus,
    FindingOut,
    FindingWithReport,
    Health,
    JudgementOut,
    LocalAuthorityOut,
    Page,
    QualityOut,
    ReportDetail,
    ReportSummary,
)
from findings_api.settings import ApiSettings
from findings_shared.database import make_engine, make_sessionmaker
from findings_shared.events import FindingCategory, JudgementArea, LocalAuthorityRef, ReportType
from findings_shared.local_authorities import all_local_authorities

REPORT_ID = r"^[0-9a-f]{64}$"


class FileState(StrEnum):
    REJECTED = "rejected"
    PENDING = "pending"
    ANNOUNCED = "announced"
    STORED = "stored"
    FAILED = "failed"
    STUCK = "stuck"


LA_CODE = r"^\d{3}$"


def create_app(settings: ApiSettings | None = None) -> FastAPI:
    settings = settings or ApiSettings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.database)
        app.state.sessions = make_sessionmaker(engine)
        yield
        await engine.dispose()

    app = FastAPI(
        title="Findings API",
        version="0.1.0",
        summary="Findings of Ofsted inspections of English local authorities' children's services.",
        lifespan=lifespan,
    )
    _add_routes(app)

    @app.exception_handler(DBAPIError)
    async def database_unavailable(request: Request, error: DBAPIError) -> JSONResponse:
        # Before store's first migration, or while PostgreSQL is down: say so, not 500.
        return JSONResponse(
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            content={"detail": "The database is not available yet; retry shortly."},
        )

    return app


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        yield session


def _repository(session: Annotated[AsyncSession, Depends(_session)]) -> ReadRepository:
    return ReadRepository(session)


RepositoryDep = Annotated[ReadRepository, Depends(_repository)]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]


def _summary(row: dict[str, Any]) -> ReportSummary:
    return ReportSummary(**_summary_fields(row))


def _summary_fields(row: dict[str, Any]) -> dict[str, Any]:
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
        "object_uri": row["object_uri"],
        "quality": QualityOut(coverage=row["coverage"], warnings=row["warnings"]),
    }


def _page(items: list[Any], limit: int, offset: int) -> dict[str, Any]:
    return {
        "items": items,
        "limit": limit,
        "offset": offset,
        "next_offset": offset + limit if len(items) == limit else None,
    }


def _add_routes(app: FastAPI) -> None:
    @app.get("/health", response_model=Health, responses={503: {"model": Health}})
    async def health(repository: RepositoryDep) -> Any:
        """Whether the API can read the database."""
        try:
            await repository.ping()
        except (OSError, OperationalError, DBAPIError):
            return JSONResponse(
                status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
                content={"status": "unhealthy", "database": "unreachable"},
            )
        return Health(status="ok", database="ok")

    @app.get("/reports", response_model=Page[ReportSummary])
    async def list_reports(
        repository: RepositoryDep,
        la_code: Annotated[str | None, Query(pattern=LA_CODE, description="DfE code")] = None,
        report_type: ReportType | None = None,
        published_from: date | None = None,
        published_to: date | None = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Any:
        """Reports, newest first."""
        where = ReportFilter(
            la_code=la_code,
            report_type=report_type.value if report_type else None,
            published_from=published_from,
            published_to=published_to,
        )
        rows = await repository.list_reports(where, limit, offset)
        return _page([_summary(row) for row in rows], limit, offset)

    @app.get("/reports/{report_id}", response_model=ReportDetail, responses={404: {}})
    async def get_report(
        repository: RepositoryDep,
        report_id: Annotated[str, Path(pattern=REPORT_ID, description="sha256 of the file")],
    ) -> Any:
        """One report with its judgements and findings."""
        row = await repository.get_report(report_id)
        if row is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                f"No report {report_id} is stored (yet): check GET /reports or drop the file.",
            )
        return ReportDetail(
            **_summary_fields(row),
            judgements=[JudgementOut(**j) for j in await repository.judgements_of(report_id)],
            findings=[FindingOut(**f) for f in await repository.findings_of(report_id)],
        )

    @app.get("/findings", response_model=Page[FindingWithReport])
    async def search_findings(
        repository: RepositoryDep,
        report_id: Annotated[str | None, Query(pattern=REPORT_ID)] = None,
        la_code: Annotated[str | None, Query(pattern=LA_CODE)] = None,
        category: FindingCategory | None = None,
        judgement_area: JudgementArea | None = None,
        q: Annotated[
            str | None, Query(min_length=1, max_length=500, description="Full-text search")
        ] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Any:
        """Findings, filtered; with `q`, ranked by full-text relevance."""
        where = FindingFilter(
            report_id=report_id,
            la_code=la_code,
            category=category.value if category else None,
            judgement_area=judgement_area.value if judgement_area else None,
            q=q,
        )
        rows = await repository.search_findings(where, limit, offset)
        return _page([FindingWithReport(**row) for row in rows], limit, offset)

    @app.get("/files", response_model=Page[FileStatus])
    async def list_files(
        repository: RepositoryDep,
        status: Annotated[FileState | None, Query(description="Only files in this state")] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Any:
        """Every file seen in the bucket, newest first, with its report's state and reason."""
        rows = await repository.list_files(status.value if status else None, limit, offset)
        return _page([FileStatus(**row) for row in rows], limit, offset)

    @app.get("/files/{report_id}", response_model=FileDetail, responses={404: {}})
    async def get_file(
        repository: RepositoryDep,
        report_id: Annotated[str, Path(pattern=REPORT_ID, description="sha256 of the file")],
    ) -> Any:
        """One report's lifecycle: names, announcements, outcome and every failure."""
        row = await repository.file_report(report_id)
        if row is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                f"No file with content {report_id} was accepted: see GET /files for rejections.",
            )
        failures = [FailureOut(**f) for f in await repository.failures_of(report_id)]
        return FileDetail(**row, failures=failures)

    @app.get("/local-authorities", response_model=list[LocalAuthorityOut])
    async def local_authorities() -> Any:
        """Every English local authority with its Ofsted URN, DfE and ONS codes."""
        return [
            LocalAuthorityOut(
                la_code=a.la_code,
                name=a.name,
                ofsted_urn=a.ofsted_urn,
                ons_code=a.ons_code,
                region=a.region,
                la_type=a.la_type,
            )
            for a in all_local_authorities()
        ]
