#!/usr/bin/env bash
# `npm start`: installs and builds Berth if needed, makes sure a Docker engine runs, then runs the server
# on its defaults (SQLite under the data directory, the local engine). Arguments go to `berth server`.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

bash "$ROOT/scripts/install.sh"
line=$(bash "$ROOT/scripts/docker.sh" ensure)
export "${line:?}"
cd "$ROOT"
exec node bin/berth.js server "$@"
