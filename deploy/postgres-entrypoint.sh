#!/bin/sh
# First start: make the cluster (password from a secret file, scram-sha-256 for every connection) and the
# database. Every start: run PostgreSQL in the foreground, on POSTGRES_LISTEN (loopback by default: the compose
# stack runs on the host's network) and POSTGRES_PORT.
set -eu
: "${POSTGRES_USER:=briefbot}"
: "${POSTGRES_DB:=briefbot}"
: "${POSTGRES_PORT:=5432}"
: "${POSTGRES_LISTEN:=127.0.0.1}"
: "${POSTGRES_PASSWORD_FILE:?set POSTGRES_PASSWORD_FILE to a file holding the password}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$POSTGRES_PASSWORD_FILE" --auth=scram-sha-256 \
        --encoding=UTF8 --locale=C.UTF-8 >/dev/null
    echo "CREATE DATABASE \"$POSTGRES_DB\" OWNER \"$POSTGRES_USER\";" \
        | postgres --single -D "$PGDATA" -c unix_socket_directories=/tmp postgres >/dev/null
fi
exec postgres -D "$PGDATA" -c listen_addresses="$POSTGRES_LISTEN" -c port="$POSTGRES_PORT" \
    -c unix_socket_directories=/tmp
