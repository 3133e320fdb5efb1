#!/usr/bin/env bash
# Runs every process of deploy/Procfile in the foreground with honcho; each line runs
# under deploy/scripts/supervise.sh (restarted when it crashes, its output also in
# $RUN_DIR/log/<name>.log, RUN_DIR default var).
# Ctrl-C (SIGINT) or SIGTERM: honcho sends SIGTERM to each process, SIGKILL after 5 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/.venv/bin:$PATH" PYTHONUNBUFFERED=1
export SUPERVISE_LOG_DIR="${RUN_DIR:-var}/log"
exec honcho start -f deploy/Procfile -d . "$@"
