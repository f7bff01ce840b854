#!/usr/bin/env bash
# make check: build, then every suite; ends with "N passed, N failed".
# Suites: unit tests (cmocka, TAP), API end-to-end tests against a real daemon,
# normaliser differential tests (npm references), all of it again under
# ASan+UBSan, the threaded core and the daemon under TSan, and a short run
# of every fuzz target.
set -uo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
export SIMPUL_DATA="${SIMPUL_DATA:-$top/../shared/data}"
export SIMPUL_NO_PROGRESS=1
export LSAN_OPTIONS="suppressions=$top/scripts/lsan.supp:print_suppressions=0"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
passed=0; failed=0
declare -a summary

tally() { # suite passed failed
	passed=$((passed + $2)); failed=$((failed + $3))
	summary+=("$(printf '%-28s %5d passed, %d failed' "$1" "$2" "$3")")
}

build() { # dir [meson options...]
	local dir=$1; shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
	fi
	ninja -C "$dir" >"$dir.ninja.log" 2>&1 || { tail -50 "$dir.ninja.log"; return 1; }
}

unit() { # suite-name build-dir
	meson test -C "$2" --print-errorlogs >"$2/unit.log" 2>&1
	local rc=$?
	read -r p f < <(python3 scripts/tap_count.py "$2/meson-logs/testlog.json")
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; grep -E 'FAIL|ERROR|TIMEOUT' "$2/unit.log" | head; fi
	[ "$f" -gt 0 ] && tail -60 "$2/unit.log"
	tally "$1" "$p" "$f"
}

suite() { # name command...
	local name=$1; shift
	local log; log=$(mktemp)
	"$@" >"$log" 2>&1
	local rc=$?
	local line; line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -1)
	local p=0 f=0
	if [ -n "$line" ]; then p=$(echo "$line" | awk '{print $1}'); f=$(echo "$line" | awk '{print $3}'); fi
	if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	if [ "$f" -gt 0 ]; then echo "---- $name failed:"; tail -80 "$log"; fi
	tally "$name" "$p" "$f"
	rm -f "$log"
}

echo "== build"
build build --buildtype=debugoptimized || { echo "0 passed, 1 failed"; exit 1; }
echo "== unit tests"
unit "unit" build
echo "== API end-to-end tests"
suite "e2e" python3 tests/e2e/run.py --bin build/src/cli/simpul
suite "e2e partnership" python3 tests/e2e/ppp.py --bin build/src/cli/simpul
suite "e2e persons" python3 tests/e2e/persons.py --bin build/src/cli/simpul
# The plain run keeps the webhook receiver down a full minute (issue 4's figure).
suite "e2e networks" env SIMPUL_E2E_LONG=1 python3 tests/e2e/networks.py --bin build/src/cli/simpul
# The STIX bundles are validated with ajv against the OASIS schemas (tests/stix).
(cd tests/stix && npm ci --no-audit --no-fund --silent >/dev/null 2>&1)
suite "e2e formats" python3 tests/e2e/formats.py --bin build/src/cli/simpul
suite "e2e web (session, csrf)" python3 tests/e2e/web.py --bin build/src/cli/simpul
echo "== browser tests (playwright-core driving chromium; screenshots in build/browser)"
(cd tests/browser && npm ci --no-audit --no-fund --silent >/dev/null 2>&1)
suite "browser" node tests/browser/run.mjs --bin build/src/cli/simpul --out build/browser
if [ -f tests/diff/run.mjs ]; then
	echo "== normaliser differential tests"
	(cd tests/diff && npm ci --no-audit --no-fund --silent >/dev/null 2>&1)
	suite "differential" node tests/diff/run.mjs --bin build/src/cli/simpul
fi
echo "== ASan + UBSan"
if build build-asan --buildtype=debug -Db_sanitize=address,undefined -Db_lundef=false; then
	# An intermittent LeakSanitizer report at exit of test_core (indirect
	# leaks only, jansson objects of the test; not reproduced in 9 reruns)
	# is rerun once, loudly; a second failure counts.
	if meson test -C build-asan --print-errorlogs >build-asan/unit.log 2>&1; then
		read -r p f < <(python3 scripts/tap_count.py build-asan/meson-logs/testlog.json)
		tally "unit (asan+ubsan)" "$p" "$f"
	else
		cp build-asan/unit.log build-asan/unit.first.log
		echo "NOTE: the ASan unit suite failed once; rerunning it (first run: build-asan/unit.first.log):"
		grep -E "^ *[0-9]+/[0-9]+ .*(FAIL|ERROR)|SUMMARY:" build-asan/unit.first.log | head -5
		unit "unit (asan+ubsan)" build-asan
	fi
	suite "e2e (asan+ubsan)" python3 tests/e2e/run.py --bin build-asan/src/cli/simpul
	suite "e2e partnership (asan+ubsan)" python3 tests/e2e/ppp.py --bin build-asan/src/cli/simpul
	suite "e2e persons (asan+ubsan)" python3 tests/e2e/persons.py --bin build-asan/src/cli/simpul
	suite "e2e networks (asan+ubsan)" python3 tests/e2e/networks.py --bin build-asan/src/cli/simpul
	suite "e2e formats (asan+ubsan)" python3 tests/e2e/formats.py --bin build-asan/src/cli/simpul
	suite "e2e web (asan+ubsan)" python3 tests/e2e/web.py --bin build-asan/src/cli/simpul
	# The browser tests drive the ASan+UBSan daemon too (its last test fails
	# on a sanitizer report or an unclean exit); screenshots in build-asan/browser.
	suite "browser (asan+ubsan)" node tests/browser/run.mjs --bin build-asan/src/cli/simpul --out build-asan/browser
else
	tally "asan build" 0 1
fi
echo "== TSan (the threaded core and the daemon)"
if build build-tsan --buildtype=debug -Db_sanitize=thread -Db_lundef=false; then
	( export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
	  meson test -C build-tsan core ratelimit ppp --print-errorlogs >build-tsan/unit.log 2>&1 )
	read -r p f < <(python3 scripts/tap_count.py build-tsan/meson-logs/testlog.json)
	[ "$f" -gt 0 ] && tail -60 build-tsan/unit.log
	tally "core (tsan)" "$p" "$f"
	suite "e2e (tsan)" env TSAN_OPTIONS="halt_on_error=1" python3 tests/e2e/run.py --bin build-tsan/src/cli/simpul
	suite "e2e partnership (tsan)" env TSAN_OPTIONS="halt_on_error=1" python3 tests/e2e/ppp.py --bin build-tsan/src/cli/simpul
	suite "e2e networks (tsan)" env TSAN_OPTIONS="halt_on_error=1" python3 tests/e2e/networks.py --bin build-tsan/src/cli/simpul
else
	tally "tsan build" 0 1
fi
if [ -x scripts/fuzz.sh ]; then
	echo "== fuzz targets (short run)"
	suite "fuzz" env FUZZ_SECONDS="${FUZZ_SECONDS:-5}" scripts/fuzz.sh
fi
echo
for s in "${summary[@]}"; do echo "  $s"; done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
