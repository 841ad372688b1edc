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
TAG := $(subst _,-,$(HB_LANG))
SOURCE := source/$(HANDBOOK)/handbook.yaml
EDITION := $(shell sed -n "s/^edition: *'\{0,1\}\([0-9-]*\).*/\1/p" $(SOURCE) 2>/dev/null)
SOURCE_DATE_EPOCH ?= $(shell date -u -d "$(EDITION)" +%s 2>/dev/null || git log -1 --format=%ct 2>/dev/null)
export SOURCE_DATE_EPOCH

SIZE ?= letter
PRINT ?=
ALLOW_PARTIAL ?=
BUILD_FLAGS := --size $(SIZE) $(if $(filter press,$(PRINT)),--press) $(if $(ALLOW_PARTIAL),--allow-partial)
SUFFIX := $(if $(filter-out letter,$(SIZE))$(filter press,$(PRINT)),-$(SIZE)$(if $(filter press,$(PRINT)),-press))
DEPS := $(SOURCE) $(wildcard locales/$(CODE)/LC_MESSAGES/$(HANDBOOK).po locales/$(CODE)/locale.yaml) \
        $(wildcard layouts/*.j2 layouts/*.css layouts/epub/*) $(wildcard pipeline/*.py pipeline/*.json) pyproject.toml

.PHONY: help setup handbook all check status test clean

help:
	@echo "make handbook LANG=es   build the PDF and EPUB of '$(HANDBOOK)' in one language (HANDBOOK=, SIZE=a4|a5, PRINT=press, ALLOW_PARTIAL=1)"
	@echo "make all                build every handbook in every language"
	@echo "make check              validate sources and catalogs (strict)"
	@echo "make status             translation status of every locale"
	@echo "make test               run the tests"
	@echo "make clean              remove dist/"

$(STAMP): pyproject.toml
	@.ci/system-packages runtime
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "installing the pipeline into $(VENV) ..."
	@$(BIN)/python -m pip install -q -e '.[test]' >$(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; exit 1; }
	@touch $@

setup: $(STAMP)

handbook: $(STAMP)
ifeq ($(HB_LANG),)
	@echo "error: say which language to build, e.g. make handbook LANG=es (available: en $(notdir $(wildcard locales/*)))" >&2; exit 2
else
	@$(MAKE) --no-print-directory dist/$(TAG)/$(HANDBOOK)$(SUFFIX).pdf LANG=$(HB_LANG)
endif

dist/%.pdf: $(DEPS) | $(STAMP)
	@$(BIN)/handbook build --handbook $(HANDBOOK) --lang $(HB_LANG) $(BUILD_FLAGS)

all: $(STAMP)
	@set -e; for h in $$(ls source/*/handbook.yaml | cut -d/ -f2); do \
	  for l in en $$(ls locales/*/LC_MESSAGES/$$h.po 2>/dev/null | cut -d/ -f2); do \
	    $(BIN)/handbook build --handbook $$h --lang $$l; done; done

check: $(STAMP)
	@$(BIN)/handbook check --strict

status: $(STAMP)
	@$(BIN)/handbook status --handbook $(HANDBOOK)

test: $(STAMP)
	@.ci/system-packages test
	@$(BIN)/python -m pytest -q

clean:
	rm -rf dist
