# shellcheck shell=bash
# What every `npm run conformance -- <suite>` runner shares: a fresh `berth server` on a temporary data
# directory and a free port, a tempest workspace for it, the run minus an exclusion file, and stestr's
# totals. Sourced after lib.sh; the caller sets `suite`.
#   BERTH_CONFORMANCE_KEEP=1   keep the workspace (tempest.conf, logs, the server's log) afterwards
#   BERTH_CONFORMANCE_REGEX    run only the tests matching this regex (default: the whole suite)

work=$(mktemp -d -t berth-conformance.XXXXXX)
server_pid=
# shellcheck disable=SC2317  # called by the trap
conformance_cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "${BERTH_CONFORMANCE_KEEP:-}" ]; then log "workspace kept: $work"; else rm -rf "$work"; fi
}
trap conformance_cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password="conformance-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
url=http://127.0.0.1:$port

# Starts Berth at $url as admin/$password (no local agent unless told); arguments are extra
# VAR=value settings for it.
conformance_start_server() {
  log "starting Berth at $url (data in $work/berth)"
  env -u BERTH_DATABASE BERTH_DATA_DIR="$work/berth" BERTH_LISTEN="127.0.0.1:$port" BERTH_DOCKER_LISTEN=127.0.0.1:0 \
    BERTH_LOCAL_AGENT=false BERTH_ADMIN_PASSWORD="$password" BERTH_LOG_LEVEL="${BERTH_LOG_LEVEL:-warn}" "$@" \
    node bin/berth.js server >"$work/berth.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "$url/identity/v3" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { tail -n 20 "$work/berth.log" >&2; die "berth server exited"; }
    sleep 0.2
  done
  curl -fsS "$url/identity/v3" >/dev/null || die "berth server did not answer at $url"
  # Its own workspace file: nothing is registered in ~/.tempest.
  tempest init --workspace-path "$work/workspace.yaml" --name "$(basename "$work")" "$work/tempest" >/dev/null
}

# The [DEFAULT], [auth] and [identity] sections every suite's tempest.conf starts with.
conformance_conf_head() {
  cat <<END
[DEFAULT]
log_dir = $work/tempest/logs
log_file = tempest.log

[auth]
admin_username = admin
admin_password = $password
admin_project_name = admin
admin_domain_name = Default
use_dynamic_credentials = true
create_isolated_networks = false

[identity]
uri_v3 = $url/identity/v3
auth_version = v3
region = RegionOne
admin_role = admin
default_domain_id = default
END
}

# Runs tempest on regex $1 minus exclusion file $2; prints the totals; fails when a test failed.
conformance_run() {
  local regex=$1 exclude=$2 status ran passed failed skipped
  log "tempest run (excluding what $exclude names)"
  set +e
  (cd "$work/tempest" && tempest run --regex "${BERTH_CONFORMANCE_REGEX:-$regex}" \
    --exclude-list "$exclude" --concurrency "$(nproc)") >"$work/tempest-run.log" 2>&1
  status=$?
  set -e
  # stestr's summary: "Ran: N tests", " - Passed: N", " - Skipped: N", " - Failed: N".
  grep -E '^\{[0-9]+\} .*\.\.\. FAILED' "$work/tempest-run.log" | sed 's/^/  /' >&2 || true
  ran=$(sed -nE 's/^Ran: ([0-9]+) tests.*/\1/p' "$work/tempest-run.log" | tail -n 1)
  passed=$(sed -nE 's/^ - Passed: ([0-9]+)/\1/p' "$work/tempest-run.log" | tail -n 1)
  failed=$(sed -nE 's/^ - Failed: ([0-9]+)/\1/p' "$work/tempest-run.log" | tail -n 1)
  skipped=$(sed -nE 's/^ - Skipped: ([0-9]+)/\1/p' "$work/tempest-run.log" | tail -n 1)
  if [ -z "$ran" ]; then
    tail -n 40 "$work/tempest-run.log" >&2
    die "tempest printed no totals (exit $status)"
  fi
  echo "$suite conformance: ran ${ran} passed ${passed:-0} failed ${failed:-0} skipped ${skipped:-0}"
  [ "$status" -eq 0 ] && [ "${failed:-0}" -eq 0 ]
}
