from __future__ import annotations

from datetime import timedelta

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from findings_shared.settings import ConsumerServiceSettings, DatabaseSettings
from findings_store.repository import WITHDRAWN_KEPT


class StoreSettings(ConsumerServiceSettings):
    """`FINDINGS_STORE_*`."""

    model_config = SettingsConfigDict(env_prefix="FINDINGS_STORE_", extra="ignore")

    database: DatabaseSettings = Field(default_factory=DatabaseSettings)
    # How long a withdrawn report is kept, as it was, for the API's kept sums to take it
    # away; purged after that (an API process that kept a sum longer counts it again).
    withdrawn_kept_days: float = Field(default=WITHDRAWN_KEPT / timedelta(days=1), ge=0)

    @property
    def withdrawn_kept(self) -> timedelta:
        return timedelta(days=self.withdrawn_kept_days)
