# Runs the DAGs of a folder in a real Apache Airflow 2.10 (LocalExecutor, metadata in PostgreSQL)
# and prints, as one JSON line on stdout, how each task ended. Run it with the Python of
# scripts/airflow-venv.sh:
#
#   PY=$(bash scripts/airflow-venv.sh)
#   $PY scripts/airflow_dag_run.py --dags DIR --home DIR [--meta-uri URI] [--pool NAME=SLOTS] dags-test DAG_ID
#   $PY scripts/airflow_dag_run.py --dags DIR --home DIR [--meta-uri URI] local-run DAG_ID [--timeout S]
#   $PY scripts/airflow_dag_run.py --dags DIR --home DIR [--meta-uri URI] clear-and-run DAG_ID RUN_ID TASK_ID
#   $PY scripts/airflow_dag_run.py --dags DIR --home DIR [--meta-uri URI] states DAG_ID RUN_ID
#
# dags-test: `airflow dags test` (one process, tasks one after another, no scheduler).
# local-run: starts `airflow scheduler` (LocalExecutor), unpauses and triggers the DAG, waits for
#   the run to end, stops the scheduler and every process under it (SIGTERM, then SIGKILL).
# clear-and-run: clears one finished task of a run (--downstream: and the tasks after it) and
#   lets a scheduler run it again. states: only reports a run.
# Airflow is configured through AIRFLOW__* variables only (AIRFLOW_HOME gets Airflow's default
# airflow.cfg, unused for what is set here). The metadata database (--meta-uri, default: the server
# of $ENERGIZE_PG_URI, database airflow_meta_energize) is created when missing and migrated
# (`airflow db migrate`) only when its schema is not Airflow's. The tasks inherit this process's
# environment (ENERGIZE_PG_URI, ENERGIZE_MONGO_URI). Logs: HOME/logs (tasks), HOME/*.out (CLI).
import argparse
import ctypes
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from datetime import datetime, timezone

FINISHED_RUN = {"success", "failed"}
FINISHED_TASK = {"success", "failed", "skipped", "upstream_failed", "removed"}


def parse_arguments():
    parser = argparse.ArgumentParser(description="Run a DAG folder in Apache Airflow (LocalExecutor, PostgreSQL metadata).")
    parser.add_argument("--dags", required=True, help="the DAG folder")
    parser.add_argument("--home", required=True, help="AIRFLOW_HOME (created if missing)")
    parser.add_argument("--meta-uri", help="PostgreSQL URI of Airflow's own metadata database, created if missing "
                        "(default: $ENERGIZE_PG_URI's server, database airflow_meta_energize)")
    parser.add_argument("--parallelism", type=int, default=8, help="LocalExecutor worker processes (default 8)")
    parser.add_argument("--pool", action="append", default=[], metavar="NAME=SLOTS",
                        help="create or resize an Airflow pool before running (repeatable)")
    parser.add_argument("--use-schedule", action="store_true", help="let the scheduler also create the DAG's "
                        "scheduled runs (by default only triggered runs run: an unpaused DAG with catchup=False "
                        "otherwise gets a scheduled run for its last interval at once)")
    commands = parser.add_subparsers(dest="command", required=True)
    test = commands.add_parser("dags-test", help="airflow dags test: one DAG run in one process")
    test.add_argument("dag_id")
    test.add_argument("--timeout", type=float, default=1800)
    run = commands.add_parser("local-run", help="scheduler + LocalExecutor: trigger one DAG run and wait for it")
    run.add_argument("dag_id")
    run.add_argument("--run-id", help="the run's id (default manual__<now>)")
    run.add_argument("--timeout", type=float, default=1800, help="seconds to wait for the run (default 1800)")
    clear = commands.add_parser("clear-and-run", help="clear one finished task of a run and let the scheduler rerun it")
    clear.add_argument("dag_id")
    clear.add_argument("run_id")
    clear.add_argument("task_id")
    clear.add_argument("--downstream", action="store_true", help="also clear the tasks after it")
    clear.add_argument("--timeout", type=float, default=1800)
    states = commands.add_parser("states", help="report a DAG run")
    states.add_argument("dag_id")
    states.add_argument("run_id")
    return parser.parse_args()


def iso(value):
    return value.astimezone(timezone.utc).isoformat() if value else None


class Airflow:
    """One Airflow: its environment, metadata database and the processes started for it."""

    def __init__(self, args):
        self.args = args
        self.home = os.path.abspath(args.home)
        self.dags = os.path.abspath(args.dags)
        self.timings = {}
        self.children = []  # (Popen, name)
        meta = args.meta_uri or os.environ.get("ENERGIZE_AIRFLOW_META_URI")
        if not meta:
            base = os.environ.get("ENERGIZE_PG_URI")
            if not base:
                raise SystemExit("airflow_dag_run: give --meta-uri (or set ENERGIZE_PG_URI)")
            meta = urllib.parse.urlsplit(base)._replace(path="/airflow_meta_energize", query="").geturl()
        parts = urllib.parse.urlsplit(meta)
        self.meta = parts._replace(scheme="postgresql", path=parts.path or "/airflow_meta_energize").geturl()
        self.meta_db = urllib.parse.unquote(urllib.parse.urlsplit(self.meta).path.lstrip("/"))
        self.env = dict(os.environ)
        self.env.update({
            "AIRFLOW_HOME": self.home,
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": self.meta.replace("postgresql://", "postgresql+psycopg2://", 1),
            # The test server allows 60 connections: keep each Airflow process's pool small.
            "AIRFLOW__DATABASE__SQL_ALCHEMY_POOL_SIZE": "2",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_MAX_OVERFLOW": "3",
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__DAGS_FOLDER": self.dags,
            "AIRFLOW__CORE__PARALLELISM": str(args.parallelism),
            "AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG": str(args.parallelism),
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__CORE__KILLED_TASK_CLEANUP_TIME": "10",
            "AIRFLOW__SCHEDULER__USE_JOB_SCHEDULE": "True" if args.use_schedule else "False",
            "AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC": "1",
            "AIRFLOW__SCHEDULER__JOB_HEARTBEAT_SEC": "2",
            "AIRFLOW__SCHEDULER__SCHEDULER_IDLE_SLEEP_TIME": "0.5",
            "AIRFLOW__SCHEDULER__MIN_FILE_PROCESS_INTERVAL": "5",
            "AIRFLOW__SCHEDULER__DAG_DIR_LIST_INTERVAL": "10",
            "AIRFLOW__SCHEDULER__PARSING_PROCESSES": "1",
            "AIRFLOW__SCHEDULER__STANDALONE_DAG_PROCESSOR": "False",
            "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "False",
            "AIRFLOW__LOGGING__BASE_LOG_FOLDER": os.path.join(self.home, "logs"),
            "AIRFLOW__WEBSERVER__SECRET_KEY": "energize-airflow-dag-run",
        })
        os.makedirs(self.home, exist_ok=True)
        # Airflow reads its configuration when imported: set it first.
        os.environ.update(self.env)
        self.create_database()
        global DagBag, DagModel, DagRun, TaskInstance, Job, create_session, select
        from airflow.jobs.job import Job
        from airflow.models import DagBag, DagModel, DagRun, TaskInstance
        from airflow.utils.session import create_session
        from sqlalchemy import select
        self.migrate()

    # --- the metadata database

    def create_database(self):
        import psycopg2
        from psycopg2 import sql
        parts = urllib.parse.urlsplit(self.meta)
        for maintenance in ("postgres", "template1"):
            try:
                connection = psycopg2.connect(parts._replace(path="/" + maintenance).geturl())
                break
            except psycopg2.OperationalError as error:
                last = error
        else:
            raise SystemExit(f"airflow_dag_run: cannot reach the server of {self.redacted()}: {last}")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (self.meta_db,))
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.meta_db)))
                self.timings["created_database"] = True
        connection.close()

    def redacted(self):
        parts = urllib.parse.urlsplit(self.meta)
        netloc = parts.netloc.split("@")[-1]
        user = parts.username or ""
        return parts._replace(netloc=f"{user}:***@{netloc}" if user else netloc).geturl()

    def migrate(self):
        """`airflow db migrate` when the database's alembic heads are not this Airflow's (it is slow)."""
        from airflow.utils import db
        try:
            with db._configured_alembic_environment() as environment:
                needed = set(environment.script.get_heads()) != set(environment.get_context().get_current_heads())
        except Exception:  # a database without Airflow's tables
            needed = True
        if needed:
            started = time.monotonic()
            self.cli(["db", "migrate"], "db-migrate", timeout=900)
            self.timings["db_migrate_s"] = round(time.monotonic() - started, 1)

    # --- processes

    def cli(self, arguments, name, timeout):
        """Runs `airflow ARGUMENTS` to its end, its output in HOME/NAME.out; returns its exit status."""
        with open(os.path.join(self.home, name + ".out"), "ab") as out:
            process = subprocess.Popen([sys.executable, "-m", "airflow"] + arguments, env=self.env, stdout=out,
                                       stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
            self.children.append((process, name))
            try:
                code = process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.stop_all()
                raise SystemExit(f"airflow_dag_run: `airflow {' '.join(arguments)}` ran over {timeout:.0f} s")
        if name == "db-migrate" and code != 0:
            raise SystemExit(f"airflow_dag_run: airflow db migrate failed ({code}); see {out.name}")
        return code

    def start_scheduler(self):
        """`airflow scheduler` (without its log server); returns when its job heartbeats in the database."""
        started = time.monotonic()
        since = datetime.now(timezone.utc)
        out = open(os.path.join(self.home, "scheduler.out"), "ab")
        process = subprocess.Popen([sys.executable, "-m", "airflow", "scheduler", "--skip-serve-logs"], env=self.env,
                                   stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.children.append((process, "scheduler"))
        self.scheduler = process
        while True:
            self.track()
            if process.poll() is not None:
                raise SystemExit(f"airflow_dag_run: the scheduler exited {process.returncode}; see {out.name}")
            with create_session() as session:
                job = session.scalar(select(Job).where(Job.job_type == "SchedulerJob", Job.state == "running",
                                                       Job.latest_heartbeat > since))
                if job is not None:
                    break
            if time.monotonic() - started > 120:
                raise SystemExit("airflow_dag_run: the scheduler did not heartbeat within 120 s")
            time.sleep(0.5)
        self.timings["scheduler_ready_s"] = round(time.monotonic() - started, 1)

    def track(self):
        """Reaps the orphans this process adopted (it is their subreaper)."""
        import psutil
        own = {p.pid for p, _ in self.children}
        for child in psutil.Process().children():
            if child.pid not in own:
                try:
                    if child.status() == psutil.STATUS_ZOMBIE:
                        os.waitpid(child.pid, os.WNOHANG)
                except (psutil.NoSuchProcess, ChildProcessError):
                    pass

    def fail_run(self, dag, run_id):
        """Marks a run the scheduler was stopped in the middle of as failed (its unfinished tasks
        too): left running in the database, it would hold max_active_runs=1 for the next run."""
        from airflow.api.common.mark_tasks import set_dag_run_state_to_failed
        with create_session() as session:
            set_dag_run_state_to_failed(dag=dag, run_id=run_id, commit=True, session=session)

    def stop_all(self, grace=30):
        """SIGTERM to the processes started here (the scheduler ends its executor, workers and DAG
        processor), then SIGTERM and after 10 s SIGKILL to whatever is left under this process
        (task runners start their own process groups, so a process group is not enough)."""
        import psutil
        started = time.monotonic()
        for process, _ in self.children:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + grace
        for process, _ in self.children:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
        killed = []
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            left = [p for p in psutil.Process().children(recursive=True) if p.status() != psutil.STATUS_ZOMBIE]
            if not left:
                break
            for p in left:
                try:
                    killed.append({"pid": p.pid, "signal": sig.name, "cmdline": " ".join(p.cmdline())[:160]})
                    p.send_signal(sig)
                except psutil.NoSuchProcess:
                    pass
            psutil.wait_procs(left, timeout=wait)
        for process, _ in self.children:
            if process.poll() is None:
                process.kill()
                process.wait()
        self.track()
        self.timings["stop_s"] = round(time.monotonic() - started, 1)
        return killed

    def leftovers(self):
        """Processes of this Airflow still alive: by AIRFLOW_HOME in their environment, and what
        `pgrep -f airflow` finds (other Airflows of the machine too), without this process."""
        import psutil
        me = os.getpid()
        ours = []
        for p in psutil.process_iter(["pid", "cmdline"]):
            if p.pid == me:
                continue
            try:
                if p.status() != psutil.STATUS_ZOMBIE and p.environ().get("AIRFLOW_HOME") == self.home:
                    ours.append({"pid": p.pid, "cmdline": " ".join(p.info["cmdline"] or [])[:160]})
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                pass
        pgrep = subprocess.run(["pgrep", "-a", "-f", "airflow"], capture_output=True, text=True).stdout.splitlines()
        pgrep = [line[:160] for line in pgrep if line.split(" ", 1)[0] != str(me) and " postgres: " not in f" {line}"]
        return ours, pgrep

    # --- DAGs and runs

    def sync(self, dag_id):
        """Parses the DAG folder and writes its DAGs to the database (as the scheduler's parser
        would, a few seconds later), after creating the --pool pools; returns the DAG, its import
        errors and Python warnings."""
        import warnings
        from airflow.models.pool import Pool
        for pool in self.args.pool:
            name, _, slots = pool.partition("=")
            Pool.create_or_update_pool(name, int(slots or 1), "energize: PostgreSQL-heavy tasks", include_deferred=False)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            bag = DagBag(dag_folder=self.dags, include_examples=False)
            with create_session() as session:
                bag.sync_to_db(processor_subdir=self.dags, session=session)
        dag = bag.dags.get(dag_id)
        warned = sorted({f"{w.category.__name__}: {w.message} ({os.path.basename(w.filename)}:{w.lineno})"
                         for w in caught if w.filename.startswith(self.dags)})
        # Airflow also records DAG warnings in the database (e.g. a pool that does not exist).
        from airflow.models.dagwarning import DagWarning
        with create_session() as session:
            warned += [f"{w.warning_type}: {w.message}" for w in session.scalars(select(DagWarning))]
        errors = {k: str(v) for k, v in bag.import_errors.items()}
        if dag is None:
            raise SystemExit(f"no DAG {dag_id} in {self.dags}" + (f"; import errors: {errors}" if errors else ""))
        return dag, errors, warned

    def unpause(self, dag_id):
        with create_session() as session:
            model = session.scalar(select(DagModel).where(DagModel.dag_id == dag_id))
            model.is_paused = False

    def wait_run(self, dag_id, run_id, timeout, after=None):
        """Waits for the run to end (and the tasks AFTER names to be finished again)."""
        started = time.monotonic()
        while True:
            self.track()
            if self.scheduler.poll() is not None:
                return f"the scheduler exited {self.scheduler.returncode} (see {self.home}/scheduler.out)"
            with create_session() as session:
                run = session.scalar(select(DagRun).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id))
                tis = {ti.task_id: ti.state for ti in session.scalars(
                    select(TaskInstance).where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id))}
                if run is not None and run.state in FINISHED_RUN and all(tis.get(t) in FINISHED_TASK for t in after or []):
                    return None
            if time.monotonic() - started > timeout:
                return f"the run did not end within {timeout:.0f} s"
            time.sleep(1)

    def report(self, dag_id, run_id):
        with create_session() as session:
            run = session.scalar(select(DagRun).where(DagRun.dag_id == dag_id, DagRun.run_id == run_id))
            if run is None:
                return {"run_id": run_id, "state": None, "tasks": {}}
            tis = session.scalars(select(TaskInstance).where(TaskInstance.dag_id == dag_id, TaskInstance.run_id == run_id)).all()
            # Earlier tries (a retry, a clear) are rows of task_instance_history.
            from airflow.models.taskinstancehistory import TaskInstanceHistory as History
            earlier = {}
            for h in session.scalars(select(History).where(History.dag_id == dag_id, History.run_id == run_id)
                                     .order_by(History.try_number)):
                earlier.setdefault(h.task_id, []).append({"try_number": h.try_number, "state": h.state,
                                                          "start_date": iso(h.start_date), "end_date": iso(h.end_date)})
            tasks = {}
            for ti in sorted(tis, key=lambda t: (t.start_date or datetime.max.replace(tzinfo=timezone.utc), t.task_id)):
                log = os.path.join(self.home, "logs", f"dag_id={dag_id}", f"run_id={run_id}", f"task_id={ti.task_id}",
                                   f"attempt={ti.try_number}.log")
                tasks[ti.task_id] = {
                    "state": ti.state, "try_number": ti.try_number, "max_tries": ti.max_tries,
                    "start_date": iso(ti.start_date), "end_date": iso(ti.end_date),
                    "duration_s": round(ti.duration, 2) if ti.duration is not None else None,
                    "queued_at": iso(ti.queued_dttm), "pid": ti.pid, "log": log if os.path.exists(log) else None,
                    "earlier_tries": earlier.get(ti.task_id, []),
                }
            others = session.scalars(select(DagRun.run_id).where(DagRun.dag_id == dag_id, DagRun.run_id != run_id)).all()
            return {"run_id": run.run_id, "run_type": run.run_type, "state": run.state,
                    "logical_date": iso(run.execution_date), "start_date": iso(run.start_date), "end_date": iso(run.end_date),
                    "tasks": tasks, "max_parallel_tasks": max_parallel(tasks), "other_runs": sorted(others)}


def max_parallel(tasks):
    """The largest number of task instances running at one instant (from their start and end dates)."""
    events = []
    for task in tasks.values():
        if task["start_date"] and task["end_date"]:
            events += [(task["start_date"], 1), (task["end_date"], -1)]
    best = current = 0
    for _, step in sorted(events, key=lambda e: (e[0], e[1])):  # an end before a start at the same instant
        current += step
        best = max(best, current)
    return best


def subreaper():
    """Makes this process the parent of every orphan under it (PR_SET_CHILD_SUBREAPER), so that
    task runners whose parent died are still found (and stopped) as its descendants."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def main():
    args = parse_arguments()
    # Airflow's in-process logging writes to stdout: keep stdout for the one JSON line.
    stdout = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    def interrupted(*_):
        raise KeyboardInterrupt()
    signal.signal(signal.SIGTERM, interrupted)  # stop what was started, as on Ctrl-C
    subreaper()
    began = time.monotonic()
    out = {"command": args.command, "dag_id": args.dag_id}
    airflow = dag = None
    try:
        airflow = Airflow(args)
        out["home"] = airflow.home
        out["meta"] = airflow.redacted()
        if args.command == "states":
            out.update(airflow.report(args.dag_id, args.run_id))
        elif args.command == "dags-test":
            dag, out["import_errors"], out["warnings"] = airflow.sync(args.dag_id)
            logical = datetime.now(timezone.utc).replace(microsecond=0)
            started = time.monotonic()
            out["exit_status"] = airflow.cli(["dags", "test", args.dag_id, logical.isoformat()], "dags-test", args.timeout)
            airflow.timings["dags_test_s"] = round(time.monotonic() - started, 1)
            with create_session() as session:
                run_id = session.scalar(select(DagRun.run_id).where(DagRun.dag_id == args.dag_id,
                                                                    DagRun.execution_date == logical))
            out.update(airflow.report(args.dag_id, run_id))
        elif args.command == "local-run":
            dag, out["import_errors"], out["warnings"] = airflow.sync(args.dag_id)
            airflow.start_scheduler()
            from airflow.api.common.trigger_dag import trigger_dag
            airflow.unpause(args.dag_id)
            now = datetime.now(timezone.utc)
            run_id = args.run_id or f"manual__{now.isoformat()}"
            triggered = time.monotonic()
            trigger_dag(args.dag_id, run_id=run_id, execution_date=now, replace_microseconds=False)
            print(f"airflow_dag_run: triggered {args.dag_id} run {run_id}", file=sys.stderr)
            out["error"] = airflow.wait_run(args.dag_id, run_id, args.timeout)
            airflow.timings["run_s"] = round(time.monotonic() - triggered, 1)
            out.update(airflow.report(args.dag_id, run_id))
        elif args.command == "clear-and-run":
            from airflow.models.taskinstance import clear_task_instances
            dag, out["import_errors"], out["warnings"] = airflow.sync(args.dag_id)
            if args.task_id not in dag.task_ids:
                raise SystemExit(f"airflow_dag_run: no task {args.task_id} in {args.dag_id}")
            subset = dag.partial_subset([args.task_id], include_downstream=args.downstream, include_upstream=False)
            task_ids = sorted(t.task_id for t in subset.tasks if t.task_id == args.task_id or args.downstream)
            with create_session() as session:
                tis = session.scalars(select(TaskInstance).where(TaskInstance.dag_id == args.dag_id,
                                                                 TaskInstance.run_id == args.run_id,
                                                                 TaskInstance.task_id.in_(task_ids))).all()
                ti = next((t for t in tis if t.task_id == args.task_id), None)
                if ti is None or ti.state not in FINISHED_TASK:
                    raise SystemExit(f"airflow_dag_run: {args.task_id} of {args.run_id} is "
                                     f"{ti.state if ti else 'missing'}, not finished")
                out["before"] = {t.task_id: {"state": t.state, "try_number": t.try_number} for t in tis}
                clear_task_instances(list(tis), session, dag=dag)
            out["cleared"] = task_ids
            airflow.unpause(args.dag_id)
            airflow.start_scheduler()
            started = time.monotonic()
            out["error"] = airflow.wait_run(args.dag_id, args.run_id, args.timeout, after=task_ids)
            airflow.timings["run_s"] = round(time.monotonic() - started, 1)
            out.update(airflow.report(args.dag_id, args.run_id))
    except SystemExit as error:
        if error.code not in (None, 0):
            out["error"] = str(error.code)
    except KeyboardInterrupt:
        out["error"] = "interrupted"
    finally:
        if airflow is not None:
            # The scheduler exits within 2 s once the run ended; with tasks running, its executor
            # waits for them: then do not wait long before stopping them too.
            out["killed"] = airflow.stop_all(grace=5 if out.get("error") else 30)
            if out.get("state") in ("running", "queued") and dag is not None:
                airflow.fail_run(dag, out["run_id"])
                out["state_when_stopped"] = out["state"]
                out.update(airflow.report(args.dag_id, out["run_id"]))
            out["leftover"], out["pgrep_airflow"] = airflow.leftovers()
            out["timings"] = dict(airflow.timings, total_s=round(time.monotonic() - began, 1))
    if not out.get("error"):
        out.pop("error", None)
    stdout.write(json.dumps(out, sort_keys=True) + "\n")
    stdout.flush()
    ok = not out.get("error") and out.get("state") == "success" and not out.get("leftover") and out.get("exit_status", 0) == 0
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
