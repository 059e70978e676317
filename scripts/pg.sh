#!/usr/bin/env bash
# A throwaway PostgreSQL for tests.
#   pg.sh start DIR PORT   creates a cluster in DIR (user berth, trust auth, 127.0.0.1 only, fsync off),
#                          starts it and prints its URL: postgres://berth@127.0.0.1:PORT/postgres
#   pg.sh stop DIR         stops it and removes DIR
# The server refuses to run as root, so as root DIR is handed to the postgres user.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

PG_BIN=${PG_BIN:-$(find /usr/lib/postgresql -mindepth 2 -maxdepth 2 -name bin 2>/dev/null | sort -V | tail -n 1)}
[ -x "$PG_BIN/pg_ctl" ] || die "PostgreSQL not found: apt-get install postgresql"

as_pg() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:-} dir=${2:-}
[ -n "$dir" ] || { echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2; }
case "$cmd" in
  start)
    port=${3:?usage: $0 start DIR PORT}
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    as_pg test -w "$dir" || die "$dir must be writable by the postgres user (and its parents searchable)"
    url="postgres://berth@127.0.0.1:$port/postgres"
    if [ -f "$dir/data/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null; then
      echo "$url"; exit 0   # already running
    fi
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_pg "$PG_BIN/initdb" -D "$dir/data" -U berth --auth=trust >"$dir/initdb.log" 2>&1 ||
        { cat "$dir/initdb.log" >&2; die "initdb failed"; }
    fi
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >&2 ||
      { tail -n 20 "$dir/postgres.log" >&2; die "PostgreSQL did not start on port $port"; }
    echo "$url"
    ;;
  stop)
    [ -d "$dir" ] || exit 0
    if [ -f "$dir/data/postmaster.pid" ]; then
      as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
    fi
    # Remove only what this script made.
    if [ -f "$dir/data/PG_VERSION" ] || [ -z "$(ls -A "$dir")" ]; then rm -rf "$dir"; else die "$dir is not a pg.sh cluster; left alone"; fi
    ;;
  *) echo "usage: $0 start DIR PORT | stop DIR" >&2; exit 2 ;;
esac
