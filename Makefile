# `make demo` and `make test` each bootstrap .venv themselves on a bare machine with Python 3.11+,
# from the locks in requirements/ (`make lock` writes them from pyproject.toml).
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Apache Airflow, for the tests of the SFTP interfaces' DAGs, in a venv of its own: Airflow holds
# FastAPI and others back, and the hub's tests run on the versions the image installs.
AIRFLOW_VENV := .venv-airflow
AIRFLOW_STAMP := $(AIRFLOW_VENV)/.installed

.PHONY: demo test bench lint lock venv clean

venv: $(STAMP)

# Make venv $(1) hold exactly lock $(2), hashes checked, then Gatehouse itself (editable).
define install_lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Gatehouse needs Python 3.11 or newer; set PYTHON=/path/to/python3.11")'
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { echo "$(PYTHON) cannot make a venv: install python3-venv (Debian) first"; exit 1; }
	test -x $(1)/bin/python || $(PYTHON) -m venv $(1)
	$(1)/bin/python requirements/sync.py $(2)
	@touch $(1)/.installed
endef

$(STAMP): requirements/dev.lock pyproject.toml
	$(call install_lock,$(VENV),requirements/dev.lock)

$(AIRFLOW_STAMP): requirements/airflow.lock pyproject.toml
	$(call install_lock,$(AIRFLOW_VENV),requirements/airflow.lock)

# Resolve pyproject.toml's requirements again into the three locks (add UPGRADE=1 for the newest).
lock: $(STAMP)
	$(BIN)/python requirements/lock.py $(if $(UPGRADE),--upgrade)

demo: $(STAMP)
	$(BIN)/gatehouse demo

test: $(STAMP) $(AIRFLOW_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python bench/pipeline.py
	$(BIN)/python bench/dashboard.py
	$(BIN)/python bench/identity.py
	$(BIN)/python bench/sftp_batch.py
	$(BIN)/python bench/replay.py
	$(BIN)/python bench/cluster_failover.py
	$(BIN)/python bench/migration.py

# lint-imports checks the import-linter contracts in pyproject.toml (layers, adapters apart);
# test_locks.py that the locks were made from pyproject.toml's requirements as they are.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-logo --cache-dir $(VENV)/.import_linter_cache
	$(BIN)/python -m pytest -q -p no:cacheprovider tests/unit/test_locks.py

clean:
	rm -rf $(VENV) $(AIRFLOW_VENV) var build *.egg-info
