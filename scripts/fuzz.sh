#!/bin/sh
# fuzz.sh - build the libFuzzer targets with clang + ASan + UBSan and run each
# one for FUZZ_SECONDS (default 10) over a copy of its seed corpus.
# Exits non-zero when a target crashes; the crash input is left in
# build-fuzz/crashes/<target>/.
set -eu
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-10}
dir=${FUZZ_BUILD:-build-fuzz}
if [ ! -f "$dir/build.ninja" ]; then
	CC=clang CXX=clang++ meson setup "$dir" -Dfuzz=true -Db_sanitize=address,undefined \
	    -Db_lundef=false -Dtests=false
fi
ninja -C "$dir" $(cd fuzz && ls corpus | sed "s,^,fuzz/fuzz_,")
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1
failed=0
ok=0
bad=0
for t in $(ls fuzz/corpus); do
	work="$dir/fuzz-corpus/$t"
	crashes="$dir/crashes/$t"
	mkdir -p "$work" "$crashes"
	cp fuzz/corpus/"$t"/* "$work"/
	if "$dir/fuzz/fuzz_$t" -max_total_time="$secs" -max_len=1024 -timeout=10 \
	    -artifact_prefix="$crashes/" -print_final_stats=0 "$work" >"$dir/fuzz_$t.log" 2>&1; then
		printf 'fuzz_%-13s ok   %s\n' "$t" "$(grep -o 'cov: [0-9]*' "$dir/fuzz_$t.log" | tail -1)"
		ok=$((ok + 1))
	else
		bad=$((bad + 1))
		printf 'fuzz_%-13s CRASH (see %s/fuzz_%s.log, input in %s)\n' "$t" "$dir" "$t" "$crashes"
		failed=1
	fi
done
echo "$ok passed, $bad failed"
exit $failed
