# Every target sets itself up: a fresh clone needs only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_VENV := .venv-run
LOCK_VENV := .venv-lock
# pip-compile makes the locks; it lives in an environment of its own, so that neither
# locked environment holds a package its lock does not name.
PIP_TOOLS := pip-tools==7.6.2

.PHONY: run test lint format bench settings-table lock upgrade clean

# An environment holding exactly the lock $(2): every package pinned and checked by its
# hash, none added by pip (--no-deps); then the two distributions of this tree (the core,
# pyproject.toml, and the service, service/pyproject.toml), editable, built by the locked
# hatchling. Made anew whenever the lock changes, so that nothing it dropped stays.
define locked_environment
	@echo "make: installing the locked dependencies ($(2)) into $(1) (about a minute, once)"
	rm -rf $(1)
	$(PYTHON) -m venv $(1)
	$(1)/bin/python -m pip install --quiet --require-hashes --no-deps -r $(2)
	$(1)/bin/python -m pip install --quiet --no-deps --no-build-isolation -e . -e ./service
	touch $(1)/.installed
endef

# The development environment: the service and its tools (tests, linters).
$(VENV)/.installed: requirements/dev.txt pyproject.toml service/pyproject.toml
	$(call locked_environment,$(VENV),requirements/dev.txt)

# What serves: the service alone, at the same versions, without the development tools.
$(RUN_VENV)/.installed: requirements/run.txt pyproject.toml service/pyproject.toml
	$(call locked_environment,$(RUN_VENV),requirements/run.txt)

run: $(RUN_VENV)/.installed
	$(RUN_VENV)/bin/moviecore migrate
	$(RUN_VENV)/bin/moviecore serve

# One worker process (pytest-xdist) more than the machine has cores: a third of a
# worker's time is spent waiting on servers it started, drains and upstream delays.
# On 2 cores the suite took 337 s with 2 workers, 245 s with 3 (work stealing), 250 s
# with 4.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc) + 1 )))

test: $(VENV)/.installed
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal

lint: $(VENV)/.installed
	$(BIN)/ruff check src tests examples bench tools
	$(BIN)/ruff format --check src tests examples bench tools
	$(BIN)/mypy

format: $(VENV)/.installed
	$(BIN)/ruff format src tests examples bench tools
	$(BIN)/ruff check --fix src tests examples bench tools

# Installs the load generator (wrk) when it is missing, then prints the table.
bench: $(VENV)/.installed
	$(BIN)/python -m bench.run

# Rewrites the configuration table (docs/configuration.md) from the settings' declarations.
settings-table: $(VENV)/.installed
	$(BIN)/python -m adapters.settings docs/configuration.md

# The locks, from the dependencies pyproject.toml and service/pyproject.toml declare:
# dev.txt resolves the service and the tools together; run.txt (the service alone) takes
# the same versions.
# `make lock` after changing a dependency (other pins kept); `make upgrade` for the
# newest versions the declarations allow. Commit both files; tests/unit/test_lock.py
# fails while they disagree with the declarations.
PIP_COMPILE = CUSTOM_COMPILE_COMMAND="make lock" $(LOCK_VENV)/bin/pip-compile --quiet \
	--generate-hashes --strip-extras --no-emit-index-url --no-emit-find-links \
	--unsafe-package moviecore --unsafe-package moviecore-service

$(LOCK_VENV)/.installed:
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet $(PIP_TOOLS)
	touch $@

lock: $(LOCK_VENV)/.installed
	$(PIP_COMPILE) $(UPGRADE) -o requirements/dev.txt requirements/dev.in
	$(PIP_COMPILE) --upgrade -o requirements/run.txt requirements/run.in

upgrade:
	$(MAKE) lock UPGRADE=--upgrade

clean:
	rm -rf $(VENV) $(RUN_VENV) $(LOCK_VENV) dist build
