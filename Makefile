# Channel Ledger. `make demo` and `make test` are the two commands a newcomer needs.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed


.PHONY: install demo test test-fast faults lint format bench importtime seed-golden kafka-up kafka-down kafka-status up clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

.PHONY: lock
## Re-resolve every dependency from pyproject.toml's ranges into constraints.txt (then make test).
lock:
	rm -rf var/lock-venv
	$(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/pip install -q --upgrade pip
	var/lock-venv/bin/pip install -q -e '.[dev]'
	(sed -n '/^#/p' constraints.txt; var/lock-venv/bin/pip freeze --exclude-editable) > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf var/lock-venv

## Record the seed scenario (120 partners, 15 months), run it through Kafka, summarise the projections.
demo: install
	$(BIN)/ledger demo

## Lint, type-check, check layering, then every test (real Kafka, SQLite, and PostgreSQL if configured).
test: lint
	$(BIN)/pytest

## The fault-injection suite alone, with more faults than `make test` runs (tests/faults).
faults: install
	LEDGER_FAULT_PG_RESTARTS=10 $(BIN)/pytest tests/faults -m slow

## Unit tests only: no broker, no database.
test-fast: install
	$(BIN)/pytest tests/unit

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Regenerate the published event contracts (JSON Schema, AsyncAPI) in contracts/published/.
.PHONY: contracts
contracts: install
	$(BIN)/python -m contracts.documents.publish

## Throughput of relay and projector against the raw kafka-python client (BENCH_EVENTS=N).
bench: install
	$(BIN)/python -m benchmarks.run

## Regenerate tests/fixtures/seed_golden.json after a deliberate change to the seed scenario or rules.
seed-golden: install
	$(BIN)/python -m tests.fixtures.seed_golden --write

## Where `ledger --help` and `ledger partner status` spend their imports (python -X importtime).
importtime: install
	$(BIN)/python -m benchmarks.import_time

kafka-up: install
	$(BIN)/python -m infra.kafka.launcher up

kafka-down: install
	$(BIN)/python -m infra.kafka.launcher down

kafka-status: install
	$(BIN)/python -m infra.kafka.launcher status

## Relay and projector together, long-running (starts the local broker if none is configured).
up: install
	$(BIN)/ledger up

clean:
	-$(BIN)/python -m infra.kafka.launcher down
	rm -rf var $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
