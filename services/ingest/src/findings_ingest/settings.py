from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from findings_shared.settings import BucketSettings, ConsumerServiceSettings, DatabaseSettings


class IngestSettings(ConsumerServiceSettings, BucketSettings):
    """`FINDINGS_INGEST_*`: which bucket to watch (`FINDINGS_INGEST_INBOX`,
    `FINDINGS_INGEST_S3_BUCKET`, ...: findings_shared.settings.BucketSettings) and how
    patiently."""

    model_config = SettingsConfigDict(env_prefix="FINDINGS_INGEST_", extra="ignore")

    s3_page_size: int = Field(default=1000, ge=1, le=1000)
    # Pause between two full listings of an S3 bucket (pages of one pass follow each
    # other at the poll interval): LIST requests cost money on AWS.
    s3_listing_interval_s: float = 10.0
    # A Kafka topic carrying the bucket's S3/MinIO event notifications: new objects are
    # taken as they are announced there; the listing still runs, as a safety net.
    notifications_topic: str | None = None
    poll_interval_s: float = 0.5
    # A folder is watched (inotify): a file is taken once no change was reported for
    # `event_settle_s`, and the full listing runs only every `rescan_interval_s` as a
    # safety net. Off, or where no notifications come: the listing every poll.
    watch_events: bool = True
    event_settle_s: float = Field(default=0.2, ge=0)
    rescan_interval_s: float = Field(default=30.0, gt=0)
    # A file is announced once its size and mtime stayed the same for this long.
    settle_s: float = 1.0
    # A PDF in a folder that does not end like a complete PDF (no `%%EOF`) is taken as
    # still being written: not announced until it is complete or this long unchanged
    # (then announced anyway, and parse says what is wrong with it).
    unfinished_pdf_wait_s: float = 600.0
    # Announced but without an outcome after this long: announce again (recovers lost
    # events); the wait doubles after each announcement. A broker found to have lost its
    # data (findings_ingest.adapters.broker_memory) has every such report announced at once.
    reannounce_after_s: float = 120.0
    # After this many announcements without an outcome a report is marked `stuck`.
    max_announcements: int = 5
    max_file_bytes: int = 100 * 1024 * 1024
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
