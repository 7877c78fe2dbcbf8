# Tergeu: the two commands of README.md are `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test setup setup-dev lint typecheck pytest e2e

demo: setup                    ## install and run on SQLite with demo data
	$(BIN)/tergeu demo

test: setup-dev lint typecheck pytest   ## install everything and run the whole suite

setup:
	scripts/setup.sh

setup-dev:
	scripts/setup.sh --dev

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck:
	$(BIN)/mypy

pytest:
	$(BIN)/python -m pytest -n 2 -p no:cacheprovider $(PYTEST_ARGS)
