#!/usr/bin/env bash
# `npm test`: installs what the tests need, lints (an ESLint error fails the run), makes sure a Docker
# engine runs, starts a throwaway PostgreSQL (BERTH_TEST_POSTGRES), runs every compiled test file with
# node's test runner and cleans up.
# Arguments filter the test files by path: `npm test -- identity` runs those whose path has "identity".
# Without arguments it also runs `npm run conformance -- image`, `-- identity`, `-- orchestration` and
# `-- compute` (tempest's image v2, identity and compute API tests, heat-tempest-plugin's API tests).
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

bash scripts/install.sh --test
log "eslint"
npx eslint src test bench
line=$(bash scripts/docker.sh ensure)
export "${line:?}"

mapfile -t files < <(find dist -name '*.test.js' | sort)
if [ $# -gt 0 ]; then
  mapfile -t files < <(printf '%s\n' "${files[@]}" | grep -F "${@/#/-e}" || true)
fi
[ ${#files[@]} -gt 0 ] || die "no test files${*:+ match: $*}"

pgdir=$(mktemp -d -t berth-pg.XXXXXX)
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  bash scripts/test-hosts.sh down || true
  bash scripts/pg.sh stop "$pgdir" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The first free port from 55432 on.
port=55432
while :; do
  if ! (echo >"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
    BERTH_TEST_POSTGRES=$(bash scripts/pg.sh start "$pgdir" "$port"); then break; fi
  [ "$port" -lt 55531 ] || die "could not start PostgreSQL on ports 55432-55531"
  port=$((port + 1))
done
export BERTH_TEST_POSTGRES
log "PostgreSQL at $BERTH_TEST_POSTGRES; $DOCKER_HOST; ${#files[@]} test files"

set +e
node --test --test-concurrency=2 --test-timeout=900000 "${files[@]}"
status=$?
# OpenStack's own API tests (image, identity and orchestration under a minute each, compute about five
# minutes) run with the whole suite, not with a filter.
if [ $# -eq 0 ]; then
  log "conformance: image"
  bash scripts/conformance.sh image || status=1
  log "conformance: identity"
  bash scripts/conformance.sh identity || status=1
  log "conformance: orchestration"
  bash scripts/conformance.sh orchestration || status=1
  log "conformance: compute"
  bash scripts/conformance.sh compute || status=1
fi
exit "$status"
