# The commands people type. `make demo` and `make test` are the two set-up commands of the README.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
PORT ?= 8000
HOST ?= 127.0.0.1
DEMO_ACCOUNTS ?= 30000
export DEMO_ACCOUNTS
ENV := source var/env &&
ADMIN := .venv/bin/padron-admin

.PHONY: demo test setup migrate lint format plugin translations help

help:
	@echo "make demo   - instala, carga la ciudad de demostración y sirve en http://127.0.0.1:$(PORT)"
	@echo "make test   - instala y corre todas las pruebas contra PostgreSQL + PostGIS reales"
	@echo "make lint   - ruff y mypy"
	@echo "make plugin - empaqueta el complemento de QGIS en dist/padron_sig.zip"
	@echo "make translations - actualiza y compila las traducciones del complemento (.ts/.qm)"

setup:
	bash gis_backend/deploy/setup.sh

migrate: setup
	$(ENV) $(ADMIN) migrate --noinput -v 0

demo: migrate
	$(ENV) $(ADMIN) load_demo --accounts $(DEMO_ACCOUNTS)
	$(ENV) $(ADMIN) create_demo_users
	$(ENV) $(ADMIN) collectstatic --noinput -v 0
	@echo "Padrón SIG en http://$(HOST):$(PORT)/  (Ctrl+C para detener)"
	$(ENV) $(ADMIN) serve --host $(HOST) --port $(PORT) --workers 3 --access-log

test: migrate
	$(ENV) .venv/bin/pytest
	bash gis_backend/deploy/setup_qgis.sh
	$(ENV) QT_QPA_PLATFORM=offscreen .venv-qgis/bin/pytest tests/plugin -q

plugin:
	python3 qgis_plugin/build_zip.py

translations:
	python3 qgis_plugin/translations.py update
	python3 qgis_plugin/translations.py release

lint: setup
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	$(ENV) .venv/bin/mypy gis_backend tests bench

format: setup
	.venv/bin/ruff format .
	.venv/bin/ruff check --fix .
