"""`python -m findings_store`: run the store service (migrates its schema first)."""

import findings_shared.early  # noqa: F401  (first: SIGTERM while starting)
from findings_shared.service import run_service
from findings_store.app import run
from findings_store.migrations_path import MIGRATIONS
from findings_store.settings import StoreSettings


def main() -> None:
    settings = StoreSettings()
    run_service(
        "store",
        lambda stop: run(settings, stop),
        migrations=MIGRATIONS,
        database_url=settings.database.url,
    )


if __name__ == "__main__":
    main()
