# Two commands for a newcomer: `make serve` and `make test`. Everything lives in .venv.
VENV ?= .venv
PY := $(VENV)/bin/python
BIN := $(VENV)/bin
HASH := $(shell cat pyproject.toml | cksum | cut -d' ' -f1)
STAMP := $(VENV)/.installed-$(HASH)
SERVE_STAMP := $(VENV)/.serving-$(HASH)
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install install-serve serve ingest test fuzz lint eval bench browser clean

# Serving needs the package alone (no torch, Playwright or test tools); tests add .[dev,st].
$(SERVE_STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	rm -f $(VENV)/.serving-*
	touch $(SERVE_STAMP)

$(STAMP): $(SERVE_STAMP)
	$(PY) -m pip install -q -e '.[dev,st]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

install-serve: $(SERVE_STAMP)

# Chromium for the widget's browser tests comes from Debian (never `playwright install`).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium missing: sudo apt-get install chromium" >&2; exit 1; fi; }

ingest: install-serve
	$(BIN)/nq57 ingest

serve: install-serve
	$(BIN)/nq57 ingest
	$(BIN)/nq57 serve

lint: install
	$(BIN)/ruff check .

test: install browser lint
	$(BIN)/pytest -q

# 10,000 cases over every HTTP route and webhook payload (4 properties × 2,500); `make test`
# runs 150 of each.
fuzz: install
	NQ57_FUZZ_EXAMPLES=2500 $(BIN)/pytest -q -s -p no:cacheprovider tests/test_fuzz.py

eval: install
	$(BIN)/nq57 ingest
	$(BIN)/nq57 eval run evals/gold/dev.jsonl evals/gold/heldout.jsonl --report reports/gold
	$(BIN)/nq57 eval alqac ../shared/datasets/alqac2023 --questions ../shared/datasets/alqac2023/train.json --json > reports/alqac2023.json

bench: install
	$(BIN)/nq57 ingest
	$(BIN)/nq57 bench

clean:
	rm -rf data reports test-artifacts .pytest_cache
