# streamcompare: the user's way in. Every target sets up what it needs first and is quick when done.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: setup test test-unit test-browser bench report stack-up stack-down lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "streamcompare needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,distributed]'
	@touch $(STAMP)

## Whole test suite: unit, integration (live 3-node stack) and browser; then the notebooks on a 1-broker stack.
test: setup
	$(BIN)/python -m pytest -m "not notebooks" $(PYTEST_ARGS)
	STREAMCOMPARE_TEST_BROKERS=1 $(BIN)/python -m pytest -m notebooks $(PYTEST_ARGS)

test-unit: setup
	$(BIN)/python -m pytest -m unit $(PYTEST_ARGS)

## Notebooks in a real JupyterLab, driven by Playwright in Debian's headless chromium (replay, offline).
test-browser: setup
	$(BIN)/python -m pytest -m browser $(PYTEST_ARGS)

bench: setup
	$(BIN)/python benchmarks/run_benchmarks.py

report: setup
	$(BIN)/streamcompare report

stack-up: setup
	$(BIN)/streamcompare stack up

stack-down: setup
	$(BIN)/streamcompare stack down

## Ruff, mypy and the import layering of DESIGN.md (import-linter).
lint: setup
	$(BIN)/ruff check lib tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf build dist lib/*.egg-info .pytest_cache .ruff_cache
