#!/usr/bin/env bash
# `npm run bench -- NAME [args]`: builds Berth if needed, makes sure a Docker engine runs and runs the
# benchmark dist/bench/NAME.js with args. Without NAME, lists the benchmarks.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

bash scripts/install.sh
benches() { find dist/bench -maxdepth 1 -name '*.js' ! -name lib.js -printf '%f\n' 2>/dev/null | sed 's/\.js$//' | sort; }
name=${1:-}
if [ -z "$name" ]; then
  echo "usage: npm run bench -- NAME [args]; benchmarks:"
  benches
  exit 0
fi
shift
if [ "$name" = lib ] || [ ! -f "dist/bench/$name.js" ]; then
  die "no benchmark '$name'; there are: $(benches | tr '\n' ' ')"
fi
line=$(bash scripts/docker.sh ensure)
export "${line:?}"
exec node "dist/bench/$name.js" "$@"
