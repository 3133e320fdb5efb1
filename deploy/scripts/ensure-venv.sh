#!/usr/bin/env bash
# Creates .venv with Python 3.11 and installs the project with the pinned constraints.
# Re-runs the install only when pyproject.toml or constraints.txt changed.
set -euo pipefail
cd "$(dirname "$0")/../.."

find_python() {
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

if ! PY=$(find_python); then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "==> installing Python 3.11 from the distribution's packages"
    apt-get update -qq && apt-get install -y -qq python3.11 python3.11-venv >/dev/null
    PY=$(find_python)
  else
    echo "Python 3.11 is required. Install it, e.g.: sudo apt-get install python3.11 python3.11-venv" >&2
    exit 1
  fi
fi

# a .venv made by another Python (say 3.12) cannot take this project: make it again
if [ -x .venv/bin/python ] &&
   ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
  echo "==> .venv is not Python 3.11: recreating it"
  rm -rf .venv
fi

stamp=.venv/.installed
want=$(cat pyproject.toml constraints.txt | sha256sum | cut -d' ' -f1)
if [ -x .venv/bin/python ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $PY"
  if ! "$PY" -m venv .venv 2>/dev/null; then
    rm -rf .venv
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3.11-venv >/dev/null || apt-get install -y -qq python3-venv >/dev/null
      "$PY" -m venv .venv
    else
      echo "The venv module is missing. Install it: sudo apt-get install python3.11-venv" >&2
      exit 1
    fi
  fi
fi

echo "==> installing the project into .venv (pinned by constraints.txt)"
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade "pip>=24"
.venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
echo "$want" > "$stamp"
