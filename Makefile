# Attain — the two commands of the Quick start are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        := .venv
VPY         := $(VENV)/bin/python
PORT        ?= $(or $(ATTAIN_PORT),8000)
STAMP       := $(VENV)/.installed

# Find a Python >= 3.12: pyenv, python3.13, python3.12, a newer python3, python.
PYTHON_CANDIDATES := $(shell command -v pyenv >/dev/null 2>&1 && pyenv which python3.12 2>/dev/null) \
	$(wildcard $(or $(PYENV_ROOT),$(HOME)/.pyenv)/versions/3.1[2-9]*/bin/python3) \
	$(shell command -v python3.14 python3.13 python3.12 python3 python 2>/dev/null)
PYTHON := $(firstword $(foreach p,$(PYTHON_CANDIDATES),$(shell $(p) -c 'import sys; print("$(p)" if sys.version_info >= (3, 12) else "")' 2>/dev/null)))

.PHONY: help venv run test lint format typecheck migrations-check imports-check pytest e2e bench demo migrate clean-db

help:
	@echo "make run    start Attain (web app + task worker) with demo data"
	@echo "make test   lint, type-check, migrations check, import contracts, the whole test suite"
	@echo "make bench  benchmarks (prints JSON)"

$(STAMP): requirements/base.txt requirements/dev.txt
	@if [ -z "$(PYTHON)" ]; then \
		echo "Attain needs Python 3.12 or newer and none was found."; \
		echo "Install one, e.g. 'pyenv install 3.12' or your system's python3.12 package, then re-run."; \
		exit 1; fi
	@echo "Using $(PYTHON) ($$($(PYTHON) --version))"
	@test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	@$(VPY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $(STAMP)

venv: $(STAMP)

migrate: venv
	@$(VPY) manage.py migrate --noinput -v 0
	@$(VPY) manage.py migrate --noinput -v 0 --database progress

run: venv
	@$(VPY) manage.py migrate --noinput -v 0
	@$(VPY) manage.py migrate --noinput -v 0 --database progress
	@$(VPY) manage.py collectstatic --noinput -v 0
	@$(VPY) manage.py seed_demo --if-empty --seed 1 --scale small
	@$(VPY) manage.py run_attain --port $(PORT)

lint: venv
	@$(VPY) -m ruff check .
	@$(VPY) -m ruff format --check .

format: venv
	@$(VPY) -m ruff format .
	@$(VPY) -m ruff check --fix .

typecheck: venv
	@$(VPY) -m mypy

migrations-check: venv
	@$(VPY) manage.py makemigrations --check --dry-run -v 1

imports-check: venv
	@$(VENV)/bin/lint-imports

# The suite runs on PYTEST_WORKERS processes (pytest-xdist), one test database each.
PYTEST_WORKERS ?= 2
pytest: venv
	@$(VPY) -m pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

test: lint typecheck migrations-check imports-check pytest

bench: venv
	@$(VPY) manage.py run_bench

demo: venv
	@$(VPY) manage.py seed_demo --seed 1 --scale small

# Catalogues of attain/locale: extract every marked string, then compile the .mo files (kept in git).
MESSAGE_LANGUAGES := -l nl -l nb -l ro -l tl
.PHONY: messages
messages: venv
	@$(VPY) manage.py makemessages $(MESSAGE_LANGUAGES) --no-obsolete --ignore='.venv/*' --ignore='staticfiles/*' --ignore='var/*'
	@$(VPY) manage.py compilemessages $(MESSAGE_LANGUAGES) --ignore=.venv --ignore=staticfiles --ignore=var
