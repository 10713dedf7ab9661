#!/usr/bin/env bash
# Runs the web app and the background worker (+ scheduler) together; Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=.venv
export KEFU_DEBUG=${KEFU_DEBUG:-0}

pids=()
cleanup() {
  trap - INT TERM EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "Kefu stopped."
}
trap cleanup INT TERM EXIT

# Every runtime file stays under var/ (KEFU_VAR_DIR). The schedule lives in the database
# (django-celery-beat), so an administrator's edits apply; note `-S` would be --statedb.
VAR=${KEFU_VAR_DIR:-var}
mkdir -p "$VAR"
"$VENV/bin/celery" -A kefu worker -B -c 1 -l warning \
  --scheduler django_celery_beat.schedulers:DatabaseScheduler \
  --statedb "$VAR/celery-worker.state" &
pids+=($!)
"$VENV/bin/gunicorn" kefu.wsgi:application -b 127.0.0.1:8000 -w 2 --access-logfile - &
pids+=($!)

echo
echo "Kefu runs on http://127.0.0.1:8000  (users: see README, password kefu2026). Ctrl-C stops it."
wait -n
