# `make run` and `make test` each set everything up on a fresh Debian machine. `make help` lists every target.
SHELL := /bin/bash
VENV := .venv
PYTHON := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# WeasyPrint needs Pango and HarfBuzz's subset library (without it a PDF took ~250 ms, with it ~20 ms).
RUN_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core
# PostgreSQL and redis-server: the tests start throwaway servers of each on loopback
# (tests/postgres_server.py, tests/redis_server.py); none is left running.
TEST_PACKAGES := $(RUN_PACKAGES) chromium postgresql redis-server
# PostgreSQL: the trust-scale load (bench/trust_scale.py) runs on it beside SQLite, on a throwaway server.
BENCH_PACKAGES := $(RUN_PACKAGES) wrk postgresql

.PHONY: run test test-sqlite test-postgresql test-setup lint format bench bench-kolibri bench-trust setup setup-dev packages \
  compile-translations translations help clean

# Translations (Flask-Babel): each language's catalogue, translations/<code>/LC_MESSAGES/messages.po, is in git; its
# compiled .mo is not, and is made from it by every target that serves or tests the app (README "Translations").
CATALOGUES := $(wildcard translations/*/LC_MESSAGES/messages.po)
# What `make translations` reads: the app's Python and templates (babel.cfg), with the lazy forms' keywords too.
EXTRACT := -F babel.cfg -k _l -k lazy_gettext -k N_ --ignore-dirs=".* ._ tests bench node_modules translations" \
  --add-location=file --sort-output --no-wrap --project="Online safety"

# DEVELOPMENT: plain http on 127.0.0.1, and no PUBLIC_BASE_URL needed (links use 127.0.0.1:5000).
# The job worker (staff e-mails, report files, sign-in cards and imports) and the live lessons' event server
# (on 127.0.0.1:5001) run beside the web server, as in production, and are stopped with it (Ctrl+C or any exit).
run: setup instance/config.py compile-translations ## Serve the demo school on http://127.0.0.1:5000 with the job worker and live events beside it
	FLASK_DEVELOPMENT=true $(FLASK) init-db
	FLASK_DEVELOPMENT=true $(FLASK) seed-demo
	export FLASK_DEVELOPMENT=true FLASK_DEMO_MODE=true FLASK_LIVE_EVENTS_URL=http://127.0.0.1:5001; \
	$(FLASK) jobs worker & worker=$$!; \
	$(FLASK) live events --port 5001 & events=$$!; \
	trap 'kill $$worker $$events 2>/dev/null; wait $$worker $$events 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000

# The whole suite on SQLite (the embedded default) and on PostgreSQL (the engine past one machine), at the same
# time, in three processes on the machine's two cores. Every test but the browser journeys runs on both engines.
# Each browser journey runs once: a pupil's (and a parent's) on SQLite, what one school runs; staff, trust and
# operator journeys on PostgreSQL, what trusts and operators run. They were over half of the suite's time, twice
# over (347 s on SQLite, 438 s on PostgreSQL, of 1,460 s), and what they check is the browser's side of the
# page; the engines' side is checked on both by the rest of the suite. `make test-sqlite` and
# `make test-postgresql` run every journey on their one engine.
# PostgreSQL's share is split in two, each half with its own throwaway server, because much of it is waiting on
# the server: the first half is BROWSER_ON_POSTGRESQL and the folders in POSTGRESQL_FIRST; the second, every
# other folder, so a new folder is never left out. A new browser journey runs on SQLite unless listed below.
# SQLite's run shows as it goes; PostgreSQL's halves go to .pytest-postgresql-1.log and -2.log, and their
# failures and summaries are printed when all three are done.
BROWSER_ON_POSTGRESQL := $(addprefix tests/browser/,test_classroom_progress_browser.py \
  test_classroom_roster_browser.py test_console_browser.py test_dsl_alerts_browser.py test_evidence_browser.py \
  test_oidc_provider_browser.py test_provider_sign_in_browser.py test_safeguarding_accessibility.py \
  test_staff_course_browser.py test_staff_mfa_browser.py test_teacher_widths_browser.py test_trust_browser.py)
POSTGRESQL_FIRST := tests/accounts tests/app tests/console tests/certificates
test: test-setup ## The whole suite on SQLite and on PostgreSQL, side by side (each browser journey on one of them)
	@TEST_ENGINE=postgresql $(VENV)/bin/pytest -q -p no:cacheprovider $(BROWSER_ON_POSTGRESQL) $(POSTGRESQL_FIRST) \
	  > .pytest-postgresql-1.log 2>&1 & first=$$!; \
	TEST_ENGINE=postgresql $(VENV)/bin/pytest -q -p no:cacheprovider \
	  $(addprefix --ignore=,tests/browser $(POSTGRESQL_FIRST)) > .pytest-postgresql-2.log 2>&1 & second=$$!; \
	trap 'kill $$first $$second 2>/dev/null' INT TERM; \
	$(VENV)/bin/pytest $(addprefix --ignore=,$(BROWSER_ON_POSTGRESQL)); sqlite=$$?; \
	wait $$first; pg1=$$?; wait $$second; pg2=$$?; \
	for half in 1 2; do \
	  echo "=== PostgreSQL, part $$half (whole log: .pytest-postgresql-$$half.log) ==="; \
	  grep -E "^(FAILED|ERROR) " .pytest-postgresql-$$half.log | head -50; \
	  tail -n 1 .pytest-postgresql-$$half.log; \
	done; \
	echo "SQLite: $$([ $$sqlite -eq 0 ] && echo passed || echo FAILED). PostgreSQL: $$([ $$pg1 -eq 0 ] && [ $$pg2 -eq 0 ] && echo passed || echo FAILED)."; \
	[ $$sqlite -eq 0 ] && [ $$pg1 -eq 0 ] && [ $$pg2 -eq 0 ]

test-sqlite: test-setup ## The whole suite on SQLite only
	$(VENV)/bin/pytest

test-postgresql: test-setup ## The whole suite on PostgreSQL only (a throwaway server on loopback)
	TEST_ENGINE=postgresql $(VENV)/bin/pytest

test-setup: setup-dev compile-translations tests/browser/node_modules/.package-lock.json tests/oidc/node_modules/.package-lock.json ## Install what the tests need (dev requirements, npm packages, Chromium, PostgreSQL, Redis)
	@$(MAKE) --no-print-directory packages PACKAGES="$(TEST_PACKAGES)"

lint: setup-dev compile-translations ## ruff check, ruff format --check, then the layers contract (lint-imports)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-logo

format: setup-dev ## ruff format, then ruff check --fix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup-dev ## Every benchmark row in one table, each beside its goal
	@$(MAKE) --no-print-directory packages PACKAGES="$(BENCH_PACKAGES)"
	$(PYTHON) -m bench

# The trust-scale load: 40 schools, 40,000 pupils, a million answers; two app servers and a worker,
# one server killed with SIGKILL mid-load. SQLite's seeded file is cached in ~/.cache/bench-trust.
# Pass options with ARGS, e.g. `make bench-trust ARGS="--engine sqlite --scale 0.1"`.
bench-trust: setup-dev ## The trust-scale load only (pass options with ARGS=...)
	@$(MAKE) --no-print-directory packages PACKAGES="$(BENCH_PACKAGES)"
	$(PYTHON) -m bench.trust_scale $(ARGS)

# Our class dashboard and course page against Kolibri 0.19.5's coach class summary and learner home. Installs
# Kolibri with pip into a virtualenv cached outside git (~/.cache/bench-kolibri, or BENCH_KOLIBRI_CACHE); nothing
# of it is committed.
bench-kolibri: setup-dev ## The class dashboard and course page against Kolibri's coach class summary and learner home
	@$(MAKE) --no-print-directory packages PACKAGES="$(BENCH_PACKAGES)"
	$(PYTHON) -m bench.kolibri

setup: $(VENV)/.installed ## Runtime only: Debian packages and requirements.txt in .venv (what production needs)
	@$(MAKE) --no-print-directory packages PACKAGES="$(RUN_PACKAGES)"

# Tests, lint and benchmarks: requirements-dev.txt, which starts with `-r requirements.txt`.
setup-dev: $(VENV)/.installed-dev ## Runtime and development: also requirements-dev.txt (pytest, Playwright, ruff...)
	@$(MAKE) --no-print-directory packages PACKAGES="$(RUN_PACKAGES)"

compile-translations: $(CATALOGUES:.po=.mo) ## Compile each language's catalogue (.po) into the .mo the app reads

# A catalogue with a fuzzy entry does not compile: tests/shared/test_translations.py names the entry.
%.mo: %.po $(VENV)/.installed
	$(VENV)/bin/pybabel compile --statistics -i $< -o $@

# For developers, after changing words in code or templates: every message into translations/messages.pot (not in
# git), then each catalogue updated from it. New entries are empty and changed ones fuzzy until someone translates
# them; the translations test fails until then.
translations: setup ## Extract every message (pybabel extract), then update each language's catalogue (pybabel update)
	$(VENV)/bin/pybabel extract $(EXTRACT) -o translations/messages.pot .
	$(VENV)/bin/pybabel update -i translations/messages.pot -d translations --no-wrap --ignore-obsolete \
	  --ignore-pot-creation-date

# Installs only the Debian packages that are missing; asks apt once.
packages: ## Install the Debian packages named in PACKAGES that are missing (used by the targets above)
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# Each marker is remade when its file changes; the dev marker also when the runtime one is remade.
$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV) || { $(MAKE) --no-print-directory packages PACKAGES="python3-venv" && python3 -m venv $(VENV); }
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

tests/browser/node_modules/.package-lock.json: tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --silent --no-audit --no-fund

# The loopback OpenID Provider the sign-in tests run (oidc-provider from the npm registry).
tests/oidc/node_modules/.package-lock.json: tests/oidc/package.json tests/oidc/package-lock.json
	cd tests/oidc && npm ci --silent --no-audit --no-fund

# A random SECRET_KEY for this machine, made once and kept out of git.
instance/config.py:
	mkdir -p instance
	$(PYTHON) -c "import secrets; print(f'SECRET_KEY = {secrets.token_hex(32)!r}')" > $@

clean: ## Remove .venv, the npm packages and pytest's cache
	rm -rf $(VENV) tests/browser/node_modules tests/oidc/node_modules .pytest_cache

# Every target with a `## ` description, in the order above.
help: ## List the targets with what each does
	@grep -E '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-21s %s\n", $$1, $$2}'
