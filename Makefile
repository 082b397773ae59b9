# The two commands of a fresh machine: `make app` and `make test` (see README.md).
# Every target first runs scripts/setup.sh, which is idempotent and takes ~1 s once done.

SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
APP ?= app.py
HOST ?= 127.0.0.1
PORT ?= 8765
# --production: no auto-reload, minified front end. `make app SOLARA_ARGS=` for dev mode.
SOLARA_ARGS ?= --production
PYTEST_ARGS ?=
ARGS ?=

# No telemetry; never let playwright fetch browsers (Debian's chromium is used instead).
export SOLARA_TELEMETRY_MIXPANEL_ENABLE := False
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export VENV

.PHONY: help setup app test lint bench screenshots clean distclean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: ## create .venv, install the project, fill the Solara asset cache
	@scripts/setup.sh

app: ## run the Solara app on http://127.0.0.1:8765 (PORT=... to change)
	@scripts/setup.sh
	@test -f "$(APP)" || { echo "make app: $(APP) not found" >&2; exit 1; }
	@echo "Solara app on http://$(HOST):$(PORT)  (Ctrl-C to stop)"
	$(VENV)/bin/solara run $(APP) --host $(HOST) --port $(PORT) $(SOLARA_ARGS)

test: ## run the whole test suite (browser tests included; PYTEST_ARGS=... to narrow)
	@scripts/setup.sh --browser
	$(PY) -m pytest $(PYTEST_ARGS)

screenshots: ## refresh the README's app screenshots (docs/img/) from the browser tests
	@scripts/setup.sh --browser
	AIDB_README_SHOTS=1 $(PY) -m pytest tests/test_app_browser.py -q -k "live_step or phone or tour or challenge or compare"

lint: ## ruff check
	@scripts/setup.sh
	$(VENV)/bin/ruff check .

bench: ## benchmarks, short form (a few minutes); ARGS=--full for the long one (~10 min)
	@scripts/setup.sh --browser
	$(PY) -m experiments.bench $(ARGS)

clean: ## remove caches and test outputs (keeps .venv and results/)
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	rm -rf .pytest_cache .ruff_cache .hypothesis test-artifacts test-results build *.egg-info

distclean: clean ## clean, and remove .venv (with its Solara asset cache)
	rm -rf $(VENV)
