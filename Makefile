# Marelle: `make run` starts the portal with demo data; `make test` installs
# what the tests need, then runs every suite. See README.md.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV      := .venv
PY        := $(VENV)/bin/python
CARGO     ?= cargo
ADDR      ?= 127.0.0.1:8080
DATA      ?= ./data
CHROMIUM  ?= /usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
export CARGO_TERM_COLOR := never

.PHONY: help run dev build web test test-deps test-rust test-suites test-browser test-infra lint lint-french fuzz bench clean

help:
	@echo "make run    build and start the portal on http://$(ADDR) with demo data"
	@echo "make dev    the same with --dev (settable clock, outbox listing, easy captcha)"
	@echo "make test   install what the tests need, then run every suite"
	@echo "make fuzz   the contract fuzz at full size (10,000 requests or more)"
	@echo "make bench  benchmarks (by hand; figures go on the issues)"

## ---- running -------------------------------------------------------------

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund

web/dist/index.html: web/node_modules/.package-lock.json $(shell find web/src web/public web/index.html web/vite.config.* web/tsconfig*.json 2>/dev/null)
	cd web && npm run build

web: web/dist/index.html

build: web
	$(CARGO) build -p marelle-local

run: build
	./target/debug/marelle serve --addr $(ADDR) --data $(DATA) --web web/dist --demo --school-zone C

dev: build
	./target/debug/marelle serve --addr $(ADDR) --data $(DATA) --web web/dist --demo --dev --school-zone C

## ---- tests ---------------------------------------------------------------

# Python tools in a project virtualenv: moto (AWS emulation), cfn-lint and
# checkov (infrastructure checks).
$(VENV)/.installed: infra/requirements.txt tests/requirements.txt
	python3 -m venv $(VENV) || { apt-get update -qq && apt-get install -y -qq python3-venv && python3 -m venv $(VENV); }
	$(VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/requirements.txt -r infra/requirements.txt
	touch $@

# Debian's Chromium for the browser suite (Playwright never downloads one).
$(CHROMIUM):
	if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium

tests/browser/node_modules/.package-lock.json: tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund

test-deps: $(VENV)/.installed $(CHROMIUM) web/node_modules/.package-lock.json tests/browser/node_modules/.package-lock.json

# French typography of the app's texts and messages (web/scripts/french.mjs).
lint-french: web/node_modules/.package-lock.json
	cd web && npm run --silent lint:french

lint: lint-french
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --workspace --all-targets -- -D warnings

test-rust: $(VENV)/.installed
	$(CARGO) test --workspace --no-fail-fast

# Fuzzing from the contract (tests/fuzz/run.py): schemathesis against a running
# `marelle` with a parent's and an agent's session; no 5xx, no answer outside
# the contract. `make test` runs it at CI size, `make fuzz` at full size.
# (The authorisation matrix and the durability suite are Rust tests: test-rust.)
FUZZ_CI   ?= --requests 2000 --max-examples 5
FUZZ_FULL ?= --requests 10000 --max-examples 25

test-suites: $(VENV)/.installed
	$(CARGO) build -p marelle-local
	$(PY) tests/fuzz/run.py $(FUZZ_CI)

fuzz: $(VENV)/.installed
	$(CARGO) build -p marelle-local
	$(PY) tests/fuzz/run.py $(FUZZ_FULL)

test-browser: test-deps web
	$(CARGO) build -p marelle-local
	cd tests/browser && npm test

test-infra: $(VENV)/.installed
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" infra/check.sh

test: test-deps lint test-rust test-suites test-infra test-browser
	@echo "make test: every suite passed"

## ---- benchmarks ------------------------------------------------------------

bench:
	$(CARGO) run --profile perf -p marelle-bench -- all

clean:
	rm -rf target web/dist $(VENV) web/node_modules tests/browser/node_modules
