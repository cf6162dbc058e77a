#!/usr/bin/env bash
# Install the Debian packages whose commands are missing: tools/debian_packages.sh <command>=<package> ...
# As root directly, else through sudo; refreshes the package lists first only when apt does not know a package.
set -euo pipefail
missing=()
for pair in "$@"; do
	command -v "${pair%%=*}" >/dev/null || missing+=("${pair#*=}")
done
[ "${#missing[@]}" -eq 0 ] && exit 0
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
export DEBIAN_FRONTEND=noninteractive
if ! apt-cache show "${missing[@]}" >/dev/null 2>&1; then
	"${as_root[@]}" apt-get update -q
fi
echo "Installing Debian packages: ${missing[*]}"
"${as_root[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
