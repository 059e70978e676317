#!/usr/bin/env bash
# Shared helpers for Berth's set-up scripts. Source it; it defines ROOT (the repo), DATA_DIR (Berth's
# data directory, ${BERTH_DATA_DIR:-$ROOT/.berth}) and small functions for logging, apt and daemons.
# shellcheck disable=SC2034  # ROOT, DATA_DIR and RUN_DIR are used by the scripts that source this
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
DATA_DIR=${BERTH_DATA_DIR:-$ROOT/.berth}
mkdir -p "$DATA_DIR"
DATA_DIR=$(cd "$DATA_DIR" && pwd)

# Short per-data-dir directory under /run for dockerd exec-roots: containerd puts unix sockets there,
# and a unix socket path may not exceed 107 bytes.
RUN_DIR=/run/berth-$(printf '%s' "$DATA_DIR" | sha256sum | cut -c1-8)

log() { echo "berth: $*" >&2; }
die() { log "$*"; exit 1; }

# need_root_or_say PKG...: we are about to install PKG...; without root, say how and stop.
need_root_or_say() {
  [ "$(id -u)" -eq 0 ] && return 0
  die "missing packages; install them first: sudo apt-get install -y $*"
}

is_installed() { [ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" = 'install ok installed' ]; }

# apt_install PKG...: installs those of PKG... that are not installed yet. apt-get update runs only
# when the package lists are missing or an install fails (stale lists).
apt_install() {
  local missing=() p
  for p in "$@"; do is_installed "$p" || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  need_root_or_say "${missing[@]}"
  log "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! compgen -G '/var/lib/apt/lists/*_Packages' >/dev/null; then apt-get update -q >&2; fi
  if ! apt-get install -y -q "${missing[@]}" >&2; then
    apt-get update -q >&2
    apt-get install -y -q "${missing[@]}" >&2
  fi
}

# engine_answers DOCKER_HOST: true when a Docker engine answers there.
engine_answers() { DOCKER_HOST=$1 timeout 10 docker version >/dev/null 2>&1; }

# wait_engine DOCKER_HOST PID LOGFILE: waits up to 60 s for the dockerd we just started as PID.
wait_engine() {
  local host=$1 pid=$2 logfile=$3 i
  for i in $(seq 1 120); do
    engine_answers "$host" && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 20 "$logfile" >&2 || true
      die "dockerd for $host exited; see $logfile"
    fi
    sleep 0.5
  done
  tail -n 20 "$logfile" >&2 || true
  die "dockerd for $host did not answer within 60 s; see $logfile"
}

# pid_alive PIDFILE: true when PIDFILE names a running process.
pid_alive() {
  local pid
  pid=$(cat "$1" 2>/dev/null) || return 1
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null
}

# stop_pid PIDFILE MATCH: stops the process in PIDFILE if its command line contains MATCH (so a
# reused pid is never hit), waits up to 60 s, then kills it. Removes PIDFILE.
stop_pid() {
  local pidfile=$1 match=$2 pid i
  pid=$(cat "$pidfile" 2>/dev/null) || return 0
  if [ -n "$pid" ] && tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF -- "$match"; then
    kill "$pid" 2>/dev/null || true
    for i in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    if kill -0 "$pid" 2>/dev/null; then
      log "pid $pid did not stop in 60 s; killing it"
      kill -9 "$pid" 2>/dev/null || true
      sleep 0.5
    fi
  fi
  rm -f "$pidfile"
}

# stop_dockerd PIDFILE EXEC_ROOT: stops a dockerd Berth started, then whatever it left behind: its
# containerd and shims (found by EXEC_ROOT on their command lines) with the containers they hold (their
# children), mounts under EXEC_ROOT, EXEC_ROOT. After a clean shutdown there is nothing left to kill.
stop_dockerd() {
  local pidfile=$1 exec_root=$2 p
  stop_pid "$pidfile" "$exec_root"
  # The pattern comes from a file so that this grep does not find itself.
  { grep -lsaF -f <(printf '%s/\n' "$exec_root") /proc/[0-9]*/cmdline || true; } | while read -r p; do
    p=${p#/proc/}; p=${p%/cmdline}
    # shellcheck disable=SC2046  # a list of pids
    kill -9 $(cat "/proc/$p/task/$p/children" 2>/dev/null) "$p" 2>/dev/null || true
  done
  unmount_under "$exec_root"
  # Never rm -rf through a mount that is still there.
  [ -z "$(mounts_under "$exec_root")" ] && rm -rf "$exec_root"
  return 0
}

# mounts_under DIR: the mount points at or below DIR, deepest first.
mounts_under() {
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# unmount_under DIR...: lazily unmounts every mount point at or below each DIR.
unmount_under() {
  local d m
  for d in "$@"; do
    mounts_under "$d" | while read -r m; do umount -l "$m" 2>/dev/null || true; done
  done
}
