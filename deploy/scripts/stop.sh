#!/usr/bin/env bash
# Stops what start.sh started: SIGTERM to honcho's process group (honcho then stops every
# process), then SIGKILL to whatever is left after a bounded wait. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/../.."
PIDFILE=${RUN_DIR:-var}/run/honcho.pid
WAIT_SECONDS=20

alive() { local state; state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $state != Z* ]]; }

descendants() {  # every process below $1, depth first
  local child
  for child in $(pgrep -P "$1" || true); do
    echo "$child"
    descendants "$child"
  done
}

if [ ! -f "$PIDFILE" ]; then
  echo "not running (no $PIDFILE)"
  exit 0
fi
pid=$(cat "$PIDFILE")
if ! alive "$pid" || ! grep -qa honcho "/proc/$pid/cmdline" 2>/dev/null; then
  echo "not running (stale $PIDFILE removed)"
  rm -f "$PIDFILE"
  exit 0
fi

# Honcho starts each process in a session of its own: note them before signalling, so
# the SIGKILL fallback reaches them too.
mapfile -t procs < <(descendants "$pid")
procs+=("$pid")
echo "stopping honcho (pid $pid) and ${#procs[@]} processes below it"
kill -TERM -- "-$pid" 2>/dev/null || true

for _ in $(seq 1 $((WAIT_SECONDS * 5))); do
  left=()
  for p in "${procs[@]}"; do alive "$p" && left+=("$p"); done
  [ ${#left[@]} -eq 0 ] && break
  sleep 0.2
done

if [ ${#left[@]} -gt 0 ]; then
  echo "still running after $WAIT_SECONDS s, sending SIGKILL to: ${left[*]}" >&2
  for p in "${left[@]}"; do
    kill -KILL -- "-$p" 2>/dev/null || kill -KILL "$p" 2>/dev/null || true
  done
fi
rm -f "$PIDFILE"
echo "stopped"
