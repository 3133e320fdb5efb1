#!/usr/bin/env bash
# Usage: ensure-tools.sh [wrk]
# Makes sure the operations tools are installed: promtool and prometheus (Debian package
# `prometheus` carries both), or with `wrk` the HTTP load generator the benchmarks use
# (Debian package `wrk`). Installs them with apt-get when missing and we are root on
# Debian/Ubuntu; otherwise says exactly what to run. Used by `make deploy-check`, the
# tests in tests/ops and `make bench`.
set -euo pipefail

if [ "${1:-}" = wrk ]; then
  command -v wrk >/dev/null 2>&1 && exit 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> installing wrk (Debian package wrk)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk >/dev/null
  else
    # the benchmarks still run without it (Python client threads, and they say so)
    echo "wrk not installed (sudo apt-get install wrk); benchmarks fall back to Python clients" >&2
  fi
  exit 0
fi

missing=()
for tool in promtool prometheus; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing ${missing[*]} (Debian package prometheus)"
  apt-get update -qq
  # --no-install-recommends: the exporters it recommends are not needed here; the
  # package's own service is not started (no systemd in a container) and we never use it
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    prometheus >/dev/null
  # the package may have started its own server on :9090 (policy-rc.d permitting): stop
  # it, the tests start their own on a free port
  if command -v invoke-rc.d >/dev/null 2>&1; then
    invoke-rc.d prometheus stop >/dev/null 2>&1 || true
  fi
else
  echo "${missing[*]} not installed. Run: sudo apt-get install --no-install-recommends prometheus" >&2
  exit 1
fi
for tool in promtool prometheus; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool still missing after install" >&2; exit 1; }
done
echo "==> $(promtool --version 2>&1 | head -1)"
