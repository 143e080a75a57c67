# ml-template: `make demo` and `make test` do all set-up on a machine with only Python 3.11+.
.DEFAULT_GOAL := help
PYTHON ?= python3
export UV_COMPILE_BYTECODE := 1
export MLFLOW_DISABLE_TELEMETRY := true
export DO_NOT_TRACK := true
export GX_ANALYTICS_ENABLED := false

# uv from PATH, else a private copy installed from the package index into .tools/.
UV := $(shell command -v uv 2>/dev/null)
ifeq ($(UV),)
UV := $(CURDIR)/.tools/bin/uv
endif
VENV := $(CURDIR)/.venv
export UV
DEMO_DIR := $(CURDIR)/build/demo
PYTEST_ARGS ?=
DEMO_ARGS ?=

.PHONY: help env test test-fast demo lint format clean
.PHONY: bench
.PHONY: docs

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(CURDIR)/.tools/bin/uv:
	$(PYTHON) -m venv $(CURDIR)/.tools
	$(CURDIR)/.tools/bin/python -m pip install --quiet --disable-pip-version-check 'uv>=0.9,<1'

env: $(VENV)/.synced ## create .venv from uv.lock (mlcore editable + dev tools), bytecode compiled

# Re-sync only when the lock or the project metadata change: mlcore is installed editable, and a
# sync checks the bytecode of every file of the environment (about 1-2 s when nothing changed).
$(VENV)/.synced: uv.lock pyproject.toml | $(UV)
	$(UV) sync --locked --extra dev
	touch $@

test: env ## run the whole test suite
	$(VENV)/bin/pytest -n 2 --dist loadgroup --durations=15 $(PYTEST_ARGS)

test-fast: env ## the fast loop: every test not marked slow (no generated project, no server)
	$(VENV)/bin/pytest -n 2 -m "not slow" -q $(PYTEST_ARGS)

# DEMO_ARGS: Hydra overrides for the demo's run, e.g. DEMO_ARGS=experiment=smoke (small data).
demo: env ## generate a project with default answers and run its pipeline end to end
	rm -rf $(DEMO_DIR) && mkdir -p $(DEMO_DIR)
	$(VENV)/bin/cookiecutter --no-input --output-dir $(DEMO_DIR) $(CURDIR) mlcore_source=$(CURDIR)
	$(MAKE) --no-print-directory -C $(DEMO_DIR)/churn-model run UV=$(UV) ARGS="$(DEMO_ARGS)"

bench: env ## run benchmarks/ and write benchmarks/RESULTS.md (SCALE=1: 10M rows, COLD=1: cold demo)
	$(VENV)/bin/python benchmarks/run_all.py $(if $(SCALE),--scale) $(if $(COLD),--cold)

# The site: mlcore's API reference (pdoc, from the docstrings) and the guide pages of docs/;
# offline, and it fails on any warning or a public name without a docstring.
docs: env ## build the documentation site into build/docs (open build/docs/index.html)
	$(VENV)/bin/python docs/build.py --output $(CURDIR)/build/docs

lint: env ## ruff lint + format check, import-linter layering contracts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: env ## ruff fix + format
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean: ## remove build outputs and caches (keeps .venv)
	rm -rf build .pytest_cache .ruff_cache
