# Cross-Entropy, Derived: the two commands are `make book` and `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.requirements-installed
HTML   := _build/html
PDF    := _build/latex/book.pdf
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg
PORT   ?= 8000
# Node packages of the site build (package.json, pinned by package-lock.json): MathJax typesets
# the formulas at build time (book_ext/prerender_math.py).
NODE_STAMP := node_modules/.installed
NOTEBOOKS ?= chapters

# The notebooks print numbers to the last digit, and on x86-64 the last bits depend on the CPU:
# NumPy picks AVX-512 or AVX2 code for exp and log, and OpenBLAS a kernel per CPU model, which
# round differently. Every command that executes notebooks pins both to the AVX2 level (any x86-64
# CPU since 2013), so the committed outputs are reproduced on every such machine; without the pin,
# an AVX-512 machine prints other numbers in a few cells of chapters 7 and 9.
ifeq ($(shell uname -m),x86_64)
NB_ENV := OPENBLAS_CORETYPE=Haswell NPY_DISABLE_CPU_FEATURES="X86_V4 AVX512_ICL AVX512_SPR"
endif
# Every figure the suite or `make execute` draws is checked: a legend over drawn data fails the
# cell that drew it (xent.plotting.check_legends, issue 16).
CHECK_ENV := XENT_CHECK_LEGENDS=1

.PHONY: help venv node_modules book pdf pdf-from-cache execute test test-lib test-notebooks test-build test-pdf test-site lab serve bench screenshot clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 18

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

venv: $(STAMP)  ## create .venv and install requirements.txt into it

$(NODE_STAMP): package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: apt-get install nodejs npm"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

node_modules: $(NODE_STAMP)  ## install the Node packages of package-lock.json (MathJax for the build)

book: $(STAMP) $(NODE_STAMP)  ## execute every notebook and build the site into _build/html (with the PDF if XeLaTeX is installed)
	rm -rf $(HTML) _build/.doctrees _build/jupyter_execute _build/latex
	env $(NB_ENV) $(BIN)/python book_ext/execute_notebooks.py
	$(BIN)/python book_ext/downloads.py  # the wheel and the notebooks' zip, linked from a4
	if command -v xelatex >/dev/null; then $(MAKE) pdf-from-cache; \
	else echo "no xelatex: the site is built without the PDF (see make pdf)"; fi
	rm -rf _build/.doctrees
	$(BIN)/jupyter-book build . --builder html
	$(MAKE) book-zh
	@echo "The book: $(abspath $(HTML))/index.html (中文版: $(abspath $(HTML))/zh_CN/index.html)"

pdf: $(STAMP)  ## execute every notebook and build the whole book as one PDF (XeLaTeX): _build/latex/book.pdf
	env $(NB_ENV) $(BIN)/python book_ext/execute_notebooks.py
	$(MAKE) pdf-from-cache

# The PDF from the outputs in the notebook cache (a notebook missing there is executed by the build).
pdf-from-cache: $(STAMP)
	rm -rf _build/latex _build/.doctrees && mkdir -p _build
	time $(BIN)/jupyter-book build . --builder pdflatex >_build/pdf-build.log 2>&1 \
	  || { tail -40 _build/pdf-build.log; exit 1; }
	@test -f $(PDF)
	@echo "The PDF: $(abspath $(PDF)) ($$(pdfinfo $(PDF) 2>/dev/null | sed -n 's/^Pages: *//p') pages)"

execute: $(STAMP)  ## re-execute NOTEBOOKS=chapters/... in place, top to bottom in a fresh kernel
	@test "$(NOTEBOOKS)" != chapters || { echo "name the notebooks: make execute NOTEBOOKS=chapters/04_binary_gradient.ipynb"; exit 1; }
	env $(NB_ENV) $(CHECK_ENV) $(BIN)/jupyter nbconvert --to notebook --execute --inplace $(NOTEBOOKS)

test: $(STAMP) $(NODE_STAMP)  ## the whole suite (library, notebooks, strict builds of both editions, PDF, browser), timing each stage
	MAKE="$(MAKE)" bash tests/stages.sh

# Where `make test` keeps the notebooks as nbval executed them, for test-build (see
# book_ext/execute_notebooks.py): NBVAL_KEEP is set for test-notebooks, NBVAL_EXECUTED for test-build.
NBVAL_RUN := _build/nbval-executed
NBVAL_KEEP ?=
NBVAL_EXECUTED ?=

test-lib: $(STAMP)  ## pytest on the library and the notebook checks (a worker per core; a test file stays on one)
	$(BIN)/pytest -n auto --dist loadfile tests --ignore=tests/site

# nbval's cells of one notebook share a kernel: each notebook stays on one worker (loadfile), one
# worker per core, each kernel's BLAS on one thread (as book_ext/execute_notebooks.py runs them).
test-notebooks: $(STAMP)  ## nbval: re-execute every chapter (or NOTEBOOKS=...) and compare its stored outputs
	$(if $(NBVAL_KEEP),rm -rf $(NBVAL_KEEP))
	env $(NB_ENV) $(CHECK_ENV) OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/python -m pytest $(NBVAL) \
	  -n auto --dist loadfile $(if $(NBVAL_KEEP),-p book_ext.execute_notebooks --keep-executed $(NBVAL_KEEP)) $(NOTEBOOKS)

test-build: $(STAMP) $(NODE_STAMP)  ## build with warnings as errors (-W --keep-going, nitpicky)
	rm -rf $(HTML) _build/.doctrees _build/jupyter_execute
	env $(NB_ENV) $(CHECK_ENV) $(BIN)/python book_ext/execute_notebooks.py $(if $(NBVAL_EXECUTED),--from $(NBVAL_EXECUTED))
	$(BIN)/python book_ext/downloads.py  # the wheel and the notebooks' zip, linked from a4
	$(BIN)/jupyter-book build . --builder html --warningiserror --keep-going

test-pdf: $(STAMP)  ## build the PDF from the notebooks test-build executed, and check it
	$(MAKE) pdf-from-cache
	XENT_REQUIRE_PDF=1 $(BIN)/pytest tests/site/test_pdf.py

test-site: $(STAMP)  ## open every page of the built site in headless Chromium (the PDF's test is test-pdf's)
	test -f $(HTML)/index.html || $(MAKE) test-build
	$(BIN)/pytest tests/site --ignore=tests/site/test_pdf.py

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

# The Chinese edition (issue 17): one source, translated with gettext catalogues in locales/.
# It executes the notebooks once more with XENT_LANG, so that xent.plotting draws the figures'
# text from locales/zh_CN/LC_MESSAGES/figures.po, and builds into _build/html/zh_CN.
ZH       := zh_CN
ZH_BUILD := _build/$(ZH)_build
ZH_ENV   := XENT_LANG=$(ZH) XENT_LOCALE_DIR=$(abspath locales) XENT_FIGURE_LOG=$(abspath $(ZH_BUILD))/figure-strings.jsonl
ZH_FLAGS ?=
.PHONY: book-zh book-zh-build book-zh-install test-build-zh gettext translation-status test-translation

book-zh: $(STAMP) $(NODE_STAMP)  ## execute the notebooks with Chinese figure text, build the Chinese site into _build/html/zh_CN
	$(MAKE) --no-print-directory book-zh-build
	$(MAKE) --no-print-directory book-zh-install

# book-zh in two steps, so that `make test` can build this edition while test-build builds the
# English one: the Chinese site is moved into _build/html only once that build is done.
book-zh-build: $(STAMP) $(NODE_STAMP)
	rm -rf $(ZH_BUILD) $(HTML)/$(ZH)
	mkdir -p $(ZH_BUILD)
	$(BIN)/python book_ext/translation.py compile-figures $(ZH)
	$(BIN)/python book_ext/translation.py config $(ZH) $(ZH_BUILD)/_config.yml $(abspath $(ZH_BUILD))/.jupyter_cache
	env $(NB_ENV) $(ZH_ENV) $(CHECK_ENV) $(BIN)/python book_ext/execute_notebooks.py --cache $(ZH_BUILD)/.jupyter_cache
	env $(NB_ENV) $(ZH_ENV) $(BIN)/jupyter-book build . --config $(ZH_BUILD)/_config.yml --path-output $(ZH_BUILD) --builder html $(ZH_FLAGS)

book-zh-install: $(STAMP)
	mkdir -p $(HTML)
	rm -rf $(HTML)/$(ZH)
	mv $(ZH_BUILD)/_build/html $(HTML)/$(ZH)
	$(BIN)/python book_ext/translation.py figure-report $(ZH_BUILD)/figure-strings.jsonl

test-build-zh: $(STAMP)  ## the Chinese edition with warnings as errors
	$(MAKE) book-zh ZH_FLAGS="--warningiserror --keep-going"

gettext: $(STAMP)  ## re-extract the English messages and merge them into locales/zh_CN/LC_MESSAGES/*.po
	rm -rf _build/i18n _build/.doctrees
	$(BIN)/python book_ext/translation.py pot _build/i18n
	$(BIN)/sphinx-intl update -p _build/i18n/_build/gettext -l $(ZH) -d locales -w 0 --no-obsolete
	$(BIN)/python book_ext/translation.py fill $(ZH)
	$(BIN)/python book_ext/translation.py status $(ZH) _build/i18n/_build/gettext

translation-status: $(STAMP)  ## per page: messages untranslated, fuzzy or obsolete in locales/zh_CN
	$(BIN)/python book_ext/translation.py status $(ZH)

test-translation: $(STAMP)  ## every message translated, roles, labels and math kept (tests/test_translation.py)
	$(BIN)/pytest tests/test_translation.py
