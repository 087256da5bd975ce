"""`python -m findings_store`: run the store service (`... migrate`: only migrate its schema)."""

import findings_shared.early  # noqa: F401  (first: SIGTERM while starting)
from findings_shared.service import run_service
from findings_store.app import run
from findings_store.migrations_path import SCHEMA
from findings_store.settings import StoreSettings


def main() -> None:
    settings = StoreSettings()
    run_service(
        "store",
        lambda stop: run(settings, stop),
        schema=SCHEMA,
        database=settings.database,
    )


if __name__ == "__main__":
    main()
