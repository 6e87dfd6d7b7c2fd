# Nexus: `make run` serves the embedded default, `make test` runs the suite.
# Both create the environment first (uv, installed with pip when missing).

SHELL := /bin/bash
PORT ?= 8000
HOST ?= 127.0.0.1
VENV := .venv
PY := $(VENV)/bin/python
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
WEB_WORKERS ?= 2

.DEFAULT_GOAL := help
.PHONY: help env run test lint format types check stack web asgi worker beat relay flower migrate demo clean bench

help:
	@echo "make run     serve Nexus on http://$(HOST):$(PORT) (SQLite, no servers needed)"
	@echo "make test    run the whole test suite"
	@echo "make stack   web + worker + beat + outbox relay on PostgreSQL/Redis/RabbitMQ (DATABASE_URL etc.)"
	@echo "make bench   seed PostgreSQL to scale and measure the hot paths with wrk (bench/README.md)"
	@echo "make lint | types | worker | beat | relay | flower | web | asgi"

# Bytecode is compiled once here: where PYTHONDONTWRITEBYTECODE is set, as on
# CI, every process otherwise compiled the libraries again (2.6 s a start).
$(VENV)/.synced: pyproject.toml uv.lock Makefile
	@$(UV) --version >/dev/null 2>&1 || python3 -m pip install --quiet uv
	$(UV) sync --frozen --python 3.11 --compile-bytecode
	@touch $@

env: $(VENV)/.synced

migrate: env
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py load_demo

run: demo
	@echo ""
	@echo "Nexus is starting on http://$(HOST):$(PORT)/"
	@echo "  API docs  http://$(HOST):$(PORT)/api/docs/   (ReDoc: /api/redoc/, schema: /api/schema/)"
	@echo "  GraphQL   http://$(HOST):$(PORT)/graphql/"
	@echo "  Admin     http://$(HOST):$(PORT)/admin/     (sign in as staff@demo.nexus)"
	@echo ""
	SITE_URL=$${SITE_URL:-http://$(HOST):$(PORT)} $(VENV)/bin/uvicorn nexus.asgi:application --host $(HOST) --port $(PORT) --no-access-log --lifespan off

test: env
	$(PY) -m pytest $(PYTEST_ARGS)

lint: env
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: env
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

types: env
	$(VENV)/bin/mypy .

check: lint types test

# --- The stack: the same code on PostgreSQL, Redis and RabbitMQ -----------------

web: env
	$(VENV)/bin/gunicorn nexus.wsgi:application --config deploy/gunicorn.conf.py \
		--bind $(HOST):$(PORT) --workers $(WEB_WORKERS) --access-logfile -

asgi: env
	$(VENV)/bin/uvicorn nexus.asgi:application --host $(HOST) --port $${ASGI_PORT:-8001} --no-access-log --lifespan off

worker: env
	$(VENV)/bin/celery -A nexus worker --loglevel INFO --concurrency $${WORKER_CONCURRENCY:-2}

beat: env
	$(VENV)/bin/celery -A nexus beat --loglevel INFO --schedule var/celerybeat-schedule

relay: env
	$(VENV)/bin/python manage.py relay_outbox --listen

flower: env
	$(VENV)/bin/celery -A nexus flower --port $${FLOWER_PORT:-5555}

stack: migrate
	@test -n "$$DATABASE_URL" -a -n "$$REDIS_URL" -a -n "$$CELERY_BROKER_URL" || \
		{ echo "make stack needs DATABASE_URL, REDIS_URL and CELERY_BROKER_URL"; exit 2; }
	deploy/run-stack.sh

# --- The benchmark: seeds nexus_bench, serves it with gunicorn, loads it with wrk -----
# BENCH_ARGS="--scales 2000 --duration 3" for a quick run; see bench/README.md.

bench: env
	$(PY) bench/run.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var/*.sqlite3* staticfiles
