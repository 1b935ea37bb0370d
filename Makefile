# sendclf workflow: every target installs into .venv first if needed. `make help` lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON_BOOT ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SENDCLF := $(VENV)/bin/sendclf
STAMP := $(VENV)/.installed
# torch is pinned and installed first: it resolves to the local CPU wheel (an unpinned torch pulls CUDA).
TORCH := torch==2.13.0

.PHONY: help
help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## .*$$' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH)
	$(PY) -m pip install --quiet -e '.[dev]'
	$(SENDCLF) encoders
	touch $(STAMP)

.PHONY: setup
setup: $(STAMP) ## Create .venv and install sendclf (re-runs only when pyproject.toml changes)

.PHONY: data
data: setup ## Build and validate the labelled seed corpus; print label counts
	$(SENDCLF) data

.PHONY: train-baseline
train-baseline: data ## Train and evaluate the TF-IDF baseline into models/tfidf
	$(SENDCLF) train tfidf

.PHONY: train-transformer
train-transformer: data ## Fine-tune MiniLM (the fast transformer) on CPU and evaluate it into models/transformer
	$(SENDCLF) train transformer

.PHONY: train
train: data ## The main job: every shipped model (tfidf, transformer, ensemble) trained and evaluated, report, comparison
	$(SENDCLF) train tfidf transformer ensemble
	$(SENDCLF) report
	$(SENDCLF) compare

.PHONY: train-large
train-large: data ## all-mpnet-base-v2 and its ensemble (20 min with AMX; 37 min measured on 2 AVX2 cores)
	$(SENDCLF) train transformer-large ensemble-large
	$(SENDCLF) report
	$(SENDCLF) compare

.PHONY: distill
distill: data ## Remake seeds/pool/targets-ensemble-large.json: the teacher fitted on the written corpus alone (about 25 min)
	$(SENDCLF) distill ensemble-large

.PHONY: report
report: setup ## Compare the trained models: reports/comparison.md, figures and reports/index.html
	$(SENDCLF) report

.PHONY: bench
bench: setup ## Measure every trained model: fit and CV time, memory, inference speed, cold start (reports/bench.json)
	$(SENDCLF) bench

.PHONY: test
test: setup ## Run the test suite (the 10 slowest tests listed)
	$(PY) -m pytest -q --durations=10

.PHONY: test-fast
test-fast: setup ## The test suite without the tests that need real encoder weights
	$(PY) -m pytest -q --durations=10 -m "not slow"

.PHONY: lint
lint: setup ## Check style with ruff, and the layers of docs/DESIGN.md with import-linter
	$(VENV)/bin/ruff check sendclf tests docs/experiments
	$(VENV)/bin/lint-imports --no-cache

.PHONY: clean
clean: ## Remove caches (never models/ or seeds/)
	rm -rf .pytest_cache .ruff_cache build *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -print0 | xargs -0 rm -rf
