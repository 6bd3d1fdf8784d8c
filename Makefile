# TokenScope — `make run` serves the app on SQLite with the seed catalog; `make test` runs everything.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

.PHONY: run test lint pytest check-python migrate seed catalogs clean

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { \
	  echo "ERROR: TokenScope needs Python 3.12 or newer; '$(PYTHON)' is $$($(PYTHON) --version 2>&1)."; \
	  echo "       Install 3.12 (e.g. 'pyenv install 3.12') or run 'make PYTHON=python3.12 ...'."; exit 1; }

$(VENV)/bin/python: | check-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Stamp files make a second `make run` skip the install entirely.
$(VENV)/.runtime-installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

migrate: $(VENV)/.runtime-installed
	$(PY) manage.py migrate --noinput

# Translation catalogues: .po (in git) -> .mo (git-ignored), in Python (no GNU gettext needed).
catalogs: $(VENV)/.runtime-installed
	$(PY) manage.py compile_catalogs -v 0

seed: migrate
	$(PY) manage.py seed_catalog

# The background worker (large uploads) runs beside the dev server; Ctrl-C stops both.
run: check-python seed catalogs
	@trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py db_worker & worker=$$!; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

pytest: $(VENV)/.dev-installed catalogs
	$(VENV)/bin/pytest $(PYTEST_ARGS)

test: check-python lint pytest

clean:
	rm -rf $(VENV) staticfiles screenshots bench/data upload-spool
