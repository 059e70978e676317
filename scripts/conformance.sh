#!/usr/bin/env bash
# `npm run conformance -- identity|image|orchestration`: runs OpenStack's own API tests (Debian's tempest) against a
# fresh Berth: tempest.api.identity, or tempest.api.image.v2. Installs tempest when missing, builds,
# starts `berth server` on a temporary data directory and a free port (no local agent), writes a
# tempest workspace for it, runs the suite minus what conformance/<suite>-exclude.txt names, prints
# the totals and exits nonzero when a test failed.
#   BERTH_CONFORMANCE_KEEP=1   keep the workspace (tempest.conf, logs, the server's log) afterwards
#   BERTH_CONFORMANCE_REGEX    run only the tests matching this regex (default: the whole suite)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

suite=${1:-identity}
# Heat's API tests come from heat-tempest-plugin and need their own configuration.
if [ "$suite" = orchestration ]; then exec bash scripts/conformance-orchestration.sh; fi
case $suite in
  identity) regex='^tempest\.api\.identity' ;;
  image) regex='^tempest\.api\.image\.v2' ;;
  *) die "unknown suite '$suite' (known: identity, image, orchestration)" ;;
esac
exclude=$ROOT/conformance/$suite-exclude.txt
[ -f "$exclude" ] || die "missing $exclude"

apt_install tempest
bash scripts/install.sh

work=$(mktemp -d -t berth-conformance.XXXXXX)
server_pid=
# shellcheck disable=SC2317  # called by the trap
cleanup() {
  if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  if [ -n "${BERTH_CONFORMANCE_KEEP:-}" ]; then log "workspace kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
password="conformance-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
url=http://127.0.0.1:$port

log "starting Berth at $url (data in $work/berth)"
BERTH_DATA_DIR=$work/berth BERTH_LISTEN=127.0.0.1:$port BERTH_DOCKER_LISTEN=127.0.0.1:0 BERTH_LOCAL_AGENT=false \
  BERTH_ADMIN_PASSWORD=$password BERTH_LOG_LEVEL=${BERTH_LOG_LEVEL:-warn} \
  BERTH_LOCKOUT_FAILURE_ATTEMPTS=2 BERTH_LOCKOUT_DURATION=5 BERTH_UNIQUE_LAST_PASSWORD_COUNT=2 BERTH_MINIMUM_PASSWORD_AGE=0 \
  env -u BERTH_DATABASE node bin/berth.js server >"$work/berth.log" 2>&1 &
server_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "$url/identity/v3" >/dev/null 2>&1 && break
  kill -0 "$server_pid" 2>/dev/null || { tail -n 20 "$work/berth.log" >&2; die "berth server exited"; }
  sleep 0.2
done
curl -fsS "$url/identity/v3" >/dev/null || die "berth server did not answer at $url"

# Its own workspace file: nothing is registered in ~/.tempest.
tempest init --workspace-path "$work/workspace.yaml" --name "$(basename "$work")" "$work/tempest" >/dev/null
# What Berth's identity has: each flag is true once the feature is built (issue 13 lists the rest).
cat >"$work/tempest/etc/tempest.conf" <<EOF
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
# Berth's security compliance settings above, as tempest must know them.
user_lockout_failure_attempts = 2
user_lockout_duration = 5
user_unique_last_password_count = 2
user_minimum_password_age = 0

[identity-feature-enabled]
api_v2 = false
api_v3 = true
trust = false
domain_specific_drivers = false
security_compliance = true
project_tags = true
application_credentials = true
access_rules = true

[service_available]
cinder = false
glance = $([ "$suite" = image ] && echo true || echo false)
neutron = false
nova = false
swift = false
horizon = false
EOF
# What Berth's image service has: Glance v2 up to 2.5 (no image import, one store, no image cache, no
# locations), os_glance_* reserved, and the formats it accepts. tempest uses the first container format
# for its random-bytes uploads (only docker checks the data) and the first six disk formats, with raw
# among them, for its listing tests.
if [ "$suite" = image ]; then
  cat >>"$work/tempest/etc/tempest.conf" <<EOF

[image]
region = RegionOne
container_formats = bare,ovf,ova,docker,compressed,ami,ari,aki
disk_formats = raw,qcow2,vhd,vhdx,vmdk,vdi,iso,ploop,ami,ari,aki

[image-feature-enabled]
api_v2 = true
api_v1 = false
import_image = false
os_glance_reserved = true
manage_locations = false
EOF
fi

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
