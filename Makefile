# `make run` and `make test` each set everything up on a fresh Debian machine.
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

.PHONY: run test test-sqlite test-postgresql test-setup lint format bench bench-kolibri bench-trust setup clean

# DEVELOPMENT: plain http on 127.0.0.1, and no PUBLIC_BASE_URL needed (links use 127.0.0.1:5000).
# The job worker (staff e-mails, report files, sign-in cards and imports) runs beside the web server, as in
# production, and is stopped with it (Ctrl+C or any exit).
run: setup instance/config.py
	FLASK_DEVELOPMENT=true $(FLASK) init-db
	FLASK_DEVELOPMENT=true $(FLASK) seed-demo
	export FLASK_DEVELOPMENT=true FLASK_DEMO_MODE=true; \
	$(FLASK) jobs worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host 127.0.0.1 --port 5000

# The whole suite twice, on SQLite (the embedded default) and on PostgreSQL (the engine past one machine), at
# the same time: each run is mostly one process and the machine has two cores (26 min one after the other here,
# 16 min side by side, set-up included). SQLite's run shows as it goes; PostgreSQL's goes to
# .pytest-postgresql.log, and its failures and summary are printed when both are done.
test: test-setup
	@TEST_ENGINE=postgresql $(VENV)/bin/pytest -q -p no:cacheprovider > .pytest-postgresql.log 2>&1 & postgresql=$$!; \
	trap 'kill $$postgresql 2>/dev/null' INT TERM; \
	$(VENV)/bin/pytest; sqlite=$$?; \
	wait $$postgresql; pg=$$?; \
	echo "=== The same suite on PostgreSQL (whole log: .pytest-postgresql.log) ==="; \
	if [ $$pg -ne 0 ]; then grep -E "^(FAILED|ERROR) " .pytest-postgresql.log | head -50; fi; \
	tail -n 1 .pytest-postgresql.log; \
	echo "SQLite: $$([ $$sqlite -eq 0 ] && echo passed || echo FAILED). PostgreSQL: $$([ $$pg -eq 0 ] && echo passed || echo FAILED)."; \
	[ $$sqlite -eq 0 ] && [ $$pg -eq 0 ]

test-sqlite: test-setup
	$(VENV)/bin/pytest

test-postgresql: test-setup
	TEST_ENGINE=postgresql $(VENV)/bin/pytest

test-setup: setup tests/browser/node_modules/.package-lock.json tests/oidc/node_modules/.package-lock.json
	@$(MAKE) --no-print-directory packages PACKAGES="$(TEST_PACKAGES)"

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: setup
	@$(MAKE) --no-print-directory packages PACKAGES="$(BENCH_PACKAGES)"
	$(PYTHON) -m bench

# Issue 11's trust-scale load: 40 schools, 40,000 pupils, a million answers; two app servers and a worker,
# one server killed with SIGKILL mid-load. SQLite's seeded file is cached in ~/.cache/bench-trust.
# Pass options with ARGS, e.g. `make bench-trust ARGS="--engine sqlite --scale 0.1"`.
bench-trust: setup
	@$(MAKE) --no-print-directory packages PACKAGES="$(BENCH_PACKAGES)"
	$(PYTHON) -m bench.trust_scale $(ARGS)

# Our class dashboard against Kolibri 0.19.5's coach class summary (issue 9). Installs Kolibri with pip
# into a virtualenv cached outside git (~/.cache/bench-kolibri, or BENCH_KOLIBRI_CACHE); nothing of it is committed.
bench-kolibri: setup
	@$(MAKE) --no-print-directory packages PACKAGES="$(BENCH_PACKAGES)"
	$(PYTHON) -m bench.kolibri

setup: $(VENV)/.installed
	@$(MAKE) --no-print-directory packages PACKAGES="$(RUN_PACKAGES)"

# Installs only the Debian packages that are missing; asks apt once.
packages:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

$(VENV)/.installed: requirements.txt
	python3 -m venv $(VENV) || { $(MAKE) --no-print-directory packages PACKAGES="python3-venv" && python3 -m venv $(VENV); }
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
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

clean:
	rm -rf $(VENV) tests/browser/node_modules tests/oidc/node_modules .pytest_cache
