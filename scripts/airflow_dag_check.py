# Loads the DAG files of a folder with Apache Airflow's DagBag and prints, as JSON, the import
# errors and each DAG's tasks, upstream tasks, retries, schedule and commands.
import json, os, sys, types
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
        "timeouts": {t.task_id: t.execution_timeout.total_seconds() if t.execution_timeout else None for t in dag.tasks},
        "pools": {t.task_id: t.pool for t in dag.tasks},
        "docs": {t.task_id: t.doc_md for t in dag.tasks},
        "doc_md": dag.doc_md,
        "description": dag.description,
        "tags": sorted(dag.tags),
        "catchup": dag.catchup,
        "max_active_runs": dag.max_active_runs,
    }
    # With ENERGIZE_DAG_STUB set (the DAG's executable is then a stub that exits $STUB_EXIT),
    # run the test task once per exit status and record how it ends: what Airflow retries.
    if os.environ.get("ENERGIZE_DAG_STUB"):
        outcomes = {}
        task = dag.get_task("test")
        ti = types.SimpleNamespace(dag_id=dag_id, run_id="check", task_id="test", try_number=1)
        for code in range(7):
            os.environ["STUB_EXIT"] = str(code)
            try:
                task.execute(context={"ti": ti})
                outcomes[str(code)] = "success"
            except Exception as error:  # AirflowFailException: no retry; AirflowException: retried
                outcomes[str(code)] = type(error).__name__
        out["dags"][dag_id]["outcomes"] = outcomes
print(json.dumps(out, sort_keys=True))
