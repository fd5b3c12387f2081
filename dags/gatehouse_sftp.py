"""Airflow's entry to Gatehouse: one DAG per SFTP interface configured in the environment
(``GATEHOUSE_SFTP_INTERFACES``). Point the deployment's DAGs folder here, or copy this file.
"""

from gatehouse.airflow_dags import build_dags

globals().update(build_dags())
