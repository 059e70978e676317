#!/usr/bin/env bash
# Makes a Docker engine available to Berth.
#   docker.sh ensure   finds an engine that answers ($DOCKER_HOST, /var/run/docker.sock, an engine a Berth
#                      script already started on this machine), or starts Berth's own dockerd with its
#                      state under $DATA_DIR/docker; makes sure it has busybox:latest; prints one line
#                      DOCKER_HOST=unix:///... on stdout (everything else goes to stderr).
#   docker.sh stop     stops Berth's own dockerd, if this data directory started one.
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/lib.sh"

DIR=$DATA_DIR/docker
EXEC_ROOT=$RUN_DIR/docker
SOCK=$DIR/docker.sock
[ ${#SOCK} -lt 100 ] || SOCK=$RUN_DIR/docker.sock   # unix socket paths are limited to 107 bytes
PIDFILE=$DIR/dockerd.pid
# The engine a Berth script started last on this machine, shared by clones so that two dockerds
# never fight over the same docker0 bridge and iptables chains.
SHARED=/run/berth-docker-host

find_engine() {
  local h
  for h in "${DOCKER_HOST:-}" unix:///var/run/docker.sock "unix://$SOCK" "$(cat "$SHARED" 2>/dev/null)"; do
    if [ -n "$h" ] && engine_answers "$h"; then echo "$h"; return 0; fi
  done
  return 1
}

start_own() {
  command -v dockerd >/dev/null || die "dockerd not found: run scripts/install.sh (Debian package docker.io)"
  mkdir -p "$DIR/data" "$EXEC_ROOT"
  [ -f "$DIR/daemon.json" ] || echo '{}' >"$DIR/daemon.json"   # ignore a machine-wide daemon.json
  rm -f "$SOCK"
  log "starting dockerd (log: $DIR/dockerd.log)"
  setsid nohup dockerd --host "unix://$SOCK" --data-root "$DIR/data" --exec-root "$EXEC_ROOT" \
    --pidfile "$PIDFILE" --config-file "$DIR/daemon.json" \
    >>"$DIR/dockerd.log" 2>&1 </dev/null 9>&- &
  wait_engine "unix://$SOCK" $! "$DIR/dockerd.log"
  echo "unix://$SOCK" >"$SHARED"
  echo "unix://$SOCK"
}

# ensure_busybox DOCKER_HOST: imports busybox:latest, a root filesystem made of Debian's static busybox.
ensure_busybox() {
  export DOCKER_HOST=$1
  docker image inspect busybox:latest >/dev/null 2>&1 && return 0
  local bb rootfs a
  bb=$(command -v busybox || true)
  if [ -z "$bb" ] || ldd "$bb" >/dev/null 2>&1; then die "need a static busybox: apt-get install busybox-static"; fi
  log "importing busybox:latest from $bb"
  rootfs=$(mktemp -d)
  mkdir -p "$rootfs"/{bin,sbin,etc,tmp,proc,sys,dev,root,usr}
  chmod 1777 "$rootfs/tmp"
  ln -s ../bin "$rootfs/usr/bin"
  ln -s ../sbin "$rootfs/usr/sbin"
  cp "$bb" "$rootfs/bin/busybox"
  for a in $("$bb" --list); do [ "$a" = busybox ] || ln -sf busybox "$rootfs/bin/$a"; done
  printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' 'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' \
    >"$rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$rootfs/etc/group"
  tar --numeric-owner --owner=0 --group=0 -C "$rootfs" -c . |
    docker import -c 'CMD ["sh"]' - busybox:latest >&2
  rm -rf "$rootfs"
}

case "${1:-}" in
  ensure)
    mkdir -p "$DIR"
    exec 9>"$DIR/.lock"
    flock 9   # one start at a time per data directory
    host=$(find_engine) || host=$(start_own)
    ensure_busybox "$host"
    echo "DOCKER_HOST=$host"
    ;;
  stop)
    if pid_alive "$PIDFILE"; then log "stopping dockerd"; fi
    stop_dockerd "$PIDFILE" "$EXEC_ROOT"
    rmdir "$RUN_DIR" 2>/dev/null || true
    [ "$(cat "$SHARED" 2>/dev/null)" = "unix://$SOCK" ] && rm -f "$SHARED"
    exit 0
    ;;
  *) echo "usage: $0 ensure|stop" >&2; exit 2 ;;
esac
