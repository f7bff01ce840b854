#!/bin/sh
# bench/networks.sh [N] [DB] - build and run bench/networks_bench.c against the
# library of build/ (run `ninja -C build` first). N reports (default 1,000,000);
# DB: also time the fold of an existing node database into the index.
set -eu
cd "$(dirname "$0")/.."
cc -O2 -std=c17 -D_GNU_SOURCE -Isrc/lib bench/networks_bench.c build/src/lib/libsimpulcore.a \
	$(pkg-config --libs jansson sqlite3 libsodium libpsl libidn2 icu-uc icu-i18n libcurl libxml-2.0) \
	-lphonenumber -lstdc++ -lpthread -lm -o /tmp/networks_bench.$$
/tmp/networks_bench.$$ "$@"
rm -f /tmp/networks_bench.$$
