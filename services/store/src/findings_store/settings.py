from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from findings_shared.settings import DatabaseSettings, KafkaSettings


class StoreSettings(BaseSettings):
    """`FINDINGS_STORE_*`."""

    model_config = SettingsConfigDict(env_prefix="FINDINGS_STORE_", extra="ignore")

    retry_backoff_s: float = 1.0
    kafka: KafkaSettings = Field(default_factory=KafkaSettings)
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
