#!/usr/bin/env bash
# `bash scripts/conformance-orchestration.sh`: runs Heat's own API tests (Debian's heat-tempest-plugin,
# heat_tempest_plugin.tests.api: gabbi cases against the orchestration API) on a fresh Berth. Installs
# tempest and the plugin when missing, builds, starts `berth server` on a temporary data directory and a
# free port (no local agent: the tests use OS::Heat::TestResource, which makes no container), writes a
# tempest workspace for it, runs the suite minus what conformance/orchestration-exclude.txt names,
# prints the totals and exits nonzero when a test failed.
#   BERTH_CONFORMANCE_KEEP=1   keep the workspace (tempest.conf, logs, the server's log) afterwards
#   BERTH_CONFORMANCE_REGEX    run only the tests matching this regex (default: the whole suite)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

suite=orchestration
regex='^heat_tempest_plugin\.tests\.api'
exclude=$ROOT/conformance/$suite-exclude.txt
[ -f "$exclude" ] || die "missing $exclude"

apt_install tempest heat-tempest-plugin
bash scripts/install.sh

# shellcheck source-path=SCRIPTDIR
. scripts/conformance-lib.sh
conformance_start_server

# The plugin's API tests authenticate once with [heat_plugin]'s credentials and find the orchestration
# endpoint in the catalog; they need no other service.
{
  conformance_conf_head
  cat <<EOF

[identity-feature-enabled]
api_v2 = false
api_v3 = true

[service_available]
heat = true
cinder = false
glance = false
neutron = false
nova = false
swift = false
horizon = false

[heat_plugin]
auth_url = $url/identity/v3
auth_version = 3
username = admin
password = $password
project_name = admin
admin_username = admin
admin_password = $password
admin_project_name = admin
user_domain_name = Default
project_domain_name = Default
region = RegionOne
endpoint_type = public
skip_scenario_tests = true
skip_functional_tests = true
EOF
} >"$work/tempest/etc/tempest.conf"

conformance_run "$regex" "$exclude"
