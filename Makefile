# The two commands: `make run` serves the app with demo data, `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
WORKERS ?= 2
export FLASK_APP := wsgi.py

.PHONY: run test install install-dev translations migrate demo lint bench bench-smoke extract-messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Compiled catalogs are build output (not in git): the UI speaks Chinese by default.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d warehouse/translations

migrate: install translations
	$(BIN)/flask db upgrade

demo: migrate
	$(BIN)/flask demo load

run: demo
	@echo ""
	@echo "Emergency materials reserve: http://$(HOST):$(PORT)"
	@echo "Demo logins (username / password):"
	@$(BIN)/flask demo logins
	@echo ""
	$(BIN)/gunicorn --workers $(WORKERS) --bind $(HOST):$(PORT) --access-logfile - wsgi:app

test: install-dev translations
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check .

# Timings, run on demand (results go in BENCHMARKS.md by hand: they drift between runs).
bench: install
	$(BIN)/python benchmarks/labels_bench.py
	$(BIN)/python benchmarks/staffing_bench.py
	$(BIN)/python benchmarks/scan_wrk.py --synchronous FULL NORMAL
	$(BIN)/python benchmarks/scan_wrk.py --postgresql
	$(BIN)/python benchmarks/readiness_bench.py --http

# The benchmarks at tiny sizes, one short run each, no targets: CI keeps the scripts working.
bench-smoke: install translations
	$(BIN)/python benchmarks/scan_wrk.py --smoke
	$(BIN)/python benchmarks/scan_wrk.py --smoke --postgresql

# After changing UI strings: refresh the template and the Chinese catalog, then translate.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
		--project warehouse -o warehouse/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i warehouse/translations/messages.pot -d warehouse/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
	find . -name __pycache__ -prune -exec rm -rf {} +
