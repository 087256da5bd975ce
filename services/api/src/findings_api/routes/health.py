"""GET /health: the probe."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError, OperationalError

from findings_api.deps import RepositoryDep
from findings_api.schemas import Health

router = APIRouter()


@router.get("/health", response_model=Health, responses={503: {"model": Health}})
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
