#!/usr/bin/env bash
# Installs what Berth needs and builds it; idempotent and quick when nothing changed.
#   install.sh          Debian packages to run Berth, node_modules, the TypeScript build
#   install.sh --test   also what the test suite needs (PostgreSQL, the OpenStack CLI and plugins, curl, tempest)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

command -v npm >/dev/null || die "Node.js 20 with npm is needed first"

# make, g++ and python3 build better-sqlite3 from source.
pkgs=(docker.io busybox-static iproute2 make g++ python3)
if [ "${1:-}" = "--test" ]; then
  pkgs+=(postgresql python3-openstackclient python3-zunclient python3-heatclient python3-magnumclient
    python3-websocket curl tempest heat-tempest-plugin)
fi
apt_install "${pkgs[@]}"

cd "$ROOT"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "npm ci"
  # better-sqlite3 is compiled from source (no prebuilt binary is downloaded); prebuild-install reads
  # this variable and steps aside for the package it names.
  npm_config_build_from_source=better-sqlite3 npm ci --no-audit --no-fund >&2
fi

stamp=dist/.build-stamp
inputs=()
for f in src test bench tsconfig.json package.json; do [ -e "$f" ] && inputs+=("$f"); done
if [ ! -f "$stamp" ] || [ -n "$(find "${inputs[@]}" -newer "$stamp" -print -quit)" ]; then
  log "building (tsc)"
  mkdir -p dist
  touch "$stamp.next"   # taken before the build, so an edit made during it triggers the next one
  npx tsc -p . >&2
  # tsc never deletes outputs: drop the .js whose .ts source is gone, so no stale test runs.
  find dist -name '*.js' -type f | while read -r js; do
    ts=${js#dist/}; ts=${ts%.js}.ts
    [ -f "$ts" ] || rm -f "$js"
  done
  mv "$stamp.next" "$stamp"
fi
