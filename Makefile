# anjian — the two commands a newcomer needs: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
PIP_INSTALL := $(BIN)/pip install --quiet --disable-pip-version-check --build-constraint build-constraints.txt
# Debian packages the browser tests need (Chromium for Playwright, CJK fonts for readable screenshots,
# gettext for the message-catalog check, LibreOffice Writer and poppler-utils to check that a
# generated Word document renders to PDF) and wrk, the HTTP load generator of `make bench`.
SYSTEM_PACKAGES := chromium fonts-noto-cjk gettext wrk libreoffice-writer-nogui poppler-utils

.PHONY: demo test test-fast test-sqlite test-dates test-fuzz install install-test system-packages messages lint lint-imports serve-demo bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade "pip>=25.3"

$(VENV)/.installed: pyproject.toml build-constraints.txt | $(BIN)/python
	$(PIP_INSTALL) -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml build-constraints.txt | $(BIN)/python
	$(PIP_INSTALL) -e ".[test]"
	touch $(VENV)/.installed $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

.env:
	@printf 'ANJIAN_DEBUG=true\nANJIAN_SECRET_KEY=demo-%s\n' "$$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')" > .env
	@echo "Wrote .env for the demo (ANJIAN_DEBUG=true); see .env.example for production settings."

## make demo: install, migrate the SQLite database, load 场口镇, start the worker and scheduler, serve.
demo: install .env
	$(BIN)/python manage.py migrate --no-input -v 0
	$(BIN)/python manage.py load_demo
	@echo ""
	@echo "anjian 演示站点 / demo: http://127.0.0.1:$(PORT)/  (Ctrl-C stops the server, worker and scheduler)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(BIN)/python manage.py db_worker --interval 1 --no-startup-delay --no-reload & \
	  $(BIN)/python manage.py run_scheduler & \
	  $(BIN)/python manage.py runserver --noreload 127.0.0.1:$(PORT)

system-packages:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

## make test: install the test dependencies (Chromium included) and run the whole suite, then the
## browser journeys. DATABASE_URL=postgres://… make test runs it on PostgreSQL (as CI does).
## ANJIAN_TEST_NOW=2028-02-29 make test runs it on another day (anjian/core/testing/clock.py).
test: install-test system-packages
	$(BIN)/pytest -n 2 -m "not e2e and not fuzz" -q
	$(BIN)/pytest -n 1 -m e2e -q

test-fast: install-test
	$(BIN)/pytest -n 2 -m "not e2e and not fuzz" -q -x

## make test-sqlite: on SQLite, the tests whose SQL differs between the databases (conftest.SQLITE_SET).
test-sqlite: install-test
	DATABASE_URL= $(BIN)/pytest -n 2 -m "sqlite and not e2e and not fuzz" -q

## make test-dates: the tests that depend on today (marker `dates`) on each day of TEST_DATES:
## month starts and ends, 29 February, year ends, around the Spring Festival and National Day; first
## the whole demo loaded on its own spread of 18 days (TEST_DATES_DEMO=0 leaves that out).
TEST_DATES ?= 2027-01-01 2027-01-10 2027-01-31 2027-02-05 2027-02-06 2027-02-12 2027-02-28 \
  2027-03-01 2027-04-30 2027-05-01 2027-06-30 2027-09-30 2027-10-01 2027-10-08 2027-11-28 \
  2027-11-30 2027-12-31 2028-02-29 2028-12-31
TEST_DATES_DEMO ?= 1
test-dates: install-test
	@if [ "$(TEST_DATES_DEMO)" = 1 ]; then \
	  ANJIAN_TEST_DATES=1 $(BIN)/pytest -n 2 -q anjian/demo/tests/test_load_demo_dates.py; fi
	@set -e; for day in $(TEST_DATES); do \
	  echo "== ANJIAN_TEST_NOW=$$day"; \
	  ANJIAN_TEST_NOW=$$day $(BIN)/pytest -n 2 -m "dates and not e2e and not fuzz" -q; \
	done

## make test-fuzz: schemathesis fuzzes every operation of the OpenAPI schema as several roles.
test-fuzz: install-test
	$(BIN)/pytest -n 2 -m fuzz -q tests/fuzz

## make messages: extract and compile the Chinese catalogs (needs gettext).
messages: install-test system-packages
	$(BIN)/python manage.py makemessages -l zh_Hans --no-obsolete --ignore='.venv/*' --ignore='staticfiles/*' --ignore='data/*' --ignore='test-artifacts/*' --ignore='tests/*' --ignore='bench/*' --ignore='scripts/*' --ignore='conftest.py' --ignore='*/tests/*' --ignore='anjian/core/testing/*'
	$(BIN)/python manage.py compilemessages -l zh_Hans --ignore='.venv/*'

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

## make lint-imports: the layering contracts of pyproject.toml ([tool.importlinter]).
lint-imports: install-test
	$(BIN)/lint-imports

## make bench: import 10,000 units (and 50,000 for peak memory) through the background path (SQLite, and PostgreSQL
## when DATABASE_URL is set); then serve the hazard list API with gunicorn (2 workers) against
## PostgreSQL with 25,000 hazards and load it with wrk (BENCH_HAZARDS_DATABASE_URL, default
## postgres://postgres@127.0.0.1:5432/anjian_bench_hazards, is dropped and re-created);
## then the statistics and dashboard pages on a generated district (20 towns, 40,000 units,
## 1,000,000 hazards) on PostgreSQL (BENCH_STATS_DATABASE_URL) and SQLite;
## writes bench/results.md and bench/results.json.
bench: install system-packages
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_hazards.py
	$(BIN)/python bench/bench_stats.py

clean:
	rm -rf $(VENV) staticfiles test-artifacts
