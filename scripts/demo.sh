#!/usr/bin/env bash
# Runs Vigil locally: database, API and worker. Ctrl-C stops everything it started.
set -euo pipefail
cd "$(dirname "$0")/.."

db_name=${VIGIL_DEMO_DB:-vigil_demo}
admin_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
demo_url="${admin_url%/*}/$db_name"
listen=${VIGIL_LISTEN:-127.0.0.1:8080}
state=.demo
mkdir -p "$state"

echo "demo: building vigil-api and vigil-worker"
cargo build -q -p vigil-api -p vigil-worker
bin="$CARGO_TARGET_DIR/debug"

if ! psql "$admin_url" -tAc "select 1 from pg_database where datname = '$db_name'" | grep -q 1; then
  psql "$admin_url" -qc "create database $db_name"
fi

export DATABASE_URL="$demo_url" VIGIL_ENV=dev VIGIL_LISTEN="$listen"
"$bin/vigil-api" migrate

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "demo: stopping"
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

VIGIL_MIGRATE_ON_START=false "$bin/vigil-api" >"$state/api.log" 2>&1 & pids+=($!)
"$bin/vigil-worker" >"$state/worker.log" 2>&1 & pids+=($!)

for _ in $(seq 1 100); do
  curl -fsS "http://$listen/readyz" >/dev/null 2>&1 && break
  sleep 0.2
done
curl -fsS "http://$listen/readyz" >/dev/null || { echo "demo: the API did not become ready; see $state/api.log"; exit 1; }

cat <<MSG

  Vigil is running.
    API:      http://$listen   (health: /healthz, readiness: /readyz, metrics: /metrics)
    Logs:     $state/api.log, $state/worker.log
    Database: $demo_url

  Press Ctrl-C to stop.
MSG
wait
