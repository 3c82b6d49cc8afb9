# chirp: make run (serve on the embedded default), make test (every check, real servers included)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test check services services-down lint format unit bench fuzz soak clean

$(STAMP): pyproject.toml
	@python3 -m venv $(VENV) 2>/dev/null || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv && \
		rm -rf $(VENV) && python3 -m venv $(VENV); }
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/chirp db upgrade
	$(VENV)/bin/chirp serve --host 127.0.0.1 --port 8000

services: $(STAMP)
	$(PY) scripts/services up

services-down:
	$(PY) scripts/services down

lint: $(STAMP)
	$(VENV)/bin/lint-imports
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# Every check that needs no backing server: lint, then the tests not marked integration.
check: $(STAMP) lint
	$(PY) -m pytest -p no:cacheprovider -m "not integration"

unit: $(STAMP)
	$(PY) -m pytest -p no:cacheprovider tests/unit

test: $(STAMP) services lint
	$(PY) -m pytest -p no:cacheprovider

# Schemathesis over the whole OpenAPI document, >= 200 examples per operation plus stateful
# runs along its links (embedded profile, no servers; about 8 minutes): 0 server errors.
fuzz: $(STAMP)
	$(PY) -m pytest fuzz -p no:cacheprovider

# Mixed traffic against `full` for 10 minutes (--minutes), then a reconciliation of every
# count with its rows and of every feed with the follows: exit 1 on a 5xx or a mismatch.
soak: $(STAMP) services
	$(PY) bench/soak.py

bench: $(STAMP) services
	$(PY) bench/feed_roundtrips.py
	$(PY) bench/feed_latency.py
	$(PY) bench/fanout_delivery.py
	$(PY) bench/hbase_fanout.py
	$(PY) bench/hbase_backfill.py
	@command -v wrk >/dev/null || echo "wrk not found (apt-get install -y wrk): bench/http_load.py falls back to a Python client"
	$(PY) bench/http_load.py
	$(PY) bench/worker_classes.py
	$(PY) bench/stream_fanout.py
	$(PY) bench/stream_delivery.py
	$(PY) bench/stream_delivery.py --profile embedded --streams 1000

clean:
	rm -rf $(VENV) var .services
