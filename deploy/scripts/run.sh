#!/usr/bin/env bash
# Runs every process of deploy/Procfile in the foreground with honcho.
# Ctrl-C (SIGINT) or SIGTERM: honcho sends SIGTERM to each process, SIGKILL after 5 s.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PWD/.venv/bin:$PATH" PYTHONUNBUFFERED=1
exec honcho start -f deploy/Procfile -d . "$@"
