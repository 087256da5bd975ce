from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from findings_shared.settings import DatabaseSettings


class ApiSettings(BaseSettings):
    """`FINDINGS_API_*`."""

    model_config = SettingsConfigDict(env_prefix="FINDINGS_API_", extra="ignore")

    host: str = "127.0.0.1"
    port: int = 8000
    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
