#!/usr/bin/env bash
# Fuzz the API contract against a live server: gunicorn (DEBUG=0) on a free port, a fresh
# SQLite database with the seed catalog and the bundled 12-month sample uploaded (so profile
# ids exist), then schemathesis on every operation of /api/openapi.json with the checks
# "no 5xx" and "response conforms to schema". Exits non-zero on any failure; prints the summary.
# Usage: bash .ci/schemathesis.sh   (EXAMPLES=25 per operation and phase by default)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=$(mktemp -d)
GUNICORN=""
cleanup() {
  if [ -n "$GUNICORN" ]; then kill "$GUNICORN" 2>/dev/null || true; wait "$GUNICORN" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT

unset DATABASE_URL REDIS_URL API_TOKENS
export DEBUG=0 SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=127.0.0.1 SQLITE_PATH="$WORK/api.sqlite3" LOG_LEVEL=ERROR
export SECRET_KEY="schemathesis-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')"
# Fuzzing is not abuse: no rate limits on this server.
export RATE_LIMIT_UPLOADS="" RATE_LIMIT_PROJECTIONS=""
.venv/bin/python manage.py migrate --noinput -v 0
.venv/bin/python manage.py seed_catalog > /dev/null
PROFILE_ID=$(.venv/bin/python manage.py shell -c \
  "from dashboard.profile_store import ingest_sample; print(ingest_sample().pk)" | tail -1)
export PROFILE_ID
PORT=$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

.venv/bin/gunicorn dashboard.wsgi --workers 2 --bind "127.0.0.1:$PORT" --timeout 120 \
  --log-level warning --error-logfile "$WORK/gunicorn.log" &
GUNICORN=$!

status=0
.venv/bin/schemathesis --config-file .ci/schemathesis.toml run "http://127.0.0.1:$PORT/api/openapi.json" \
  --wait-for-schema 60 --checks not_a_server_error,response_schema_conformance \
  --max-examples "${EXAMPLES:-25}" --seed 11 --request-timeout 60 --workers 2 --no-color || status=$?
if [ "$status" -ne 0 ]; then
  echo "schemathesis failed (exit $status); server log:"
  tail -n 50 "$WORK/gunicorn.log" || true
fi
exit "$status"
