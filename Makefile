# The two commands: `make run` (the whole stack with demo data) and `make test`.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format install clean backup restore

run: $(STAMP)
	$(PY) -m cooperation.devstack run

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) -m cooperation.devstack exec -- $(PY) -m pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Backups of the embedded (or DATABASE_URL) database: `make backup`, `make restore FILE=…`.
backup: $(STAMP)
	$(PY) -m cooperation.devstack exec -- $(PY) manage.py backup_database $(if $(FILE),--file $(FILE))

restore: $(STAMP)
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/cooperation-….dump" && exit 2)
	$(PY) -m cooperation.devstack exec -- $(PY) manage.py restore_database $(FILE)

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(shell command -v $(PYTHON) || command -v python3) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

clean:
	rm -rf $(VENV) .data staticfiles .pytest_cache .ruff_cache
