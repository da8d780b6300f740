# From a Line to Attention: the two commands are `make book` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.attnlab-installed
# Two CPU cores is the machine the course is written for; notebooks under test get one thread each
# when two of them run side by side.
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help setup book test lint unit notebooks build-book widget-js browser-deps browser lab doctor bench \
        assignments grade test-assignments sandbox-deps clean

help:
	@echo "make book         build the HTML book into _build/html (sets everything up on first run)"
	@echo "make test         the whole test suite: lint, unit tests, notebooks, assignments, book build, browser"
	@echo "make lab          open the chapters in JupyterLab"
	@echo "make doctor       check the environment (paste its output into bug reports)"
	@echo "make bench        longer benchmarks (attention cost), reported as ratios"
	@echo "make assignments  generate the student versions of the assignments (nbgrader)"
	@echo "make grade        grade submitted/<student>/<assignment>/ in a sandbox: feedback/, grades.csv"

# ---- setup: a virtual environment with the tested set of packages --------------------------------
$(STAMP): requirements.txt constraints.txt code/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e code
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (attnlab)" >/dev/null
	@touch $(STAMP)

setup: $(STAMP)

# ---- the book ------------------------------------------------------------------------------------
# the ipywidgets JavaScript, served by the book itself (from the npm registry, checked, once)
widget-js: setup
	$(BIN)/python tools/fetch_widget_js.py

book: setup widget-js
	$(BIN)/jupyter-book build .
	@echo "The book is at: $(CURDIR)/_build/html/index.html"

# ---- the tests -------------------------------------------------------------------------------------
lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: setup
	MPLBACKEND=Agg $(BIN)/pytest -q tests/unit

notebooks: setup
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/pytest -q --nbval-lax --nbval-current-env \
	  --nbval-cell-timeout=600 -p no:python -n 2 --dist loadscope book

build-book: setup widget-js
	$(BIN)/jupyter-book build . -W --keep-going --all

browser-deps:
	@if command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "The browser tests need Chromium at /usr/bin/chromium. Install it with:"; \
	  echo "    sudo apt-get install chromium"; exit 1; fi

browser: setup browser-deps
	MPLBACKEND=Agg $(BIN)/pytest -q tests/built

test: lint unit notebooks test-assignments build-book browser
	@echo "make test: all stages passed"

# ---- working with the course ---------------------------------------------------------------------
lab: setup
	$(BIN)/jupyter lab book

doctor: setup
	$(BIN)/python -m attnlab.doctor

bench: setup
	$(BIN)/python -m attnlab.bench

# ---- classroom assignments (nbgrader) -------------------------------------------------------------
assignments: setup
	$(BIN)/python assignments/course.py release

# make grade runs every student's notebook under bwrap (Debian's bubblewrap): read-only files, the
# course folder hidden, no network. Without it grading still works and says it ran unisolated.
sandbox-deps:
	@if command -v bwrap >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's bubblewrap: make grade runs each notebook in a sandbox"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq bubblewrap >/dev/null; \
	else \
	  echo "make grade isolates each student's notebook with bwrap, which is not installed."; \
	  echo "Without it, grading runs student code with your rights. Install it with:"; \
	  echo "    sudo apt-get install bubblewrap"; fi

grade: setup sandbox-deps
	$(BIN)/python assignments/course.py grade

# every assignment released with real nbgrader and graded: solutions, untouched, planted mistakes,
# the robustness cases (endless loop, deleted test cell, megabytes of output, ...) and a class of
# hostile students (tests/assignments/test_hostile.py), under bwrap
test-assignments: setup sandbox-deps
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/pytest -q -n 2 --dist loadscope tests/assignments

clean:
	rm -rf _build .pytest_cache
