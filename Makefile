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
# OpenMP threads wait for work by sleeping, not by spinning: with two threads on two cores and any
# other process busy, spinning made a training loop 15 times slower (CONTRIBUTING.md, "Speed").
# The Jupyter kernel of the course's environment gets the same setting (see setup).
export OMP_WAIT_POLICY := PASSIVE

# Every stage of make test writes its time to $(STAGE_TIMES); make test prints them at the end.
STAGE_TIMES := _build/stage-times.txt
STAGE_START = @mkdir -p _build && date +%s > _build/.stage-$@
STAGE_END = @echo "$@ $$(( $$(date +%s) - $$(cat _build/.stage-$@) ))" >> $(STAGE_TIMES)

.PHONY: help setup install system-deps matrix stage-reset book test lint unit notebooks claims build-book widget-js browser-deps browser lab doctor bench \
        assignments grade test-assignments sandbox-deps clean

help:
	@echo "make book         build the HTML book into _build/html (sets everything up on first run)"
	@echo "make test         the whole test suite: lint, unit tests, notebooks, assignments, book build, browser"
	@echo "make lab          open the chapters in JupyterLab"
	@echo "make doctor       check the environment (paste its output into bug reports)"
	@echo "make claims       the chapters' claims on more seeds, under every numeric setting"
	@echo "make bench        longer benchmarks (attention cost), reported as ratios"
	@echo "make assignments  generate the student versions of the assignments (nbgrader)"
	@echo "make grade        grade submitted/<student>/<assignment>/ in a sandbox: feedback/, grades.csv"

# ---- setup: a virtual environment with the tested set of packages --------------------------------
$(STAMP): requirements.txt constraints.txt code/pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# PyTorch through pip, which takes the CPU wheel where one lies on disk (pip's find-links); the
	@# rest through uv, which installs in parallel (pip alone took over two minutes); pip if uv fails
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-compile \
	  -c constraints.txt torch uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements.txt -c constraints.txt || \
	  $(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e code
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (attnlab)" >/dev/null
	$(BIN)/python -c "from attnlab.core.threads import add_to_kernelspec as add; \
	  add('$(VENV)/share/jupyter/kernels/python3/kernel.json')"
	@touch $(STAMP)

setup: $(STAMP)

# ---- the book ------------------------------------------------------------------------------------
# the ipywidgets JavaScript, served by the book itself (from the npm registry, checked, once)
widget-js: setup
	$(BIN)/python tools/fetch_widget_js.py

# Reading a chapter is executing it: the book build reads two at once (Sphinx's parallel reading,
# tools/build_book.py), each kernel with one thread, so both cores work on every chapter's turn.
BOOK_JOBS ?= 2
BOOK_BUILD := ATTNLAB_BOOK_JOBS=$(BOOK_JOBS) OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 ATTNLAB_STRICT=1 \
	$(BIN)/python tools/build_book.py .

book: setup widget-js
	env $(BOOK_BUILD)
	@echo "The book is at: $(CURDIR)/_build/html/index.html"

# ---- the tests -------------------------------------------------------------------------------------
lint: setup
	$(STAGE_START)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(STAGE_END)

unit: setup
	$(STAGE_START)
	MPLBACKEND=Agg $(BIN)/pytest -q -n 2 tests/unit
	$(STAGE_END)

# ---- results that hold on every machine ---------------------------------------------------------
# The same machine stands in for the processors students have: these variables pick slower or faster
# kernels (MKL's instruction set, ATen's vectorisation) and the thread count, and one run shifts
# every seed by ATTNLAB_SEED_OFFSET. Under ATTNLAB_STRICT=1 a claim of the prose that a run does not
# bear out is an error (a student's notebook prints a note instead and goes on).
# NO_AVX512=1 runs the matrix in the shape it takes on a CPU without AVX-512 (run it before a change
# lands, on a machine that has AVX-512: CONTRIBUTING.md).
CPU_AVX512 := $(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo yes)
HAS_AVX512 := $(if $(NO_AVX512),,$(CPU_AVX512))
SETTING_sse42  := MKL_ENABLE_INSTRUCTIONS=SSE4_2 ATEN_CPU_CAPABILITY=default OMP_NUM_THREADS=2 MKL_NUM_THREADS=2
SETTING_avx2   := MKL_ENABLE_INSTRUCTIONS=AVX2 ATEN_CPU_CAPABILITY=avx2 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
SETTING_avx512 := MKL_ENABLE_INSTRUCTIONS=AVX512 ATEN_CPU_CAPABILITY=avx512 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
# the book build inside make test: MKL's SSE4.2 kernels for the matrix products, PyTorch's own
# kernels as fast as the CPU allows (ATen without vectorisation, as sse42 has it, runs a chapter on
# one thread at half speed), two chapters at once with one thread each
SETTING_book := MKL_ENABLE_INSTRUCTIONS=SSE4_2
# the seed-offset run shares the AVX2 setting (AVX2 is on every x86 machine the course targets), so
# the matrix stays within make test's time: the offset run checks seeds nobody chose (1000-1004 in
# the chapters, 1005-1014 in the claims suite), the book build (sse42) the chapters' own seeds, and
# sse42 and avx512 the claims suite's 5-14
SEED_OFFSET := 1000
SETTING_offset := $(SETTING_avx2) ATTNLAB_SEED_OFFSET=$(SEED_OFFSET)
SETTINGS := sse42 offset $(if $(HAS_AVX512),avx512)
# Who runs what, so that every setting checks every chapter once and make test stays in its time:
# - the book build executes every chapter under the book setting, two at once with one thread each
#   (inside `make test`: BOOK_ENV below);
# - nbval executes every chapter under offset, two notebooks side by side (one thread each);
# - the claims suite checks every chapter's claims on ten more seeds under each setting.
NOTEBOOK_SETTINGS := offset
CLAIMS_REPORT := _build/claims
# Chapter 7 trains a whole transformer (under a minute per model and seed), so it runs once per
# setting, where the other chapters run ten seeds: its notebook in the book build (sse42, seed 0)
# and under nbval (offset, seed 1000); `make claims` adds its claims file under offset, which
# every shape of the matrix has (CH7_CLAIM_SEEDS, shifted by the offset;
# ATTNLAB_CH7_CLAIM_SEEDS=5-14 make claims for more). -p slow_first starts Chapter 7 first, so
# that the other chapters run beside it.
CH7_CLAIMS := tests/claims/test_ch07_name.py
CH7_CLAIMS_SETTING := offset
CH7_CLAIM_SEEDS := 6
# Inside `make test` the claims check five seeds per setting (5-9; under offset 1005-1009) instead
# of ten (five is the fewest: Chapter 6 claims a mean over five seeds), and Chapter 7's claims file
# is left to `make claims`, to keep make test near its 20 minutes: with the notebooks' own five
# seeds under book and offset, a chapter's experiments run on 20 seeds. `make claims` on its own
# checks ten everywhere.
SSE42_CLAIM_SEEDS := 5-14
CLAIM_SEEDS := 5-14

# what the matrix runs on this machine, and why (printed by make test, notebooks and claims)
matrix:
	@echo "== numeric matrix: book $(SETTINGS)"
	@if [ -n "$(NO_AVX512)" ]; then echo "   NO_AVX512=1: the shape of a CPU without AVX-512, avx512 skipped"; \
	elif [ -n "$(HAS_AVX512)" ]; then echo "   this CPU has AVX-512: avx512 runs the claims suite"; \
	else echo "   no AVX-512 on this CPU: avx512 skipped"; fi
	@echo "   book   ($(SETTING_book), PyTorch's kernels native): the book build (two chapters at once,"
	@echo "          one thread each), each chapter's own seeds (0-4; Chapter 7: 0)"
	@echo "   sse42  ($(SETTING_sse42)):"
	@echo "          claims (one at a time, two threads) on seeds $${ATTNLAB_CLAIM_SEEDS:-$(SSE42_CLAIM_SEEDS)}"
	@echo "   offset ($(SETTING_offset)): nbval, each chapter's seeds + $(SEED_OFFSET) (1000-1004; Chapter 7: 1000);"
	@echo "          claims on seeds $${ATTNLAB_CLAIM_SEEDS:-$(CLAIM_SEEDS)} + $(SEED_OFFSET);$(if $(filter offset,$(CH7_CLAIMS_SETTING)), Chapter 7's claims on seed(s) $${ATTNLAB_CH7_CLAIM_SEEDS:-$(CH7_CLAIM_SEEDS)} + $(SEED_OFFSET), Chapter 7's claims: make claims)"
	@if [ -n "$(HAS_AVX512)" ]; then \
	  echo "   avx512 ($(SETTING_avx512)): claims on seeds $${ATTNLAB_CLAIM_SEEDS:-$(CLAIM_SEEDS)}"; fi

# every chapter under nbval, under the offset setting (sse42: see build-book; avx512: the claims)
notebooks: setup matrix
	$(STAGE_START)
	@for s in $(NOTEBOOK_SETTINGS); do \
	  echo "== notebooks under setting $$s"; \
	  case $$s in sse42) env="$(SETTING_sse42)";; avx2) env="$(SETTING_avx2)";; \
	    avx512) env="$(SETTING_avx512)";; offset) env="$(SETTING_offset)";; esac; \
	  env $$env ATTNLAB_STRICT=1 $(BIN)/pytest -q --nbval-lax --nbval-current-env \
	    --nbval-cell-timeout=600 -p no:python -p slow_first -n 2 --dist loadscope book || exit 1; \
	done
	$(STAGE_END)

# the claims suite (tests/claims): the chapters' statements on 10 more seeds, once per setting
claims: setup matrix
	$(STAGE_START)
	@rm -rf $(CLAIMS_REPORT)
	@for s in $(SETTINGS); do \
	  echo "== claims under setting $$s"; \
	  case $$s in sse42) env="$(SETTING_sse42)";; avx2) env="$(SETTING_avx2)";; \
	    avx512) env="$(SETTING_avx512)";; offset) env="$(SETTING_offset)";; esac; \
	  workers="-n 2 --dist loadfile"; [ $$s = sse42 ] && workers="-p no:xdist"; \
	  skip=""; [ $$s = $(CH7_CLAIMS_SETTING) ] || skip="--ignore=$(CH7_CLAIMS)"; \
	  seeds="$(CLAIM_SEEDS)"; [ $$s = sse42 ] && seeds="$(SSE42_CLAIM_SEEDS)"; \
	  echo "   seeds $${ATTNLAB_CLAIM_SEEDS:-$$seeds}$$( [ $$s = offset ] && echo " + $(SEED_OFFSET)")$$( [ -z "$$skip" ] && echo "; Chapter 7: $${ATTNLAB_CH7_CLAIM_SEEDS:-$(CH7_CLAIM_SEEDS)}")"; \
	  env $$env ATTNLAB_STRICT=1 ATTNLAB_CLAIMS_REPORT=$(CLAIMS_REPORT)/$$s MPLBACKEND=Agg \
	    ATTNLAB_CLAIM_SEEDS=$${ATTNLAB_CLAIM_SEEDS:-$$seeds} \
	    ATTNLAB_CH7_CLAIM_SEEDS=$${ATTNLAB_CH7_CLAIM_SEEDS:-$(CH7_CLAIM_SEEDS)} \
	    $(BIN)/pytest -q -p slow_first $$workers $$skip tests/claims || exit 1; \
	done
	$(BIN)/python tools/claims_table.py $(CLAIMS_REPORT)
	$(STAGE_END)

build-book: setup widget-js
	$(STAGE_START)
	env $(BOOK_ENV) $(BOOK_BUILD) -W --keep-going --all
	$(STAGE_END)

browser-deps:
	@if command -v chromium >/dev/null 2>&1 || test -x /usr/bin/chromium; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "The browser tests need Chromium at /usr/bin/chromium. Install it with:"; \
	  echo "    sudo apt-get install chromium"; exit 1; fi

browser: setup browser-deps
	$(STAGE_START)
	MPLBACKEND=Agg $(BIN)/pytest -q tests/built
	$(STAGE_END)

# inside `make test`, the book build executes every chapter under the book setting
test: BOOK_ENV = $(SETTING_book)
test: SSE42_CLAIM_SEEDS = 5-9
test: CLAIM_SEEDS = 5-9
test: CH7_CLAIMS_SETTING = make-claims-only
# The apt installs (Chromium, bubblewrap: one after the other, dpkg's lock) run while pip installs.
# The browser tests mostly wait on Chromium, so the assignments are graded beside them. (Grading
# beside the notebooks and claims instead made both take twice as long: 607 s and 590 s together,
# against 206 s and 285 s one after the other.)
test: stage-reset install matrix lint unit notebooks claims build-book
	$(MAKE) --no-print-directory -j2 --output-sync=target test-assignments browser
	@echo "make test: all stages passed; seconds per stage:"
	@sed 's/^/   /' $(STAGE_TIMES)

# everything make test needs, Python's packages and Debian's, installed at the same time
install:
	$(STAGE_START)
	$(MAKE) --no-print-directory -j2 --output-sync=target setup system-deps
	$(STAGE_END)

system-deps:
	@$(MAKE) --no-print-directory sandbox-deps
	@$(MAKE) --no-print-directory browser-deps

stage-reset:
	@mkdir -p _build && rm -f $(STAGE_TIMES)

# ---- working with the course ---------------------------------------------------------------------
lab: setup
	$(BIN)/jupyter lab book

doctor: setup
	$(BIN)/python -m attnlab.core.doctor

bench: setup
	$(BIN)/python -m attnlab.ch05_multi_head.cost

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
	$(STAGE_START)
	OMP_NUM_THREADS=1 MKL_NUM_THREADS=1 $(BIN)/pytest -q -n 2 --dist loadscope tests/assignments
	$(STAGE_END)

clean:
	rm -rf _build .pytest_cache
