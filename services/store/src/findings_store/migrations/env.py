from findings_shared.database import run_alembic_env

run_alembic_env("store")
