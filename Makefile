# The two set-up commands: `make run` (app with demo data) and `make test` (whole suite).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export FLASK_APP := caseflow

.PHONY: run test lint bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed-run: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.installed-run

## Install, migrate the SQLite database, load demo data once, serve on http://127.0.0.1:5000;
## two-step login is off there only, because the shared demo accounts have no phones to enrol
run: $(VENV)/.installed-run
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	CASEFLOW_REQUIRE_2FA=0 $(BIN)/flask run --host 127.0.0.1 --port 5000

# axe-core for the accessibility tests, exactly as package-lock.json pins it; `npm ci` rewrites
# node_modules/.package-lock.json, so this reruns only when the lock file changes.
node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --silent --no-audit --no-fund; \
	else echo "npm not found: the accessibility tests will be skipped (apt-get install npm)"; fi

## Install the test tools and run the whole suite (PostgreSQL too when DATABASE_URL is set); the browser
## tests need Chromium (apt-get install chromium) and are skipped without it, except in CI
test: $(VENV)/.installed-dev node_modules/.package-lock.json
	$(BIN)/pytest

## The benchmark (docs/PERFORMANCE.md): seeds demo and large databases once on SQLite and PostgreSQL,
## measures the key pages under gunicorn against a 50-row floor, prints the table and records it.
## BENCH_ARGS="--quick" for a shorter run, "--databases sqlite" without a PostgreSQL server.
BENCH_ARGS ?=
bench: $(VENV)/.installed-run
	$(BIN)/python bench/run.py --write docs/PERFORMANCE.md $(BENCH_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# Security lint: medium severity and above fail; an accepted finding carries "# nosec <id>" and its reason.
	$(BIN)/bandit -q -r caseflow -ll

clean:
	rm -rf $(VENV) instance .pytest_cache .ruff_cache
