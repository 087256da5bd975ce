"""Settings shared by every service: one class per adapter, shared env names."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class KafkaSettings(BaseSettings):
    """`FINDINGS_KAFKA_*`: the broker every service talks to."""

    model_config = SettingsConfigDict(env_prefix="FINDINGS_KAFKA_", extra="ignore")

    bootstrap_servers: str = "127.0.0.1:9092"
    topic_namespace: str = "findings"
    partitions: int = 3
    replication_factor: int = 1
    # Group joins on the embedded broker take about half the session timeout.
    session_timeout_ms: int = 6000
    heartbeat_interval_ms: int = 1500
    # Largest event before compression; gzip keeps the stored batch well under the
    # broker's usual 1 MB limit.
    max_message_bytes: int = 8 * 1024 * 1024
    # How producers compress their batches. gzip shrinks a report's events about 5 times
    # but cost a fifth of parse's main process; zstd (what the embedded stack uses) does
    # as well for a fraction of that. "none" costs nothing and holds 5 times the bytes:
    # the embedded broker keeps every event in memory.
    compression: Literal["gzip", "zstd", "lz4", "none"] = "gzip"
    # How often every service checks that its topics still exist (and creates them
    # again): a broker restarted without its data must not swallow events.
    topic_check_interval_s: float = 10.0
    # Security, as a managed Kafka asks: TLS (SSL), SASL (SASL_PLAINTEXT) or both
    # (SASL_SSL). The CA file verifies the brokers; a certificate and key give mutual TLS.
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] = "SCRAM-SHA-512"
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None

    @model_validator(mode="after")
    def _sasl_needs_credentials(self) -> KafkaSettings:
        if self.security_protocol.startswith("SASL") and not (
            self.sasl_username and self.sasl_password
        ):
            raise ValueError(
                f"FINDINGS_KAFKA_SECURITY_PROTOCOL={self.security_protocol} needs "
                "FINDINGS_KAFKA_SASL_USERNAME and FINDINGS_KAFKA_SASL_PASSWORD"
            )
        return self


class DatabaseSettings(BaseSettings):
    """`FINDINGS_DATABASE_*`: the PostgreSQL server (each service owns its schema)."""

    model_config = SettingsConfigDict(env_prefix="FINDINGS_DATABASE_", extra="ignore")

    # TLS: add `?ssl=verify-full` (or require, verify-ca) to the URL; the CA file is read
    # from PGSSLROOTCERT, as libpq does.
    url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/findings"
    # Connections kept open, and how many more a burst may open beyond them.
    pool_size: int = Field(default=5, ge=1)
    max_overflow: int = Field(default=10, ge=0)
    # A request that cannot get a connection within this long fails (the API: 503 with
    # Retry-After) instead of queueing behind the others.
    pool_timeout_s: float = Field(default=5.0, gt=0)
    # False where a migration job applies the schema (Kubernetes): the service then waits
    # until its schema is at the head its code needs.
    migrate_on_start: bool = True


class S3Settings(BaseSettings):
    """`FINDINGS_S3_*`: an S3-compatible endpoint (AWS, MinIO, moto). Unset values fall
    back to boto3's own configuration (environment, ~/.aws, instance roles)."""

    # Frozen, so hashable: each process keeps one client per distinct configuration.
    model_config = SettingsConfigDict(env_prefix="FINDINGS_S3_", extra="ignore", frozen=True)

    endpoint_url: str | None = None
    region: str = "us-east-1"
    access_key_id: str | None = None
    secret_access_key: SecretStr | None = None
    # MinIO and most self-hosted endpoints want path-style addressing.
    addressing_style: Literal["path", "virtual", "auto"] = "path"


class ObjectStoreSettings(BaseSettings):
    """How to reach the stores that object URIs name (`file://` needs nothing; `s3://`
    the endpoint, `FINDINGS_S3_*`): enough for a reader of the claim check (parse)."""

    s3: S3Settings = Field(default_factory=S3Settings)


class BucketSettings(ObjectStoreSettings):
    """The bucket reports arrive in: a local folder (`inbox`), unless `s3_bucket` names an
    S3-compatible bucket (keys under `s3_prefix`).

    No env prefix of its own: a service's settings inherit it under theirs, so ingest
    reads `FINDINGS_INGEST_INBOX` and the API `FINDINGS_API_S3_BUCKET`, and both must
    name the same bucket (the API puts uploads where ingest looks)."""

    inbox: Path = Path("inbox")
    s3_bucket: str | None = None
    s3_prefix: str = ""

    @property
    def is_s3(self) -> bool:
        return bool(self.s3_bucket)


class DeliverySettings(BaseSettings):
    """`FINDINGS_DELIVERY_*`: how consumers retry and when they stop dead-lettering."""

    model_config = SettingsConfigDict(env_prefix="FINDINGS_DELIVERY_", extra="ignore")

    # Back-off after a failed message: doubled per failure in a row, up to the maximum.
    retry_backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    # A message failing this often with an error that is not an outage is dead-lettered.
    max_attempts: int = 5
    # The dead-letter circuit breaker opens when this share of the last `window`
    # messages were dead-lettered (and at least `min_outcomes` were seen); above 1: off.
    breaker_window: int = 50
    breaker_threshold: float = 0.8
    breaker_min_outcomes: int = 20
    breaker_cooldown_s: float = 60.0


class ConsumerServiceSettings(BaseSettings):
    """What every consuming service (ingest, parse, store) has; the subclass sets the
    env prefix (`FINDINGS_STORE_HEALTH_PORT`, ...)."""

    # GET /health on this port (None: not served); 0.0.0.0 in a container.
    health_port: int | None = None
    health_host: str = "127.0.0.1"
    delivery: DeliverySettings = Field(default_factory=DeliverySettings)
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
