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

# One pytest worker per core, a test file to a worker (each starts its own PostgreSQL and browser).
TEST_WORKERS ?= auto
test: install-dev translations
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadfile

lint: install-dev
	$(BIN)/ruff check .

# Timings, run on demand: every benchmark at ten cities' scale (the data is built once, in minutes,
# and cached under $$BENCH_DATA), each table appended to $(BENCH_OUT). Needs Debian's wrk.
BENCH_OUT ?= benchmarks/latest.md
BENCH = BENCH_OUT=$(abspath $(BENCH_OUT)) $(BIN)/python
bench: install translations
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	rm -f $(BENCH_OUT)
	$(BENCH) benchmarks/machine.py
	$(BENCH) benchmarks/scan_wrk.py --scale 10 --synchronous FULL NORMAL
	$(BENCH) benchmarks/scan_wrk.py --scale 10 --postgresql
	$(BENCH) benchmarks/scan_bench.py --in-process-only
	$(BENCH) benchmarks/readiness_bench.py --http
	$(BENCH) benchmarks/readiness_bench.py --http --postgresql
	$(BENCH) benchmarks/pages_bench.py --scale 10
	$(BENCH) benchmarks/labels_bench.py
	$(BENCH) benchmarks/ledger_bench.py
	$(BENCH) benchmarks/memory_bench.py
	$(BENCH) benchmarks/staffing_bench.py
	@echo "results: $(BENCH_OUT)"

# The same scripts at the demo's size, one short run each, no targets: CI keeps them working
# (PostgreSQL through scan_wrk; readiness_bench's --postgresql path is left to `make bench`).
bench-smoke: BENCH_OUT = benchmarks/smoke.md
bench-smoke: install translations
	rm -f $(BENCH_OUT)
	$(BENCH) benchmarks/machine.py
	$(BENCH) benchmarks/scan_wrk.py --smoke --scale 0
	$(BENCH) benchmarks/scan_wrk.py --smoke --scale 0 --postgresql
	$(BENCH) benchmarks/scan_bench.py --in-process-only --smoke
	$(BENCH) benchmarks/readiness_bench.py --smoke --http
	$(BENCH) benchmarks/pages_bench.py --smoke
	$(BENCH) benchmarks/labels_bench.py --smoke
	$(BENCH) benchmarks/ledger_bench.py --smoke
	$(BENCH) benchmarks/memory_bench.py --smoke
	@echo "results: $(BENCH_OUT)"

# After changing UI strings: refresh the template and the Chinese catalog, then translate.
extract-messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k N_ --no-location --sort-output \
		--project warehouse -o warehouse/translations/messages.pot .
	$(BIN)/pybabel update --no-fuzzy-matching --ignore-obsolete -i warehouse/translations/messages.pot -d warehouse/translations

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache test-artifacts
	find . -name __pycache__ -prune -exec rm -rf {} +
