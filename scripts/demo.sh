#!/usr/bin/env bash
# Runs the whole product locally against the AWS emulator, with a demo organisation:
#
#   scripts/demo.sh                   # prints the URL and the login; Ctrl-C stops everything
#   scripts/demo.sh -- COMMAND ARGS   # runs COMMAND once the demo is up, then stops it all
#
# Steps: PostgreSQL (started or installed when none answers), the demo database dropped
# and created again, migrations, the AWS emulator (tests/aws) on a free port, the web app
# built when web/package.json exists, vigil-api and vigil-worker pointed at the emulator,
# then scripts/demo_setup.py: the demo user signs up, two AWS connections are created
# (createAwsAccount), the two emulated accounts are seeded with the customer role trusting
# each external ID and the attack story plays, and the connections are verified with their
# role ARNs (verifyAwsAccount), which queues the first scans and ingestions; then an emulated
# AWS Organization (a management account and 3 members) is connected in one step
# (createAwsOrganization, Vigil's templates deployed, verifyAwsOrganization).
#
# Environment:
#   VIGIL_DEMO_DB   database name (default vigil_demo); dropped and created on every start
#   VIGIL_LISTEN    address of the API (default 127.0.0.1:8080)
#   VIGIL_BIN_DIR   use the vigil-api and vigil-worker binaries there and do not run cargo
#                   (otherwise: cargo build, into CARGO_TARGET_DIR, default /var/cache/vigil/target)
#   VIGIL_DEMO_ORGANIZATION  `0` leaves out the demo AWS Organization (default 1; the web,
#                   GraphQL-examples and fuzz suites pin the two story accounts)
#   VIGIL_DEMO_WEB  `build` (default: build web/ when web/package.json exists) or `skip`
#                   (serve web/dist as it is, if it exists)
#   DATABASE_URL    a superuser URL of the PostgreSQL server to use
#                   (default postgres://postgres@127.0.0.1:5432/postgres)
#   VIGIL_SCAN_INTERVAL, VIGIL_INGEST_INTERVAL, VIGIL_AUTH_RATE_LIMIT, RUST_LOG, ...: passed on
#
# COMMAND gets VIGIL_DEMO_URL, VIGIL_DEMO_EMAIL, VIGIL_DEMO_PASSWORD, VIGIL_EMULATOR_URL,
# VIGIL_PYTHON (and VIGIL_DEMO_DATABASE_URL, VIGIL_DEMO_STARTED_AT); the script exits with
# COMMAND's status. Logs: .demo/<database>/.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started_at=$(date +%s)

say() { printf 'demo: %s\n' "$*" >&2; }

usage() {
  sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
}

command=()
if (($# > 0)); then
  case $1 in
    --)
      shift
      command=("$@")
      if ((${#command[@]} == 0)); then usage >&2; exit 2; fi
      ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
fi

db_name=${VIGIL_DEMO_DB:-vigil_demo}
if [[ ! $db_name =~ ^[a-z_][a-z0-9_]{0,62}$ ]]; then
  say "VIGIL_DEMO_DB must be a lower-case identifier ([a-z_][a-z0-9_]*), got '$db_name'"
  exit 2
fi
listen=${VIGIL_LISTEN:-127.0.0.1:8080}
port=${listen##*:}
host=${listen%:*}
if [[ ! $port =~ ^[0-9]+$ ]] || [[ -z $host ]]; then
  say "VIGIL_LISTEN must be HOST:PORT, got '$listen'"
  exit 2
fi
case $host in
  0.0.0.0) client_host=127.0.0.1 ;;
  "[::]") client_host="[::1]" ;;
  *) client_host=$host ;;
esac
api_url="http://$client_host:$port"
admin_url=${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}
admin_base=${admin_url%%\?*}
admin_query=${admin_url#"$admin_base"}
demo_db_url="${admin_base%/*}/$db_name$admin_query"
# For messages: the URLs without a password.
redact_url() { sed -E 's#^([a-z]+://[^:/@]*):[^@/]*@#\1:***@#' <<<"$1"; }
shown_admin=$(redact_url "$admin_base")
shown_demo_db=$(redact_url "$demo_db_url")
web_mode=${VIGIL_DEMO_WEB:-build}
demo_email=demo@vigil.example
demo_password=vigil-demo-password
state=$root/.demo/$db_name
mkdir -p "$state"
rm -f "$state"/*.log "$state/emulator.port" "$state/seed.json"

# ---- stopping: every process this script started, whatever way it ends -----------------
api_pid='' worker_pid='' emulator_pid='' command_pid=''
stopping=0
# (The handlers run from traps, which shellcheck does not follow: SC2317.)
# shellcheck disable=SC2317,SC2329
stop_all() {
  local pid deadline
  for pid in "$command_pid" "$worker_pid" "$api_pid" "$emulator_pid"; do
    if [[ -n $pid ]]; then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  deadline=$((SECONDS + 15))
  for pid in "$command_pid" "$worker_pid" "$api_pid" "$emulator_pid"; do
    [[ -n $pid ]] || continue
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
}
# shellcheck disable=SC2317,SC2329
on_exit() {
  local status=$?
  trap - EXIT INT TERM
  if ((stopping == 0)); then stopping=1; say "stopping"; fi
  stop_all
  exit "$status"
}
# shellcheck disable=SC2317,SC2329
on_signal() { # STATUS: what to exit with when a COMMAND was interrupted (128 + signal)
  trap - INT TERM
  stopping=1
  say "stopping (signal)"
  stop_all
  if ((${#command[@]} > 0)); then exit "$1"; fi
  exit 0
}
trap on_exit EXIT
trap 'on_signal 130' INT
trap 'on_signal 143' TERM

# fail MESSAGE [LOG...]: says what failed, shows the end of each log, exits non-zero.
fail() {
  local log
  say "FAILED: $1"
  shift
  for log in "$@"; do
    [[ -s $log ]] || continue
    printf '%s\n' "---- last lines of $log" >&2
    tail -n 40 "$log" | sed 's/^/  | /' >&2
  done
  exit 1
}

# ---- prerequisites -------------------------------------------------------------------------
if ! command -v pg_isready >/dev/null || ! pg_isready -q -d "$admin_url"; then
  say "no PostgreSQL answers at $shown_admin; starting or installing one"
  scripts/ensure-postgres.sh
fi
py=${VIGIL_PYTHON:-$root/.venv/bin/python}
if [[ ! -x $py ]] || ! PYTHONPATH=$root/tests/aws "$py" -c 'import vigil_emulator.seed' 2>/dev/null; then
  say "creating the emulator's virtualenv (make venv)"
  make -s venv
  py=$root/.venv/bin/python
fi

if [[ -n ${VIGIL_BIN_DIR:-} ]]; then
  bin=$VIGIL_BIN_DIR
else
  export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/cache/vigil/target}
  say "building vigil-api and vigil-worker (cargo, into $CARGO_TARGET_DIR)"
  cargo build -q -p vigil-api -p vigil-worker
  bin=$CARGO_TARGET_DIR/debug
fi
for b in vigil-api vigil-worker; do
  [[ -x $bin/$b ]] || fail "$bin/$b not found or not executable (VIGIL_BIN_DIR?)"
done

"$py" scripts/demo_setup.py port-free "$listen" ||
  fail "something already answers on $listen: stop it, or set VIGIL_LISTEN to another address"

# ---- the web app ---------------------------------------------------------------------------
# Node.js 20.19 or later (Vite 7). Without it the demo still runs, without the dashboard.
node_ok() {
  command -v node >/dev/null && command -v npm >/dev/null &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number);
             process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}
web_skipped=''
build_web() {
  local log=$state/web.log
  if ! node_ok && [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    say "installing Node.js and npm from Debian (log: $log)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm; } \
      >>"$log" 2>&1 || true
  fi
  if ! node_ok; then
    web_skipped="Node.js 20.19 or later is needed to build web/ (found: $(node --version 2>/dev/null || echo none))"
    say "WARNING: $web_skipped; running without the web app"
    return 0
  fi
  local stamp=web/node_modules/.package-lock.json
  if [[ ! -f $stamp || web/package.json -nt $stamp || (-f web/package-lock.json && web/package-lock.json -nt $stamp) ]]; then
    say "installing the web app's packages (npm, log: $log)"
    if [[ -f web/package-lock.json ]]; then
      (cd web && npm ci --no-audit --no-fund) >>"$log" 2>&1 || fail "npm ci failed" "$log"
    else
      (cd web && npm install --no-audit --no-fund) >>"$log" 2>&1 || fail "npm install failed" "$log"
    fi
  fi
  # Rebuilt when anything Vite reads is newer than the last build (not for tests or e2e).
  local newer='' inputs=() input
  for input in web/src web/public web/index.html web/vite.config.* web/tsconfig*.json \
    web/package.json web/package-lock.json; do
    if [[ -e $input ]]; then inputs+=("$input"); fi
  done
  if [[ -f web/dist/index.html ]]; then
    newer=$(find "${inputs[@]}" -type f -newer web/dist/index.html -print -quit)
  fi
  if [[ ! -f web/dist/index.html || -n $newer ]]; then
    say "building the web app (npm run build, log: $log)"
    (cd web && npm run build) >>"$log" 2>&1 || fail "the web app's build failed" "$log"
  fi
}
web_dir=''
case $web_mode in
  build) if [[ -f web/package.json ]]; then build_web; fi ;;
  skip) ;;
  *) fail "VIGIL_DEMO_WEB must be build or skip, got '$web_mode'" ;;
esac
if [[ -z $web_skipped && -f web/dist/index.html ]]; then web_dir=$root/web/dist; fi

# ---- database ------------------------------------------------------------------------------
say "database $db_name: dropping and creating it again"
PGOPTIONS='-c client_min_messages=warning' psql "$admin_url" -v ON_ERROR_STOP=1 -q \
  -c "drop database if exists \"$db_name\" with (force)" -c "create database \"$db_name\"" \
  >"$state/database.log" 2>&1 ||
  fail "could not drop and create database $db_name at $shown_admin (DATABASE_URL must name a superuser)" \
    "$state/database.log"

# Vigil's processes: development mode, the emulator's management account as Vigil's own
# AWS identity (moto's default account 123456789012), no shared AWS configuration.
service_env=(
  -u AWS_SESSION_TOKEN -u AWS_PROFILE -u AWS_DEFAULT_PROFILE -u AWS_ROLE_ARN
  -u AWS_WEB_IDENTITY_TOKEN_FILE -u AWS_DEFAULT_REGION
  DATABASE_URL="$demo_db_url"
  VIGIL_ENV=dev
  VIGIL_LISTEN="$listen"
  VIGIL_PUBLIC_URL="$api_url"
  VIGIL_MIGRATE_ON_START=false
  # Scans are queued on connecting; later ones every 10 minutes. Activity every minute.
  VIGIL_SCAN_INTERVAL="${VIGIL_SCAN_INTERVAL:-10m}"
  VIGIL_INGEST_INTERVAL="${VIGIL_INGEST_INTERVAL:-1m}"
  VIGIL_SHUTDOWN_GRACE="${VIGIL_SHUTDOWN_GRACE:-5s}"
  AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE
  AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
  AWS_REGION=us-east-1
  AWS_CONFIG_FILE=/dev/null
  AWS_SHARED_CREDENTIALS_FILE=/dev/null
  AWS_EC2_METADATA_DISABLED=true
)
if [[ -n $web_dir ]]; then service_env+=(VIGIL_WEB_DIR="$web_dir"); fi

env "${service_env[@]}" "$bin/vigil-api" migrate >"$state/migrate.log" 2>&1 ||
  fail "vigil-api migrate failed" "$state/migrate.log"

# ---- the AWS emulator ----------------------------------------------------------------------
# A coprocess: its stdin is a pipe only this shell holds, so it exits with the shell
# (--exit-on-stdin-eof) even if the shell is killed without a chance to stop it.
say "starting the AWS emulator (log: $state/emulator.log)"
# shellcheck disable=SC2034  # EMULATOR holds the coprocess's pipes
coproc EMULATOR {
  exec env PYTHONPATH="$root/tests/aws" "$py" -m vigil_emulator --host 127.0.0.1 --port 0 \
    --port-file "$state/emulator.port" --exit-on-stdin-eof >"$state/emulator.out" 2>"$state/emulator.log"
}
# shellcheck disable=SC2153  # set by coproc
emulator_pid=$EMULATOR_PID
for _ in $(seq 1 450); do
  [[ -s $state/emulator.port ]] && break
  kill -0 "$emulator_pid" 2>/dev/null || break
  sleep 0.2
done
[[ -s $state/emulator.port ]] || fail "the AWS emulator did not start" "$state/emulator.log"
emulator_url="http://127.0.0.1:$(<"$state/emulator.port")"
"$py" scripts/demo_setup.py wait-http "$emulator_url/_vigil/health" --pid "$emulator_pid" --timeout 30 ||
  fail "the AWS emulator does not answer" "$state/emulator.log"
service_env+=(AWS_ENDPOINT_URL="$emulator_url")

# ---- Vigil ---------------------------------------------------------------------------------
say "starting vigil-api on $listen and vigil-worker (logs: $state/api.log, $state/worker.log)"
env "${service_env[@]}" "$bin/vigil-api" serve >"$state/api.log" 2>&1 &
api_pid=$!
env "${service_env[@]}" "$bin/vigil-worker" >"$state/worker.log" 2>&1 &
worker_pid=$!
"$py" scripts/demo_setup.py wait-http "$api_url/readyz" --pid "$api_pid" --timeout 60 ||
  fail "vigil-api did not become ready" "$state/api.log"
kill -0 "$worker_pid" 2>/dev/null || fail "vigil-worker exited" "$state/worker.log"

# ---- the demo organisation, through the real API -------------------------------------------
organization_flag=()
if [[ ${VIGIL_DEMO_ORGANIZATION:-1} == 0 ]]; then organization_flag=(--no-organization); fi
VIGIL_DEMO_EMAIL=$demo_email VIGIL_DEMO_PASSWORD=$demo_password VIGIL_PYTHON=$py \
  "$py" scripts/demo_setup.py onboard --api "$api_url" --emulator "$emulator_url" --state "$state" \
  ${organization_flag[@]+"${organization_flag[@]}"} 2> >(tee "$state/setup.log" >&2) ||
  fail "setting up the demo organisation failed" "$state/api.log" "$state/emulator.log"
kill -0 "$worker_pid" 2>/dev/null || fail "vigil-worker exited" "$state/worker.log"

export VIGIL_DEMO_URL=$api_url VIGIL_DEMO_EMAIL=$demo_email VIGIL_DEMO_PASSWORD=$demo_password
export VIGIL_EMULATOR_URL=$emulator_url VIGIL_PYTHON=$py VIGIL_DEMO_DATABASE_URL=$demo_db_url
export VIGIL_DEMO_STARTED_AT=$started_at

if ((${#command[@]} > 0)); then
  say "up after $(($(date +%s) - started_at)) s; running: ${command[*]}"
  "${command[@]}" <&0 &
  command_pid=$!
  status=0
  wait "$command_pid" || status=$?
  command_pid=''
  say "command exited with status $status"
  exit "$status"
fi

if [[ -n $web_dir ]]; then
  web_line="Dashboard: $api_url/"
elif [[ -n $web_skipped ]]; then
  web_line="Dashboard: none: $web_skipped"
else
  web_line="Dashboard: none (no web/dist: web/package.json missing, or VIGIL_DEMO_WEB=skip)"
fi
cat <<MSG

  Vigil is running (up after $(($(date +%s) - started_at)) s). Findings and alerts appear within about a minute.

    $web_line
    Login:     $demo_email / $demo_password
    API:       $api_url/graphql (GraphiQL in the browser), REST under $api_url/api/v1
    Accounts:  production 111111111111 and staging 222222222222 (emulated; regions
               us-east-1, eu-west-1, ap-southeast-2)
    Emulator:  $emulator_url
    Database:  $shown_demo_db
    Logs:      $state/{api,worker,emulator,setup}.log

  Press Ctrl-C to stop.
MSG

while kill -0 "$api_pid" 2>/dev/null && kill -0 "$worker_pid" 2>/dev/null &&
  kill -0 "$emulator_pid" 2>/dev/null; do
  sleep 1 &
  wait $! || true
done
kill -0 "$api_pid" 2>/dev/null || fail "vigil-api exited" "$state/api.log"
kill -0 "$worker_pid" 2>/dev/null || fail "vigil-worker exited" "$state/worker.log"
fail "the AWS emulator exited" "$state/emulator.log"
