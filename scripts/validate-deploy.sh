#!/usr/bin/env bash
# Checks the deployment files as far as this machine can without a container engine:
# - deploy/docker-compose.yml with Debian's docker-compose (`config`: the file parses, every
#   variable resolves from deploy/.env.example, every reference holds);
# - the Dockerfile's shell steps and the project's scripts with shellcheck;
# - the systemd units with `systemd-analyze verify` (with the ExecStart binary pointed at the
#   energize just built; any warning fails).
# $1: the energize binary to point the units at (default: the debug build).
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-.build/debug/energize}

bash scripts/apt-install.sh "to check the deployment files" docker-compose shellcheck

docker-compose --env-file deploy/.env.example -f deploy/docker-compose.yml config -q
echo "ok    deploy/docker-compose.yml (docker-compose $(docker-compose version --short) config)"

# The Dockerfile's RUN steps, as the shell scripts they are.
steps=$(mktemp)
units=""
trap 'rm -f "$steps"; [ -z "$units" ] || rm -rf "$units"' EXIT
{ echo '#!/bin/sh'; awk '/^RUN /{sub(/^RUN /, ""); line=$0; while (line ~ /\\$/) { print line; getline; line=$0 } print line}' Dockerfile; } > "$steps"
shellcheck -S warning -s sh "$steps"
shellcheck -S warning scripts/*.sh .ci/run
echo "ok    Dockerfile RUN steps and scripts (shellcheck $(shellcheck --version | awk '/^version:/{print $2}'))"

units=$(mktemp -d)
for unit in deploy/systemd/*.service; do
  sed "s|/usr/local/bin/energize|$(realpath "$binary")|" "$unit" > "$units/$(basename "$unit")"
  if ! output=$(systemd-analyze verify "$units/$(basename "$unit")" 2>&1) || [ -n "$output" ]; then
    echo "FAIL  $unit: $output"
    exit 1
  fi
  echo "ok    $unit (systemd-analyze verify)"
done
