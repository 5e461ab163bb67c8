# Every target installs what it needs into .venv first, so a fresh clone needs no manual step.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: help install run chat test check lint types train eval validate bench clean browser-deps

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install the project with its dev tools

run: $(STAMP)  ## serve the assistant on http://127.0.0.1:8000
	$(BIN)/childsafe serve --host 127.0.0.1 --port 8000

chat: $(STAMP)  ## chat with the assistant in the terminal
	$(BIN)/childsafe chat

test: $(STAMP) browser-deps  ## run the whole test suite
	$(BIN)/python -m pytest -q

# Debian's chromium drives the browser tests (Playwright's own browser download is never used);
# the emoji font makes screenshots show what phones show. CI runs as root on a fresh machine.
browser-deps:  ## install Debian's chromium (and an emoji font) for the browser tests
	command -v chromium >/dev/null && fc-list 2>/dev/null | grep -qi 'color emoji' || \
	  (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-color-emoji)

check: $(STAMP)  ## ruff and mypy
	$(BIN)/ruff check bot nlu content handlers tests
	$(BIN)/ruff format --check bot nlu content handlers tests
	$(BIN)/mypy

train: $(STAMP)  ## train the embedded NLU model
	$(BIN)/childsafe train

eval: $(STAMP)  ## evaluate the embedded NLU on the held-out test set
	$(BIN)/childsafe eval --min-accuracy 0.90 --min-urgent-recall 1.0

validate: $(STAMP)  ## validate the answer base
	$(BIN)/childsafe validate

clean:  ## remove caches and the virtual environment
	rm -rf $(VENV) .cache .pytest_cache .mypy_cache .ruff_cache
