#!/usr/bin/env bash
# `npm run conformance -- identity|image|orchestration|compute`: runs OpenStack's own API tests (Debian's tempest) against a
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
case $suite in orchestration | compute) exec bash "scripts/conformance-$suite.sh" ;; esac
case $suite in
  identity) regex='^tempest\.api\.identity' ;;
  image) regex='^tempest\.api\.image\.v2' ;;
  *) die "unknown suite '$suite' (known: identity, image, orchestration, compute)" ;;
esac
exclude=$ROOT/conformance/$suite-exclude.txt
[ -f "$exclude" ] || die "missing $exclude"

apt_install tempest
bash scripts/install.sh

# shellcheck source-path=SCRIPTDIR
. scripts/conformance-lib.sh
conformance_start_server BERTH_LOCKOUT_FAILURE_ATTEMPTS=2 BERTH_LOCKOUT_DURATION=5 BERTH_UNIQUE_LAST_PASSWORD_COUNT=2 \
  BERTH_MINIMUM_PASSWORD_AGE=0

# What Berth's identity has: each flag is true once the feature is built (issue 13 lists the rest).
{
  conformance_conf_head
  cat <<EOF
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
} >"$work/tempest/etc/tempest.conf"
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

conformance_run "$regex" "$exclude"
