#!/usr/bin/env bash
# Everything `make test` runs for the web app (web/), on a fresh Debian machine as root:
#
#   scripts/web-test.sh            # checks, unit tests, build, then the browser tests
#   scripts/web-test.sh --no-e2e   # everything but the browser tests
#
# 1. Node.js 20.19+ and Debian's Chromium (/usr/bin/chromium), installed with apt-get when
#    missing. No browser is ever downloaded: the browser tests drive Debian's Chromium
#    through the playwright-core package.
# 2. npm ci in web/ (when package-lock.json changed since the last install).
# 3. The generated GraphQL types are up to date with api/schema.graphql (npm run codegen,
#    then git diff on web/src/gql).
# 4. Type check (tsc), lint (eslint), component tests (vitest), production build (vite).
# 5. The browser tests (web/e2e/run.mjs) under scripts/demo.sh: PostgreSQL, the AWS
#    emulator, vigil-api serving web/dist, vigil-worker. VIGIL_BIN_DIR is passed through
#    (without it demo.sh builds the binaries with cargo). vigil-api and vigil-worker run
#    with VIGIL_WEBHOOK_ALLOW_INTERNAL=true so that a webhook may post to the tests'
#    receiver on 127.0.0.1 over plain http (only here: `make demo` keeps the default).
#    Screenshots and accessibility reports go to web/e2e/artifacts/ (gitignored).
#
# Environment: VIGIL_BIN_DIR (as above), VIGIL_WEB_E2E_DB (default vigil_web_e2e),
# VIGIL_WEB_E2E_LISTEN (default 127.0.0.1:18081).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

say() { printf 'web-test: %s\n' "$*" >&2; }

e2e=1
case ${1:-} in
  --no-e2e) e2e=0 ;;
  '') ;;
  *) sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

apt_install() {
  if [[ $(id -u) != 0 ]] || ! command -v apt-get >/dev/null; then
    say "cannot install $* (not root, or no apt-get): install it and run again"
    exit 1
  fi
  say "installing $* from Debian"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

node_ok() {
  command -v node >/dev/null && command -v npm >/dev/null &&
    node -e 'const [a, b] = process.versions.node.split(".").map(Number);
             process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null
}
if ! node_ok; then apt_install nodejs npm; fi
node_ok || { say "Node.js 20.19 or later is needed (found $(node --version 2>/dev/null || echo none))"; exit 1; }
if ((e2e)) && [[ ! -x /usr/bin/chromium ]]; then apt_install chromium; fi

cd web
stamp=node_modules/.package-lock.json
if [[ ! -f $stamp || package.json -nt $stamp || package-lock.json -nt $stamp ]]; then
  say "npm ci"
  npm ci --no-audit --no-fund
fi

say "GraphQL types up to date with api/schema.graphql"
npm run -s codegen >/dev/null
if command -v git >/dev/null && git -C "$root" rev-parse --git-dir >/dev/null 2>&1; then
  if ! git -C "$root" diff --quiet -- web/src/gql; then
    git -C "$root" --no-pager diff --stat -- web/src/gql >&2
    say "web/src/gql is stale: commit the output of 'npm run codegen' (in web/)"
    exit 1
  fi
fi

say "type check";       npx tsc --noEmit -p tsconfig.json
say "lint";             npx eslint --max-warnings 0 .
say "component tests";  npx vitest run
say "build";            npm run -s build

if ((e2e == 0)); then exit 0; fi

say "browser tests (under scripts/demo.sh)"
cd "$root"
export VIGIL_DEMO_DB=${VIGIL_WEB_E2E_DB:-vigil_web_e2e}
export VIGIL_LISTEN=${VIGIL_WEB_E2E_LISTEN:-127.0.0.1:18081}
# web/dist was just built; demo.sh serves it as it is.
export VIGIL_DEMO_WEB=skip
# demo.sh starts vigil-api and vigil-worker with this environment (plus its own settings):
# the webhook steps post to a receiver on 127.0.0.1 over http, which Vigil otherwise refuses.
export VIGIL_WEBHOOK_ALLOW_INTERNAL=true
started=$(date +%s)
# The demo organisation's accounts are left out: these checks pin the two story accounts.
VIGIL_DEMO_ORGANIZATION=0 scripts/demo.sh -- node web/e2e/run.mjs
say "browser tests passed in $(($(date +%s) - started)) s (demo start-up included); artefacts in web/e2e/artifacts/"
