from findings_ingest.migrations_path import SCHEMA
from findings_shared.database import run_alembic_env

run_alembic_env(SCHEMA.name)
