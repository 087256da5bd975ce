from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from findings_api.warm import WARM_PATHS
from findings_shared.settings import BucketSettings, DatabaseSettings


class ApiSettings(BucketSettings):
    """`FINDINGS_API_*`; uploads go to the bucket ingest watches (`FINDINGS_API_INBOX`,
    `FINDINGS_API_S3_BUCKET`, ...: findings_shared.settings.BucketSettings)."""

    model_config = SettingsConfigDict(env_prefix="FINDINGS_API_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    # Keys (comma-separated) allowed to upload (POST /reports); none set: uploads are off.
    write_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    # Keys allowed to read; none set: reading is open to anyone who can reach the API.
    read_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    max_upload_bytes: int = 100 * 1024 * 1024
    # Exports (CSV, XLSX) and live streams (SSE) running at once, in all and per client
    # (an API key, else an address); beyond them: 429 with Retry-After.
    max_exports: int = Field(default=8, ge=1)
    max_exports_per_client: int = Field(default=2, ge=1)
    max_streams: int = Field(default=200, ge=1)
    max_streams_per_client: int = Field(default=5, ge=1)
    # A request line and headers longer than this are refused (400) before being read whole.
    max_header_bytes: int = Field(default=64 * 1024, ge=4096)
    # Open connections and requests in flight at once; beyond: 503.
    max_connections: int = Field(default=1000, ge=10)
    # A client that takes no byte of its response for this long is disconnected.
    send_timeout_s: float = Field(default=30.0, gt=0)
    # Newer editions of Ofsted's outcome tables (`findings reference load FILE` puts them
    # here), read before the edition shipped in the package.
    reference_dir: Path | None = None
    # PostgreSQL's parallel workers per query for the API's reads
    # (`max_parallel_workers_per_gather`, set as each connection starts): none by default,
    # as starting workers for each of the API's indexed reads costs more than they save. At
    # 20,000 reports a filtered page went from 94-116 to 256-298 req/s on one connection,
    # and a full count of a national facet (rare: findings_api.cache) from 1.0-1.2 to
    # 1.3 s (docs/benchmarks.md). Empty: the server's own setting, for a pooler that
    # refuses startup parameters (then `alter role ... set max_parallel_workers_per_gather`).
    query_parallel_workers: int | None = Field(default=0, ge=0)
    # The planner's price of a page read out of order (`random_page_cost`, set as each
    # connection starts; PostgreSQL's default of 4 prices a spinning disk). At 4, a facet
    # filtered by tone read the 1.9 GB findings table instead of its 275 MB covering index
    # at 20,000 reports: 1.3 s against 0.7 s (docs/benchmarks.md). Empty: the server's own.
    query_random_page_cost: float | None = Field(default=1.1, gt=0)
    # The memory each sort, hash and bitmap of a query may take (`work_mem`, set as each
    # connection starts; PostgreSQL's default is 4MB). A search's matches are found through a
    # bitmap of the findings' pages: beyond 4MB it keeps pages, not findings, and every
    # finding of those pages is checked again; 16MB holds every page of the findings at
    # 20,000 reports. A common phrase's count: 0.37 to 0.19 s (docs/benchmarks.md).
    # Empty: the server's own.
    query_work_mem: str | None = Field(default="16MB", pattern=r"^[0-9]+(kB|MB|GB)$")
    # A search's facets asked with `estimate=true` (the web page asks so first): counted in a
    # sample of this many sixteenths of the reports (findings_api.estimates) and, when the
    # sample's matches scale to more findings than `facet_estimate_above`, answered as
    # estimates with their margins; below it, or when an exact count is kept, counted
    # exactly. An exact count costs in proportion to the matches (0.6-0.8 s warm for 186,648
    # at 20,000 reports, docs/benchmarks.md): about 0.1 s at this threshold, by proportion.
    facet_sample_sixteenths: int = Field(default=1, ge=1, le=16)
    facet_estimate_above: int = Field(default=20_000, ge=0)
    # Paths (comma-separated) a new process asks of itself as it starts, in the background,
    # so that its first visitors find the answers kept: findings_api.warm. Empty: none.
    warm_paths: Annotated[list[str], NoDecode] = Field(default_factory=lambda: list(WARM_PATHS))
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)

    @field_validator(
        "query_parallel_workers", "query_random_page_cost", "query_work_mem", mode="before"
    )
    @classmethod
    def _empty_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("write_keys", "read_keys", "warm_paths", mode="before")
    @classmethod
    def _comma_separated(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value
