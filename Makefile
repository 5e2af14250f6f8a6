# Coffeechat: `make run` to use it, `make test` to check it. Needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Stamps named after the requirement files' checksums: an edited file reinstalls, nothing else does.
STAMP := $(VENV)/.installed-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
DEV_STAMP := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)

.PHONY: run test test-fast lint install install-dev migrate demo ci bench bench-full soak soak-quick clean

$(VENV)/bin/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Coffeechat needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Runtime only: what production installs.
$(STAMP): requirements.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-[0-9]* && touch $@

# Runtime plus the test and lint tools.
$(DEV_STAMP): requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	rm -f $(VENV)/.installed-dev-* && touch $@

install: $(STAMP)
install-dev: $(DEV_STAMP)

# Local development runs with DEBUG on unless told otherwise.
migrate: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py createcachetable

## Serve http://127.0.0.1:8000 with a Celery worker and beat beside it (Ctrl-C stops all three).
run: migrate
	PATH="$(CURDIR)/$(BIN):$$PATH" DEBUG=$${DEBUG:-1} $(BIN)/honcho --procfile Procfile.dev start

## The whole test suite, on every core (TEST_WORKERS=1 for one process); PostgreSQL/Redis/Chromium
## tests skip when absent unless REQUIRE_SERVICES=1. The integration tests share one worker.
TEST_WORKERS ?= auto
test: install-dev
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

## The inner loop: no browser, no integration processes, nothing marked slow; parallel on every core.
test-fast: install-dev
	$(BIN)/python -m pytest -n auto -m "not browser and not slow and not redis" --ignore=tests/integration $(PYTEST_ARGS)

## ruff: lint (pyflakes, sorted imports, complexity) and formatting.
lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## A realistic demo account: user `demo`, password `demo`.
demo: migrate
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_demo

## The soak (docs/reliability.md): 50 API clients for 60 s against gunicorn, PostgreSQL, Celery
## and an SMTP sink, then 60 s more while Redis, the database connections and SMTP fail under
## them; checks every write, stage and reminder e-mail. Needs PostgreSQL on 127.0.0.1 (or
## SOAK_DATABASE_URL; it drops and recreates coffeechat_soak) and redis-server on the PATH.
soak: install-dev
	$(BIN)/python -m soak.run --seconds $${SOAK_SECONDS:-60}

## The same, 15 s per phase: what CI runs.
soak-quick: install-dev
	$(BIN)/python -m soak.run --seconds 15

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var

## Issue #12's figures beside their targets at 1× and 4× (docs/benchmarks.md): drops and
## recreates BENCH_DATABASE_URL (default coffeechat_bench on 127.0.0.1), uses BENCH_REDIS_URL (db 15).
bench: install-dev
	$(BIN)/python -m bench.run --scales 1 4

## The same plus 16× (4 M reminder rows); takes longer.
bench-full: install-dev
	$(BIN)/python -m bench.run --scales 1 4 16
