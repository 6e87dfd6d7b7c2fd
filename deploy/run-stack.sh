#!/usr/bin/env bash
# Runs web (gunicorn, WSGI), the ASGI service, a Celery worker and beat
# against the services named by DATABASE_URL, REDIS_URL and
# CELERY_BROKER_URL, without Docker. Ctrl-C stops them all.
set -euo pipefail
cd "$(dirname "$0")/.."

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap stop EXIT INT TERM

make --no-print-directory web & pids+=($!)
make --no-print-directory asgi & pids+=($!)
make --no-print-directory worker & pids+=($!)
make --no-print-directory beat & pids+=($!)
wait -n "${pids[@]}"
