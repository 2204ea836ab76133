# Two commands do everything on a fresh machine: `make run` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint bench clean extract sysdeps screenshots

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP) sysdeps

# Tesseract + its Vietnamese model and LibreOffice Writer: installed with apt-get when run as root on
# Debian, else a line saying what to install (everything else works without them).
sysdeps:
	@scripts/sysdeps

# `make run`: install, read data/documents/ into var/store (unchanged files are skipped), serve on :8000.
run: $(STAMP) sysdeps
	$(BIN)/vanban extract data/documents/*
	$(BIN)/vanban ingest data/documents
	$(BIN)/vanban serve --host 127.0.0.1 --port 8000

test: $(STAMP) sysdeps
	$(BIN)/ruff check graph api tests bench
	$(BIN)/mypy
	$(BIN)/pytest

# `make bench` (10k documents, a few minutes) or `make bench SIZE=1000000` (national scale; ~16 GB of
# N-Quads and ~30 min the first time, under var/bench/). Prints a table; writes var/bench/result-SIZE.json.
SIZE ?= 10000
bench: $(STAMP) sysdeps
	$(BIN)/python bench/run.py --size $(SIZE)

# The screenshots in docs/screenshots (README), taken by the browser tests in headless Chromium.
screenshots: $(STAMP) sysdeps
	VANBAN_SCREENSHOTS=docs $(BIN)/pytest tests/test_browser.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
