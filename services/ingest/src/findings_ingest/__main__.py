"""`python -m findings_ingest`: run the ingest service (`... migrate`: only migrate its schema)."""

import findings_shared.early  # noqa: F401  (first: SIGTERM while starting)
from findings_ingest.app import run
from findings_ingest.migrations_path import SCHEMA
from findings_ingest.settings import IngestSettings
from findings_shared.service import run_service


def main() -> None:
    settings = IngestSettings()
    run_service(
        "ingest",
        lambda stop: run(settings, stop),
        schema=SCHEMA,
        database=settings.database,
    )


if __name__ == "__main__":
    main()
