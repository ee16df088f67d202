# Shipyard's developer entry points. `make plan` is the main job, `make test` the tests.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HASH := $(shell sha256sum pyproject.toml | cut -c1-12)
# Two stamps: the runtime (what `make plan` needs: the package and its dependencies) and the
# dev extra (tests, linters, ray, chdb, pgserver) on top of it, for `make test`.
RUNTIME_STAMP := $(VENV)/.runtime-$(HASH)
STAMP := $(VENV)/.installed-$(HASH)
BLUEPRINT ?= blueprints/dev.yaml
OUT ?= out/$(basename $(notdir $(BLUEPRINT)))
# `make plan` also draws this blueprint's picture (a PNG when the Mermaid CLI is installed).
PICTURE_BLUEPRINT ?= blueprints/prod.yaml
PICTURE_OUT := out/$(basename $(notdir $(PICTURE_BLUEPRINT)))

# The default state backend: a local file backend under .pulumi-state/ (gitignored).
export PULUMI_BACKEND_URL ?= file://$(CURDIR)/.pulumi-state
export PULUMI_SKIP_UPDATE_CHECK := true

.PHONY: help venv venv-ci lock runtime plan validate policies render schema lint typecheck tools unit test e2e bench clean actionlint

help: ## Show the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(RUNTIME_STAMP): pyproject.toml
	@echo "==> Creating or updating $(VENV) (runtime only)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e .
	@rm -f $(VENV)/.runtime-* && touch $@

$(STAMP): $(RUNTIME_STAMP)
	@echo "==> Adding the dev extra to $(VENV)"
	@$(BIN)/python -m pip install --quiet -e '.[dev]'
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP) ## Create or update the virtualenv with the dev extra.

# CI's install (security review, issue 22, Low 5): every dependency, build requirements
# included, from the hashed lock; pip refuses any file whose hash is not in it. Regenerate
# the lock with `make lock` after changing pyproject.toml (a unit test fails when stale).
LOCK := requirements/ci.lock
venv-ci: ## CI's install: the dev extra from requirements/ci.lock, every hash checked.
	@echo "==> Installing $(LOCK) into $(VENV) (hashes required)"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r $(LOCK)
	@$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@rm -f $(VENV)/.installed-* $(VENV)/.runtime-* && touch $(RUNTIME_STAMP) $(STAMP)

lock: ## Regenerate requirements/ci.lock (pip-tools 7.6.2 in a throwaway venv).
	@$(PYTHON) -m venv /tmp/shipyard-pip-tools
	@/tmp/shipyard-pip-tools/bin/pip install --quiet pip-tools==7.6.2
	@/tmp/shipyard-pip-tools/bin/pip-compile --quiet --generate-hashes --allow-unsafe --no-emit-find-links \
	  --strip-extras --extra dev -o $(LOCK) pyproject.toml requirements/build.in

runtime: $(RUNTIME_STAMP) ## Create or update the virtualenv with the runtime only.

plan: $(RUNTIME_STAMP) ## Main job: validate and render $(BLUEPRINT) offline, print the resource tree, draw prod.
	@echo "==> Validating $(BLUEPRINT)"
	@$(BIN)/shipyard validate $(BLUEPRINT)
	@echo "==> Rendering $(BLUEPRINT) under Pulumi mocks (offline) into $(OUT)/"
	@$(BIN)/shipyard render $(BLUEPRINT) --out $(OUT)
	@echo "==> Drawing $(BLUEPRINT) and $(PICTURE_BLUEPRINT) (shipyard graph)"
	@$(BIN)/shipyard graph $(BLUEPRINT) --out $(OUT)/graph.mmd
	@$(BIN)/shipyard graph $(PICTURE_BLUEPRINT) --out $(PICTURE_OUT)/graph.mmd
	@if scripts/mermaid --check; then \
	  SHIPYARD_MMDC="$$(scripts/mermaid --print-path)" \
	    $(BIN)/shipyard graph $(PICTURE_BLUEPRINT) --format png --out $(PICTURE_OUT)/graph.png && \
	  echo "==> The picture of $(PICTURE_BLUEPRINT): $(PICTURE_OUT)/graph.png"; \
	else \
	  rm -f $(PICTURE_OUT)/graph.png; \
	  echo "==> The picture of $(PICTURE_BLUEPRINT): $(PICTURE_OUT)/graph.mmd (Mermaid source; GitHub renders it)."; \
	  echo "    For a PNG, run 'make tools' once (Debian's Chromium and the Mermaid CLI, about 75 s): make plan then draws $(PICTURE_OUT)/graph.png."; \
	fi

validate: $(RUNTIME_STAMP) ## Validate every blueprint.
	@$(BIN)/shipyard validate blueprints/*.yaml blueprints/examples/*.yaml

policies: $(RUNTIME_STAMP) ## Run the policy pack's rules offline over every blueprint.
	@$(BIN)/shipyard validate --policies blueprints/*.yaml blueprints/examples/*.yaml

schema: $(RUNTIME_STAMP) ## Regenerate blueprints/schema.json from the models.
	@$(BIN)/shipyard schema

lint: $(STAMP) ## Ruff lint and format check.
	@echo "==> ruff"
	@$(BIN)/ruff check .
	@$(BIN)/ruff format --check .

typecheck: $(STAMP) ## mypy --strict on shipyard/ and components/.
	@echo "==> mypy"
	@$(BIN)/mypy

tools: ## promtool, Grafana's dashboard schema, Helm, and the Mermaid CLI with Debian's Chromium (cached).
	@echo "==> promtool: $$(scripts/promtool)"
	@echo "==> Grafana dashboard schema: $$(scripts/grafana-dashboard-schema)"
	@echo "==> Helm: $$(scripts/helm)"
	@echo "==> Mermaid CLI: $$(scripts/mermaid)"

unit: $(STAMP) tools ## Unit tests only.
	@echo "==> pytest"
	@$(BIN)/pytest

test: lint typecheck unit ## Create/update .venv, then ruff, mypy and pytest.

e2e: $(STAMP) ## Build the toolchain (cached), start a local cluster, run the e2e tests, tear down.
	@scripts/e2e

clean: ## Remove build output (keeps .venv and the toolchain cache).
	rm -rf out .pytest_cache .mypy_cache .ruff_cache

bench: $(STAMP) ## Benchmarks of validate, render, the CLI, the reconciler and the gateway's latency.
	@status=0; \
	$(BIN)/python tests/benchmarks/bench_plan.py || status=1; \
	$(BIN)/python tests/benchmarks/bench_reconciler.py || status=1; \
	$(BIN)/python tests/benchmarks/bench_gateway_latency.py || status=1; \
	exit $$status

actionlint: ## Lint .github/workflows (builds actionlint from its Go module once).
	@scripts/actionlint
