#!/usr/bin/env bash
# Extra compute hosts on this machine, for tests and demos. Host i is network namespace berth-<hash>-host-i
# with its own dockerd (state under $DATA_DIR/hosts/host-i) and, when a Berth server is given, its own
# agent.
#   test-hosts.sh up N   starts host-1..host-N (idempotent); prints "host-i unix:///.../docker.sock" each
#                        With BERTH_URL set (e.g. http://127.0.0.1:8780) and an admin openrc readable
#                        (BERTH_OPENRC, default $DATA_DIR/openrc), also starts an agent per host.
#   test-hosts.sh down   stops agents and engines, deletes the namespaces and the hosts' state
#   test-hosts.sh status one line per host
#
# Networking: each engine keeps Docker's default bridge. Inside a fresh namespace that works as is: the
# namespace has its own docker0 (172.17.0.0/16, no clash with other namespaces) and its own iptables, so
# containers get normal networking and `-p 127.0.0.1:PORT:...` publishes on the namespace's loopback.
# (`--bridge none --iptables=false` would also work, but every container would then need --network none.)
# Test hosts are throwaway: containers get 3 s, not 15, to stop when an engine shuts down.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

HOSTS=$DATA_DIR/hosts
OPENRC=${BERTH_OPENRC:-$DATA_DIR/openrc}

host_dir() { echo "$HOSTS/$1"; }
# Namespaces carry the data directory's hash, so two checkouts can run their test hosts side by side.
NS_PREFIX=berth-${RUN_DIR##*/berth-}
host_ns() { echo "$NS_PREFIX-$1"; }
host_exec_root() { echo "$RUN_DIR/$1"; }
host_sock() {
  local s
  s=$(host_dir "$1")/docker.sock
  [ ${#s} -lt 100 ] || s=$RUN_DIR/$1.sock   # unix socket paths are limited to 107 bytes
  echo "$s"
}

# Every host we know of: state directories and namespaces.
known_hosts() {
  find "$HOSTS" /var/run/netns -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null |
    sed -n "s/^\\($NS_PREFIX-\\)\\{0,1\\}\\(host-[0-9]*\\)\$/\\2/p" | sort -u -V || true
}

# up_engine NAME MAIN_DOCKER_HOST: namespace, dockerd inside it, busybox image.
up_engine() {
  local name=$1 main=$2 dir ns sock exec_root
  dir=$(host_dir "$name"); ns=$(host_ns "$name"); sock=$(host_sock "$name"); exec_root=$(host_exec_root "$name")
  [ -e "/var/run/netns/$ns" ] || ip netns add "$ns"
  ip -n "$ns" link set lo up
  if ! engine_answers "unix://$sock"; then
    mkdir -p "$dir/data"
    [ -f "$dir/daemon.json" ] || echo '{}' >"$dir/daemon.json"
    stop_dockerd "$dir/dockerd.pid" "$exec_root"   # a stale one that no longer answers
    mkdir -p "$exec_root"
    rm -f "$sock"
    log "$name: starting dockerd in namespace $ns"
    # nsenter, not `ip netns exec`: that remounts /sys and hides the cgroup mounts dockerd needs.
    setsid nohup nsenter --net="/var/run/netns/$ns" -- dockerd --host "unix://$sock" \
      --data-root "$dir/data" --exec-root "$exec_root" --pidfile "$dir/dockerd.pid" \
      --config-file "$dir/daemon.json" --containerd-namespace "berth-$name" \
      --containerd-plugins-namespace "berth-$name-plugins" --shutdown-timeout 3 \
      >>"$dir/dockerd.log" 2>&1 </dev/null 9>&- &
    wait_engine "unix://$sock" $! "$dir/dockerd.log"
  fi
  if ! DOCKER_HOST=unix://$sock docker image inspect busybox:latest >/dev/null 2>&1; then
    log "$name: loading busybox:latest"
    DOCKER_HOST=$main docker save busybox:latest | DOCKER_HOST=unix://$sock docker load >&2
  fi
}

# admin_token: a project-scoped token for the admin of $OPENRC.
admin_token() (
  set +u
  # shellcheck disable=SC1090
  . "$OPENRC"
  body=$(node -e 'const e = process.env; console.log(JSON.stringify({ auth: {
    identity: { methods: ["password"], password: { user: { name: e.OS_USERNAME, password: e.OS_PASSWORD,
      domain: { name: e.OS_USER_DOMAIN_NAME || "Default" } } } },
    scope: { project: { name: e.OS_PROJECT_NAME, domain: { name: e.OS_PROJECT_DOMAIN_NAME || "Default" } } } } }))')
  curl -sSf -D - -o /dev/null -H 'Content-Type: application/json' -d "$body" "${OS_AUTH_URL%/}/auth/tokens" |
    tr -d '\r' | awk 'tolower($1) == "x-subject-token:" { print $2 }'
)

# up_agent NAME TOKEN: asks the server for the host's credential and starts its agent.
up_agent() {
  local name=$1 token=$2 dir cred
  dir=$(host_dir "$name")
  pid_alive "$dir/agent.pid" && return 0
  cred=$(curl -sSf -H "X-Auth-Token: $token" -H 'Content-Type: application/json' -d "{\"host\":\"$name\"}" \
    "${BERTH_URL%/}/container/v1/os-berth/host-credentials" |
    node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).credential ?? ""))') || cred=
  [ -n "$cred" ] || die "$name: the server gave no host credential"
  log "$name: starting agent (log: $dir/agent.log)"
  BERTH_AGENT_CREDENTIAL=$cred setsid nohup node "$ROOT/bin/berth.js" agent --server "$BERTH_URL" \
    --engine "unix://$(host_sock "$name")" --name "$name" >>"$dir/agent.log" 2>&1 </dev/null 9>&- &
  echo $! >"$dir/agent.pid"
}

down_host() {
  local name=$1 dir ns
  dir=$(host_dir "$name"); ns=$(host_ns "$name")
  log "$name: down"
  stop_pid "$dir/agent.pid" "--name $name"
  stop_dockerd "$dir/dockerd.pid" "$(host_exec_root "$name")"
  rm -f "$(host_sock "$name")"
  unmount_under "$dir"
  # Never rm -rf through a mount that is still there.
  if [ -d "$dir" ] && [ -z "$(mounts_under "$dir")" ]; then rm -rf "$dir"; fi
  # A namespace of the same name that another data directory's engine still uses is left to it.
  if [ -e "/var/run/netns/$ns" ] && [ -z "$(ip netns pids "$ns" 2>/dev/null)" ]; then ip netns delete "$ns"; fi
}

status_host() {
  local name=$1 dir engine=down agent=none
  dir=$(host_dir "$name")
  engine_answers "unix://$(host_sock "$name")" && engine=up
  if [ -f "$dir/agent.pid" ]; then if pid_alive "$dir/agent.pid"; then agent=up; else agent=down; fi; fi
  echo "$name engine=$engine agent=$agent unix://$(host_sock "$name")"
}

# One up or down at a time.
lock() { mkdir -p "$HOSTS"; exec 9>"$HOSTS/.lock"; flock 9; }

case "${1:-}" in
  up)
    n=${2:-}
    [[ "$n" =~ ^[1-9][0-9]*$ ]] || die "usage: $0 up N"
    lock
    line=$("$ROOT/scripts/docker.sh" ensure 9>&-)
    main=${line#DOCKER_HOST=}
    for i in $(seq 1 "$n"); do up_engine "host-$i" "$main"; done
    if [ -n "${BERTH_URL:-}" ]; then
      [ -r "$OPENRC" ] || die "BERTH_URL is set but no admin openrc at $OPENRC (set BERTH_OPENRC)"
      command -v curl >/dev/null || die "curl is needed to start agents: apt-get install curl"
      token=$(admin_token) || token=
      [ -n "$token" ] || die "no admin token for the user of $OPENRC"
      for i in $(seq 1 "$n"); do up_agent "host-$i" "$token"; done
    fi
    for i in $(seq 1 "$n"); do echo "host-$i unix://$(host_sock "host-$i")"; done
    ;;
  down)
    lock
    for name in $(known_hosts); do down_host "$name"; done
    rm -f "$HOSTS/.lock"
    rmdir "$HOSTS" "$RUN_DIR" 2>/dev/null || true
    ;;
  status)
    for name in $(known_hosts); do status_host "$name"; done
    ;;
  *) echo "usage: $0 up N | down | status" >&2; exit 2 ;;
esac
