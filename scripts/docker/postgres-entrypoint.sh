#!/bin/bash
# Entrypoint of the postgres stand-in image (scripts/docker/standins.sh): what the official image's
# docker-entrypoint.sh does that compose.yaml relies on. On an empty PGDATA: initdb with
# POSTGRES_USER (default postgres) and the password from POSTGRES_PASSWORD or
# POSTGRES_PASSWORD_FILE, scram-sha-256 for connections from anywhere, then POSTGRES_DB (default the
# user's name) is created. Runs the server as `postgres` (dropping root with gosu), listening on
# every address at PGPORT (default 5432).
set -euo pipefail

if [ "${1:-postgres}" != "postgres" ]; then exec "$@"; fi

if [ "$(id -u)" = 0 ]; then
  mkdir -p "$PGDATA" /var/run/postgresql
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec gosu postgres "$BASH_SOURCE" "$@"
fi

user="${POSTGRES_USER:-postgres}"
db="${POSTGRES_DB:-$user}"
if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then POSTGRES_PASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")"; fi
port="${PGPORT:-5432}"

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "error: database is uninitialized and POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) is not set" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb --username="$user" --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 -D "$PGDATA" >/dev/null
  rm -f "$pwfile"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"
  pg_ctl -D "$PGDATA" -o "-c listen_addresses='' -p $port" -w start >/dev/null
  if [ "$db" != "postgres" ]; then psql -v ON_ERROR_STOP=1 -p "$port" --username "$user" -d postgres -qc "CREATE DATABASE \"$db\""; fi
  pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
  echo "PostgreSQL init process complete; ready for start up."
fi

exec postgres -D "$PGDATA" -c listen_addresses='*' -p "$port"
