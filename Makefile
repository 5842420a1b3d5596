# Verbs a newcomer guesses. Everything runs from a virtual environment in .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DATA_DIR ?= data
CORPUS ?= ../shared/corpora/fang-covid/fang_covid_articles.jsonl.xz

.PHONY: install browser serve test test-fast lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
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

lint: install
	$(BIN)/ruff check archive index web pressearchiv tests bench
	$(BIN)/mypy archive index web pressearchiv

bench: install
	$(BIN)/python bench/search_bench.py --corpus $(CORPUS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
