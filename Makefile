# One entry point each. Every target creates .venv and installs the locked dependencies first:
# `make run` only what the product needs (requirements/base.lock), the others the dev tools too.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
BASE := $(VENV)/.installed-base
DEV := $(VENV)/.installed-dev

.PHONY: run test lint fmt bench lock clean

# uv (itself pinned in the lock) installs the locked packages several times faster than pip.
UV_VERSION := $(shell sed -n 's/^uv==\([0-9.]*\).*/\1/p' requirements/dev.lock)
UV := $(BIN)/uv pip install --quiet --python $(BIN)/python

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Tidings needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"

$(BASE): $(BIN)/python pyproject.toml requirements/base.lock
	$(UV) -r requirements/base.lock
	$(UV) --no-deps -e .
	touch $(BASE)

$(DEV): $(BASE) requirements/dev.lock
	$(UV) -r requirements/dev.lock
	touch $(DEV)

run: $(BASE)
	$(BIN)/tidings run

test: $(DEV)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEV)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy src
	$(BIN)/djlint --lint src/tidings

fmt: $(DEV)
	$(BIN)/ruff check --fix src tests bench
	$(BIN)/ruff format src tests bench

bench: $(DEV)
	$(BIN)/python -m bench $(BENCH_ARGS)

lock: $(DEV)
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --extra dev -o requirements/dev.lock
	$(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 -o requirements/base.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
