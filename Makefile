# The quick start: `make demo` runs the main job on the embedded default, `make test` the tests.
# Both create .venv and install requirements.txt on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell $(PY) -c "import hashlib;print(hashlib.sha1(open('requirements.txt','rb').read()+open('pyproject.toml','rb').read()).hexdigest()[:12])")

.PHONY: demo test lint install bench docs

install: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	# this checkout, editable: the `oltsync` command ($(BIN)/oltsync) runs the code here
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-* && touch $(STAMP)

demo: $(STAMP)
	$(BIN)/python -m oltsync demo

# The tests need PostgreSQL: OLTSYNC_TEST_PG (default postgresql://postgres@127.0.0.1:5432/postgres)
# names a server where that user may create and drop databases (trust or password in the URL).
# Without it they skip; with CI=true they fail instead.
test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check .

# The fleet benchmark (by hand, not in CI): `make bench` (every scenario, full size, ~70 min on 2
# cores) or `make bench ARGS=--quick` (a few minutes). Needs the machine's PostgreSQL.
# docs/benchmarks.md has the figures.
bench: $(STAMP)
	$(BIN)/pip install --quiet --disable-pip-version-check -r bench/requirements.txt
	$(BIN)/python -m bench.fleet $(ARGS)

# The guides (docs/) as a site in site/; `mkdocs build --strict` fails on a broken link (the test
# suite builds it too: tests/test_docs.py).
docs: $(STAMP)
	$(BIN)/mkdocs build --strict --quiet
