/* store_bench.c - the selector index of the SQLite store, measured.
 *
 * Builds a database of 1,000,000 postings (333,334 reports of 3 selectors,
 * one key in two shared by two reports), then times store_postings() for
 * keys that hit and keys that do not, on one thread and on two (one
 * connection each), against a baseline measured in the same run: the same
 * point lookup through a raw sqlite3 handle with no join and no decoding.
 *
 * Build and run (after `ninja -C build`):
 *   gcc -O2 -std=c17 -D_GNU_SOURCE -Isrc/lib bench/store_bench.c \
 *     build/src/lib/libsimpulcore.a $(pkg-config --libs jansson sqlite3 \
 *     libsodium libpsl libidn2 icu-uc icu-i18n) -lphonenumber -lstdc++ \
 *     -lpthread -o /tmp/store_bench && /tmp/store_bench [npostings]
 */
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store.h"

#define LOOKUPS 1000000

static char dbpath[128];
static int64_t nreports;

static void
key_of(char *out, size_t n, int64_t i, int which, bool miss)
{
	/* Shaped like real keys; misses differ in the first digits, so they
	 * land next to real keys in the b-tree, not past its end. */
	switch (which) {
	case 0:
		snprintf(out, n, "phone:+60%d%08lld", miss ? 9 : 1, (long long)i);
		break;
	case 1:
		snprintf(out, n, "bank_account:MY:MBBEMYKL:%d%011lld", miss ? 9 : 5, (long long)(i / 2));
		break;
	default:
		snprintf(out, n, "url:https://%s%lld.example.com.my/login", miss ? "z" : "pay", (long long)i);
		break;
	}
}

static uint64_t
rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct acc {
	int64_t postings;
	int64_t bytes;
};

static int
count_cb(void *ctx, const struct posting *p)
{
	struct acc *a = ctx;

	/* Touch what the policy gate reads. */
	a->postings++;
	a->bytes += (int64_t)strlen(p->agency_id) + p->m->tlp + p->m->naud + p->m->disclosure;
	return 0;
}

static void
fail(const char *what, const struct err *e)
{
	fprintf(stderr, "store_bench: %s: %s\n", what, e ? e->msg : "");
	exit(1);
}

static void
build(int64_t npostings)
{
	static const char *const agencies[] = {
		"MY-NSRC", "TH-AOC", "SG-ASC", "ID-POLRI", "PH-PNP", "VN-MPS", "KH-NP", "GB-NCA"
	};
	struct store *st;
	struct err e = {0};
	struct report r;
	struct rsel sel[3];
	int64_t t0, t1;

	if (store_open(dbpath, STORE_CREATE | STORE_SYNC_NORMAL, &st, &e) == -1)
		fail("open", &e);
	for (size_t i = 0; i < sizeof(agencies) / sizeof(agencies[0]); i++) {
		struct agency a = {0};
		str_copy(a.id, sizeof(a.id), agencies[i]);
		str_copy(a.country, sizeof(a.country), agencies[i]);
		a.country[2] = '\0';
		a.kind = AK_ASC;
		if (store_agency_put(st, &a, &e) == -1)
			fail("agency", &e);
	}
	nreports = (npostings + 2) / 3;
	t0 = mono_us();
	if (store_begin(st, &e) == -1)
		fail("begin", &e);
	for (int64_t i = 0; i < nreports; i++) {
		memset(&r, 0, sizeof(r));
		memset(sel, 0, sizeof(sel));
		id_new(r.id);
		id_new(r.contact_ref);
		str_copy(r.agency_id, sizeof(r.agency_id), agencies[i % 8]);
		snprintf(r.reference, sizeof(r.reference), "BENCH-%lld", (long long)i);
		r.m.tlp = (enum tlp)(i % TLP__N);
		r.m.disclosure = i % 10 == 0 ? DISC_SILENT : DISC_HIT;
		r.m.naud = 2;
		str_copy(r.m.aud[0], sizeof(r.m.aud[0]), "MEMBERS");
		str_copy(r.m.aud[1], sizeof(r.m.aud[1]), "GB-NCA");
		for (int k = 0; k < 3; k++) {
			key_of(sel[k].key, sizeof(sel[k].key), i, k, false);
			str_copy(sel[k].type, sizeof(sel[k].type), k == 0 ? "phone" : k == 1 ? "bank_account" : "url");
			str_copy(sel[k].role, sizeof(sel[k].role), k == 1 ? "mule_account" : "scammer_contact");
			sel[k].valid = true;
		}
		sel[2].nderived = 1;
		snprintf(sel[2].derived[0], sizeof(sel[2].derived[0]), "domain:pay%lld.example.com.my", (long long)i);
		r.sel = sel;
		r.nsel = 3;
		r.body = json_pack("{s:s, s:s}", "reference", r.reference, "narrative",
		    "Victim was contacted on WhatsApp and transferred funds to a mule account.");
		if (store_report_put(st, &r, &e) == -1)
			fail("report", &e);
		json_decref(r.body);
		if (i % 1000 == 999) {
			if (store_commit(st, &e) == -1 || store_begin(st, &e) == -1)
				fail("commit", &e);
		}
	}
	if (store_commit(st, &e) == -1)
		fail("commit", &e);
	t1 = mono_us();
	{
		struct store_stats ss;
		store_stats(st, &ss);
		printf("built: %lld reports, %lld postings (incl. derived), %lld distinct keys in %.1f s: "
		    "%.0f reports/s (store only, batches of 1000, synchronous=NORMAL)\n",
		    (long long)ss.reports, (long long)ss.postings, (long long)ss.distinct_keys,
		    (t1 - t0) / 1e6, nreports / ((t1 - t0) / 1e6));
	}
	store_close(st);
}

struct job {
	bool     miss, raw;
	int      batch;     /* lookups per read transaction */
	int      n;
	uint64_t seed;
	int64_t  ns, found;
};

static void *
run(void *arg)
{
	struct job *j = arg;
	struct store *st = NULL;
	sqlite3 *db = NULL;
	sqlite3_stmt *q = NULL;
	struct err e = {0};
	struct acc acc = {0};
	char key[128];
	int64_t t0;

	if (j->raw) {
		if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
			fail("raw open", NULL);
		sqlite3_exec(db, "PRAGMA mmap_size = 268435456", NULL, NULL, NULL);
		if (sqlite3_prepare_v3(db, "SELECT report_rid FROM postings WHERE key = ?1", -1,
		    SQLITE_PREPARE_PERSISTENT, &q, NULL) != SQLITE_OK)
			fail("raw prepare", NULL);
	} else if (store_open(dbpath, 0, &st, &e) == -1)
		fail("open", &e);
	/* Warm the cache with one pass of the same sequence. */
	for (int pass = 0; pass < 2; pass++) {
		uint64_t s = j->seed;
		acc.postings = 0;
		t0 = mono_us();
		for (int i = 0; i < j->n; i++) {
			int64_t r = (int64_t)(rnd(&s) % (uint64_t)nreports);
			if (j->batch > 1 && i % j->batch == 0) {
				if (j->raw ? sqlite3_exec(db, i ? "COMMIT; BEGIN" : "BEGIN", NULL, NULL, NULL) != SQLITE_OK :
				    ((i && store_read_end(st) != 0) || store_read_begin(st, &e) != 0))
					fail("read transaction", &e);
			}
			key_of(key, sizeof(key), r, (int)(rnd(&s) % 3), j->miss);
			if (j->raw) {
				sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
				while (sqlite3_step(q) == SQLITE_ROW)
					acc.postings++;
				sqlite3_reset(q);
			} else if (store_postings(st, key, count_cb, &acc) != 0)
				fail("postings", NULL);
		}
		if (j->batch > 1 && (j->raw ? sqlite3_exec(db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK :
		    store_read_end(st) != 0))
			fail("read end", NULL);
		j->ns = (mono_us() - t0) * 1000;
	}
	j->found = acc.postings;
	sqlite3_finalize(q);
	sqlite3_close(db);
	store_close(st);
	return NULL;
}

static void
measure(const char *label, bool miss, bool raw, int threads, int batch)
{
	pthread_t t[8];
	struct job j[8];
	int64_t ns = 0, found = 0;

	for (int i = 0; i < threads; i++) {
		j[i] = (struct job){ .miss = miss, .raw = raw, .batch = batch, .n = LOOKUPS / threads,
		    .seed = 0x9e3779b97f4a7c15ULL * (uint64_t)(i + 1) };
		pthread_create(&t[i], NULL, run, &j[i]);
	}
	for (int i = 0; i < threads; i++) {
		pthread_join(t[i], NULL);
		if (j[i].ns > ns)
			ns = j[i].ns;
		found += j[i].found;
	}
	printf("  %-30s batch %4d, %d thread%s: %7.0f ns/lookup per thread, %9.0f lookups/s total, %.2f postings/lookup\n",
	    label, batch, threads, threads > 1 ? "s" : " ", (double)ns / (LOOKUPS / threads),
	    LOOKUPS / (ns / 1e9), (double)found / LOOKUPS);
}

int
main(int argc, char **argv)
{
	char dir[] = "/tmp/simpul-bench-XXXXXX";
	int64_t npostings = argc > 1 ? strtoll(argv[1], NULL, 10) : 1000000;
	char p[192];
	bool keep = false;

	if (npostings < 3 || mkdtemp(dir) == NULL)
		return 1;
	snprintf(dbpath, sizeof(dbpath), "%s/bench.db", dir);
	if (getenv("STORE_BENCH_DB") != NULL) {
		/* Reuse (or keep) a database between runs. */
		str_copy(dbpath, sizeof(dbpath), getenv("STORE_BENCH_DB"));
		keep = true;
	}
	printf("store_bench: SQLite %s, %lld postings requested, %d lookups per measurement\n",
	    sqlite3_libversion(), (long long)npostings, LOOKUPS);
	if (!keep || access(dbpath, F_OK) != 0)
		build(npostings);
	else
		nreports = (npostings + 2) / 3;
	if (getenv("STORE_BENCH_HIT_ONLY") != NULL) {
		/* For profiling the hit path alone. */
		measure("store_postings hit", false, false, 1, 1000);
		return 0;
	}
	printf("baseline (raw sqlite3: SELECT report_rid FROM postings WHERE key=?, no join, no decoding):\n");
	measure("baseline hit", false, true, 1, 1000);
	measure("baseline no-hit", true, true, 1, 1000);
	printf("store_postings (join reports, decode markings, callback), 1000 per read snapshot:\n");
	measure("store_postings hit", false, false, 1, 1000);
	measure("store_postings no-hit", true, false, 1, 1000);
	measure("store_postings hit", false, false, 2, 1000);
	measure("store_postings no-hit", true, false, 2, 1000);
	printf("store_postings, each lookup its own read transaction:\n");
	measure("store_postings hit", false, false, 1, 1);
	measure("store_postings no-hit", true, false, 1, 1);
	if (keep)
		return 0;
	snprintf(p, sizeof(p), "%s-wal", dbpath);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", dbpath);
	unlink(p);
	unlink(dbpath);
	rmdir(dir);
	return 0;
}
