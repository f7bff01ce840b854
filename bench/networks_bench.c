/* networks_bench.c - the network index (networks.c), measured (issue 4 §5).
 *
 * Generates N reports (default 1,000,000) with realistic overlap: scam
 * operations that reuse mule accounts, phones, domains and wallets across
 * agencies of several countries (sizes drawn from a heavy-tailed
 * distribution), a few generic values (a bank's real hotline, a big
 * platform's domain) named by thousands of reports, and noise reports with
 * selectors of their own. Then prints, each beside its same-run baseline:
 *  - time to build the networks from scratch (every report through net_add);
 *  - the per-insert cost of incremental upkeep (the last 1 % inserted one at
 *    a time, each timed) against the cost of a full rebuild after an insert;
 *  - the per-retraction cost (component recomputed, may split);
 *  - graph query p50/p95/p99 at depth 2 from selectors of operations,
 *    against a plain lookup of the same selector in the index (baseline).
 * With a database path it also times the daemon's fold of a real store
 * (SQL + selector JSON + net_add) through node_networks_sync.
 *
 * Build and run (after `ninja -C build`): bench/networks.sh [N] [DB]
 */
#include <jansson.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "model.h"
#include "networks.h"
#include "node_net.h"
#include "policy.h"
#include "store.h"
#include "store_net.h"

static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *const AGENCIES[][2] = {
	{ "MY-PDRM", "MY" }, { "MY-NSRC", "MY" }, { "TH-AOC", "TH" }, { "TH-CIB", "TH" },
	{ "SG-ASCOM", "SG" }, { "ID-POLRI", "ID" }, { "PH-CICC", "PH" }, { "VN-MPS", "VN" },
	{ "KH-NP", "KH" }, { "GB-NCA", "GB" }, { "MY-BANK1", "MY" }, { "TH-TELCO1", "TH" },
};
#define NAG 12

struct rep {
	char     id[27];
	uint8_t  agency, nkeys;
	char     keys[6][48];
};

static void
gen(struct rep *r, size_t i, size_t nops)
{
	uint64_t x = rnd();

	memset(r, 0, sizeof(*r));
	snprintf(r->id, sizeof(r->id), "R%025zu", i);
	r->agency = (uint8_t)(x % NAG);
	if (x % 100 < 70) {
		/* An operation: one in ten reports goes to the 1 % big operations
		 * (a few hundred reports each), the rest spread over all. */
		size_t op = x % 10 == 0 ? (size_t)(rnd() % (nops / 100 + 1)) : (size_t)(rnd() % nops);
		int k = 2 + (int)(rnd() % 3);
		for (int j = 0; j < k; j++) {
			/* Each operation has a pool of 8 selectors of 4 types. */
			int s = (int)(rnd() % 8);
			static const char *const t[] = { "bank_account:MY:MBB:", "phone:+6012", "domain:op",
				"crypto:tron:T" };
			snprintf(r->keys[r->nkeys++], 48, "%s%zu-%d", t[s % 4], op, s);
		}
	} else {
		/* Noise: selectors of its own. */
		snprintf(r->keys[r->nkeys++], 48, "phone:+6613%zu", i);
		snprintf(r->keys[r->nkeys++], 48, "bank_account:TH:KBANK:%zu", i);
	}
	/* Generic values: a bank's real hotline, a platform's domain. */
	if (x % 1000 < 3)
		snprintf(r->keys[r->nkeys++], 48, "phone:+60326998888");
	if (x % 1000 >= 3 && x % 1000 < 6)
		snprintf(r->keys[r->nkeys++], 48, "domain:bigplatform.example");
}

static void
add(struct net *nt, const struct rep *r, int64_t rid, const struct markings *m)
{
	const char *k[6];
	bool strong[6];
	struct net_report_in in = { 0 };

	for (int j = 0; j < r->nkeys; j++) {
		k[j] = r->keys[j];
		strong[j] = true;
	}
	in.rid = rid;
	in.id = r->id;
	in.agency_id = AGENCIES[r->agency][0];
	in.agency_country = AGENCIES[r->agency][1];
	in.m = m;
	in.seen_ms = 1700000000000LL + rid;
	in.scam_type = "investment";
	in.victim_country = AGENCIES[r->agency][1];
	in.currency = "MYR";
	in.loss = 1000;
	in.nkeys = r->nkeys;
	in.keys = k;
	in.strong = strong;
	if (net_add(nt, &in) == -1) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
}

static int
count_row(void *ctx, const struct net_row *r)
{
	(*(size_t *)ctx)++;
	return 0;
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000000, nops = n / 40, tail = n / 100;
	struct rep *reps = calloc(n, sizeof(*reps));
	struct markings m;
	struct principal p;
	struct net *nt;
	struct net_stats st;
	double t0, build, rebuild, *lat;
	size_t nq = 2000, nrm = 1000;

	if (reps == NULL || sodium_init() < 0)
		return 1;
	if (tail < 100)
		tail = 100;
	memset(&m, 0, sizeof(m));
	m.tlp = TLP_GREEN;
	m.disclosure = DISC_HIT;
	str_copy(m.aud[0], sizeof(m.aud[0]), "MEMBERS");
	m.naud = 1;
	memset(&p, 0, sizeof(p));
	str_copy(p.id, sizeof(p.id), "BENCH");
	str_copy(p.agency.id, sizeof(p.agency.id), "MY-PDRM");
	str_copy(p.agency.country, sizeof(p.agency.country), "MY");
	p.agency.kind = AK_POLICE;
	p.role = ROLE_ANALYST;
	for (size_t i = 0; i < n; i++)
		gen(&reps[i], i, nops);
	printf("networks_bench: %zu reports, %zu operations, 12 agencies in 10 countries\n", n, nops);

	/* 1. From scratch. */
	nt = net_new();
	t0 = now_s();
	for (size_t i = 0; i < n; i++)
		add(nt, &reps[i], (int64_t)i + 1, &m);
	build = now_s() - t0;
	net_stats(nt, &st);
	printf("build from scratch      %8.2f s   %9.0f reports/s   (%llu selectors, %llu components, largest %llu)\n",
	    build, (double)n / build, (unsigned long long)st.selectors, (unsigned long long)st.components,
	    (unsigned long long)st.largest);
	net_free(nt);

	/* 2. Incremental: n - tail at once, then tail timed one by one. A
	 * rebuild after each insert would cost a whole build (baseline). */
	nt = net_new();
	for (size_t i = 0; i < n - tail; i++)
		add(nt, &reps[i], (int64_t)i + 1, &m);
	lat = calloc(tail > nq ? tail : nq, sizeof(*lat));
	for (size_t i = n - tail; i < n; i++) {
		double a = now_s();
		add(nt, &reps[i], (int64_t)i + 1, &m);
		lat[i - (n - tail)] = now_s() - a;
	}
	qsort(lat, tail, sizeof(*lat), cmp_d);
	{
		double sum = 0;
		for (size_t i = 0; i < tail; i++)
			sum += lat[i];
		rebuild = build;
		printf("incremental insert      mean %.1f us  p50 %.1f us  p99 %.1f us  max %.1f us   (%zu inserts)\n",
		    sum / (double)tail * 1e6, lat[tail / 2] * 1e6, lat[tail * 99 / 100] * 1e6, lat[tail - 1] * 1e6, tail);
		printf("  baseline: full rebuild after an insert %.2f s = %.0fx the mean incremental insert\n",
		    rebuild, rebuild / (sum / (double)tail));
	}

	/* 3. Retractions (recompute the component; splits). */
	{
		double sum = 0, mx = 0;
		for (size_t i = 0; i < nrm; i++) {
			size_t victim = (size_t)(rnd() % n);
			double a = now_s();
			net_remove(nt, reps[victim].id);
			a = now_s() - a;
			sum += a;
			if (a > mx)
				mx = a;
		}
		printf("retraction              mean %.1f us  max %.1f ms   (%zu random reports)\n",
		    sum / (double)nrm * 1e6, mx * 1e3, nrm);
	}

	/* 4. Graph at depth 2 from selectors of operations. */
	{
		double base = 0;
		size_t shown = 0;
		for (size_t q = 0; q < nq; q++) {
			const struct rep *r;
			json_t *out = NULL;
			char why[64];
			double a;
			do {
				r = &reps[rnd() % n];
			} while (r->keys[0][0] == 'p' && strncmp(r->keys[0], "phone:+6613", 11) == 0);
			a = now_s();
			net_key_status(nt, r->keys[0], why, sizeof(why));
			base += now_s() - a;
			a = now_s();
			if (net_graph(nt, &p, r->keys[0], 2, 500, &out) == 0) {
				shown += json_array_size(json_object_get(out, "nodes"));
				json_decref(out);
			}
			lat[q] = now_s() - a;
		}
		qsort(lat, nq, sizeof(*lat), cmp_d);
		printf("graph depth 2           p50 %.1f us  p95 %.1f us  p99 %.1f us   (%zu queries, %.1f nodes each)\n",
		    lat[nq / 2] * 1e6, lat[nq * 95 / 100] * 1e6, lat[nq * 99 / 100] * 1e6, nq, (double)shown / (double)nq);
		printf("  baseline: the selector's lookup alone %.2f us mean\n", base / (double)nq * 1e6);
	}
	/* 5. A list of the networks a principal sees (all components). */
	{
		json_t *out = NULL;
		double a = now_s();
		net_list(nt, &p, NULL, 0, 50, &out);
		printf("list networks, a page   %.1f ms   (%zu shown, more: %s)\n", (now_s() - a) * 1e3,
		    json_array_size(json_object_get(out, "networks")),
		    json_is_true(json_object_get(out, "more")) ? "yes" : "no");
		json_decref(out);
	}
	net_free(nt);
	free(lat);
	free(reps);

	/* 6. The daemon's fold of a real store, beside reading the same rows
	 * without folding them (baseline). */
	if (argc > 2) {
		struct node *nd;
		struct store *st;
		struct err e;
		double a;
		size_t rows = 0;
		if (store_open(argv[2], STORE_READONLY, &st, &e) == 0) {
			a = now_s();
			store_net_since(st, 0, 1 << 30, count_row, &rows);
			printf("read the store's rows   %.2f s   (%zu reports; baseline)\n", now_s() - a, rows);
			store_close(st);
		}
		if (node_open(argv[2], 0, &nd, &e) == -1) {
			fprintf(stderr, "%s: %s\n", argv[2], e.msg);
			return 1;
		}
		a = now_s();
		if (node_networks_sync(nd, &e) == -1)
			fprintf(stderr, "sync: %s\n", e.msg);
		a = now_s() - a;
		printf("fold the store          %.2f s   (%.0f reports/s: SQL, selector JSON, net_add)\n", a,
		    (double)rows / a);
		/* A restart from the snapshot, against the full fold above (the
		 * baseline, same run): write one, reopen, catch up. */
		{
			struct node_net_status ns;
			a = now_s();
			if (node_networks_snapshot(nd, &e) != 0)
				fprintf(stderr, "snapshot: %s\n", e.msg);
			node_networks_status(nd, &ns);
			printf("write the snapshot      %.2f s   (%.1f MB in parts of 8 MiB)\n", now_s() - a,
			    (double)ns.snapshot_bytes / 1e6);
			node_close(nd);
			if (node_open(argv[2], 0, &nd, &e) == -1) {
				fprintf(stderr, "%s: %s\n", argv[2], e.msg);
				return 1;
			}
			a = now_s();
			if (node_networks_sync(nd, &e) == -1)
				fprintf(stderr, "sync: %s\n", e.msg);
			a = now_s() - a;
			node_networks_status(nd, &ns);
			printf("start from the snapshot %.2f s   (loaded: %s, up to row %lld, load %.2f s;"
			    " baseline: the full fold above)\n", a, ns.snapshot_loaded ? "yes" : "NO",
			    (long long)ns.snapshot_rid, (double)ns.snapshot_load_us / 1e6);
		}
		node_close(nd);
	}
	return 0;
}
