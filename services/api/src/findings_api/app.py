"""Composition root of the HTTP API (FastAPI). Read-only over the store's tables."""

from __future__ import annotations

import asyncio
import functools
import re
import secrets
import shutil
import tempfile
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import date
from enum import StrEnum
from pathlib import Path as PathType
from pathlib import PurePosixPath
from typing import Annotated, Any
from urllib.parse import unquote, urlparse

from fastapi import (
    Depends,
    FastAPI,
    File,
    Header,
    HTTPException,
    Path,
    Query,
    Request,
    Security,
    UploadFile,
    status,
)
from fastapi.responses import FileResponse, JSONResponse, Response, StreamingResponse
from fastapi.security import APIKeyHeader
from fastapi.staticfiles import StaticFiles
from pydantic import SecretStr
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from findings_api import live
from findings_api.exports import Format, chosen_format, export
from findings_api.hardening import QueryGuard, SecurityHeaders, add_offline_docs
from findings_api.limits import ClientGuard, Gate, client_of, when_done
from findings_api.originals import FileReplaced, copy_original
from findings_api.paging import BadCursor, SortColumn, decode_cursor, encode_cursor
from findings_api.repository import (
    FINDING_SORTS,
    REPORT_SORTS,
    FindingFilter,
    ReadRepository,
    ReportFilter,
)
from findings_api.schemas import (
    FailureOut,
    FileDetail,
    FileStatus,
    FindingOut,
    FindingWithReport,
    GradePoint,
    Health,
    JudgementOut,
    LatestGrade,
    LocalAuthorityDetail,
    LocalAuthorityOut,
    NationalSummary,
    NeighbourLatest,
    Page,
    QualityOut,
    ReportDetail,
    ReportSummary,
    TimelineReport,
    UploadAccepted,
)
from findings_api.settings import ApiSettings
from findings_api.uploads import UploadRejected, UploadTarget
from findings_shared.bucket import ObjectMissing
from findings_shared.database import make_engine, make_sessionmaker
from findings_shared.events import (
    FindingCategory,
    Grade,
    JudgementArea,
    LocalAuthorityRef,
    ReportType,
)
from findings_shared.local_authorities import (
    LocalAuthority,
    all_local_authorities,
    find_local_authority,
    local_authority_by_code,
)

REPORT_ID = r"^[0-9a-f]{64}$"
WEB = PathType(__file__).parent / "web"


class FileState(StrEnum):
    REJECTED = "rejected"
    PENDING = "pending"
    ANNOUNCED = "announced"
    STORED = "stored"
    FAILED = "failed"
    STUCK = "stuck"


LA_CODE = r"^\d{3}$"
ONS_CODE = r"^E\d{8}$"


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
        dependencies=[Depends(_require_read)],
        docs_url=None,  # served from the package's own assets: add_offline_docs
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.exports = Gate(
        "exports", settings.max_exports, settings.max_exports_per_client, retry_after_s=10
    )
    app.state.streams = Gate(
        "live streams", settings.max_streams, settings.max_streams_per_client, retry_after_s=30
    )
    app.state.uploads = UploadTarget(
        settings.inbox, settings.s3_bucket, settings.s3_prefix, settings.s3
    )
    _add_routes(app)
    add_offline_docs(app)
    app.mount("/static", StaticFiles(directory=WEB), name="static")

    @app.get("/", include_in_schema=False)
    async def web_page() -> FileResponse:
        """The web page: search, reports, authorities (plain JavaScript over this API)."""
        return FileResponse(WEB / "index.html")

    @app.exception_handler(DataError)
    async def bad_input(request: Request, error: DataError) -> JSONResponse:
        # Input the database cannot take that the checks above did not catch: still the
        # caller's, never the database's fault.
        return JSONResponse(
            status_code=status.HTTP_422_UNPROCESSABLE_CONTENT,
            content={"detail": "A parameter holds a value the database cannot take."},
        )

    @app.exception_handler(DBAPIError)
    async def database_error(request: Request, error: DBAPIError) -> JSONResponse:
        # Before store's first migration, or while PostgreSQL is down: say so, not 500.
        return database_unavailable()

    @app.exception_handler(OSError)
    async def database_unreachable(request: Request, error: OSError) -> JSONResponse:
        # A refused or reset connection (asyncpg raises these unwrapped while connecting).
        return database_unavailable()

    @app.exception_handler(TimeoutError)
    @app.exception_handler(PoolTimeout)
    async def database_busy(request: Request, error: Exception) -> JSONResponse:
        # No connection in time (from the pool, or a connection attempt timed out).
        return database_unavailable()

    app.add_middleware(QueryGuard, max_upload_bytes=settings.max_upload_bytes)
    app.add_middleware(SecurityHeaders)
    # Outermost: places at the gates are given back however a response ends.
    app.add_middleware(ClientGuard, send_timeout_s=settings.send_timeout_s)
    return app


RETRY_AFTER_S = 5


def database_unavailable() -> JSONResponse:
    return JSONResponse(
        status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        content={"detail": "The database is not available yet; retry shortly."},
        headers={"Retry-After": str(RETRY_AFTER_S)},
    )


API_KEY = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="Needed to upload; to read too when FINDINGS_API_READ_KEYS is set.",
)
# Probes and the documentation stay open whatever the keys.
OPEN_PATHS = {"/", "/health", "/docs", "/openapi.json", "/docs/oauth2-redirect", "/redoc"}


def _matches(given: str | None, keys: list[SecretStr]) -> bool:
    return given is not None and any(
        secrets.compare_digest(given.encode(), key.get_secret_value().encode()) for key in keys
    )


def _client(request: Request) -> str:
    settings: ApiSettings = request.app.state.settings
    keys = [*settings.read_keys, *settings.write_keys]
    return client_of(request, lambda key: _matches(key, keys))


def _require_read(request: Request, key: Annotated[str | None, Security(API_KEY)]) -> None:
    settings: ApiSettings = request.app.state.settings
    if not settings.read_keys or request.url.path in OPEN_PATHS:
        return
    if not (_matches(key, settings.read_keys) or _matches(key, settings.write_keys)):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "This API needs a key: send it in the X-API-Key header.",
            headers={"WWW-Authenticate": "X-API-Key"},
        )


def _require_write(request: Request, key: Annotated[str | None, Security(API_KEY)]) -> None:
    settings: ApiSettings = request.app.state.settings
    if not settings.write_keys:
        raise HTTPException(
            status.HTTP_403_FORBIDDEN,
            "Uploads are turned off here: set FINDINGS_API_WRITE_KEYS to allow them.",
        )
    if key is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "Uploading needs a key with the write scope in the X-API-Key header.",
            headers={"WWW-Authenticate": "X-API-Key"},
        )
    if _matches(key, settings.read_keys) and not _matches(key, settings.write_keys):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "This key may read but not upload.")
    if not _matches(key, settings.write_keys):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "This key is not one of this API's: send a key with the write scope.",
            headers={"WWW-Authenticate": "X-API-Key"},
        )


async def _session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        yield session


def _repository(
    # Closed when the endpoint returns, before the response is sent: no connection is
    # held while a slow client reads.
    session: Annotated[AsyncSession, Depends(_session, scope="function")],
) -> ReadRepository:
    return ReadRepository(session)


RepositoryDep = Annotated[ReadRepository, Depends(_repository)]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
NeedsReviewParam = Annotated[
    bool | None,
    Query(
        description="true: only reports the parser flagged for review (a warning says a field"
        " may be wrong); false: only the others"
    ),
]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]


def _summary(row: dict[str, Any], operator: bool) -> ReportSummary:
    return ReportSummary(**_summary_fields(row, operator))


def _is_operator(request: Request) -> bool:
    """Whether the caller holds a write key: only such callers see where files lie."""
    settings: ApiSettings = request.app.state.settings
    key = request.headers.get("x-api-key")
    return bool(settings.write_keys) and _matches(key, settings.write_keys)


def _summary_fields(row: dict[str, Any], operator: bool) -> dict[str, Any]:
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


def _page(
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


EXPORT_PAGE = 1000
REPORT_EXPORT = [
    "report_id",
    "la_code",
    "la_name",
    "report_type",
    "title",
    "inspection_start",
    "inspection_end",
    "published",
    "lead_inspector",
    "finding_count",
    "needs_review",
]
FINDING_EXPORT = [
    "finding_id",
    "report_id",
    "la_code",
    "local_authority_name",
    "report_type",
    "published",
    "inspection_start",
    "category",
    "section",
    "judgement_area",
    "paragraph",
    "text",
]
FormatParam = Annotated[
    Format | None, Query(description="json (default), csv or xlsx; or ask with Accept")
]


PageQuery = Callable[[ReadRepository, int, int, list[Any] | None], Awaitable[list[dict[str, Any]]]]


async def _export_all(
    request: Request,
    fmt: Format,
    name: str,
    header: list[str],
    query: PageQuery,
    columns: list[SortColumn],
) -> Response:
    """Every row of a query (limit, offset, after) as a spreadsheet, a keyset page at a
    time, each page on a connection of its own, so that memory stays flat and no
    connection waits on the client."""
    request.app.state.exports.enter(request, _client(request))
    sessions: async_sessionmaker[AsyncSession] = request.app.state.sessions

    async def rows() -> AsyncIterator[list[Any]]:
        after: list[Any] | None = None
        while True:
            async with sessions() as session:
                page = await query(ReadRepository(session), EXPORT_PAGE, 0, after)
            for row in page:
                yield [row[column] for column in header]
            if len(page) < EXPORT_PAGE:
                return
            after = [page[-1][c.field] for c in columns]

    return await export(request, fmt, name, header, rows())


def _authority_fields(authority: LocalAuthority) -> dict[str, str]:
    return {
        "la_code": authority.la_code,
        "name": authority.name,
        "ofsted_urn": authority.ofsted_urn,
        "ons_code": authority.ons_code,
        "region": authority.region,
        "la_type": authority.la_type,
    }


def _without(row: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in row.items() if key not in keys}


def _decoded(cursor: str | None, sort: str, columns: list[SortColumn]) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        return decode_cursor(cursor, sort, columns)
    except BadCursor as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error


class ReportSort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"


class FindingSort(StrEnum):
    NEWEST = "newest"
    OLDEST = "oldest"
    RELEVANCE = "relevance"


CursorParam = Annotated[
    str | None,
    Query(max_length=1000, description="next_cursor of the previous page (instead of offset)"),
]


def _authority_codes(
    la_code: Annotated[
        list[str] | None, Query(description="DfE 3-digit code(s), e.g. 212; repeatable")
    ] = None,
    ons_code: Annotated[str | None, Query(pattern=ONS_CODE, description="e.g. E09000032")] = None,
    authority: Annotated[
        str | None, Query(min_length=2, max_length=100, description="Name, e.g. Wandsworth")
    ] = None,
    region: Annotated[str | None, Query(max_length=60, description="e.g. London")] = None,
) -> tuple[str, ...] | None:
    """The DfE codes the authority filters select (None: no such filter)."""
    chosen: set[str] | None = None

    def narrow(codes: set[str], what: str) -> None:
        nonlocal chosen
        if not codes:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT,
                f"No English local authority matches {what}: see GET /local-authorities.",
            )
        chosen = codes if chosen is None else chosen & codes

    authorities = all_local_authorities()
    if la_code:
        for code in la_code:
            if not re.fullmatch(LA_CODE, code):
                raise HTTPException(
                    status.HTTP_422_UNPROCESSABLE_CONTENT,
                    f"la_code {code!r} is not a DfE 3-digit code such as 212.",
                )
        narrow({a.la_code for a in authorities if a.la_code in la_code}, f"la_code={la_code}")
    if ons_code:
        narrow({a.la_code for a in authorities if a.ons_code == ons_code}, f"ons_code={ons_code}")
    if authority:
        found = find_local_authority(authority)
        narrow({found.la_code} if found else set(), f"authority={authority!r}")
    if region:
        wanted = region.casefold()
        narrow(
            {a.la_code for a in authorities if a.region.casefold() == wanted}, f"region={region!r}"
        )
    return tuple(sorted(chosen)) if chosen is not None else None


AuthorityDep = Annotated[tuple[str, ...] | None, Depends(_authority_codes)]


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

    @app.get("/reports", response_model=Page[ReportSummary], responses={422: {}})
    async def list_reports(
        request: Request,
        repository: RepositoryDep,
        authority: AuthorityDep,
        report_type: ReportType | None = None,
        published_from: date | None = None,
        published_to: date | None = None,
        judgement_area: Annotated[
            JudgementArea | None, Query(description="Reports judged on this area")
        ] = None,
        grade: Annotated[Grade | None, Query(description="… with this grade")] = None,
        needs_review: NeedsReviewParam = None,
        sort: Annotated[ReportSort, Query(description="Order of the reports")] = ReportSort.NEWEST,
        limit: Limit = 50,
        offset: Offset = 0,
        cursor: CursorParam = None,
        format: FormatParam = None,
        accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    ) -> Any:
        """Reports, newest first (by publication, else the inspection's last day).
        With `format=csv` or `xlsx` (or an Accept header asking for one): every matching
        report as a spreadsheet, ignoring limit, offset and cursor."""
        where = ReportFilter(
            la_codes=authority,
            report_type=report_type.value if report_type else None,
            published_from=published_from,
            published_to=published_to,
            judgement_area=judgement_area.value if judgement_area else None,
            grade=grade.value if grade else None,
            needs_review=needs_review,
        )
        columns = REPORT_SORTS[sort.value]

        def query(
            repository: ReadRepository, limit: int, offset: int, after: list[Any] | None
        ) -> Awaitable[list[dict[str, Any]]]:
            return repository.list_reports(where, sort.value, limit, offset, after)

        fmt = chosen_format(format, accept)
        if fmt is not Format.JSON:
            return await _export_all(request, fmt, "reports", REPORT_EXPORT, query, columns)
        rows = await query(repository, limit, offset, _decoded(cursor, sort.value, columns))
        operator = _is_operator(request)
        items = [_summary(row, operator) for row in rows]
        return _page(items, rows, limit, offset, sort.value, columns)

    @app.post(
        "/reports",
        status_code=status.HTTP_202_ACCEPTED,
        response_model=UploadAccepted,
        responses={401: {}, 403: {}, 413: {}, 415: {}, 422: {}},
        dependencies=[Depends(_require_write)],
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

    @app.get("/reports/{report_id}", response_model=ReportDetail, responses={404: {}})
    async def get_report(
        request: Request,
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
            **_summary_fields(row, _is_operator(request)),
            judgements=[JudgementOut(**j) for j in await repository.judgements_of(report_id)],
            findings=[FindingOut(**f) for f in await repository.findings_of(report_id)],
        )

    @app.get(
        "/reports/{report_id}/file",
        response_class=FileResponse,
        responses={
            200: {"content": {"application/pdf": {}, "text/plain": {}}},
            404: {},
            410: {},
        },
    )
    async def get_report_file(
        request: Request,
        repository: RepositoryDep,
        report_id: Annotated[str, Path(pattern=REPORT_ID, description="sha256 of the file")],
    ) -> FileResponse:
        """The report's original file (PDF or text), as long as the file still holds the
        very bytes the report was read from: 410 Gone once it was replaced or removed."""
        row = await repository.get_report(report_id)
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"No report {report_id} is stored.")
        settings: ApiSettings = request.app.state.settings
        folder = PathType(tempfile.mkdtemp(prefix="findings-original-"))
        when_done(request, functools.partial(shutil.rmtree, folder, ignore_errors=True))
        try:
            copy = await asyncio.to_thread(
                copy_original, row["object_uri"], report_id, settings.s3, folder / "original"
            )
        except (ObjectMissing, FileReplaced) as error:
            raise HTTPException(
                status.HTTP_410_GONE, f"The original file is no longer here: {error}."
            ) from error
        with copy.open("rb") as file:
            is_pdf = file.read(5) == b"%PDF-"
        name = PurePosixPath(unquote(urlparse(row["object_uri"]).path)).name or report_id
        return FileResponse(
            copy,
            media_type="application/pdf" if is_pdf else "text/plain; charset=utf-8",
            filename=name,
            content_disposition_type="inline",
        )

    @app.get("/findings", response_model=Page[FindingWithReport], responses={422: {}})
    async def search_findings(
        request: Request,
        repository: RepositoryDep,
        authority: AuthorityDep,
        report_id: Annotated[str | None, Query(pattern=REPORT_ID)] = None,
        report_type: ReportType | None = None,
        published_from: date | None = None,
        published_to: date | None = None,
        category: FindingCategory | None = None,
        judgement_area: JudgementArea | None = None,
        grade: Annotated[
            Grade | None, Query(description="Findings whose judgement area was graded so")
        ] = None,
        needs_review: NeedsReviewParam = None,
        q: Annotated[
            str | None,
            Query(
                min_length=1,
                max_length=500,
                description='Full-text search: words, "a phrase", -excluded, or',
            ),
        ] = None,
        sort: Annotated[
            FindingSort | None,
            Query(description="Default: relevance with `q`, else newest"),
        ] = None,
        limit: Limit = 50,
        offset: Offset = 0,
        cursor: CursorParam = None,
        format: FormatParam = None,
        accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    ) -> Any:
        """Findings, filtered; with `q`, ranked by relevance with a highlighted `snippet`
        (HTML: the text escaped, matches in `<mark>`)."""
        chosen = sort or (FindingSort.RELEVANCE if q else FindingSort.NEWEST)
        if chosen is FindingSort.RELEVANCE and not q:
            raise HTTPException(
                status.HTTP_422_UNPROCESSABLE_CONTENT, "sort=relevance needs a search text in q"
            )
        where = FindingFilter(
            la_codes=authority,
            report_type=report_type.value if report_type else None,
            published_from=published_from,
            published_to=published_to,
            judgement_area=judgement_area.value if judgement_area else None,
            grade=grade.value if grade else None,
            report_id=report_id,
            category=category.value if category else None,
            q=q,
            needs_review=needs_review,
        )
        columns = FINDING_SORTS[chosen.value]

        def query(
            repository: ReadRepository, limit: int, offset: int, after: list[Any] | None
        ) -> Awaitable[list[dict[str, Any]]]:
            return repository.search_findings(where, chosen.value, limit, offset, after)

        fmt = chosen_format(format, accept)
        if fmt is not Format.JSON:
            return await _export_all(request, fmt, "findings", FINDING_EXPORT, query, columns)
        rows = await query(repository, limit, offset, _decoded(cursor, chosen.value, columns))
        items = [FindingWithReport(**_without(row, "sort_date")) for row in rows]
        return _page(items, rows, limit, offset, chosen.value, columns)

    @app.get(
        "/events",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}}, 422: {}},
    )
    async def live_events(
        request: Request,
        authority: AuthorityDep,
        report_type: ReportType | None = None,
        category: Annotated[
            FindingCategory | None, Query(description="Only findings of this category")
        ] = None,
        last_event_id: Annotated[str | None, Header(max_length=200)] = None,
    ) -> StreamingResponse:
        """Server-Sent Events: `finding` events, then a `report` event, for every report
        stored from now on (or after `Last-Event-ID`), filtered like /findings."""
        where = ReportFilter(
            la_codes=authority, report_type=report_type.value if report_type else None
        )
        request.app.state.streams.enter(request, _client(request))
        events = live.stream(
            request,
            request.app.state.sessions,
            where,
            category.value if category else None,
            live.position_of(last_event_id),
            lambda row: _summary(row, operator=False).model_dump(mode="json"),
        )
        return StreamingResponse(
            events,
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    @app.get("/files", response_model=Page[FileStatus])
    async def list_files(
        request: Request,
        repository: RepositoryDep,
        status: Annotated[FileState | None, Query(description="Only files in this state")] = None,
        limit: Limit = 50,
        offset: Offset = 0,
    ) -> Any:
        """Every file seen in the bucket, newest first, with its report's state and reason."""
        rows = await repository.list_files(status.value if status else None, limit, offset)
        if not _is_operator(request):
            rows = [{**row, "object_uri": None} for row in rows]
        return _page([FileStatus(**row) for row in rows], None, limit, offset)

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
        return [LocalAuthorityOut(**_authority_fields(a)) for a in all_local_authorities()]

    @app.get(
        "/local-authorities/{la_code}", response_model=LocalAuthorityDetail, responses={404: {}}
    )
    async def local_authority(
        repository: RepositoryDep,
        la_code: Annotated[str, Path(pattern=LA_CODE, description="DfE 3-digit code")],
    ) -> Any:
        """An authority's inspection timeline (every report, its grades), its grades per
        judgement over time, and its statistical neighbours' latest grades."""
        found = local_authority_by_code(la_code)
        if found is None:
            raise HTTPException(
                status.HTTP_404_NOT_FOUND,
                f"No English local authority has DfE code {la_code}: see GET /local-authorities.",
            )
        reports = [TimelineReport(**row) for row in await repository.authority_reports([la_code])]
        history: dict[JudgementArea, list[GradePoint]] = defaultdict(list)
        for report in reports:
            for area, grade in report.grades.items():
                history[area].append(
                    GradePoint(
                        report_date=report.report_date,
                        grade=grade,
                        report_id=report.report_id,
                        report_type=report.report_type,
                    )
                )
        latest = {
            row["la_code"]: row
            for row in await repository.latest_graded_reports(list(found.stat_neighbours))
        }
        neighbours = []
        for code in found.stat_neighbours:
            neighbour = local_authority_by_code(code)
            row = latest.get(code, {})
            neighbours.append(
                NeighbourLatest(
                    la_code=code,
                    name=neighbour.name if neighbour else code,
                    report_id=row.get("report_id"),
                    report_type=row.get("report_type"),
                    report_date=row.get("report_date"),
                    grades=row.get("grades", {}),
                )
            )
        return LocalAuthorityDetail(
            **_authority_fields(found),
            reports=reports,
            grade_history=history,
            neighbours=neighbours,
        )

    @app.get("/summary/national", response_model=NationalSummary)
    async def national_summary(
        request: Request,
        repository: RepositoryDep,
        format: FormatParam = None,
        accept: Annotated[str | None, Header(include_in_schema=False)] = None,
    ) -> Any:
        """The latest grade of every authority for every judgement, and the distribution of
        those grades; `format=xlsx` or `csv` for the spreadsheet."""
        rows = await repository.latest_grades()
        fmt = chosen_format(format, accept)
        if fmt is not Format.JSON:
            request.app.state.exports.enter(request, _client(request))
            header = ["la_code", "local_authority_name", "region", "area", "grade"]
            header += ["report_date", "report_type", "report_id"]

            async def table() -> AsyncIterator[list[Any]]:
                for row in rows:
                    authority = local_authority_by_code(row["la_code"])
                    yield [
                        row["la_code"],
                        authority.name if authority else row["la_name"],
                        authority.region if authority else "",
                        row["area"],
                        row["grade"],
                        row["report_date"],
                        row["report_type"],
                        row["report_id"],
                    ]

            return await export(request, fmt, "national-summary", header, table())
        distribution: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        for row in rows:
            distribution[row["area"]][row["grade"]] += 1
        return NationalSummary(
            authorities=len({row["la_code"] for row in rows}),
            latest=[
                LatestGrade(**_without(row, "la_name"), local_authority_name=row["la_name"])
                for row in rows
            ],
            distribution=distribution,
        )
