from __future__ import annotations

import os

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from findings_shared.settings import ConsumerServiceSettings, ObjectStoreSettings


class ParseSettings(ConsumerServiceSettings, ObjectStoreSettings):
    """`FINDINGS_PARSE_*`; objects are read by the URI their event names (`FINDINGS_S3_*`
    for `s3://` ones), so parse needs no bucket of its own."""

    model_config = SettingsConfigDict(env_prefix="FINDINGS_PARSE_", extra="ignore")

    # PDFium is not thread-safe: parallelism is by processes, one document per task;
    # by default one per core.
    workers: int = Field(default_factory=lambda: os.cpu_count() or 1, ge=1)
    max_file_bytes: int = 100 * 1024 * 1024
    # Heap of each worker process (RLIMIT_DATA); a report needing more fails.
    max_memory_bytes: int = Field(default=2 * 1024**3, ge=64 * 1024**2)
    # A report still parsing after this long is failed and its worker process replaced.
    parse_timeout_s: float = Field(default=120.0, gt=0)
    # A report still parsing after this long no longer holds up its batch: the reports
    # behind it go on through the other workers, and its outcome follows when it is done.
    slow_after_s: float = Field(default=5.0, gt=0)
    # Events of the reports parsed last, kept to answer a repeated announcement without
    # parsing again (see findings_parse.app.RecentOutcomes).
    recent_outcomes_bytes: int = Field(default=64 * 1024 * 1024, ge=0)
