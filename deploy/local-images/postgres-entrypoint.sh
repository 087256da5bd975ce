#!/bin/sh
# The official image's contract, in brief: first start initialises PGDATA with
# POSTGRES_USER / POSTGRES_PASSWORD / POSTGRES_DB and runs /docker-entrypoint-initdb.d.
set -eu
user="${POSTGRES_USER:-postgres}"
database="${POSTGRES_DB:-$user}"
mkdir -p "$PGDATA" && chown postgres "$PGDATA" && chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    printf '%s' "${POSTGRES_PASSWORD:-}" > /tmp/pwfile
    chown postgres /tmp/pwfile
    runuser -u postgres -- initdb -D "$PGDATA" -U "$user" --pwfile=/tmp/pwfile \
        --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 >/dev/null
    rm -f /tmp/pwfile
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    runuser -u postgres -- pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    if [ "$database" != postgres ]; then
        runuser -u postgres -- psql -v ON_ERROR_STOP=1 -U "$user" -d postgres \
            -c "create database \"$database\"" >/dev/null
    fi
    for script in /docker-entrypoint-initdb.d/*; do
        case "$script" in
            *.sql) runuser -u postgres -- psql -v ON_ERROR_STOP=1 -U "$user" -d "$database" -f "$script" ;;
            *.sh) POSTGRES_USER="$user" POSTGRES_DB="$database" sh "$script" ;;
            *) ;;
        esac
    done
    runuser -u postgres -- pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
fi
exec runuser -u postgres -- "$@" -D "$PGDATA" -c listen_addresses='*'
