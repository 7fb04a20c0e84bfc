#!/usr/bin/env bash
# Prints the Python of a virtualenv holding Apache Airflow (for the test that loads the DAG
# `energize airflow-dag` writes), creating it on first use (about two minutes, from PyPI).
set -euo pipefail
venv="${XDG_CACHE_HOME:-$HOME/.cache}/energize/airflow-venv"
version="2.10.5"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "import airflow, sys; sys.exit(airflow.__version__ != '$version')" 2>/dev/null; then
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
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "apache-airflow==$version" >&2
echo "$venv/bin/python"
