# wangge — two commands: `make demo` and `make test`. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PY      := .venv/bin/python
UV_VER  := 0.13.8
UV      := var/tools/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
HOST    ?= 127.0.0.1
PORT    ?= 8000

.PHONY: help setup demo test db-start db-stop system python assets migrate demo-data lint typecheck pytest bench serve

help:
	@echo "make demo      set everything up and serve the demo at http://$(HOST):$(PORT)"
	@echo "make test      set everything up and run the whole suite (pytest, ruff, mypy)"
	@echo "make setup     everything demo does except serving (idempotent)"
	@echo "make db-start / make db-stop   the private PostGIS cluster under var/"

system:
	@bash config/scripts/system-deps.sh

$(UV):
	@mkdir -p var
	python3 -m venv var/tools
	var/tools/bin/pip install -q --disable-pip-version-check "uv==$(UV_VER)"

.venv/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --quiet
	@touch $@

python: system .venv/.synced

webmap/static/vendor/.built: webmap/package.json webmap/package-lock.json webmap/build-assets.mjs webmap/src/mvt-entry.js
	cd webmap && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build
	@touch $@

MO := webmap/locale/en/LC_MESSAGES/django.mo webmap/locale/en/LC_MESSAGES/djangojs.mo

%.mo: %.po
	msgfmt --check-format -o $@ $<

assets: system webmap/static/vendor/.built $(MO)

db-start: python
	@$(PY) -m config.pgcluster start
	@$(PY) -m config.redisserver start

db-stop:
	@if [ -x $(PY) ]; then $(PY) -m config.pgcluster stop; $(PY) -m config.redisserver stop; \
	else echo "nothing to stop"; fi

migrate: db-start
	@$(PY) manage.py migrate --noinput -v 0

demo-data: migrate
	@$(PY) manage.py load_demo --if-empty
	@$(PY) manage.py demo_admin

setup: python assets migrate demo-data
	@echo "设置完成 Setup complete."

# The job worker (report downloads) runs beside the web server and stops with it.
serve:
	@echo "==> wangge 已启动 serving at http://$(HOST):$(PORT)/  (Ctrl-C to stop)"
	@$(PY) manage.py jobs work & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT; \
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

demo: setup serve

lint: python
	$(PY) -m ruff check .
	.venv/bin/lint-imports --no-cache

typecheck: python
	$(PY) -m mypy .

pytest: python assets migrate
	$(PY) -m pytest

test: setup
	$(PY) -m pytest
	$(PY) -m ruff check .
	.venv/bin/lint-imports --no-cache
	$(PY) -m mypy .

# pygeoapi, the reference the OGC API benchmark measures against: in its own environment,
# never in the app's.
var/bench-pygeoapi/.installed:
	python3 -m venv var/bench-pygeoapi
	var/bench-pygeoapi/bin/pip install -q --disable-pip-version-check pygeoapi==0.21.0 \
		sqlalchemy geoalchemy2 psycopg2-binary pygeofilter
	@touch $@

# spopt's max-p regions, the anchor the grid proposals are measured against: its own
# environment too (scikit-learn, libpysal, PuLP are nothing the app needs).
var/bench-spopt/.installed:
	python3 -m venv var/bench-spopt
	var/bench-spopt/bin/pip install -q --disable-pip-version-check spopt==0.7.0 libpysal
	@touch $@

bench: setup var/bench-pygeoapi/.installed var/bench-spopt/.installed
	$(PY) tests/bench/bench_demo.py
	$(PY) tests/bench/bench_analysis.py
	$(PY) tests/bench/bench_import.py
	$(PY) tests/bench/bench_search.py
	$(PY) tests/bench/bench_tiles.py
	$(PY) tests/bench/bench_ogcapi.py
	$(PY) tests/bench/bench_events.py
	$(PY) tests/bench/bench_proposals.py
	$(PY) tests/bench/bench_report.py
	$(PY) tests/bench/bench_load.py
	$(PY) tests/bench/bench_startup.py
	$(PY) tests/bench/bench_copy.py
	$(PY) tests/bench/bench_programmes.py
