#!/usr/bin/env bash
# Stops the cluster scripts/cluster/start.sh started from DIR: the workers (which end their executors), then
# the master, each by the PID start.sh recorded, and only when that PID is still the daemon it started.
#   scripts/cluster/stop.sh [--dir DIR]      (default runs/cluster)
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=runs/cluster
while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    -h|--help) sed -n '2,4p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "stop.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
dir="$(realpath -m "$dir")"
. scripts/cluster/daemons.sh
if [ ! -d "$dir/pids" ]; then
  echo "stop.sh: no cluster started from $dir" >&2
  exit 0
fi

stop_daemon() { # pid_file
  local pid name
  pid="$(cat "$1")"
  name="$(basename "$1" .pid)"
  if daemon_alive "$1"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do
      daemon_alive "$1" || break
      sleep 0.25
    done
    if daemon_alive "$1"; then
      echo "stop.sh: $name (pid $pid) still running after 10 s; killing it" >&2
      kill -9 "$pid" 2>/dev/null || true
    fi
    echo "stopped $name (pid $pid)"
  fi
  rm -f "$1"
}
for pid_file in "$dir"/pids/worker-*.pid; do
  [ -f "$pid_file" ] && stop_daemon "$pid_file"
done
[ -f "$dir/pids/master.pid" ] && stop_daemon "$dir/pids/master.pid"
rm -f "$dir/master-url"
