# The quick start: `make demo` runs the main job on the embedded default, `make test` the tests.
# Both create .venv and install requirements.txt on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell $(PY) -c "import hashlib,sys;print(hashlib.sha1(open('requirements.txt','rb').read()).hexdigest()[:12])")

.PHONY: demo test lint install bench

install: $(STAMP)

$(STAMP): requirements.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	rm -f $(VENV)/.installed-* && touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m oltsync demo

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

# The fleet benchmark (by hand, not in CI): `make bench` (every scenario, full size, ~30 min) or
# `make bench ARGS=--quick` (about two minutes). Needs the machine's PostgreSQL.
bench: $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	$(BIN)/python -m bench.fleet $(ARGS)
