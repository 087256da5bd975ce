from findings_shared.database import run_alembic_env
from findings_ingest.migrations_path import SCHEMA

run_alembic_env(SCHEMA.name)
