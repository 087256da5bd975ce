from __future__ import annotations

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from findings_shared.settings import ConsumerServiceSettings, DatabaseSettings


class StoreSettings(ConsumerServiceSettings):
    """`FINDINGS_STORE_*`."""

    model_config = SettingsConfigDict(env_prefix="FINDINGS_STORE_", extra="ignore")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
