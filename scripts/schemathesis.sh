#!/usr/bin/env bash
# An outside client against the API (issue 13 §3): schemathesis, in its own virtualenv (it pins
# its own hypothesis), against a fresh demo served by gunicorn on 127.0.0.1 only. Fixed seed and
# a bounded number of examples so it fits CI's time; any server error or schema violation fails.
#
# Checks left out, and why:
#   ignored_auth              (ST401) a false positive here: schemathesis keeps the cookies the
#                             server set while it "forges" the credentials, so the request is
#                             still authenticated; the API's own tests check 401/403 without them.
#   positive_data_acceptance  (ST202) a workflow refuses schema-valid input for reasons no schema
#                             can state (the state the item is in, a relation, a text that is
#                             blank once stripped): a 400 with a Chinese message is the answer.
# One worker: with two, CPython 3.11.7 once crashed inside schemathesis ("AST constructor
# recursion depth mismatch", ast.parse from two threads), failing a run that found nothing.
# Operations left out, and why:
#   auth_logout_create, auth_tokens_destroy  they end the token the run authenticates with (the
#                             rest would be a run of 401s); kefu/org/tests/test_tokens.py tests them.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT=${KEFU_ST_PORT:-8765}
EXAMPLES=${KEFU_ST_EXAMPLES:-10}
SEED=${KEFU_ST_SEED:-1}
VAR=$(mktemp -d /tmp/kefu-st.XXXXXX)
ST=.venv-st

if [ ! -x "$ST/bin/schemathesis" ] || ! cmp -s requirements-schemathesis.txt "$ST/.installed"; then
  python3 -m venv "$ST"
  "$ST/bin/pip" install -q --disable-pip-version-check -r requirements-schemathesis.txt
  cp requirements-schemathesis.txt "$ST/.installed"
fi

export KEFU_VAR_DIR="$VAR" KEFU_DEBUG=0 KEFU_JOBS_EAGER=1 KEFU_ALLOWED_HOSTS=127.0.0.1,localhost
unset DATABASE_URL REDIS_URL CELERY_BROKER_URL
.venv/bin/python manage.py migrate --noinput -v0
.venv/bin/python manage.py load_demo >/dev/null
.venv/bin/python manage.py collectstatic --noinput -v0

# Long query strings reach Django (a 400 in JSON) instead of gunicorn's own 414 page.
.venv/bin/gunicorn kefu.wsgi:application -b "127.0.0.1:$PORT" -w 2 --timeout 60 \
  --limit-request-line 8190 --limit-request-field_size 16380 --log-level warning &
server=$!
trap 'kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; rm -rf "$VAR"' EXIT
for _ in $(seq 60); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 1; done

token=$(curl -sf -X POST -H "Content-Type: application/json" -d '{"username":"admin","password":"kefu2026"}' \
  "http://127.0.0.1:$PORT/api/auth/token/" | .venv/bin/python -c "import json, sys; print(json.load(sys.stdin)['token'])")

"$ST/bin/schemathesis" run "http://127.0.0.1:$PORT/api/schema/" \
  -H "Authorization: Token $token" \
  --checks all --exclude-checks ignored_auth,positive_data_acceptance \
  --exclude-operation-id auth_logout_create --exclude-operation-id auth_tokens_destroy \
  --phases examples,coverage,fuzzing --max-examples "$EXAMPLES" --seed "$SEED" -w 1 \
  --suppress-health-check all --warnings off
