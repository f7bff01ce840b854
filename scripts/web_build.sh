#!/bin/sh
# Build the web application (web/) into OUTDIR: npm ci when node_modules is
# missing or older than the lock file, then web/build.mjs (esbuild).
# Called by meson (src/server/meson.build); the output is embedded into the
# daemon by scripts/embed.py. Nothing built is committed.
set -eu
src=$1
mkdir -p "$2"
out=$(cd "$2" && pwd)
cd "$src/web"
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
	npm ci --no-audit --no-fund --loglevel=error >&2
fi
exec node build.mjs --out "$out"
