# 法治报告问答 — one-command setup, serve, test.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
HOST    ?= 127.0.0.1
PORT    ?= 8000
WORKERS ?= 1
export QA_INDEX_DIR ?= var/index

.PHONY: setup serve test index eval bench clean browser

# torch first, pinned to the CPU build on disk, so sentence-transformers never pulls CUDA wheels.
$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@

setup: $(BIN)/.installed

# Headless Chromium + ChromeDriver for the chat-page test (Debian packages).
browser:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; }

index: setup
	$(BIN)/qa index build --seeds seeds

serve: setup
	@[ -e $(QA_INDEX_DIR)/current ] || $(BIN)/qa index build --seeds seeds
	$(BIN)/qa serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

test: setup browser
	$(BIN)/python -m pytest -q

eval: setup
	$(BIN)/qa eval --out eval/results

bench: setup
	$(BIN)/python -m eval.bench --out eval/results

clean:
	rm -rf $(VENV) var .pytest_cache
