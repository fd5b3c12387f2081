"""Run one of Gatehouse's Airflow DAGs with ``dag.test()``, in a process of its own (Airflow
sets up its logging and metadata database on import): ``python -m tests.airflow_run DAG_ID``.
Exits 0 when the run succeeded.

That process is the Python of ``.venv-airflow`` (``airflow_python()``), which ``make test``
installs from requirements/airflow.lock: Airflow holds FastAPI and others back, so it lives
apart from ``.venv``, where the hub's own tests run on the versions the image installs.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def airflow_python() -> Path | None:
    """The Python that has Airflow: ``GATEHOUSE_AIRFLOW_PYTHON``, else ``.venv-airflow``'s."""
    configured = os.environ.get("GATEHOUSE_AIRFLOW_PYTHON")
    python = Path(configured) if configured else REPO / ".venv-airflow" / "bin" / "python"
    return python if python.exists() else None


def main(dag_id: str) -> int:
    from gatehouse.airflow_dags import build_dags

    run = build_dags()[dag_id].test()
    print(f"dag run {dag_id}: {run.state}")
    return 0 if str(run.state) in ("success", "DagRunState.SUCCESS") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
