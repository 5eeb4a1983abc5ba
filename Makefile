# `make run` starts Briefbot (the console, on the bundled store, when no chat credentials are set);
# `make test` runs the tests. Both set up .venv from pyproject.toml on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench check clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/briefbot run

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: $(STAMP)
	$(BIN)/briefbot check briefings

bench: $(STAMP)
	$(BIN)/python -m bench --slack --fanout --startup --chaos 20
	$(BIN)/python -m bench.fuzz
	$(BIN)/python -m bench.fuzz_surfaces

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache briefbot-state.db*
