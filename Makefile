# Verbs a newcomer guesses. Everything runs from a virtual environment in .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= data
CORPUS ?= ../shared/corpora/fang-covid/fang_covid_articles.jsonl.xz

.PHONY: install browser serve test test-fast lint fix typecheck-tree bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# setuptools always notes that an editable install maps folders of this
	@# checkout into the package (harmless: pressearchiv/ here *is* the package).
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# Debian's Chromium for the browser tests (Playwright's own browser download
# does not work offline). Needs root; without it the browser tests are skipped.
browser:
	@if [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "note: /usr/bin/chromium is missing and we are not root: browser tests will be skipped"; fi

serve: install
	$(BIN)/pressearchiv serve --data-dir $(DATA_DIR)

test: install browser
	$(BIN)/python -m pytest

# Without the browser and the slow end-to-end tests.
test-fast: install
	$(BIN)/python -m pytest -m "not browser and not slow"

CODE := archive index web pressearchiv tests bench
# mypy reads the package as it is installed: a tree of links in build/.
TYPECHECK := build/typecheck

lint: install typecheck-tree
	$(BIN)/ruff check $(CODE)
	$(BIN)/ruff format --check $(CODE)
	MYPYPATH=$(TYPECHECK) $(BIN)/mypy -p pressearchiv
	MYPYPATH=$(TYPECHECK) $(BIN)/mypy tests bench

# Apply the formatter and ruff's safe fixes.
fix: install
	$(BIN)/ruff check --fix $(CODE)
	$(BIN)/ruff format $(CODE)

# pressearchiv/ with the layer folders linked in, as the wheel installs them.
typecheck-tree:
	@rm -rf $(TYPECHECK) && mkdir -p $(TYPECHECK)/pressearchiv
	@for f in pressearchiv/*.py; do ln -s ../../../$$f $(TYPECHECK)/pressearchiv/; done
	@for d in archive index web; do ln -s ../../../$$d $(TYPECHECK)/pressearchiv/$$d; done

bench: install
	$(BIN)/python bench/search_bench.py --corpus $(CORPUS)

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
