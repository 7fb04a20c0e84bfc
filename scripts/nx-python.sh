#!/usr/bin/env bash
# Prints the path of a Python that can import nx_27017 (the MongoDB wire-protocol test
# server), installing it when missing: into the current Python with pip when allowed,
# else into a virtualenv of this user's (~/.cache/energize/venv), which works under
# Debian's externally-managed system Python and without root.
set -euo pipefail
venv="${XDG_CACHE_HOME:-$HOME/.cache}/energize/venv"
for python in "$venv/bin/python" python3; do
  if command -v "$python" >/dev/null 2>&1 && "$python" -c "import nx_27017" 2>/dev/null; then
    command -v "$python"; exit 0
  fi
done
echo "energize: installing nx-27017 (pip)" >&2
if python3 -m pip install --quiet --disable-pip-version-check "nx-27017==0.8.1" >&2 2>/dev/null \
   && python3 -c "import nx_27017" 2>/dev/null; then
  command -v python3; exit 0
fi
if ! python3 -m venv "$venv" >&2 2>/dev/null; then
  if [ "$(id -u)" -eq 0 ]; then
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
  else
    echo "energize: python3 -m venv failed; install python3-venv (sudo apt-get install python3-venv)" >&2; exit 1
  fi
  python3 -m venv "$venv" >&2
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "nx-27017==0.8.1" >&2
echo "$venv/bin/python"
