#!/usr/bin/env bash
# Usage: supervise.sh NAME COMMAND [ARG...]
# Runs COMMAND and runs it again whenever it exits on its own (a crash, or a clean exit
# nobody asked for), after a backoff: SUPERVISE_MIN_DELAY seconds (default 1), doubled
# on each quick failure up to SUPERVISE_MAX_DELAY (default 30), back to the minimum
# once a run has lasted 60 s. Every Procfile line runs under it, so one crashed process
# no longer makes honcho stop the whole system.
# SIGTERM / SIGINT (honcho signals the whole process group): COMMAND gets SIGTERM, and
# this script exits when it has, without restarting it.
# Output goes to stdout (honcho prefixes it with NAME) and is appended to
# $SUPERVISE_LOG_DIR/NAME.log (default var/log): one log per process.
set -uo pipefail
name=${1:?usage: supervise.sh NAME COMMAND [ARG...]}
shift
[ $# -gt 0 ] || { echo "usage: supervise.sh NAME COMMAND [ARG...]" >&2; exit 2; }
log_dir=${SUPERVISE_LOG_DIR:-var/log}
min_delay=${SUPERVISE_MIN_DELAY:-1}
max_delay=${SUPERVISE_MAX_DELAY:-30}
mkdir -p "$log_dir"
log="$log_dir/$name.log"

say() {  # level message: one JSON line, like every process's logs
  printf '{"time": "%s", "level": "%s", "service": "supervise", "process": "%s", "message": "%s"}\n' \
    "$(date -u +%Y-%m-%dT%H:%M:%S.%3N+00:00)" "$1" "$name" "$2" | tee -a "$log"
}

stopping=0
child=
stop() {
  stopping=1
  [ -n "$child" ] && kill -TERM "$child" 2>/dev/null
}
trap stop TERM INT

delay=$min_delay
while :; do
  started=$SECONDS
  # tee ignores SIGTERM so that it writes the command's last lines before it ends
  "$@" > >(trap '' TERM INT; exec tee -a "$log") 2>&1 &
  child=$!
  rc=0
  wait "$child" || rc=$?
  # a trapped signal ends `wait` early: wait for the command itself to exit
  while kill -0 "$child" 2>/dev/null; do
    wait "$child"; rc=$?
  done
  child=
  if [ "$stopping" = 1 ]; then
    say info "stopped (exit code $rc)"
    exit 0
  fi
  if [ $((SECONDS - started)) -ge 60 ]; then
    delay=$min_delay
  fi
  say error "exited with code $rc; restarting in $delay s"
  sleep "$delay" &
  wait $! 2>/dev/null || true
  [ "$stopping" = 1 ] && { say info "stopped"; exit 0; }
  delay=$(awk -v d="$delay" -v m="$max_delay" 'BEGIN { d *= 2; print (d > m ? m : d) }')
done
