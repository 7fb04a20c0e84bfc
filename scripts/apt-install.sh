#!/usr/bin/env bash
# Installs the Debian packages given that are not installed yet (apt-get update once, quietly),
# with sudo when not root. The one place the project's scripts install from apt.
# $1: what they are for (said once); $2…: the packages.
set -euo pipefail
why=$1
shift
missing=()
for package in "$@"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "energize: installing ${missing[*]} (apt), $why" >&2
sudo_cmd=""
[ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
$sudo_cmd apt-get update -qq >&2
DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
