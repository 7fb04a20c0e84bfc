#!/usr/bin/env bash
# Installs what energize needs and is missing: the C libraries and PostgreSQL from
# Debian, and the MongoDB wire-protocol test server (nx-27017) from PyPI.
set -euo pipefail

need_apt=()
for package in libpq-dev libmongoc-dev libbson-dev zlib1g-dev postgresql pkg-config python3 python3-venv; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || need_apt+=("$package")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "energize: installing ${need_apt[*]} (apt)"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

bash "$(dirname "$0")/nx-python.sh" >/dev/null
