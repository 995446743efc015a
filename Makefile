# pingzhan: `make run` (demo, keeps serving) and `make test` need only python3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: install run serve test lint bench bench-quick clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

run: install
	$(BIN)/pingzhan demo

serve: install
	$(BIN)/pingzhan serve

test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain projections services

bench: install
	mkdir -p bench/results
	$(BIN)/python -m bench --store sqlite --messages 200000 --sync-always --json > bench/results/sqlite.json
	$(BIN)/python -m bench --store postgres --messages 200000 --sync-always --json > bench/results/postgres.json
	@cat bench/results/sqlite.json bench/results/postgres.json
	$(BIN)/python -m bench --store sqlite --history-only --json > bench/results/history-sqlite.json
	$(BIN)/python -m bench --store postgres --history-only --json > bench/results/history-postgres.json
	$(BIN)/python -m bench.history bench/results/history.png bench/results/history-sqlite.json bench/results/history-postgres.json

bench-quick: install
	$(BIN)/python -m bench --store sqlite --messages 20000 --quick
	$(BIN)/python -m bench --store postgres --messages 20000 --quick

clean:
	rm -rf $(VENV) data .pytest_cache
