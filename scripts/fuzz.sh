#!/usr/bin/env bash
# Fuzzes the GraphQL API and the REST endpoints with schemathesis against the demo, and
# fails on any 5xx, INTERNAL error or hang:
#
#   scripts/fuzz.sh                        # GraphQL, then REST
#   scripts/fuzz.sh --only graphql|rest    # one of them
#   scripts/fuzz.sh --max-examples N       # test cases per operation (default 30)
#
# 1. schemathesis and its dependencies (tests/fuzz/requirements.txt, pinned) in a
#    virtualenv of their own, .demo/fuzz-venv, installed again only when the requirements
#    change.
# 2. tests/fuzz/run_fuzz.py under scripts/demo.sh (PostgreSQL, the AWS emulator,
#    vigil-api, vigil-worker and the demo tenant, whose findings and alerts the fuzzed
#    queries read): every GraphQL query and mutation of api/schema.graphql but the three
#    webhook ones that call out, and tests/fuzz/rest-openapi.yaml (auth, exports, the
#    CloudFormation template, health, metrics). Deterministic generation: the same cases
#    every run. Reports in .demo/<database>/fuzz/.
#
# Environment: VIGIL_BIN_DIR (passed on to demo.sh: use the binaries there instead of
# cargo), VIGIL_FUZZ_DB (default vigil_fuzz), VIGIL_FUZZ_LISTEN (default 127.0.0.1:18083),
# VIGIL_DEMO_WEB (default skip here: the fuzzer never loads the web app),
# VIGIL_FUZZ_EXAMPLES (the --max-examples default), VIGIL_FUZZ_DATA_DEADLINE (seconds to
# wait for the demo's findings and alerts, default 120).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

args=("$@")
while (($# > 0)); do
  case $1 in
    --only | --max-examples) (($# >= 2)) || { sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }; shift 2 ;;
    *) sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
  esac
done

venv=$root/.demo/fuzz-venv
requirements=tests/fuzz/requirements.txt
stamp=$venv/.installed-$(sha256sum "$requirements" | cut -c1-16)
if [[ ! -f $stamp ]]; then
  echo "fuzz: installing $requirements into $venv" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
  touch "$stamp"
fi

export VIGIL_DEMO_DB=${VIGIL_FUZZ_DB:-vigil_fuzz}
export VIGIL_LISTEN=${VIGIL_FUZZ_LISTEN:-127.0.0.1:18083}
export VIGIL_DEMO_WEB=${VIGIL_DEMO_WEB:-skip}
# The fuzzer sends thousands of operations as one tenant and hundreds of sign-ups and
# logins from one address: with the production limits nearly all of them would stop at
# 429 before reaching the code under test (the limits have tests of their own).
export VIGIL_GRAPHQL_RATE_LIMIT=${VIGIL_GRAPHQL_RATE_LIMIT:-1000000}
export VIGIL_AUTH_RATE_LIMIT=${VIGIL_AUTH_RATE_LIMIT:-1000000}
# The demo organisation's accounts are left out: these checks pin the two story accounts.
VIGIL_DEMO_ORGANIZATION=0 exec scripts/demo.sh -- "$venv/bin/python" tests/fuzz/run_fuzz.py "${args[@]}"
