#!/usr/bin/env bash
# `npm run conformance -- compute`: runs tempest's compute API tests (Debian's tempest,
# tempest.api.compute) against a fresh Berth with a local agent on this machine's Docker engine, so
# servers really run. Installs tempest when missing, builds, starts `berth server`, stores a second
# busybox image for the rebuild tests, writes a tempest workspace with what Berth's compute face does,
# runs the suite minus what conformance/compute-exclude.txt names, prints the totals and exits nonzero
# when a test failed. Containers the run leaves behind on the engine are removed.
#   BERTH_CONFORMANCE_KEEP=1   keep the workspace (tempest.conf, logs, the server's log) afterwards
#   BERTH_CONFORMANCE_REGEX    run only the tests matching this regex (default: the whole suite)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"
cd "$ROOT"

suite=compute
regex='^tempest\.api\.compute'
exclude=$ROOT/conformance/$suite-exclude.txt
[ -f "$exclude" ] || die "missing $exclude"

apt_install tempest
bash scripts/install.sh
line=$(bash scripts/docker.sh ensure)
export "${line:?}"

# shellcheck source-path=SCRIPTDIR
. scripts/conformance-lib.sh
conformance_start_server BERTH_LOCAL_AGENT=true BERTH_ENGINE="$DOCKER_HOST"

# The engine containers of this cloud (its id is in its database) go when the run ends.
# shellcheck disable=SC2317  # called by the trap
compute_cleanup() {
  local cloud
  cloud=$(node -e "const D = require('better-sqlite3'); const d = new D(process.argv[1], { readonly: true });
    console.log(d.prepare(\"select value from settings where key = 'cloud_id'\").get()?.value ?? '')" "$work/berth/berth.db" 2>/dev/null || true)
  conformance_cleanup
  if [ -n "$cloud" ]; then
    docker ps -aq --filter "label=berth.cloud=$cloud" | xargs -r docker rm -f >/dev/null 2>&1 || true
  fi
}
trap compute_cleanup EXIT

export OS_AUTH_URL=$url/identity/v3 OS_IDENTITY_API_VERSION=3 OS_USERNAME=admin OS_PASSWORD=$password \
  OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_REGION_NAME=RegionOne
# The server registers the engine's busybox as a public image once its agent is up.
image=
for _ in $(seq 1 150); do
  image=$(openstack image show busybox -f value -c id 2>/dev/null || true)
  [ -n "$image" ] && break
  sleep 0.2
done
[ -n "$image" ] || { tail -n 20 "$work/berth.log" >&2; die "busybox did not appear in the image service"; }
docker save busybox:latest -o "$work/busybox.tar"
image_alt=$(openstack image create --public --container-format docker --disk-format raw \
  --file "$work/busybox.tar" busybox-alt -f value -c id)

# What Berth's compute face has (microversion 2.1, a server is a container, no network or volume
# service): each flag is on once the feature is built.
{
  conformance_conf_head
  cat <<EOF

[identity-feature-enabled]
api_v2 = false
api_v3 = true

[service_available]
nova = true
glance = true
cinder = false
neutron = false
swift = false
heat = false
horizon = false

[compute]
image_ref = $image
image_ref_alt = $image_alt
flavor_ref = 1
flavor_ref_alt = 2
region = RegionOne
min_microversion = 2.1
max_microversion = 2.1
min_compute_nodes = 1
build_timeout = 120
ready_wait = 0

[image]
region = RegionOne
container_formats = bare,docker
disk_formats = raw

[validation]
run_validation = false

[compute-feature-enabled]
resize = true
pause = true
suspend = true
snapshot = true
console_output = true
shelve = false
shelve_migrate = false
cold_migration = false
live_migration = false
rescue = false
stable_rescue = false
interface_attach = false
serial_console = false
vnc_console = false
spice_console = false
metadata_service = false
config_drive = false
personality = false
change_password = false
enable_instance_password = false
disk_config = false
attach_encrypted_volume = false
swap_volume = false
volume_multiattach = false
ide_bus = false
EOF
} >"$work/tempest/etc/tempest.conf"

conformance_run "$regex" "$exclude"
