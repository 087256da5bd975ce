#!/bin/sh
# /docker-entrypoint-initdb.d hook of the postgres image: the least-privilege roles of
# roles.sql, with passwords from the environment.
set -eu
psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" \
    -v database="$POSTGRES_DB" \
    -v ingest_password="$INGEST_ROLE_PASSWORD" \
    -v store_password="$STORE_ROLE_PASSWORD" \
    -v api_password="$API_ROLE_PASSWORD" \
    -f /findings/roles.sql
