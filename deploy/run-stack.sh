#!/usr/bin/env bash
# Runs web (gunicorn, WSGI), the ASGI service, a Celery worker, beat and the
# outbox relay against the services named by DATABASE_URL, REDIS_URL and
# CELERY_BROKER_URL, without Docker. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."

# Requests only write outbox events; the relay publishes them as they commit
# (it listens for PostgreSQL's NOTIFY, so on PostgreSQL only, unless told).
case "$DATABASE_URL" in
    postgres*) export OUTBOX_RELAY="${OUTBOX_RELAY:-true}" ;;
    *) export OUTBOX_RELAY="${OUTBOX_RELAY:-false}" ;;
esac

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

make --no-print-directory web & pids+=($!)
make --no-print-directory asgi & pids+=($!)
make --no-print-directory worker & pids+=($!)
make --no-print-directory beat & pids+=($!)
if [ "$OUTBOX_RELAY" = "true" ]; then
    make --no-print-directory relay & pids+=($!)
fi
wait -n "${pids[@]}"
