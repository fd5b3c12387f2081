# `make demo` and `make test` each bootstrap .venv themselves on a bare machine with Python 3.11+.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Apache Airflow, for the tests of the SFTP interfaces' DAGs; kept out of `make demo`'s venv.
AIRFLOW_STAMP := $(VENV)/.installed-airflow

.PHONY: demo test bench lint venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Gatehouse needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

$(AIRFLOW_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,airflow]'
	@touch $(AIRFLOW_STAMP)

demo: $(STAMP)
	$(BIN)/gatehouse demo

test: $(STAMP) $(AIRFLOW_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/identity.py
	$(BIN)/python bench/sftp_batch.py

# lint-imports checks the import-linter contracts in pyproject.toml (layers, adapters apart).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo --cache-dir $(VENV)/.import_linter_cache

clean:
	rm -rf $(VENV) var build *.egg-info
