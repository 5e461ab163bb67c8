# Every target installs what it needs into .venv first, so a fresh clone needs no manual step.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help install lock test-floors run chat test test-fast check docs lint types train eval eval-triage validate bench clean browser-deps redis-deps rasa rasa-validate rasa-train rasa-serve

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
# uv resolves for every platform (--universal) and Python 3.11; the files keep every hash.
LOCK_FLAGS := --universal --python-version 3.11 --generate-hashes --custom-compile-command "make lock" -q

# Exactly the locked versions, each checked against its hash; then the project itself,
# editable, without dependencies. A change of pyproject.toml or of the lock reinstalls.
# pip's own progress is shown (a first install takes about a minute).
$(STAMP): pyproject.toml $(DEV_LOCK)
	@echo "installing the locked dependencies into $(VENV) (first time: about a minute)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --progress-bar on --require-hashes -r $(DEV_LOCK)
	$(BIN)/pip install --no-deps -e .
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the locked dependencies and the project

# The floors of pyproject.toml, tested: the lowest versions the ranges allow for every direct
# dependency, in their own venv, under the fast suite. Not in CI; run it when a floor moves.
FLOORS_VENV := .venv-floors
test-floors: $(STAMP)  ## the fast suite on the lowest versions pyproject.toml allows
	test -x $(FLOORS_VENV)/bin/python || $(PYTHON) -m venv $(FLOORS_VENV)
	mkdir -p build
	$(BIN)/uv pip compile pyproject.toml --extra dev --python-version 3.11 \
		--resolution lowest-direct -q -o build/floors.txt
	$(BIN)/uv pip sync -q --python $(FLOORS_VENV)/bin/python build/floors.txt
	$(BIN)/uv pip install -q --python $(FLOORS_VENV)/bin/python --no-deps -e .
	$(FLOORS_VENV)/bin/python -m pytest -q -m "not rasa and not browser and not slow"

# After a change of pyproject.toml; LOCK_ARGS=--upgrade moves every pin to the newest allowed.
lock: $(STAMP)  ## refresh requirements.lock and requirements-dev.lock from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml $(LOCK_FLAGS) $(LOCK_ARGS) -o $(LOCK)
	$(BIN)/uv pip compile pyproject.toml --extra dev $(LOCK_FLAGS) $(LOCK_ARGS) -o $(DEV_LOCK)

HOST ?= 127.0.0.1
PORT ?= 8000
run: $(STAMP)  ## serve the assistant on http://127.0.0.1:8000 (HOST=… PORT=… to change)
	$(BIN)/childsafe serve --host $(HOST) --port $(PORT)

chat: $(STAMP)  ## chat with the assistant in the terminal
	$(BIN)/childsafe chat

test: $(STAMP) browser-deps redis-deps  ## run the whole test suite
	$(BIN)/python -m pytest -q

# The rest: no Rasa server, no browser, no subprocess or server started for seconds; one
# pytest-xdist worker per core (each starts its own redis-server when a test asks for one).
test-fast: $(STAMP)  ## the test suite without the slow tests (markers rasa, browser, slow), on every core
	$(BIN)/python -m pytest -q -n auto -m "not rasa and not browser and not slow"

# Debian's chromium drives the browser tests (Playwright's own browser download is never used);
# the emoji font makes screenshots show what phones show. CI runs as root on a fresh machine.
# Without root or apt-get nothing is installed: a message says what is missing, and those
# tests skip with their reason while the rest of the suite runs.
APT_INSTALL = /bin/sh -c 'if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "$$@"; \
	else \
	  echo "make: not installing $$* (needs root and apt-get): $$0 skip until then;" \
	    "install them with: sudo apt-get install $$*" >&2; \
	fi'

CHROMIUM ?= chromium
REDIS_SERVER ?= redis-server
browser-deps:  ## install Debian's chromium (and an emoji font) for the browser tests
	@command -v $(CHROMIUM) >/dev/null && fc-list 2>/dev/null | grep -qi 'color emoji' || \
	  $(APT_INSTALL) "the browser tests (tests marked browser)" chromium fonts-noto-color-emoji

# Debian's redis-server: the Redis store's tests start their own (no persistence, loopback).
redis-deps:  ## install Debian's redis-server for the Redis store's tests
	@command -v $(REDIS_SERVER) >/dev/null || test -x /usr/bin/$(REDIS_SERVER) || \
	  $(APT_INSTALL) "the Redis store's tests" redis-server

check: $(STAMP) docs  ## ruff, mypy, the import layers (lint-imports) and the documentation build
	$(BIN)/ruff check bot nlu content handlers bench tests
	$(BIN)/ruff format --check bot nlu content handlers bench tests
	$(BIN)/mypy
	$(BIN)/lint-imports

docs: $(STAMP)  ## build the manual (docs/, mkdocs.yml) into site/; a broken link fails it
	$(BIN)/mkdocs build --strict

train: $(STAMP)  ## train the embedded NLU model
	$(BIN)/childsafe train

eval: $(STAMP)  ## evaluate the embedded NLU on the held-out test set
	$(BIN)/childsafe eval --min-accuracy 0.90 --min-urgent-recall 1.0

eval-triage: $(STAMP)  ## the safety layer on the blind triage corpus (exit 1 below a Done-when bar)
	$(BIN)/childsafe eval --triage --bars

validate: $(STAMP)  ## validate the answer base
	$(BIN)/childsafe validate

# Not part of `make test`: speed is measured here, never asserted in tests. BENCH_ARGS=--quick
# The harness (bench/) is not in the installed package: it runs from the repository root.
bench: $(STAMP)  ## benchmarks: latency, HTTP throughput, memory, cold start (bench/RESULTS.md)
	cd $(CURDIR) && $(BIN)/python -m bench $(BENCH_ARGS)

# --- Rasa 3.6 NLU server (issue #7): its own Python 3.10 venv, reached over HTTP -----------
RASA_VERSION := 3.6.21
RASA_VENV := .venv-rasa
RASA_BIN := $(RASA_VENV)/bin
RASA_STAMP := $(RASA_VENV)/.installed-$(RASA_VERSION)
RASA_CONSTRAINTS := constraints/rasa-$(RASA_VERSION).txt
# The first interpreter that really is 3.10 (a pyenv shim may exist and refuse to run).
RASA_PYTHON ?= $(shell for p in python3.10 $$HOME/.pyenv/versions/3.10*/bin/python3.10 \
	/root/.pyenv/versions/3.10*/bin/python3.10; do $$p -c 'import sys; \
	assert sys.version_info[:2] == (3, 10)' 2>/dev/null && { command -v $$p; break; }; done)
RASA_DATA := build/rasa-data
RASA_MODEL := nlu/models/childsafe-nlu.tar.gz
RASA_CONFIG ?= nlu/config.yml
RASA_PORT ?= 5005
# No telemetry (no network), Rasa's training cache under build/, TensorFlow quiet.
RASA_ENV := RASA_TELEMETRY_ENABLED=false RASA_CACHE_DIRECTORY=build/rasa-cache \
	TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1 PYTHONWARNINGS=ignore

$(RASA_STAMP): $(RASA_CONSTRAINTS)
	@test -x $(RASA_BIN)/python || test -n "$(RASA_PYTHON)" || { echo "Rasa $(RASA_VERSION) needs \
	Python 3.10 (not 3.11+): install it or set RASA_PYTHON=/path/to/python3.10" >&2; exit 2; }
	test -x $(RASA_BIN)/python || $(RASA_PYTHON) -m venv $(RASA_VENV)
	$(RASA_BIN)/pip install -q --upgrade pip
	$(RASA_BIN)/pip install -q rasa==$(RASA_VERSION) -c $(RASA_CONSTRAINTS)
	$(RASA_ENV) $(RASA_BIN)/rasa --version
	touch $@

rasa: $(RASA_STAMP)  ## create .venv-rasa (Python 3.10) with Rasa 3.6.21, pinned by constraints/

rasa-validate: $(RASA_STAMP)  ## rasa data validate on nlu/ (data, domain, pipeline)
	$(RASA_ENV) $(RASA_BIN)/rasa data validate --data nlu/data --domain nlu/domain.yml \
		--config $(RASA_CONFIG)

$(RASA_DATA)/.folded: $(wildcard nlu/data/*.yml) $(wildcard nlu/text/*.py nlu/text/data/*) nlu/export_folded.py | $(STAMP)
	$(BIN)/python -m nlu.export_folded $(RASA_DATA)
	touch $@

$(RASA_MODEL): $(RASA_DATA)/.folded $(RASA_CONFIG) nlu/domain.yml $(RASA_STAMP)
	$(MAKE) --no-print-directory rasa-validate
	$(RASA_ENV) $(RASA_BIN)/rasa train nlu --config $(RASA_CONFIG) --nlu $(RASA_DATA) \
		--out nlu/models --fixed-model-name childsafe-nlu
	touch $@  # Rasa skips writing when nothing changed

rasa-train: $(RASA_MODEL)  ## train Rasa's NLU model on folded nlu/data (nlu/models/)

rasa-serve: $(RASA_MODEL)  ## serve the Rasa model on 127.0.0.1:5005 (needs RASA_TOKEN)
	@test -n "$$RASA_TOKEN" || { echo "RASA_TOKEN is not set: export RASA_TOKEN=<a long random string>" >&2; exit 2; }
	$(RASA_ENV) $(RASA_BIN)/rasa run --enable-api -m nlu/models --auth-token="$$RASA_TOKEN" \
		-i 127.0.0.1 -p $(RASA_PORT)

clean:  ## remove caches and the virtual environment
	rm -rf $(VENV) $(FLOORS_VENV) .cache .pytest_cache .mypy_cache .ruff_cache
