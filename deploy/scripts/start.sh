#!/usr/bin/env bash
# Starts every process of deploy/Procfile in the background: honcho in a session of its
# own, log in var/log/honcho.log (each process's own in var/log/<name>.log), pid in
# var/run/honcho.pid. Returns once the gateway's /health answers 200; fails with the
# log's tail (and stops what it started) otherwise.
# RUN_DIR (default var) moves log/ and run/ elsewhere: a second system (a test's) can
# run beside the developer's, with its own ports and databases.
set -euo pipefail
cd "$(dirname "$0")/../.."
RUN_DIR=${RUN_DIR:-var}
LOG=$RUN_DIR/log/honcho.log
PIDFILE=$RUN_DIR/run/honcho.pid
WAIT_SECONDS=60
URL="http://${GATEWAY_HOST:-127.0.0.1}:${GATEWAY_PORT:-8000}/health"

answers() {  # 0 when $URL answers 200
  .venv/bin/python - "$URL" <<'PYEOF'
import sys, urllib.request
try:
    with urllib.request.urlopen(sys.argv[1], timeout=2) as response:
        sys.exit(0 if response.status == 200 else 1)
except Exception:
    sys.exit(1)
PYEOF
}

alive() { local state; state=$(ps -o stat= -p "$1" 2>/dev/null) && [[ $state != Z* ]]; }

mkdir -p "$RUN_DIR/log" "$RUN_DIR/run"
if [ -f "$PIDFILE" ] && alive "$(cat "$PIDFILE")"; then
  echo "already running (honcho pid $(cat "$PIDFILE")); logs: $LOG; stop with: make stop"
  exit 0
fi
if answers; then
  echo "something else already answers $URL (is 'make run' running?)" >&2
  exit 1
fi

for old in "$RUN_DIR"/log/*.log; do  # the previous run's logs, kept as *.log.1
  if [ -f "$old" ]; then mv "$old" "$old.1"; fi
done
export PATH="$PWD/.venv/bin:$PATH" PYTHONUNBUFFERED=1 SUPERVISE_LOG_DIR="$RUN_DIR/log"
# Not a process group leader here (no job control), so setsid makes honcho's own session
# in place: its pid is $! and its process group id, which stop.sh signals.
setsid honcho start --no-colour -f deploy/Procfile -d . >"$LOG" 2>&1 </dev/null &
echo $! >"$PIDFILE"
echo "started (honcho pid $!); logs: $LOG; waiting up to $WAIT_SECONDS s for $URL"

for _ in $(seq 1 "$WAIT_SECONDS"); do
  if answers; then
    echo "up: $URL answers 200; stop with: make stop"
    exit 0
  fi
  alive "$(cat "$PIDFILE")" || break
  sleep 1
done

echo "the system did not come up ($URL); last lines of $LOG:" >&2
tail -n 40 "$LOG" >&2
bash deploy/scripts/stop.sh >&2
exit 1
