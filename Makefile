# Kefu: `make demo` runs the app with demo data, `make test` runs every check.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PYTEST_WORKERS ?= 2

.PHONY: demo test lint venv migrate browser clean assets messages bench help

help:
	@echo "make demo   - install, migrate, load the demo company, run web + worker on http://127.0.0.1:8000"
	@echo "make test   - ruff, the import layers (lint-imports), migration check and the whole pytest suite (browser tests included)"

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

migrate: venv
	$(PY) manage.py migrate --noinput -v0

demo: migrate
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --noinput -v0
	bash scripts/run_demo.sh

browser:
	bash scripts/ensure_browser.sh

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

test: venv browser lint
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run -v1
	$(PY) -m pytest -n $(PYTEST_WORKERS) -q -p no:logging

# Maintainers only: refresh vendored front-end files from package.json (needs npm).
assets:
	npm install --no-audit --no-fund
	$(PY) scripts/vendor_assets.py
	$(PY) scripts/build_regions_fixture.py

messages: venv
	cd kefu && ../$(PY) ../manage.py makemessages -l en --no-obsolete && ../$(PY) ../manage.py compilemessages -l en

bench: venv
	$(PY) bench/bench_clockmath.py

clean:
	rm -rf $(VENV) var
