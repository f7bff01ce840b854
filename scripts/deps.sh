#!/usr/bin/env bash
# Install the Debian packages Simpul needs, only those that are missing.
# Runs `apt-get update` once, and only when something has to be installed.
set -euo pipefail
pkgs=(
  build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
  libmicrohttpd-dev libjansson-dev libsodium-dev libsqlite3-dev sqlite3
  libphonenumber-dev libpsl-dev publicsuffix libidn2-dev libicu-dev
  libcurl4-openssl-dev libcmocka-dev libxml2-dev python3-levenshtein python3-jellyfish
  python3 nodejs npm nginx-light wrk
  chromium
)
[ "${SIMPUL_DEPS_EXTRA:-}" ] && pkgs+=(${SIMPUL_DEPS_EXTRA})
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# nodejs/npm may come from elsewhere on a developer machine: accept working binaries.
if command -v node >/dev/null && command -v npm >/dev/null; then
  tmp=(); for p in "${missing[@]}"; do [ "$p" = nodejs ] || [ "$p" = npm ] || tmp+=("$p"); done
  missing=("${tmp[@]+"${tmp[@]}"}")
fi
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
echo "deps: installing ${missing[*]}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
