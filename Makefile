# `make run` and `make test` do all the set-up on a fresh machine that has python3, make and git.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
NODE_DIR := tests/e2e/node
NODE_INSTALLED := $(NODE_DIR)/node_modules/.installed

.PHONY: run cli test lint format unit integration e2e bench clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Microsoft's Teams emulator, Adaptive Cards renderer and manifest schema, for the tests that use them.
$(NODE_INSTALLED): $(NODE_DIR)/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		cd $(NODE_DIR) && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.installed; \
	else \
		echo "npm not found: the tests that use Microsoft's Node tools will be skipped (install nodejs and npm)."; \
	fi

run: $(INSTALLED)
	$(BIN)/peerlearn serve

# Any peerlearn command, with the set-up done: make cli ARGS="package", make cli ARGS="migrate".
ARGS ?= --help
cli: $(INSTALLED)
	$(BIN)/peerlearn $(ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint $(NODE_INSTALLED)
	$(BIN)/pytest

unit: $(INSTALLED)
	$(BIN)/pytest tests/unit

integration: $(INSTALLED) $(NODE_INSTALLED)
	$(BIN)/pytest tests/integration

e2e: $(INSTALLED) $(NODE_INSTALLED)
	$(BIN)/pytest tests/e2e

clean:
	rm -rf $(VENV) build var .mypy_cache .ruff_cache .pytest_cache $(NODE_DIR)/node_modules
