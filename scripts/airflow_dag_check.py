# Loads the DAG files of a folder with Apache Airflow's DagBag and prints, as JSON, the import
# errors and each DAG's tasks, upstream tasks, retries, schedule and commands.
import json, os, sys
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")
from airflow.models.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1], include_examples=False)
out = {"errors": {k: str(v) for k, v in bag.import_errors.items()}, "dags": {}}
for dag_id, dag in bag.dags.items():
    out["dags"][dag_id] = {
        "tasks": {t.task_id: sorted(t.upstream_task_ids) for t in dag.tasks},
        "retries": {t.task_id: t.retries for t in dag.tasks},
        "schedule": str(getattr(dag, "timetable", None).summary if getattr(dag, "timetable", None) else None),
        "commands": {t.task_id: t.bash_command for t in dag.tasks},
    }
print(json.dumps(out, sort_keys=True))
