#!/usr/bin/env bash
# Start a throwaway PostgreSQL 15 + PostGIS server on loopback for the tests (CI runs as root on a
# fresh machine; Debian package postgresql-15-postgis-3). Prints the URL the tests read from
# LANDAPPROVAL_TEST_PG. Usage: eval "$(scripts/start_postgis.sh)"
set -euo pipefail
PGBIN=/usr/lib/postgresql/15/bin
PORT="${LANDAPPROVAL_PG_PORT:-55432}"
DATA="${LANDAPPROVAL_PG_DATA:-/tmp/landapproval-pg}"
RUN_AS=()
if [ "$(id -u)" = 0 ]; then RUN_AS=(runuser -u postgres --); fi
if ! "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PORT" 2>/dev/null; then
  rm -rf "$DATA"; mkdir -p "$DATA"
  [ "$(id -u)" = 0 ] && chown postgres "$DATA"
  "${RUN_AS[@]}" "$PGBIN/initdb" -D "$DATA" -U postgres -A trust --no-sync -E UTF8 >/dev/null
  "${RUN_AS[@]}" "$PGBIN/pg_ctl" -D "$DATA" -l "$DATA/server.log" -w -o "-h 127.0.0.1 -p $PORT -k $DATA -c fsync=off" start >/dev/null
fi
psql -q -h 127.0.0.1 -p "$PORT" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='gis'" | grep -q 1 \
  || psql -q -h 127.0.0.1 -p "$PORT" -U postgres -c "CREATE DATABASE gis" >/dev/null
psql -q -h 127.0.0.1 -p "$PORT" -U postgres -d gis -c "CREATE EXTENSION IF NOT EXISTS postgis" >/dev/null
echo "export LANDAPPROVAL_TEST_PG=postgresql://postgres@127.0.0.1:$PORT/gis"
