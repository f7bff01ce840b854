#!/bin/bash
# bench/networks_start.sh [N] [DIR] - the networks index at daemon start, with
# and without its snapshot, on a real node database of N reports (default
# 1,000,000; made by bench/gen.py and `simpul import --fast` into DIR, default
# /tmp/simpul-netstart-N, reused when it is there). Prints the full fold of the
# store (the baseline, same run), the snapshot's write, and the start from it.
# Run `ninja -C build` first.
set -eu
cd "$(dirname "$0")/.."
N=${1:-1000000}
DIR=${2:-/tmp/simpul-netstart-$N}
BIN=build/src/cli/simpul
DB=$DIR/node.db
mkdir -p "$DIR"
if [ ! -f "$DB.done" ]; then
	python3 bench/gen.py "$DIR/data" --reports "$N" --batches 1 >/dev/null
	rm -f "$DB" "$DB-wal" "$DB-shm"
	"$BIN" init --db "$DB" --json >/dev/null
	while IFS=$'\t' read -r id cc kind; do
		"$BIN" agency add --db "$DB" --id "$id" --country "$cc" --kind "$kind" >/dev/null
	done <"$DIR/data/agencies.tsv"
	t0=$(date +%s.%N)
	while IFS=$'\t' read -r id cc kind; do
		SIMPUL_NO_PROGRESS=1 "$BIN" import --db "$DB" --agency "$id" --format reports-jsonl --fast --json \
			"$DIR/data/reports/$id.jsonl" </dev/null >/dev/null
	done <"$DIR/data/agencies.tsv"
	echo "imported $N reports in $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN{printf "%.0f", b-a}') s"
	touch "$DB.done"
fi
# The snapshot is made by the benchmark itself: start with none.
sqlite3 "$DB" "DELETE FROM net_snapshot; DELETE FROM net_snapshot_parts;" 2>/dev/null || true
bench/networks.sh 20000 "$DB"
