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
	@echo "make run    - the main job: a demo course plan"
	@echo "make test   - install everything the tests need and run the whole suite"
	@echo "make check  - ruff, mypy (strict), import-linter contracts, generated docs current"
	@echo "make bench  - benchmarks; figures go to docs/performance.md by hand"

uv:
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv

# The environment comes from the lock file only (--frozen): what CI runs is what is pinned.
sync: uv
	$(UV) sync --frozen --quiet

run: sync
	$(RUN) isocourse plan --weight 60 --product us-conventional --mg-per-kg 1.0 \
		--start-mg-per-kg 0.5 --start-days 28

test: sync
	$(RUN) pytest -n 2 -q

check: sync
	$(RUN) ruff check src tests bench tools
	$(RUN) mypy
	$(RUN) lint-imports
	$(RUN) python tools/gen_docs.py --check

bench: sync
	$(RUN) python bench/plans_per_second.py
	$(RUN) python bench/cold_start.py
	$(RUN) python bench/assessments_per_second.py

clean:
	rm -rf .venv .pytest_cache .mypy_cache .ruff_cache .hypothesis
