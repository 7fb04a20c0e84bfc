#!/usr/bin/env bash
# Installs what energize needs and is missing: the C libraries and PostgreSQL from
# Debian, and the MongoDB wire-protocol test server (nx-27017) from PyPI.
set -euo pipefail

bash "$(dirname "$0")/apt-install.sh" "for energize's build and its test servers" \
  libpq-dev libmongoc-dev libbson-dev zlib1g-dev postgresql pkg-config python3 python3-venv

bash "$(dirname "$0")/nx-python.sh" >/dev/null
