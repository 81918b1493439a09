# Vigil: `make test` runs every check and test; `make demo` runs the whole product.
# Both do their own set-up on a fresh Debian machine (as root).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# Build artefacts live outside the clone so CI and later sessions reuse them; nothing
# depends on this cache being warm.
export CARGO_TARGET_DIR ?= /var/cache/vigil/target
# Tests create a database per test, so they need a superuser URL.
export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
export VIGIL_PYTHON := $(CURDIR)/.venv/bin/python
export CARGO_TERM_COLOR ?= never

VENV := .venv
PY_REQS := tests/aws/requirements.txt

.PHONY: help test demo demo-check lint-deploy web-test graphql-examples fuzz check-tools db venv fmt lint unit emulator-selfcheck schema bench clean

help:
	@echo "make test   - format check, clippy, and every test (sets up PostgreSQL and the emulator venv)"
	@echo "make demo   - run the whole product locally and print where to open it"
	@echo "make bench  - run the benchmarks (figures go in docs/performance.md)"

check-tools:
	@command -v cargo >/dev/null || { echo "cargo not found: install Rust with rustup (https://rustup.rs)"; exit 1; }
	@command -v python3 >/dev/null || { echo "python3 not found: apt-get install -y python3 python3-venv"; exit 1; }

db:
	@scripts/ensure-postgres.sh

venv: $(VENV)/.installed

$(VENV)/.installed: $(PY_REQS)
	@python3 -m venv $(VENV) || { apt-get update -qq && apt-get install -y -qq python3-venv && python3 -m venv $(VENV); }
	$(VENV)/bin/pip install -q -r $(PY_REQS)
	@touch $@

fmt:
	cargo fmt --all -- --check

lint:
	cargo clippy --workspace --all-targets -- -D warnings

unit:
	cargo test --workspace --no-fail-fast

# The emulator's own checks through boto3 (the Rust side is in tests/e2e/emulator.rs).
emulator-selfcheck: venv
	$(VENV)/bin/python tests/aws/selfcheck.py

# Dockerfile (hadolint), compose.yaml (docker compose config), scripts/*.sh (shellcheck);
# no Docker engine needed.
lint-deploy:
	scripts/lint-deploy.sh

# The demo's start-up path end to end, checked through GraphQL.
demo-check: check-tools db venv
	VIGIL_DEMO_DB=vigil_demo_check VIGIL_LISTEN=127.0.0.1:18080 scripts/demo.sh -- $(VENV)/bin/python tests/demo/check_demo.py

# The web app: npm ci, codegen check, tsc, eslint, vitest, build, then the browser tests
# (playwright-core driving Debian's Chromium) under scripts/demo.sh.
web-test: check-tools db venv
	scripts/web-test.sh

# The examples of docs/graphql.md, run with a generic GraphQL client (Python gql) under
# scripts/demo.sh.
graphql-examples: check-tools db venv
	scripts/graphql-examples.sh

# schemathesis against the GraphQL API (every query and mutation but the webhook ones that
# call out) and the REST endpoints (tests/fuzz/rest-openapi.yaml) under scripts/demo.sh:
# deterministic, 30 generated test cases per operation (15 for sign-up and login) plus the
# stateful, examples and coverage phases: 59 operations, 2,124 test cases, about 90 s
# after the demo's start. Any 5xx, INTERNAL error or response slower than 10 s fails it.
fuzz: check-tools db venv
	scripts/fuzz.sh

# Regenerates the committed GraphQL SDL after a schema change.
schema:
	cargo run -q -p vigil-api -- schema > api/schema.graphql

test: check-tools db venv fmt lint unit emulator-selfcheck lint-deploy demo-check web-test graphql-examples fuzz

bench: check-tools db venv
	cargo bench -p vigil-core --bench queue
	cargo bench -p vigil-core --bench ingest
	cargo bench -p vigil-checks --bench evaluate
	cargo bench -p vigil-detect --bench detect
	cargo bench -p vigil-tests --bench scan --profile dev

demo: check-tools db venv
	@scripts/demo.sh

clean:
	rm -rf $(VENV) .demo
