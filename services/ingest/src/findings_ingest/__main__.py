"""`python -m findings_ingest`: run the ingest service."""

import findings_shared.early  # noqa: F401  (first: SIGTERM while starting)
from findings_ingest.app import run
from findings_ingest.migrations_path import MIGRATIONS
from findings_ingest.settings import IngestSettings
from findings_shared.service import run_service


def main() -> None:
    settings = IngestSettings()
    run_service(
        "ingest",
        lambda stop: run(settings, stop),
        migrations=MIGRATIONS,
        database_url=settings.database.url,
    )


if __name__ == "__main__":
    main()
