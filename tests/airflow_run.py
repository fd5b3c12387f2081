"""Run one of Gatehouse's Airflow DAGs with ``dag.test()``, in a process of its own (Airflow
sets up its logging and metadata database on import): ``python -m tests.airflow_run DAG_ID``.
Exits 0 when the run succeeded."""

from __future__ import annotations

import sys

from gatehouse.airflow_dags import build_dags


def main(dag_id: str) -> int:
    run = build_dags()[dag_id].test()
    print(f"dag run {dag_id}: {run.state}")
    return 0 if str(run.state) in ("success", "DagRunState.SUCCESS") else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
