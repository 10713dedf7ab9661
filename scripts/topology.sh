#!/usr/bin/env bash
# Several processes, as in production (issue 13 §7): a fresh demo on PostgreSQL with RabbitMQ as
# broker and Redis as cache, served by 2 gunicorn workers, with 2 Celery workers and ONE beat;
# then a bounded headless locust load from 127.0.0.1 (bench/locustfile.py: hotline intake,
# request list, workbench, dispatch). Checks, each printed as one JSON line
# (scripts/topology_check.py): 0 server errors (locust and gunicorn's log), every notification
# sent once (outbox all sent, one bell item per in-app row, one mail per Message-ID, one robot
# POST per robot row, received by a local sink), and the breach scan run once per beat tick
# across both workers (deadlines.ScanRun rows against beat's log; the scan ticks every 5 s here).
# Exit 1 when a check fails. Needs PostgreSQL, RabbitMQ and Redis on 127.0.0.1 (.ci/run starts them).
set -euo pipefail
cd "$(dirname "$0")/.."
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PORT=${KEFU_TOPO_PORT:-$(free_port)}
SINK_PORT=${KEFU_TOPO_SINK_PORT:-$(free_port)}
USERS=${KEFU_TOPO_USERS:-30}
DURATION=${KEFU_TOPO_DURATION:-60s}
PGURL=postgres://postgres@127.0.0.1:5432
DB=kefu_topology_$$
VHOST=kefu-topology-$$
VAR=$(mktemp -d /tmp/kefu-topo.XXXXXX)
LOC=.venv-locust
PY=.venv/bin/python
t0=$(date +%s)
phase() { echo "== topology: $1 (at $(($(date +%s) - t0)) s)" >&2; }

if [ ! -x "$LOC/bin/locust" ] || ! cmp -s requirements-locust.txt "$LOC/.installed"; then
  python3 -m venv "$LOC"
  "$LOC/bin/pip" install -q --disable-pip-version-check -r requirements-locust.txt
  cp requirements-locust.txt "$LOC/.installed"
fi

pids=()
vhost=""
cleanup() {
  trap - EXIT
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  dropdb -h 127.0.0.1 -U postgres --if-exists "$DB" 2>/dev/null || true
  if [ -n "$vhost" ]; then rabbitmqctl -q delete_vhost "$vhost" >/dev/null 2>&1 || true; fi
  if [ -n "${KEFU_TOPO_KEEP:-}" ]; then echo "logs kept in $VAR" >&2; else rm -rf "$VAR"; fi
}
trap cleanup EXIT
stop() {  # stop one process we started, and wait for it (a warm shutdown for Celery)
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

createdb -h 127.0.0.1 -U postgres -T template0 -E UTF8 --lc-ctype=C.UTF-8 "$DB"
# A vhost of its own, so no other worker on this RabbitMQ takes our tasks (or we theirs).
if rabbitmqctl -q add_vhost "$VHOST" >/dev/null 2>&1; then
  vhost=$VHOST
  rabbitmqctl -q set_permissions -p "$VHOST" guest '.*' '.*' '.*' >/dev/null
fi
redis-cli -h 127.0.0.1 -p 6379 -n 13 flushdb >/dev/null

export DATABASE_URL=$PGURL/$DB
export CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672/${vhost:-%2F}
export REDIS_URL=redis://127.0.0.1:6379/13
export KEFU_VAR_DIR=$VAR/var KEFU_DEBUG=0 KEFU_JOBS_EAGER=0 KEFU_TESTING=0
export KEFU_SECRET_KEY=topology-$$-$RANDOM$RANDOM$RANDOM KEFU_ALLOWED_HOSTS=127.0.0.1,localhost
export KEFU_BASE_URL=http://127.0.0.1:$PORT KEFU_EMAIL_URL=consolemail://
export KEFU_DISPATCH_ROBOT_URL=http://127.0.0.1:$SINK_PORT/cgi-bin/webhook/send?key=topology
export KEFU_DEADLINE_SCAN_SECONDS=5
unset KEFU_LOG_LEVEL

phase "fresh database $DB, broker vhost ${vhost:-/}: migrate, load_demo"
$PY manage.py migrate --noinput -v0
$PY manage.py load_demo >/dev/null
$PY scripts/topology_check.py prepare --out "$VAR/clocks.json"

: >"$VAR/robot.jsonl"
$PY scripts/topology_check.py sink --port "$SINK_PORT" --out "$VAR/robot.jsonl" &
pids+=($!)
.venv/bin/gunicorn kefu.wsgi:application -b "127.0.0.1:$PORT" -w 2 --timeout 60 \
  --access-logfile "$VAR/access.log" --access-logformat '%(s)s %(m)s %(U)s %(M)s' 2>"$VAR/gunicorn.log" &
pids+=($!)
for n in 1 2; do
  .venv/bin/celery -A kefu worker -c 1 -n "w$n@%h" -l info >"$VAR/worker$n.log" 2>&1 &
  pids+=($!)
done
.venv/bin/celery -A kefu beat -S django_celery_beat.schedulers:DatabaseScheduler -l info \
  --pidfile "$VAR/beat.pid" >"$VAR/beat.log" 2>&1 &
beat=$!
pids+=("$beat")

phase "2 gunicorn workers, 2 Celery workers, 1 beat"
for _ in $(seq 60); do
  ready=$(cat "$VAR"/worker*.log | grep -c " ready\.$" || true)
  if [ "$ready" = 2 ] && curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null; then break; fi
  sleep 1
done

phase "locust: $USERS users for $DURATION"
"$LOC/bin/locust" -f bench/locustfile.py --headless -u "$USERS" -r 5 -t "$DURATION" \
  --host "http://127.0.0.1:$PORT" --csv "$VAR/locust" --only-summary --loglevel WARNING \
  --exit-code-on-error 0 >"$VAR/locust.log" 2>&1

# One beat: stop it first, then let the two workers finish what it and the load queued.
phase "beat stopped; draining the workers"
stop "$beat"
$PY scripts/topology_check.py drain --beat-log "$VAR/beat.log" --timeout 90
for pid in "${pids[@]}"; do stop "$pid"; done
pids=()

phase "checks"
status=0
$PY scripts/topology_check.py check --var "$VAR" --users "$USERS" --duration "$DURATION" || status=$?
if [ "$status" != 0 ]; then
  echo "== topology: a check failed; the last lines of the logs:" >&2
  tail -n 20 "$VAR/gunicorn.log" "$VAR"/worker*.log "$VAR/beat.log" "$VAR/locust.log" >&2 || true
fi
exit "$status"
