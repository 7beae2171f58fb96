# The front door. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WORKERS ?= 2
export FLASK_APP := wms

.DEFAULT_GOAL := help
.PHONY: help run serve test test-fast lint format bench worker migrate demo-data clean \
	translations catalog new-language

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(BIN)/.installed-test: pyproject.toml $(BIN)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

# One catalog per language (wms/translations/<lang>/LC_MESSAGES/messages.po), compiled here;
# the compiled .mo files are built, never committed.
CATALOGS := $(wildcard wms/translations/*/LC_MESSAGES/messages.po)
EXTRACT := $(BIN)/pybabel extract -F babel.cfg -k _ -k n_:1,2 -k N_ -k p_:1c,2 -k Np_:1c,2 --add-location=file \
	--sort-output --no-wrap --omit-header
TEMPLATE := build/messages.pot

translations: $(CATALOGS:.po=.mo) ## Compile the language catalogs (make run and make test do it)

wms/translations/%/LC_MESSAGES/messages.mo: wms/translations/%/LC_MESSAGES/messages.po $(BIN)/.installed
	$(BIN)/pybabel compile --statistics -l $* -i $< -o $@

catalog: $(BIN)/.installed ## Collect every marked sentence into each language's catalog (then translate the new ones)
	@mkdir -p build
	$(EXTRACT) -o $(TEMPLATE) . >/dev/null
	$(BIN)/pybabel update -i $(TEMPLATE) -d wms/translations --no-wrap --no-fuzzy-matching \
		--ignore-obsolete --ignore-pot-creation-date
	@$(BIN)/python scripts/catalog-status.py

new-language: $(BIN)/.installed ## Start a catalog for a new language: make new-language CODE=de
	@test -n "$(CODE)" || { echo "say which: make new-language CODE=de"; exit 2; }
	@mkdir -p build
	$(EXTRACT) -o $(TEMPLATE) . >/dev/null
	$(BIN)/pybabel init -i $(TEMPLATE) -d wms/translations -l $(CODE) --no-wrap

migrate: $(BIN)/.installed translations ## Apply database migrations (SQLite under instance/, or DATABASE_URL)
	$(BIN)/flask db upgrade

demo-data: migrate ## Load the demo warehouse if the database is empty
	$(BIN)/flask demo-data --if-empty

run: demo-data ## Install, migrate, load demo data and serve on http://127.0.0.1:8000
	@$(BIN)/flask demo-logins
	@echo "Serving on http://$(HOST):$(PORT)  (Ctrl-C stops)"
	$(BIN)/gunicorn -c python:wms.gunicorn_conf --bind $(HOST):$(PORT) --workers $(WORKERS) \
		--threads 4 --worker-class gthread --access-logfile - 'wms:create_app()'

worker: $(BIN)/.installed translations ## Send what the outbox holds (webhooks, shop figures and shipments), poll PrestaShop shops, reconcile
	$(BIN)/flask worker

test: $(BIN)/.installed-test translations ## Install what the tests need and run the whole suite (SQLite, PostgreSQL, Chromium)
	@scripts/ensure-test-tools.sh
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(BIN)/.installed-test ## Ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(BIN)/.installed-test ## Format the code
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(BIN)/.installed-test translations ## Run the benchmarks (NAME=flash_sale runs one)
	@scripts/ensure-test-tools.sh
	@set -e; for f in $(if $(NAME),bench/$(NAME).py,$(sort $(wildcard bench/[a-z]*.py))); do \
		echo "== $$f" >&2; $(BIN)/python $$f; done

clean: ## Remove the virtualenv and caches (keeps instance/)
	rm -rf $(VENV) .pytest_cache .ruff_cache build *.egg-info
