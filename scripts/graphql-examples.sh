#!/usr/bin/env bash
# Runs the examples of docs/graphql.md with a generic GraphQL client (Python gql) against
# the demo, the way an integration would:
#
#   scripts/graphql-examples.sh                  # every check
#   scripts/graphql-examples.sh --skip-pending   # without the checks of what is not built yet
#   scripts/graphql-examples.sh --only TEXT      # the checks whose names contain TEXT
#
# 1. gql and its dependencies (tests/graphql/requirements.txt, pinned) in a virtualenv of
#    their own, .demo/gql-venv, installed again only when the requirements change.
# 2. tests/graphql/check_examples.py under scripts/demo.sh: PostgreSQL, the AWS emulator,
#    vigil-api, vigil-worker and the demo tenant, whose findings and alerts the examples read.
#
# Environment: VIGIL_BIN_DIR (passed on to demo.sh: use the binaries there instead of
# cargo), VIGIL_GQL_EXAMPLES_DB (default vigil_gql_examples), VIGIL_GQL_EXAMPLES_LISTEN
# (default 127.0.0.1:18082), VIGIL_DEMO_WEB (e.g. skip), VIGIL_GQL_DEADLINE (seconds to
# wait for the demo's findings and alerts, default 180).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

case ${1:-} in
  '' | --skip-pending | --only) ;;
  *) sed -n '5,7p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

venv=$root/.demo/gql-venv
requirements=tests/graphql/requirements.txt
stamp=$venv/.installed-$(sha256sum "$requirements" | cut -c1-16)
if [[ ! -f $stamp ]]; then
  echo "graphql-examples: installing $requirements into $venv" >&2
  rm -rf "$venv"
  mkdir -p "$(dirname "$venv")"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
  touch "$stamp"
fi

export VIGIL_DEMO_DB=${VIGIL_GQL_EXAMPLES_DB:-vigil_gql_examples}
# The webhook check posts to a receiver on loopback, which production refuses.
export VIGIL_WEBHOOK_ALLOW_INTERNAL=true
export VIGIL_LISTEN=${VIGIL_GQL_EXAMPLES_LISTEN:-127.0.0.1:18082}
# The demo organisation's accounts are left out: these checks pin the two story accounts.
VIGIL_DEMO_ORGANIZATION=0 exec scripts/demo.sh -- "$venv/bin/python" tests/graphql/check_examples.py "$@"
