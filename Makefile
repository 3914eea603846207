# isocourse: the commands a newcomer needs. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Never let uv download a Python: the machine's Python 3.11+ is used.
export UV_PYTHON_DOWNLOADS := never
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := python3 -m uv
endif
RUN := $(UV) run --frozen --no-sync

.PHONY: help uv sync run test check bench docs clean

help:
	@echo "make run    - the main job: the clinic server with a demo clinic, on SQLite"
	@echo "make test   - install everything the tests need and run the whole suite"
	@echo "make check  - ruff, mypy (strict), import-linter contracts, generated docs current"
	@echo "make bench  - benchmarks; figures go to docs/performance.md by hand"

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

# The environment comes from the lock file only (--frozen): what CI runs is what is pinned.
sync: uv
	$(UV) sync --frozen --quiet

# The clinic server on the embedded SQLite default, filled with a demo clinic on first run.
# HOST/PORT/DATA_DIR may be given: make run PORT=8080 DATA_DIR=/tmp/clinic
HOST ?= 127.0.0.1
PORT ?= 8000
run: sync
	$(RUN) isocourse serve --demo --host $(HOST) --port $(PORT) \
		$(if $(DATA_DIR),--data-dir $(DATA_DIR),)

# System packages first (PostgreSQL and Chromium from Debian's packages; the tests start
# their own PostgreSQL on a free port and stop it), then axe-core from the npm registry for
# the browser tests' accessibility checks (pinned in tools/browser/package-lock.json). ISOCOURSE_REQUIRE_POSTGRES makes a missing
# PostgreSQL a failure instead of a skip.
test: sync
	bash tools/install-system-packages.sh
	npm ci --prefix tools/browser --no-audit --no-fund --loglevel=error
	ISOCOURSE_REQUIRE_POSTGRES=1 $(RUN) pytest -n 2 -q

check: sync
	$(RUN) ruff check src tests bench tools
	$(RUN) mypy
	$(RUN) lint-imports
	$(RUN) python tools/gen_docs.py --check
	@tmp=$$(mktemp -d) && $(RUN) isocourse db check --data-dir $$tmp && rm -rf $$tmp

bench: sync
	$(RUN) python bench/plans_per_second.py
	$(RUN) python bench/cold_start.py
	$(RUN) python bench/assessments_per_second.py
	$(RUN) python bench/api_load.py
	$(RUN) python bench/scale.py --courses 10000

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache .hypothesis
