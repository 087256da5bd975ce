from pathlib import Path

from findings_shared.database import ServiceSchema

MIGRATIONS = Path(__file__).parent / "migrations"
SCHEMA = ServiceSchema("store", MIGRATIONS)
