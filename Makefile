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
NOTEBOOKS ?= chapters

# The notebooks print numbers to the last digit, and on x86-64 the last bits depend on the CPU:
# NumPy picks AVX-512 or AVX2 code for exp and log, and OpenBLAS a kernel per CPU model, which
# round differently. Every command that executes notebooks pins both to the AVX2 level (any x86-64
# CPU since 2013), so the committed outputs are reproduced on every such machine; without the pin,
# an AVX-512 machine prints other numbers in a few cells of chapters 7 and 9.
ifeq ($(shell uname -m),x86_64)
NB_ENV := OPENBLAS_CORETYPE=Haswell NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR"
endif

.PHONY: help venv book execute test test-lib test-notebooks test-build test-site lab serve bench screenshot clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(STAMP)  ## create .venv and install requirements.txt into it

book: $(STAMP)  ## execute every notebook and build the site into _build/html
	rm -rf $(HTML) _build/.doctrees _build/jupyter_execute
	env $(NB_ENV) $(BIN)/python book_ext/execute_notebooks.py
	$(BIN)/jupyter-book build . --builder html
	@echo "The book: $(abspath $(HTML))/index.html"

execute: $(STAMP)  ## re-execute NOTEBOOKS=chapters/... in place, top to bottom in a fresh kernel
	@test "$(NOTEBOOKS)" != chapters || { echo "name the notebooks: make execute NOTEBOOKS=chapters/04_binary_gradient.ipynb"; exit 1; }
	env $(NB_ENV) $(BIN)/jupyter nbconvert --to notebook --execute --inplace $(NOTEBOOKS)

test: $(STAMP)  ## the whole suite (library, notebooks, strict build, browser), timing each stage
	@t0=$$(date +%s); times=""; \
	for stage in test-lib test-notebooks test-build test-site; do \
	  t=$$(date +%s); $(MAKE) --no-print-directory $$stage; \
	  times="$$times  $$stage $$(( $$(date +%s) - t )) s"; echo "make test: $$stage took $$(( $$(date +%s) - t )) s"; \
	done; \
	echo "make test: all checks passed in $$(( $$(date +%s) - t0 )) s:$$times (load: $$(cut -d' ' -f1-3 /proc/loadavg))"

test-lib: $(STAMP)  ## pytest on the library and the notebook checks
	$(BIN)/pytest tests --ignore=tests/site

test-notebooks: $(STAMP)  ## nbval: re-execute every chapter (or NOTEBOOKS=...) and compare its stored outputs
	env $(NB_ENV) $(BIN)/pytest $(NBVAL) $(NOTEBOOKS)

test-build: $(STAMP)  ## build with warnings as errors (-W --keep-going, nitpicky)
	rm -rf $(HTML) _build/.doctrees _build/jupyter_execute
	env $(NB_ENV) $(BIN)/python book_ext/execute_notebooks.py
	$(BIN)/jupyter-book build . --builder html --warningiserror --keep-going

test-site: $(STAMP)  ## open every page of the built site in headless Chromium
	test -f $(HTML)/index.html || $(MAKE) test-build
	$(BIN)/pytest tests/site

lab: $(STAMP)  ## open the notebooks in JupyterLab
	env $(NB_ENV) $(BIN)/jupyter lab chapters

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
