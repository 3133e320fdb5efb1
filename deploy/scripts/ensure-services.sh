#!/usr/bin/env bash
# Makes sure PostgreSQL and RabbitMQ are reachable at the configured addresses.
# Starts local ones that are installed but stopped; installs them from Debian's packages
# when they are missing and we are root on Debian; otherwise says exactly what to run.
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=.venv/bin/python

# host port pairs come from the same settings the processes use (eventing/config.py)
read -r PG_HOST PG_PORT AMQP_HOST AMQP_PORT < <($PY -m eventing.config endpoints)

reachable() { $PY - "$1" "$2" <<'PYEOF'
import socket, sys
try:
    socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=1).close()
except OSError:
    sys.exit(1)
PYEOF
}

wait_for() {  # name host port seconds
  for _ in $(seq 1 "$4"); do reachable "$2" "$3" && return 0; sleep 1; done
  echo "$1 did not become reachable at $2:$3 within $4 s" >&2; return 1
}

is_local() { case "$1" in 127.*|localhost|::1) return 0;; *) return 1;; esac; }
can_install() { [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; }

# A fresh Debian cluster asks for a password on 127.0.0.1, and the default settings carry
# none: on a cluster this script just installed, let the postgres role in from loopback.
trust_loopback() {
  local hba version
  for hba in /etc/postgresql/*/main/pg_hba.conf; do
    [ -f "$hba" ] || continue
    echo "==> $hba: trusting the postgres role on 127.0.0.1 and ::1 (local development)"
    sed -i '1i host all postgres 127.0.0.1/32 trust\nhost all postgres ::1/128 trust' "$hba"
    version=$(basename "$(dirname "$(dirname "$hba")")")
    # the package may have started the cluster already: make it read the new rules
    pg_ctlcluster --skip-systemctl-redirect "$version" main reload 2>/dev/null || true
  done
}

start_postgres() {
  if ! command -v pg_ctlcluster >/dev/null || [ -z "$(ls /etc/postgresql 2>/dev/null)" ]; then
    if can_install; then
      echo "==> installing PostgreSQL from the distribution's packages"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
      trust_loopback
    else
      echo "PostgreSQL is not installed. Run: sudo apt-get install postgresql" >&2; exit 1
    fi
  fi
  for version in $(ls /etc/postgresql); do
    echo "==> starting PostgreSQL $version"
    if [ "$(id -u)" = 0 ]; then
      pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
    else
      echo "Run: sudo pg_ctlcluster --skip-systemctl-redirect $version main start" >&2; exit 1
    fi
  done
}

start_rabbitmq() {
  if ! command -v rabbitmq-server >/dev/null; then
    if can_install; then
      echo "==> installing RabbitMQ from the distribution's packages"
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq rabbitmq-server >/dev/null
    else
      echo "RabbitMQ is not installed. Run: sudo apt-get install rabbitmq-server" >&2; exit 1
    fi
  fi
  echo "==> starting RabbitMQ"
  if [ "$(id -u)" = 0 ]; then
    rabbitmq-server -detached || true
  else
    echo "Run: sudo rabbitmq-server -detached" >&2; exit 1
  fi
}

if ! reachable "$PG_HOST" "$PG_PORT"; then
  is_local "$PG_HOST" || { echo "PostgreSQL at $PG_HOST:$PG_PORT is not reachable (set EVENTSTORE_URI / READMODEL_DATABASE_URL)" >&2; exit 1; }
  start_postgres
  wait_for PostgreSQL "$PG_HOST" "$PG_PORT" 60
fi
if ! reachable "$AMQP_HOST" "$AMQP_PORT"; then
  is_local "$AMQP_HOST" || { echo "RabbitMQ at $AMQP_HOST:$AMQP_PORT is not reachable (set AMQP_URI)" >&2; exit 1; }
  start_rabbitmq
  wait_for RabbitMQ "$AMQP_HOST" "$AMQP_PORT" 90
fi
echo "==> PostgreSQL $PG_HOST:$PG_PORT and RabbitMQ $AMQP_HOST:$AMQP_PORT are reachable"
