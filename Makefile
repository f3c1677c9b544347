# Every target sets itself up: a fresh clone needs only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench settings-table clean

# Two distributions from one tree: the core (pyproject.toml) and the service
# (service/pyproject.toml), both editable; the service's dev extra brings the tools.
$(STAMP): pyproject.toml service/pyproject.toml
	@echo "make: installing moviecore and its dependencies into $(VENV) (about 30 s, once)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e . -e './service[dev]'
	touch $@

run: $(STAMP)
	$(BIN)/moviecore migrate
	$(BIN)/moviecore serve

test: $(STAMP)
	$(BIN)/pytest

lint: $(STAMP)
	$(BIN)/ruff check src tests examples bench tools
	$(BIN)/ruff format --check src tests examples bench tools
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format src tests examples bench tools
	$(BIN)/ruff check --fix src tests examples bench tools

# Installs the load generator (wrk) when it is missing, then prints the table.
bench: $(STAMP)
	$(BIN)/python -m bench.run

# Rewrites the configuration table (docs/configuration.md) from the settings' declarations.
settings-table: $(STAMP)
	$(BIN)/python -m adapters.settings docs/configuration.md

clean:
	rm -rf $(VENV) dist build
