# Coffeechat: `make run` to use it, `make test` to check it. Needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum requirements.txt | cut -d' ' -f1)

.PHONY: run test install migrate demo ci bench clean

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Coffeechat needs Python 3.11 or newer")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

# Local development runs with DEBUG on unless told otherwise.
migrate: install
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input

## Serve http://127.0.0.1:8000 with a Celery worker and beat beside it (Ctrl-C stops all three).
run: migrate
	PATH="$(CURDIR)/$(BIN):$$PATH" DEBUG=$${DEBUG:-1} $(BIN)/honcho --procfile Procfile.dev start

## The whole test suite; PostgreSQL/Redis/Chromium tests skip when absent unless REQUIRE_SERVICES=1.
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## A realistic demo account: user `demo`, password `demo`.
demo: migrate
	DEBUG=$${DEBUG:-1} $(BIN)/python manage.py load_demo

ci:
	bash .ci/run

clean:
	rm -rf $(VENV) var
