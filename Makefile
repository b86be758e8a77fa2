# Cross-Entropy, Derived: the two commands are `make book` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.requirements-installed
HTML   := _build/html
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
PORT   ?= 8000

.PHONY: help venv book test test-lib test-notebooks test-build test-site lab serve bench screenshot clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(STAMP)  ## create .venv and install requirements.txt into it

book: $(STAMP)  ## execute every notebook and build the site into _build/html
	rm -rf $(HTML) _build/.doctrees _build/jupyter_execute
	$(BIN)/python book_ext/execute_notebooks.py
	$(BIN)/jupyter-book build . --builder html
	@echo "The book: $(abspath $(HTML))/index.html"

test: test-lib test-notebooks test-build test-site  ## the whole suite (library, notebooks, strict build, browser)
	@echo "make test: all checks passed"

test-lib: $(STAMP)  ## pytest on the library and the notebook checks
	$(BIN)/pytest tests --ignore=tests/site

test-notebooks: $(STAMP)  ## nbval: re-execute every chapter and compare its stored outputs
	$(BIN)/pytest $(NBVAL) chapters

test-build: $(STAMP)  ## build with warnings as errors (-W --keep-going, nitpicky)
	rm -rf $(HTML) _build/.doctrees _build/jupyter_execute
	$(BIN)/python book_ext/execute_notebooks.py
	$(BIN)/jupyter-book build . --builder html --warningiserror --keep-going

test-site: $(STAMP)  ## open every page of the built site in headless Chromium
	test -f $(HTML)/index.html || $(MAKE) test-build
	$(BIN)/pytest tests/site

lab: $(STAMP)  ## open the notebooks in JupyterLab
	$(BIN)/jupyter lab chapters

serve:  ## serve _build/html on http://127.0.0.1:$(PORT)
	@test -f $(HTML)/index.html || { echo "no site yet: run make book first"; exit 1; }
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory $(HTML)

bench: $(STAMP)  ## run the benchmarks (they print figures; not part of make test)
	for b in benchmarks/bench_*.py; do echo "== $$b"; $(BIN)/python $$b; done

screenshot: $(STAMP)  ## retake the README's screenshot (docs/screenshot.png) from the built site
	$(BIN)/python docs/screenshot.py

clean:  ## remove the built site and caches (keeps .venv)
	rm -rf _build .pytest_cache .hypothesis
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
