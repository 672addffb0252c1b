# Hyperquiz: the single entry point. `make run` and `make test` set up everything they need.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HTMX := web/static/vendor/htmx.min.js
HX_SSE := web/static/vendor/hx-sse.min.js
NODE_MODULES := node_modules/.package-lock.json
PORT ?= 8000
CHROMIUM := /usr/bin/chromium
PG_TEST_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/test
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help install assets chromium migrate seed run lint fmt unit e2e test test-postgres bench bench-side-by-side loadtest loadtest-live lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml requirements.lock
	@if [ ! -x $(BIN)/python ] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 13))'; then \
		py=$$(.ci/find-python) || exit 1; \
		echo "Creating $(VENV) with $$py"; rm -rf $(VENV); "$$py" -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev]'
	@touch $@

install: $(STAMP) ## Create .venv and install the app with its dev tools

$(NODE_MODULES): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

$(HTMX): $(NODE_MODULES)
	@mkdir -p $(@D)
	cp node_modules/htmx.org/dist/htmx.min.js $@

# htmx 4's SSE extension, from the same package: live games' streams (hx-sse:connect).
$(HX_SSE): $(NODE_MODULES)
	@mkdir -p $(@D)
	cp node_modules/htmx.org/dist/ext/hx-sse.min.js $@

assets: $(HTMX) $(HX_SSE) ## Install front-end assets from npm (pinned by package-lock.json)

chromium: ## Install Debian's Chromium for the browser tests when missing
	@if [ ! -x $(CHROMIUM) ]; then \
		echo "Installing Chromium from Debian"; \
		sudo_cmd=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo_cmd apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo_cmd apt-get install -y -q chromium; \
	fi

migrate: install ## Upgrade the database to the newest migration
	$(BIN)/hyperquiz migrate

seed: migrate ## Load demo quizzes and accounts (development only)
	$(BIN)/hyperquiz seed-demo

run: install assets seed ## Migrate, seed and serve on http://127.0.0.1:$(PORT)
	@echo "Hyperquiz: http://127.0.0.1:$(PORT)  (demo login: demo / Demo12345, admin: admin / Admin12345)"
	$(BIN)/hyperquiz check-config
	$(BIN)/python -m web.serve --bind 127.0.0.1:$(PORT) --access-logfile - web.asgi:app

lint: install ## ruff (lint and format check) and mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

fmt: install ## Format and auto-fix
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

unit: install assets ## Unit and integration tests on SQLite
	APP_ENV=testing $(BIN)/pytest tests -m "not needs_redis"

e2e: install assets chromium ## Browser tests in Debian's Chromium against a real server
	APP_ENV=testing $(BIN)/pytest e2e

test: lint unit e2e ## Everything CI runs on SQLite: lint, unit, integration, e2e

test-postgres: install assets chromium ## Unit, integration and e2e on PostgreSQL + Redis (2 workers)
	APP_ENV=testing TEST_DATABASE_URL=$(PG_TEST_URL) TEST_REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest tests
	APP_ENV=testing TEST_DATABASE_URL=$(PG_TEST_URL) TEST_REDIS_URL=$(REDIS_TEST_URL) $(BIN)/pytest e2e

bench: install assets ## Print what the hot requests cost (SQLite; PostgreSQL with TEST_DATABASE_URL) and reading 5,000 GIFT questions
	APP_ENV=testing $(BIN)/python -m tests.benchmarks.bench_requests
	APP_ENV=testing $(BIN)/python -m tests.benchmarks.bench_gift

# The hot paths side by side with the seed's stack and the minimal Quart app, one run
# (tests/benchmarks/side_by_side.sh). BENCH is the shared harness (reference servers, wrk rounds).
BENCH ?= $(abspath ../shared/bench)
BENCH_VENV := .bench-venv
BENCH_OUT ?= bench-out
$(BENCH_VENV)/.installed-stamp: $(BENCH)/requirements.txt
	rm -rf $(BENCH_VENV) && "$$(.ci/find-python)" -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet -r $(BENCH)/requirements.txt
	@touch $@

bench-side-by-side: install assets $(BENCH_VENV)/.installed-stamp ## Answers, cards and pages beside the seed's stack, 2 workers, one run (into BENCH_OUT)
	@command -v wrk > /dev/null || { sudo_cmd=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$sudo_cmd apt-get update -q && DEBIAN_FRONTEND=noninteractive $$sudo_cmd apt-get install -y -q wrk; }
	PYTHON=$(BENCH_VENV)/bin/python tests/benchmarks/prepare_side_by_side.sh $(BENCH_OUT)/prepared
	rm -rf $(BENCH_OUT)/run && PATH=$(abspath $(BENCH_VENV))/bin:$$PATH BENCH=$(BENCH) \
		tests/benchmarks/side_by_side.sh $(BENCH_OUT)/prepared/pristine.db $(BENCH_OUT)/prepared/lists $(BENCH_OUT)/run

TAKERS ?= 200
DURATION ?= 60
BACKEND ?= both
loadtest: install assets ## $(TAKERS) takers for $(DURATION) s, production tier: SQLite 1 worker, PostgreSQL+Redis 2 (BACKEND=sqlite|postgres|both)
	env -u APP_ENV $(BIN)/python -m tests.load.run --backend $(BACKEND) --takers $(TAKERS) --duration $(DURATION)

PLAYERS ?= 200
QUESTIONS ?= 3
loadtest-live: install assets ## One live game, $(PLAYERS) players: SQLite 1 worker; PostgreSQL+Redis 2 instances x 2 workers (BACKEND=sqlite|postgres|both)
	env -u APP_ENV $(BIN)/python -m tests.load.live --backend $(BACKEND) --players $(PLAYERS) --questions $(QUESTIONS)

lock: ## Re-pin every Python dependency into requirements.lock
	rm -rf .lock-venv && "$$(.ci/find-python)" -m venv .lock-venv
	.lock-venv/bin/pip install --quiet '.[dev]'
	.lock-venv/bin/pip freeze --exclude hyperquiz > requirements.lock
	rm -rf .lock-venv

clean: ## Remove the virtualenv, node_modules and caches
	rm -rf $(VENV) node_modules web/static/vendor .pytest_cache .ruff_cache .mypy_cache
