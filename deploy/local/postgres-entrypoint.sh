#!/bin/sh
# The server's first start: create the cluster with POSTGRES_USER (default postgres) and
# POSTGRES_PASSWORD, password logins over the network, and the database POSTGRES_DB; then run the
# given command (any other command, psql say, runs as it is).
set -eu
# Started as root, as the official image is: own the data and socket directories (volumes and
# file systems mounted at run time), then run as postgres.
if [ "$(id -u)" = 0 ]; then
  chown -R postgres:postgres "$PGDATA" /var/run/postgresql
  chmod 700 "$PGDATA"
  exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi
user="${POSTGRES_USER:-postgres}"
if [ "${1:-}" = postgres ] && [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${POSTGRES_PASSWORD:?set POSTGRES_PASSWORD}"
  password_file=$(mktemp)
  printf '%s' "$POSTGRES_PASSWORD" > "$password_file"
  initdb --pgdata="$PGDATA" --username="$user" --pwfile="$password_file" \
    --auth-local=trust --auth-host=scram-sha-256 --encoding=UTF8 > /dev/null
  rm -f "$password_file"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
  pg_ctl --pgdata="$PGDATA" --options="-c listen_addresses=''" --wait --silent start
  database="${POSTGRES_DB:-$user}"
  if [ "$database" != postgres ]; then
    createdb --username="$user" "$database"
  fi
  pg_ctl --pgdata="$PGDATA" --wait --silent stop
fi
exec "$@"
