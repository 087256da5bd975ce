"""Dependencies of the routes: settings, the database session and repository, API keys,
the caller's identity, and the parameters several routes share."""

from __future__ import annotations

import re
import secrets
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Header, HTTPException, Path, Query, Request, Security, status
from fastapi.security import APIKeyHeader
from pydantic import SecretStr
from sqlalchemy.ext.asyncio import AsyncSession

from findings_api.exports import Format
from findings_api.limits import client_of
from findings_api.mismatch import OfficialMismatches
from findings_api.paging import BadCursor, SortColumn, decode_cursor
from findings_api.repository import ReadRepository
from findings_api.schemas import GradeDifference
from findings_api.settings import ApiSettings
from findings_shared.local_authorities import all_local_authorities, find_local_authority

REPORT_ID = r"^[0-9a-f]{64}$"
LA_CODE = r"^\d{3}$"
ONS_CODE = r"^E\d{8}$"

API_KEY = APIKeyHeader(
    name="X-API-Key",
    auto_error=False,
    description="Needed to upload; to read too when FINDINGS_API_READ_KEYS is set.",
)
# Probes and the documentation stay open whatever the keys.
OPEN_PATHS = {
    "/",
    "/health",
    "/metrics",
    "/docs",
    "/openapi.json",
    "/docs/oauth2-redirect",
    "/redoc",
}


# The dependencies below are `async def` though they only read memory: FastAPI runs a
# plain `def` dependency in its thread pool, a hop to a thread and back for each one on
# every request (5 % of the API's time in its event loop under load, and the threads'
# own share of the interpreter).


def settings_of(request: Request) -> ApiSettings:
    settings: ApiSettings = request.app.state.settings
    return settings


async def api_settings(request: Request) -> ApiSettings:
    return settings_of(request)


SettingsDep = Annotated[ApiSettings, Depends(api_settings)]


def _matches(given: str | None, keys: list[SecretStr]) -> bool:
    return given is not None and any(
        secrets.compare_digest(given.encode(), key.get_secret_value().encode()) for key in keys
    )


def client_id(request: Request) -> str:
    """Who is calling, for the per-client limits: their API key, else their address."""
    settings = settings_of(request)
    keys = [*settings.read_keys, *settings.write_keys]
    return client_of(request, lambda key: _matches(key, keys))


def is_operator(request: Request) -> bool:
    """Whether the caller holds a write key: only such callers see where files lie."""
    settings = settings_of(request)
    key = request.headers.get("x-api-key")
    return bool(settings.write_keys) and _matches(key, settings.write_keys)


async def require_read(request: Request, key: Annotated[str | None, Security(API_KEY)]) -> None:
    settings = settings_of(request)
    if not settings.read_keys or request.url.path in OPEN_PATHS:
        return
    if not (_matches(key, settings.read_keys) or _matches(key, settings.write_keys)):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            "This API needs a key: send it in the X-API-Key header.",
            headers={"WWW-Authenticate": "X-API-Key"},
        )


async def require_write(request: Request, key: Annotated[str | None, Security(API_KEY)]) -> None:
    settings = settings_of(request)
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


async def database_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        yield session


async def read_repository(
    # Closed when the endpoint returns, before the response is sent: no connection is
    # held while a slow client reads.
    session: Annotated[AsyncSession, Depends(database_session, scope="function")],
) -> ReadRepository:
    return ReadRepository(session)


RepositoryDep = Annotated[ReadRepository, Depends(read_repository)]


async def authority_codes(
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


AuthorityDep = Annotated[tuple[str, ...] | None, Depends(authority_codes)]


def decoded_cursor(cursor: str | None, sort: str, columns: list[SortColumn]) -> list[Any] | None:
    if cursor is None:
        return None
    try:
        return decode_cursor(cursor, sort, columns)
    except BadCursor as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from error


ReportIdPath = Annotated[str, Path(pattern=REPORT_ID, description="sha256 of the file")]
Limit = Annotated[int, Query(ge=1, le=500, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Items to skip")]
CursorParam = Annotated[
    str | None,
    Query(max_length=1000, description="next_cursor of the previous page (instead of offset)"),
]
NeedsReviewParam = Annotated[
    bool | None,
    Query(
        description="true: only reports flagged for review (a warning says a field may be"
        " wrong, or a grade differs from Ofsted's published one); false: only the others"
    ),
]


async def official_mismatches(
    request: Request, repository: RepositoryDep
) -> dict[str, list[GradeDifference]]:
    """Every stored report's grades that differ from Ofsted's, by report id."""
    mismatches: OfficialMismatches = request.app.state.mismatches
    return await mismatches.current(repository)


MismatchesDep = Annotated[dict[str, list[GradeDifference]], Depends(official_mismatches)]
FormatParam = Annotated[
    Format | None, Query(description="json (default), csv or xlsx; or ask with Accept")
]
AcceptHeader = Annotated[str | None, Header(include_in_schema=False)]


ChangedSinceParam = Annotated[
    datetime | None,
    Query(
        description="Only reports stored (or stored again, e.g. by a replay) at or after"
        " this time, e.g. 2026-12-01T00:00:00Z: what changed since a last visit"
    ),
]
TotalParam = Annotated[
    bool, Query(description="Also count every match (`total`); costs a second query")
]
