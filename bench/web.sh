#!/usr/bin/env bash
# Web benchmark: gunicorn (2 workers, DEBUG=0, the seed catalog and the bundled 12-month
# sample profile) driven by wrk for 30 s at 16 connections per URL.
# Prints requests/s, p50/p99 latency, non-2xx counts, and page/fragment transfer sizes.
# Usage: bash bench/web.sh   (DURATION=10s CONNECTIONS=16 WORKERS=2 PORT=8799 to change)
# Database: a scratch SQLite file, or BENCH_DATABASE_URL (a scratch PostgreSQL database: it is
# flushed). Cache: in-process, or BENCH_REDIS_URL (e.g. redis://127.0.0.1:6379/11, flushed).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install -y wrk"; exit 1; }
DATA=bench/data/web
mkdir -p "$DATA"
export DEBUG=0 SECURE_SSL_REDIRECT=0 ALLOWED_HOSTS=127.0.0.1,localhost
export SECRET_KEY="bench-$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(32))')"
export SQLITE_PATH="$DATA/web.sqlite3"
unset DATABASE_URL REDIS_URL
DB_KIND=SQLite CACHE_KIND="in-process cache"
if [ -n "${BENCH_DATABASE_URL:-}" ]; then export DATABASE_URL="$BENCH_DATABASE_URL"; DB_KIND=PostgreSQL; fi
if [ -n "${BENCH_REDIS_URL:-}" ]; then export REDIS_URL="$BENCH_REDIS_URL"; CACHE_KIND=Redis; fi
export RATE_LIMIT_UPLOADS="" RATE_LIMIT_PROJECTIONS=""  # load, not abuse
PORT=${PORT:-8799}
DURATION=${DURATION:-30s}
CONNECTIONS=${CONNECTIONS:-16}
WORKERS=${WORKERS:-2}
rm -f "$SQLITE_PATH" "$SQLITE_PATH"-*
.venv/bin/python manage.py migrate --noinput -v 0
if [ -n "${DATABASE_URL:-}" ]; then .venv/bin/python manage.py flush --noinput -v 0; fi
if [ -n "${REDIS_URL:-}" ]; then
  .venv/bin/python manage.py shell -c "from django.core.cache import cache; cache.clear()"
fi
.venv/bin/python manage.py seed_catalog > /dev/null
.venv/bin/python manage.py collectstatic --noinput -v 0
PROFILE=$(.venv/bin/python manage.py shell -c "from dashboard.profile_store import ingest_sample; print(ingest_sample().pk)" | tail -1)
.venv/bin/gunicorn dashboard.wsgi --workers "$WORKERS" --bind "127.0.0.1:$PORT" --log-level warning &
GUNICORN=$!
trap 'kill $GUNICORN 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do curl -fs "http://127.0.0.1:$PORT/" -o /dev/null && break; sleep 0.2; done

BASE="http://127.0.0.1:$PORT"
DASH="/profiles/$PROFILE/"
FRAGMENT="/profiles/$PROFILE/?s=1&switch=2024-07-09&elig=openai_migrants&elig=new_customers"
cat > "$DATA/vary_growth.lua" <<LUA
-- every request a different growth rate, so most answers are computed, not cached
request = function()
  local path = "$FRAGMENT&growth=" .. (math.random(0, 2000) / 10)
  return wrk.format("GET", path, {["HX-Request"] = "true"})
end
LUA
cat > "$DATA/distinct_growth.lua" <<LUA
-- a growth rate out of two million each time: (almost) never seen before, always computed
request = function()
  local path = "$FRAGMENT&growth=" .. (math.random(0, 2000000) / 10000)
  return wrk.format("GET", path, {["HX-Request"] = "true"})
end
LUA

run() {  # name, path, extra wrk args...
  local name=$1 path=$2; shift 2
  curl -fs -o /dev/null "$BASE$path" -H "HX-Request: true" || true  # warm
  local out
  # --timeout 10s: wrk's default (2 s) would drop slow answers from the latency figures.
  out=$(wrk -t2 -c"$CONNECTIONS" -d"$DURATION" --timeout 10s --latency "$@" "$BASE$path")
  local rps p50 p99 non2xx socket
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
  p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
  non2xx=$(awk '/Non-2xx/ {print $5}' <<<"$out")
  socket=$(awk -F'Socket errors: ' '/Socket errors/ {print $2}' <<<"$out")
  printf "%-34s %9s req/s   p50 %8s   p99 %8s   non-2xx %s   socket errors: %s\n" \
    "$name" "$rps" "$p50" "$p99" "${non2xx:-0}" "${socket:-none}"
}

echo "== load average before the run: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)"
echo "== wrk: $DURATION, $CONNECTIONS connections, gunicorn $WORKERS workers, DEBUG=0, $DB_KIND, $CACHE_KIND"
run "/ (catalog)" "/"
run "/profiles/<id>/ (dashboard)" "$DASH"
run "results fragment (same URL)" "$FRAGMENT" -H "HX-Request: true"
run "results fragment (varied growth)" "$FRAGMENT" -s "$DATA/vary_growth.lua"
run "results fragment (distinct growth)" "$FRAGMENT" -s "$DATA/distinct_growth.lua"

size() { curl -fs --compressed -H "Accept-Encoding: gzip, br" -o /dev/null -w '%{size_download}' "$@"; }
echo "== transfer sizes (compressed as served)"
page=$(size "$BASE$DASH")
assets=0
for asset in $(curl -fs "$BASE$DASH" | grep -oE '/static/[^"]+\.(js|css|svg)' | sort -u); do
  assets=$((assets + $(size "$BASE$asset")))
done
printf "first load of the dashboard: page %s B + static %s B = %s B\n" "$page" "$assets" "$((page + assets))"
printf "htmx results fragment: %s B compressed, %s B uncompressed\n" \
  "$(size -H 'HX-Request: true' "$BASE$FRAGMENT")" \
  "$(curl -fs -H 'HX-Request: true' -o /dev/null -w '%{size_download}' "$BASE$FRAGMENT")"
