# The two commands: `make run` (the whole stack with demo data) and `make test`.
# Debian's python3.11 is built with profile-guided and link-time optimization; a Python
# compiled without them (pyenv's default) runs the suite about a tenth slower. Any
# python3.11 with venv will do where Debian's is missing.
PYTHON ?= $(shell /usr/bin/python3.11 -c 'import ensurepip, venv' 2>/dev/null && echo /usr/bin/python3.11 || echo python3.11)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test test-fast soak bench lint format install clean backup restore

run: $(STAMP)
	$(PY) -m cooperation.devstack run

# The suite runs on every core (pytest-xdist, WORKERS=auto: a worker a core and one more);
# `WORKERS=0` runs it in one process.
# Inside `make test` the soak tests load the server for SOAK_SECONDS each; `make soak` for a minute.
WORKERS ?= auto
SOAK_SECONDS ?= 10
# The suite starts many Python processes (workers, servers, commands): each reuses the
# bytecode the first compiled, even where the environment asks Python not to write it.
test test-fast soak: export PYTHONDONTWRITEBYTECODE :=
PYTEST := $(PY) -m cooperation.devstack exec -- $(PY) -m pytest -n $(WORKERS) --dist worksteal

# The static checks (ruff, lint-imports and mypy: about 30 s of one core from a clean clone)
# run beside the suite, at a lower priority: the suite's start waits for the migrated
# template, which gets the core first. Their report follows the suite's, and either failing
# fails `make test`.
STATIC_CHECKS := status=0; for check in "ruff check ." "ruff format --check ." lint-imports mypy; do \
	$(VENV)/bin/$$check || status=1; done; exit $$status
test: $(STAMP)
	@checks=$$(mktemp); (nice -n 10 sh -c '$(STATIC_CHECKS)' > $$checks 2>&1) & static=$$!; \
	SOAK_SECONDS=$(SOAK_SECONDS) $(PYTEST) $(PYTEST_ARGS); suite=$$?; \
	wait $$static; checked=$$?; echo "ruff, lint-imports, mypy:"; cat $$checks; rm -f $$checks; \
	test $$suite -eq 0 && test $$checked -eq 0

# The edit loop: everything but the slow tiers (browser, contract, matrix, soak, slow). The
# contract module is not even collected: collecting it builds every schemathesis case.
test-fast: $(STAMP)
	$(PYTEST) -m "not (browser or contract or matrix or soak or slow)" \
		--ignore=cooperation/tests/test_contract.py $(PYTEST_ARGS)

# The reliability runs under load alone, one after the other and at full length (shorter
# inside `make test`).
soak: $(STAMP)
	SOAK_SECONDS=60 $(PY) -m cooperation.devstack exec -- $(PY) -m pytest -m soak $(PYTEST_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Backups of the embedded (or DATABASE_URL) database: `make backup`, `make restore FILE=…`.
backup: $(STAMP)
	$(PY) -m cooperation.devstack exec -- $(PY) manage.py backup_database $(if $(FILE),--file $(FILE))

restore: $(STAMP)
	@test -n "$(FILE)" || (echo "usage: make restore FILE=backups/cooperation-….dump" && exit 2)
	$(PY) -m cooperation.devstack exec -- $(PY) manage.py restore_database $(FILE)

# Benchmarks (docs/performance.md): `make bench [SCALE=1] [CASES="summary lists"]`, in their own
# database; the synthetic agency is loaded once, on the first run.
SCALE ?= 1
BENCH_DATA_DIR ?= $(or $(COOPERATION_DATA_DIR),.data/bench)
bench: $(STAMP)
	COOPERATION_DATA_DIR=$(BENCH_DATA_DIR) $(PY) -m cooperation.devstack exec -- sh -c \
		'$(PY) manage.py migrate -v0 && $(PY) -m bench.data --scale $(SCALE) && $(PY) -m bench $(CASES)'

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt package-lock.json
	test -x $(PY) || $(shell command -v $(PYTHON) || command -v python3) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	npm ci --no-audit --no-fund --ignore-scripts --silent
	touch $(STAMP)

clean:
	rm -rf $(VENV) node_modules .data staticfiles .pytest_cache .ruff_cache
