# ImagineAI developer commands. `make run` and `make test` are all a new user needs.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

LOCALSTACK_STAMP := $(VENV)/localstack/.installed
# checkov pins versions of boto3/botocore/packaging that would clash with ours: own venv.
CHECKOV_VENV := $(VENV)/tools/checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed

.PHONY: setup run test lint pytest test-services bench soak security lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]' --constraint requirements.lock
	touch $(STAMP)

setup: $(STAMP)

run: setup frontend-build
	$(BIN)/imagineai up

lint: setup
	$(BIN)/ruff check backend tests
	$(BIN)/ruff format --check backend tests
	$(BIN)/mypy backend

# LocalStack (the S3-protocol test server that checks presigned signatures) needs Python >= 3.12
# in its own venv; without one, the S3 tests fall back to moto and the strict ones skip.
$(LOCALSTACK_STAMP): tests/support/localstack-requirements.txt | $(STAMP)
	$(BIN)/python -m tests.support.s3_server install && touch $@ \
	  || echo "note: LocalStack not installed; S3 tests use moto and skip the signature checks"

$(CHECKOV_STAMP): infrastructure/tools/requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/pip install -q -r infrastructure/tools/requirements-checkov.txt
	touch $@

test-services: $(LOCALSTACK_STAMP) $(CHECKOV_STAMP)

pytest: setup test-services
	$(BIN)/pytest

test: lint security pytest frontend-build frontend-test e2e

# Benchmarks print figures; they assert nothing and are not part of `make test`.
bench: setup
	$(BIN)/python -m backend.ml.bench
	$(BIN)/python -m backend.workers.bench
	$(BIN)/python -m backend.ml.search_bench

# Reliability and load (not part of `make test`): the fault scenario (200 photos through a
# kill -9, RabbitMQ, Redis and PostgreSQL restarts and a storage outage), locust with 50 users
# for 2 minutes on loopback, the 50 MB upload memory check, and schemathesis with 200 examples
# per operation. Needs PostgreSQL, Redis and RabbitMQ (restarted and always restored); figures
# are printed and written to var/soak/. About 15 minutes on 2 cores.
SOAK_FUZZ_EXAMPLES ?= 200
soak: setup test-services
	IMAGINEAI_REQUIRE_SERVICES=1 $(BIN)/pytest -m soak -s tests/soak
	IMAGINEAI_REQUIRE_SERVICES=1 IMAGINEAI_TEST_FUZZ_EXAMPLES=$(SOAK_FUZZ_EXAMPLES) \
	  $(BIN)/pytest --timeout 3600 tests/fastapi_app/test_openapi_fuzz.py

# bandit, pip-audit against requirements.lock, npm audit of the SPA (each skip is printed).
security: setup
	$(BIN)/python -m tests.support.security_scan

# Pin the venv's resolved dependency versions into requirements.lock: `make setup` installs
# within them (a fresh clone gets the versions the tests passed with), `make security` audits them.
lock: setup
	$(BIN)/python -m tests.support.dependency_lock

clean:
	rm -rf var .mypy_cache .ruff_cache .pytest_cache

# --- frontend ---
# Angular SPA in frontend/ (node 20, npm). e2e also needs Debian's chromium
# (`apt-get install -y chromium`) and the Python venv, since it starts `imagineai up`.
FRONTEND := frontend
FRONTEND_STAMP := $(FRONTEND)/node_modules/.installed

.PHONY: frontend-install frontend-build frontend-test e2e

$(FRONTEND_STAMP): $(FRONTEND)/package-lock.json
	cd $(FRONTEND) && npm ci --no-audit --no-fund
	touch $(FRONTEND_STAMP)

frontend-install: $(FRONTEND_STAMP)

frontend-build: frontend-install
	cd $(FRONTEND) && timeout 300 npx ng build

# Prettier and the type check of the browser tests, then the unit tests (Vitest + jsdom).
frontend-test: frontend-install
	cd $(FRONTEND) && npm run lint && timeout 300 npx ng test --watch=false

e2e: setup frontend-build
	@test -x /usr/bin/chromium || { echo "e2e needs Debian's chromium: apt-get install -y chromium" >&2; exit 1; }
	cd $(FRONTEND) && timeout 900 npx playwright test
