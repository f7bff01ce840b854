#!/usr/bin/env bash
# bench/limits.sh - the cost of rate limits and quotas on the one-selector check (issue 7 §4),
# beside its baseline measured in the same run: the same daemon binary and database without any
# principal/agency rule (the limiter then only looks up the rule table) against every bucket and
# quota charged on every request (rules high enough never to refuse). Runs alternate
# base/limited ROUNDS times so that noise on a shared machine hits both alike.
#
# usage: bench/limits.sh [--duration S] [--rounds N]     (SIMPUL_BIN: the binary; default build/)
# Not a test: `make check` never runs it. Loopback only; stops every process it starts.
set -euo pipefail
DUR=5 ROUNDS=3
while [ $# -gt 0 ]; do
	case "$1" in
	--duration) DUR="$2"; shift ;;
	--rounds) ROUNDS="$2"; shift ;;
	-h|--help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	*) echo "limits.sh: unknown argument $1" >&2; exit 2 ;;
	esac
	shift
done
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${SIMPUL_BIN:-$ROOT/build/src/cli/simpul}
command -v wrk >/dev/null || { echo "limits.sh: needs wrk" >&2; exit 1; }
RUN=$(mktemp -d "${TMPDIR:-/tmp}/simpul-limits.XXXXXX")
SPID=""
cleanup() { [ -n "$SPID" ] && kill "$SPID" 2>/dev/null && wait "$SPID" 2>/dev/null; rm -rf "$RUN"; }
trap cleanup EXIT
DB=$RUN/node.db
"$BIN" init --db "$DB" --json >/dev/null
"$BIN" agency add --db "$DB" --id MY-BANK1 --country MY --kind bank --name bank >/dev/null
TOKEN=$("$BIN" token create --db "$DB" --agency MY-BANK1 --role partner --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
export BENCH_TOKEN=$TOKEN BENCH_HIT_PCT=0

run() { # label serve-args...
	local label=$1; shift
	"$BIN" serve --listen 127.0.0.1:0 --db "$DB" --fast "$@" >"$RUN/serve.out" 2>"$RUN/serve.err" &
	SPID=$!
	local port=""
	for _ in $(seq 1 100); do
		port=$(grep -o '127.0.0.1:[0-9]*' "$RUN/serve.out" 2>/dev/null | cut -d: -f2 || true)
		[ -n "$port" ] && break
		sleep 0.1
	done
	[ -n "$port" ] || { echo "daemon did not start: $(cat "$RUN/serve.err")" >&2; exit 1; }
	wrk -t2 -c32 -d1s -s "$ROOT/bench/check1.lua" "http://127.0.0.1:$port/api/v1/check" >/dev/null 2>&1 || true
	wrk -t2 -c32 -d"${DUR}s" --latency -s "$ROOT/bench/check1.lua" "http://127.0.0.1:$port/api/v1/check" >"$RUN/wrk.txt" 2>&1
	kill "$SPID"; wait "$SPID" 2>/dev/null || true; SPID=""
	local rps p99 non2xx
	rps=$(awk '/Requests\/sec/ {print $2}' "$RUN/wrk.txt")
	p99=$(awk '$1 == "99%" {print $2}' "$RUN/wrk.txt")
	non2xx=$(awk '/Non-2xx/ {print $5}' "$RUN/wrk.txt")
	printf '%-8s %10s req/s  p99 %8s  non-2xx %s\n' "$label" "$rps" "$p99" "${non2xx:-0}"
}

echo "one-selector no-hit checks, wrk -t2 -c32, ${DUR}s a run, $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg)"
for r in $(seq 1 "$ROUNDS"); do
	run base
	run limited --rate-limit principal=10000000/s:10000000 --rate-limit agency=10000000/s:10000000 \
		--quota principal=1000000000/d --quota agency=1000000000/d
done
