#!/usr/bin/env bash
# Prints the Python of a virtualenv holding Apache Airflow (for the test that loads the DAG
# `energize airflow-dag` writes) and psycopg2 (for an Airflow whose metadata database is
# PostgreSQL: scripts/airflow_dag_run.py), creating it on first use (about two minutes, from PyPI).
# An existing venv with the right Airflow but without psycopg2 gets psycopg2 added, once.
set -euo pipefail
venv="${XDG_CACHE_HOME:-$HOME/.cache}/energize/airflow-venv"
version="2.10.5"
psycopg2_version="2.9.10"   # the psycopg2-binary of Airflow 2.10.5's constraints
pip_install() { "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$@" >&2; }
has_airflow() {
  [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import airflow, sys; sys.exit(airflow.__version__ != '$version')" 2>/dev/null
}
has_psycopg2() {
  "$venv/bin/python" -c "import psycopg2, sys; sys.exit(psycopg2.__version__.split()[0] != '$psycopg2_version')" 2>/dev/null
}
if has_airflow; then
  if ! has_psycopg2; then
    echo "energize: adding psycopg2-binary $psycopg2_version to $venv (pip)" >&2
    pip_install "apache-airflow==$version" "psycopg2-binary==$psycopg2_version"
  fi
  echo "$venv/bin/python"; exit 0
fi
echo "energize: installing Apache Airflow $version into $venv (pip)" >&2
rm -rf "$venv"
mkdir -p "$(dirname "$venv")"
if ! python3 -m venv "$venv" >&2 2>/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    python3 -m venv "$venv" >&2
  else
    echo "energize: python3 -m venv failed; install python3-venv" >&2; exit 1
  fi
fi
pip_install "apache-airflow==$version" "psycopg2-binary==$psycopg2_version"
echo "$venv/bin/python"
