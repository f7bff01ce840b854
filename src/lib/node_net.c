/* node_net.c - networks, generic values, watchlists, SSE and webhooks for
 * the node (node_net.h). docs/internals/networks.md.
 *
 * One upkeep thread per node folds new reports and retractions from the
 * store into the in-memory component index (networks.c), so the write and
 * import paths pay only a wake-up (node_net_kick after each commit); it also
 * alerts watchers, wakes event streams and the webhook thread. A query
 * first catches the index up with the store (read-your-writes), so an
 * answer never lags a write the caller has seen acknowledged.
 *
 * Webhooks: one delivery thread; per webhook a cursor over the agency's
 * alerts (persisted after each delivered batch: at least once), exponential
 * backoff between failed tries, and after SIMPUL_WEBHOOK_ATTEMPTS failures
 * the alert goes to the dead-letter list and the cursor moves on. */
#include "node_net.h"

#include <curl/curl.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core_int.h"
#include "networks.h"
#include "persons.h"
#include "policy.h"
#include "simpul_limits.h"
#include "store.h"
#include "store_net.h"
#include "warninglist.h"

#define REFRESH_BATCH  2000
#define KEEPALIVE_US   (15 * 1000000LL)
#define SNAP_PART      (8u * 1024u * 1024u)    /* bytes per stored part of a snapshot */
#define SNAP_MAX       (64ULL << 30)          /* a head claiming more is not believed */

/* A report folded in while watches exist: checked against them. */
struct newrep {
	struct newrep  *next;
	char            id[SIMPUL_ID_LEN + 1];
	char            agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	struct markings m;
	char          **keys;
	size_t          nkeys;
};

struct watch {
	struct watch_row row;
	struct principal p;
	json_t          *pbody;     /* person watches: the watched person's record body */
};

struct hookstate {
	char    id[SIMPUL_ID_LEN + 1];
	int     attempts;
	int64_t next_ms;
	char    last_error[200];
};

struct node_sub {
	struct node_sub  *next;
	struct node      *n;
	struct principal  p;
	struct reqctx     c;
	int64_t           cursor;
	void            (*notify)(void *);
	void             *nctx;
	struct sbuf       pend;
	size_t            off;
	bool              hello;
	atomic_bool       closing;
	atomic_llong      last_us;
};

struct node_net {
	struct node      *n;
	struct net       *idx;
	pthread_rwlock_t  wl_lock;
	struct wlset     *wl;

	pthread_mutex_t   fold;        /* one refresh at a time */
	int64_t           rid, rseq;
	atomic_bool       active, loaded, wanted;   /* wanted: build the index in the background */

	pthread_mutex_t   mu;
	pthread_cond_t    cv;
	pthread_t         th;
	bool              started, kicked;
	atomic_bool       stop;
	struct newrep    *queue, *qtail;
	int64_t           last_alert_seq;

	pthread_mutex_t   wmu;          /* watches */
	struct watch     *watches;
	atomic_size_t     nwatches;

	pthread_mutex_t   smu;          /* event streams */
	struct node_sub  *subs;
	size_t            nsubs;
	bool              closing;

	pthread_t         wh;
	bool              wh_started;
	pthread_cond_t    whcv;
	struct hookstate *hs;
	size_t            nhs;
	int               wh_base_ms, wh_max_ms, wh_attempts;

	struct agency     agc[64];      /* agency countries, by id */
	int               nagc;

	atomic_llong      xrid;         /* person watches: records followed after this row; -1 none */
	int64_t           gen;          /* generic_gen applied (rules, lists, overrides) */
	atomic_llong      since_snap;   /* reports and retractions folded since the last snapshot */
	atomic_llong      snap_at_us;   /* when it was written (mono) */
	int               snap_every;   /* write one after this many changes ... */
	int               snap_secs;    /* ... and at most this often */
	bool              snap_load;    /* start from the stored snapshot */
	atomic_llong      wh_ok, wh_fail, wh_dead;   /* webhook deliveries, failed tries, dead letters */
	pthread_mutex_t   stmu;         /* st: written by the upkeep thread, read by /metrics */
	struct node_net_status st;
};

static struct node_net *
NN(struct node *n)
{
	return *node_net_slot(n);
}

static int
env_int(const char *name, int def, int lo, int hi)
{
	const char *v = getenv(name);
	int64_t x;

	if (v == NULL || parse_i64(v, strlen(v), &x) == -1 || x < lo || x > hi)
		return def;
	return (int)x;
}

/* ---- folding the store into the index ---------------------------------- */

static const char *
agency_country(struct node_net *nn, struct store *st, const char *id)
{
	for (int i = 0; i < nn->nagc; i++)
		if (strcmp(nn->agc[i].id, id) == 0)
			return nn->agc[i].country;
	if (nn->nagc == 64)
		nn->nagc = 0;
	if (store_agency_get(st, id, &nn->agc[nn->nagc]) != 0)
		return "";
	return nn->agc[nn->nagc++].country;
}

struct foldctx {
	struct node_net *nn;
	struct store    *st;
	int64_t          last;
	size_t           rows;
	int              rc;
	bool             queue;
};

static int
fold_cb(void *ctx, const struct net_row *r)
{
	struct foldctx *fc = ctx;
	json_t *sels = json_loads(r->selectors, 0, NULL), *s;
	const char *keys[SIMPUL_MAX_SELECTORS * (1 + SIMPUL_MAX_DERIVED)];
	bool strong[SIMPUL_MAX_SELECTORS * (1 + SIMPUL_MAX_DERIVED)];
	size_t nk = 0, i;
	struct net_report_in in = { 0 };

	fc->rows++;
	fc->last = r->rid;
	fc->nn->since_snap++;
	json_array_foreach(sels, i, s) {
		const char *key = json_string_value(json_object_get(s, "key"));
		bool str = net_edge_strong(json_string_value(json_object_get(s, "type")),
		    json_is_true(json_object_get(s, "valid")), json_string_value(json_object_get(s, "role")));
		json_t *d, *dk;
		size_t k;
		if (key && nk < sizeof(keys) / sizeof(keys[0])) {
			keys[nk] = key;
			strong[nk++] = str;
		}
		d = json_object_get(s, "derived");
		json_array_foreach(d, k, dk)
			if (json_is_string(dk) && nk < sizeof(keys) / sizeof(keys[0])) {
				keys[nk] = json_string_value(dk);
				strong[nk++] = str;
			}
	}
	in.rid = r->rid;
	in.id = r->id;
	in.agency_id = r->agency_id;
	in.agency_country = agency_country(fc->nn, fc->st, r->agency_id);
	in.m = &r->m;
	in.seen_ms = r->occurred_at && date_valid(r->occurred_at) && strlen(r->occurred_at) == 10 ?
	    date_to_ms(r->occurred_at) : r->created_ms;
	in.scam_type = r->scam_type;
	in.victim_country = r->victim_country;
	in.currency = r->currency;
	in.loss = r->loss;
	in.nkeys = nk;
	in.keys = keys;
	in.strong = strong;
	if (net_add(fc->nn->idx, &in) == -1)
		fc->rc = -1;
	if (fc->rc == 0 && fc->queue && r->m.disclosure != DISC_SILENT) {
		struct newrep *q = calloc(1, sizeof(*q));
		if (q && (q->keys = calloc(nk ? nk : 1, sizeof(char *))) != NULL) {
			str_copy(q->id, sizeof(q->id), r->id);
			str_copy(q->agency_id, sizeof(q->agency_id), r->agency_id);
			q->m = r->m;
			for (size_t k = 0; k < nk; k++)
				if ((q->keys[q->nkeys] = strdup(keys[k])) != NULL)
					q->nkeys++;
			pthread_mutex_lock(&fc->nn->mu);
			if (fc->nn->qtail)
				fc->nn->qtail->next = q;
			else
				fc->nn->queue = q;
			fc->nn->qtail = q;
			pthread_mutex_unlock(&fc->nn->mu);
		} else {
			free(q);
		}
	}
	json_decref(sels);
	return fc->rc;
}

static int
retract_cb(void *ctx, const struct retraction_row *r)
{
	struct foldctx *fc = ctx;

	net_remove(fc->nn->idx, r->report_id);
	fc->nn->since_snap++;
	fc->last = r->seq;
	return 0;
}

static int
wl_cb(void *ctx, const char *name, const char *body, const char *principal_id, int64_t created)
{
	struct wlset *wl = ctx;
	char nm[WL_MAX_NAME + 1];
	struct err e;

	wl_add_json(wl, body, strlen(body), nm, sizeof(nm), &e);
	return 0;
}

static bool
listed(void *ctx, const char *key, char *list, size_t listsz)
{
	struct node_net *nn = ctx;
	bool yes;

	pthread_rwlock_rdlock(&nn->wl_lock);
	yes = wl_match(nn->wl, key, list, listsz);
	pthread_rwlock_unlock(&nn->wl_lock);
	return yes;
}

static int
rules_load(struct node_net *nn, struct store *st)
{
	char v[32];
	int64_t max = 500, min = 3, x;

	if (store_meta_get(st, "generic_max_reports", v, sizeof(v)) == 0 && parse_i64(v, strlen(v), &x) == 0)
		max = x;
	if (store_meta_get(st, "generic_min_agencies", v, sizeof(v)) == 0 && parse_i64(v, strlen(v), &x) == 0)
		min = x;
	net_set_rules(nn->idx, (int)max, (int)min);
	return 0;
}

/* The generation of the generic-value rules: every change to the rules, a
 * warning list or an override adds one, in its transaction, whichever
 * process makes it (the daemon or the CLI). */
static int64_t
gen_read(struct store *st)
{
	char v[32];
	int64_t x;

	if (store_meta_get(st, "generic_gen", v, sizeof(v)) == 0 && parse_i64(v, strlen(v), &x) == 0)
		return x;
	return 0;
}

static int
gen_bump(struct node *n, int64_t *out, struct err *e)
{
	char v[32];

	*out = gen_read(node_writer(n)) + 1;
	snprintf(v, sizeof(v), "%lld", (long long)*out);
	return store_meta_put(node_writer(n), "generic_gen", v, e);
}

/* This process applied its own change gen: when it is the next one, the
 * index is current with the store (otherwise another process changed
 * something meanwhile, and the next refresh reloads all). nn->fold held. */
static void
gen_applied(struct node_net *nn, int64_t gen)
{
	if (nn->gen == gen - 1)
		nn->gen = gen;
}

struct ovrset {
	char             **keys;
	enum net_override *modes;
	size_t             n, cap;
};

static int
ovrset_cb(void *ctx, const struct override_row *o)
{
	struct ovrset *os = ctx;

	if (os->n == os->cap) {
		size_t nc = os->cap ? os->cap * 2 : 16;
		char **k = realloc(os->keys, nc * sizeof(*k));
		enum net_override *m;
		if (k == NULL)
			return 1;
		os->keys = k;
		if ((m = realloc(os->modes, nc * sizeof(*m))) == NULL)
			return 1;
		os->modes = m;
		os->cap = nc;
	}
	if ((os->keys[os->n] = strdup(o->key)) == NULL)
		return 1;
	os->modes[os->n++] = strcmp(o->mode, "link") == 0 ? NET_OVR_LINK : NET_OVR_GENERIC;
	return 0;
}

/* Apply the stored rules, warning lists and overrides to the index (at
 * start, after a snapshot is loaded, and whenever the generation moved:
 * another process changed them). Each changed selector recomputes its
 * component only. nn->fold held. */
static int
rules_apply(struct node_net *nn, struct store *st)
{
	struct wlset *wl = wl_new(), *old;
	struct ovrset os = { 0 };
	int64_t gen = gen_read(st);
	int rc = 0;

	if (wl == NULL)
		return -1;
	for (int i = 0; wl_builtin[i]; i++) {
		char nm[WL_MAX_NAME + 1];
		struct err e2;
		wl_add_json(wl, wl_builtin[i], wl_builtin_len[i], nm, sizeof(nm), &e2);
	}
	if (store_net_wl_list(st, wl_cb, wl) == -1 || store_net_overrides(st, ovrset_cb, &os) != 0) {
		wl_free(wl);
		rc = -1;
		goto out;
	}
	pthread_rwlock_wrlock(&nn->wl_lock);
	old = nn->wl;
	nn->wl = wl;
	pthread_rwlock_unlock(&nn->wl_lock);
	wl_free(old);
	net_set_listed(nn->idx, listed, nn);
	rules_load(nn, st);
	if (net_overrides_set(nn->idx, (const char *const *)os.keys, os.modes, os.n) == -1)
		rc = -1;
	if (rc == 0)
		nn->gen = gen;
out:
	for (size_t i = 0; i < os.n; i++)
		free(os.keys[i]);
	free(os.keys);
	free(os.modes);
	return rc;
}

/* ---- the snapshot of the index ------------------------------------------- */

static int refresh(struct node_net *nn, struct err *e);

struct snapbuf {
	unsigned char *p;
	size_t         n, cap, max;
	int            next_part;
};

static int
snapbuf_put(void *ctx, const void *p, size_t n)
{
	struct snapbuf *b = ctx;

	if (b->n + n > b->cap) {
		size_t nc = b->cap ? b->cap : 1u << 20;
		unsigned char *np;
		while (nc < b->n + n)
			nc *= 2;
		if (b->max && nc > b->max)
			nc = b->max;
		if (nc < b->n + n || (np = realloc(b->p, nc)) == NULL)
			return -1;
		b->p = np;
		b->cap = nc;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

static int
snap_part_cb(void *ctx, int part, const void *data, size_t len)
{
	struct snapbuf *b = ctx;

	if (part != b->next_part++ || (len && data == NULL))
		return 1;
	return snapbuf_put(b, data, len) == -1 ? 1 : 0;
}

/* Load the stored snapshot into the empty index: 0 loaded (nn->rid and
 * nn->rseq set), 1 none or not usable (the caller folds everything). */
static int
snap_load(struct node_net *nn, struct store *st)
{
	struct net_snap_head h;
	struct snapbuf b = { 0 };
	unsigned char hash[32];
	struct err e;
	int64_t t0 = mono_us();
	int rc = 1;

	if (store_read_begin(st, &e) == -1)
		return 1;
	if (store_net_snap_head(st, &h) != 0 || h.format != NET_SNAP_FORMAT || h.bytes <= 0 ||
	    (uint64_t)h.bytes > SNAP_MAX || h.parts <= 0)
		goto out;
	b.max = (size_t)h.bytes;
	if ((b.p = malloc(b.max)) == NULL)
		goto out;
	b.cap = b.max;
	if (store_net_snap_parts(st, h.gen, snap_part_cb, &b) != 0 || b.next_part != h.parts ||
	    b.n != (size_t)h.bytes)
		goto out;
	crypto_generichash(hash, sizeof(hash), b.p, b.n, NULL, 0);
	if (sodium_memcmp(hash, h.hash, sizeof(hash)) != 0)
		goto out;
	if (net_snapshot_load(nn->idx, b.p, b.n) == -1)
		goto out;
	nn->rid = h.rid;
	nn->rseq = h.rseq;
	pthread_mutex_lock(&nn->stmu);
	nn->st.snapshot_loaded = true;
	nn->st.snapshot_rid = h.rid;
	nn->st.snapshot_load_us = mono_us() - t0;
	pthread_mutex_unlock(&nn->stmu);
	rc = 0;
out:
	store_read_end(st);
	free(b.p);
	return rc;
}

/* Write a snapshot of the index: serialised under the fold lock (a memory
 * copy), then stored in parts of 8 MiB, one write transaction each, and
 * made current by its head in the last one (which drops older parts). A
 * crash midway leaves the previous snapshot current. */
static int
snap_write(struct node_net *nn, struct err *e)
{
	struct snapbuf b = { 0 };
	struct net_snap_head h, old;
	struct store *st;
	int64_t t0 = mono_us();
	int rc = 0;

	memset(&h, 0, sizeof(h));
	pthread_mutex_lock(&nn->fold);
	if (!nn->loaded) {
		pthread_mutex_unlock(&nn->fold);
		return 1;
	}
	h.rid = nn->rid;
	h.rseq = nn->rseq;
	rc = net_snapshot_write(nn->idx, snapbuf_put, &b);
	nn->since_snap = 0;
	pthread_mutex_unlock(&nn->fold);
	if (rc == -1 || b.n == 0) {
		free(b.p);
		err_set(e, 500, "", "out of memory writing the network snapshot");
		return -1;
	}
	crypto_generichash(h.hash, sizeof(h.hash), b.p, b.n, NULL, 0);
	h.format = NET_SNAP_FORMAT;
	h.bytes = (int64_t)b.n;
	h.parts = (int)((b.n + SNAP_PART - 1) / SNAP_PART);
	h.created_ms = now_ms();
	if ((st = node_reader(nn->n, e)) == NULL) {
		free(b.p);
		return -1;
	}
	h.gen = store_net_snap_head(st, &old) == 0 ? old.gen + 1 : 1;
	for (int i = 0; i < h.parts && rc == 0 && !nn->stop; i++) {
		size_t off = (size_t)i * SNAP_PART, len = b.n - off < SNAP_PART ? b.n - off : SNAP_PART;
		if ((rc = node_write_begin(nn->n, e)) == 0) {
			rc = store_net_snap_part_put(node_writer(nn->n), h.gen, i, b.p + off, len, e);
			rc = node_write_end(nn->n, rc, e);
		}
	}
	if (rc == 0 && !nn->stop && (rc = node_write_begin(nn->n, e)) == 0) {
		rc = store_net_snap_commit(node_writer(nn->n), &h, e);
		rc = node_write_end(nn->n, rc, e);
	}
	free(b.p);
	if (rc == 0 && !nn->stop) {
		nn->snap_at_us = mono_us();
		pthread_mutex_lock(&nn->stmu);
		nn->st.snapshots_written++;
		nn->st.snapshot_bytes = h.bytes;
		nn->st.snapshot_write_us = mono_us() - t0;
		pthread_mutex_unlock(&nn->stmu);
	}
	return nn->stop ? 1 : rc;
}

int
node_networks_snapshot(struct node *n, struct err *e)
{
	struct node_net *nn = NN(n);

	if (refresh(nn, e) == -1)
		return -1;
	return snap_write(nn, e);
}

void
node_networks_status(struct node *n, struct node_net_status *out)
{
	struct node_net *nn = NN(n);

	pthread_mutex_lock(&nn->stmu);
	*out = nn->st;
	pthread_mutex_unlock(&nn->stmu);
}

/* Catch up with the store: new reports, then retractions. */
static int
refresh(struct node_net *nn, struct err *e)
{
	struct store *st;
	struct foldctx fc = { .nn = nn };
	int rc = 0;

	if ((st = node_reader(nn->n, e)) == NULL)
		return -1;
	pthread_mutex_lock(&nn->fold);
	if (!nn->active) {
		/* First use: the stored snapshot if there is a usable one, then the
		 * rules, lists and overrides as they are now, then every report
		 * (after the snapshot's last one). */
		int64_t t0 = mono_us();
		if (nn->snap_load)
			snap_load(nn, st);
		if (rules_apply(nn, st) == -1) {
			pthread_mutex_unlock(&nn->fold);
			err_set(e, 500, "", "could not read the generic-value rules");
			return -1;
		}
		nn->active = true;
		pthread_mutex_lock(&nn->stmu);
		nn->st.start_us = t0;
		pthread_mutex_unlock(&nn->stmu);
	} else if (gen_read(st) != nn->gen) {
		/* Another process changed the rules, a list or an override. */
		if (rules_apply(nn, st) == 0) {
			pthread_mutex_lock(&nn->stmu);
			nn->st.rules_reloads++;
			pthread_mutex_unlock(&nn->stmu);
		}
	}
	fc.st = st;
	fc.queue = nn->loaded && nn->nwatches > 0;
	do {
		fc.rows = 0;
		fc.last = nn->rid;
		if (store_net_since(st, nn->rid, REFRESH_BATCH, fold_cb, &fc) == -1 || fc.rc == -1) {
			err_set(e, 500, "", "could not read reports for the network index");
			rc = -1;
			break;
		}
		nn->rid = fc.last;
	} while (fc.rows == REFRESH_BATCH && !nn->stop);
	if (rc == 0) {
		fc.last = nn->rseq;
		if (store_net_retractions(st, nn->rseq, retract_cb, &fc) == 0)
			nn->rseq = fc.last;
	}
	if (rc == 0 && !nn->loaded) {
		struct node_net_status ns;
		pthread_mutex_lock(&nn->stmu);
		nn->st.first_fold_us = mono_us() - nn->st.start_us;
		ns = nn->st;
		pthread_mutex_unlock(&nn->stmu);
		if (nn->wanted)   /* the daemon: one line on its log */
			fprintf(stderr, "simpul: networks index ready in %.2f s (%s)\n",
			    (double)ns.first_fold_us / 1e6, ns.snapshot_loaded ?
			    "from its snapshot, then the newer reports" : "folded from the store");
	}
	nn->loaded = rc == 0;
	pthread_mutex_unlock(&nn->fold);
	return rc;
}

int
node_networks_sync(struct node *n, struct err *e)
{
	return refresh(NN(n), e);
}

/* ---- watch alerts --------------------------------------------------------- */

static bool
json_has_str(const json_t *arr, const char *v)
{
	size_t i;
	json_t *x;

	json_array_foreach(arr, i, x)
		if (json_is_string(x) && strcmp(json_string_value(x), v) == 0)
			return true;
	return false;
}

static int
watches_load(struct node_net *nn, struct store *st);

static void
watch_alerts(struct node_net *nn)
{
	struct newrep *q;
	struct err e;
	int rc = 0;
	bool open = false;

	pthread_mutex_lock(&nn->mu);
	q = nn->queue;
	nn->queue = nn->qtail = NULL;
	pthread_mutex_unlock(&nn->mu);
	while (q) {
		struct newrep *next = q->next;
		struct record_meta meta = { .agency_id = q->agency_id, .m = &q->m };

		pthread_mutex_lock(&nn->wmu);
		for (size_t w = 0; w < nn->nwatches && rc == 0; w++) {
			struct watch *wa = &nn->watches[w];
			enum decision d = policy_decide(&wa->p, &meta, USE_READ);
			char via[SIMPUL_MAX_KEY_LEN + 1] = "";
			char netid[32] = "";
			json_t *pl;

			if (d == POLICY_NONE)
				continue;
			if (strcmp(wa->row.kind, "selector") == 0) {
				for (size_t k = 0; k < q->nkeys && !via[0]; k++)
					if (strcmp(q->keys[k], wa->row.target) == 0)
						str_copy(via, sizeof(via), q->keys[k]);
				if (!via[0])
					continue;
			} else if (strcmp(wa->row.kind, "person") == 0) {
				/* A new report naming a selector linked to the person, or
				 * landing in the network (as the watcher sees it) of a
				 * report linked to the person. */
				json_t *links = json_object_get(wa->pbody, "links"), *r;
				size_t k;
				for (k = 0; k < q->nkeys && !via[0]; k++)
					if (json_has_str(json_object_get(links, "selectors"), q->keys[k]))
						str_copy(via, sizeof(via), q->keys[k]);
				json_array_foreach(json_object_get(links, "reports"), k, r) {
					char a[32], b[32];
					if (via[0] || !json_is_string(r) || strcmp(json_string_value(r), q->id) == 0)
						break;
					if (net_network_of(nn->idx, &wa->p, json_string_value(r), a) == 0 &&
					    net_network_of(nn->idx, &wa->p, q->id, b) == 0 && strcmp(a, b) == 0) {
						str_copy(netid, sizeof(netid), b);
						break;
					}
				}
				if (!via[0] && !netid[0])
					continue;
			} else {
				char a[32], b[32];
				if (strcmp(q->id, wa->row.anchor) == 0 ||
				    net_network_of(nn->idx, &wa->p, wa->row.anchor, a) != 0 ||
				    net_network_of(nn->idx, &wa->p, q->id, b) != 0 || strcmp(a, b) != 0)
					continue;
				str_copy(netid, sizeof(netid), b);
			}
			if (!open) {
				if (node_write_begin(nn->n, &e) == -1) {
					rc = -1;
					break;
				}
				open = true;
			}
			pl = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "watch", wa->row.id, "kind", wa->row.kind,
			    "target", wa->row.target, "report", q->id, "agency", q->agency_id,
			    "visibility", d == POLICY_FULL ? "full" : "hit");
			if (via[0])
				json_object_set_new(pl, "key", json_string(via));
			if (netid[0])
				json_object_set_new(pl, "network", json_string(netid));
			if (strcmp(wa->row.kind, "person") == 0)
				json_object_set_new(pl, "link", json_string(via[0] ? "selector" : "network"));
			rc = node_alert_to(node_writer(nn->n), wa->row.agency_id, wa->row.principal_id, "watch", pl, &e);
			json_decref(pl);
		}
		pthread_mutex_unlock(&nn->wmu);
		for (size_t k = 0; k < q->nkeys; k++)
			free(q->keys[k]);
		free(q->keys);
		free(q);
		q = next;
	}
	if (open)
		node_write_end(nn->n, rc, &e);
}

/* ---- person watches: new records --------------------------------------------- */

#define PW_BATCH 5000   /* new records examined per round (the rest next round) */

struct xcopy {
	struct xcopy   *next;
	int64_t         rid;
	char            id[SIMPUL_ID_LEN + 1];
	char            kind[12];
	char            agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	struct markings m;
	json_t         *body;
};

struct xcollect {
	struct xcopy *head, *tail;
	int           n;
	int64_t       cap_rid;     /* notices: stop after this row (persons were capped) */
	int64_t       last;
};

static int
xcollect_cb(void *ctx, const struct xrecord *x)
{
	struct xcollect *xc = ctx;
	struct xcopy *c;

	if (xc->cap_rid > 0 && x->rid > xc->cap_rid)
		return 1;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return 1;
	c->rid = x->rid;
	str_copy(c->id, sizeof(c->id), x->id);
	str_copy(c->kind, sizeof(c->kind), x->kind);
	str_copy(c->agency_id, sizeof(c->agency_id), x->agency_id);
	c->m = x->m;
	c->body = json_loads(x->body ? x->body : "{}", 0, NULL);
	if (xc->tail)
		xc->tail->next = c;
	else
		xc->head = c;
	xc->tail = c;
	if (x->rid > xc->last)
		xc->last = x->rid;
	return ++xc->n >= PW_BATCH ? 1 : 0;
}

static bool
arrays_meet(const json_t *a, const json_t *b, const char *field, char *out, size_t outsz)
{
	size_t i;
	json_t *x;

	json_array_foreach(a, i, x) {
		const char *v = field ? json_string_value(json_object_get(x, field)) : json_string_value(x);
		size_t k;
		json_t *y;
		if (v == NULL)
			continue;
		json_array_foreach(b, k, y) {
			const char *w = field ? json_string_value(json_object_get(y, field)) : json_string_value(y);
			if (w && strcmp(v, w) == 0) {
				str_copy(out, outsz, v);
				return true;
			}
		}
	}
	return false;
}

/* How a new record links to the watched person: "document", "selector",
 * "report", "notice", or NULL. via: the shared value. */
static const char *
record_link(const struct watch *wa, const struct xcopy *x, char *via, size_t viasz)
{
	json_t *pl = json_object_get(wa->pbody, "links"), *xl = json_object_get(x->body, "links"), *s;
	size_t i;

	if (strcmp(x->kind, "person") == 0) {
		if (arrays_meet(json_object_get(x->body, "documents"), json_object_get(wa->pbody, "documents"),
		    "number", via, viasz))
			return "document";
		if (arrays_meet(json_object_get(xl, "selectors"), json_object_get(pl, "selectors"), NULL, via, viasz))
			return "selector";
		if (arrays_meet(json_object_get(xl, "reports"), json_object_get(pl, "reports"), NULL, via, viasz))
			return "report";
		return NULL;
	}
	json_array_foreach(json_object_get(x->body, "subjects"), i, s) {
		const char *t = json_string_value(json_object_get(s, "type"));
		const char *id = json_string_value(json_object_get(s, "id"));
		const char *key = json_string_value(json_object_get(s, "key"));
		if (t && strcmp(t, "person") == 0 && id && strcmp(id, wa->row.target) == 0) {
			str_copy(via, viasz, id);
			return "notice";
		}
		if (t && strcmp(t, "selector") == 0 && key && json_has_str(json_object_get(pl, "selectors"), key)) {
			str_copy(via, viasz, key);
			return "notice";
		}
	}
	return NULL;
}

struct pwalert {
	json_t *list;          /* [{agency, principal, payload}] */
	json_t *seen;          /* {"watch.record": true}: one alert per pair per round */
};

static void
pw_add(struct pwalert *pa, const struct watch *wa, const char *record, const char *kind, const char *agency,
    enum decision d, const char *link, const char *via, double score)
{
	char k[SIMPUL_ID_LEN * 2 + 2];
	json_t *pl;

	snprintf(k, sizeof(k), "%s.%s", wa->row.id, record);
	if (json_object_get(pa->seen, k))
		return;
	json_object_set_new(pa->seen, k, json_true());
	pl = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "watch", wa->row.id, "kind", "person",
	    "target", wa->row.target, "record", record, "record_kind", kind, "agency", agency,
	    "visibility", d == POLICY_FULL ? "full" : "hit", "link", link);
	if (via && via[0] && d == POLICY_FULL)
		json_object_set_new(pl, "via", json_string(via));
	if (score > 0)
		json_object_set_new(pl, "score", json_real(score));
	json_array_append_new(pa->list, json_pack("{s:s, s:s, s:o}", "agency", wa->row.agency_id,
	    "principal", wa->row.principal_id, "payload", pl));
}

struct namectx {
	struct node_net *nn;
	struct store    *st;
	struct watch    *wa;
	struct pwalert  *pa;
};

static int
name_hit_cb(void *ctx, const char *id, double score)
{
	struct namectx *nc = ctx;
	struct xrecord x;

	if (strcmp(id, nc->wa->row.target) == 0)
		return 0;
	memset(&x, 0, sizeof(x));
	if (store_xrecord_get(nc->st, id, &x) == 0) {
		struct record_meta meta = { .agency_id = x.agency_id, .m = &x.m };
		enum decision d = policy_decide(&nc->wa->p, &meta, USE_READ);
		if (d != POLICY_NONE && x.m.disclosure != DISC_SILENT)
			pw_add(nc->pa, nc->wa, x.id, "person", x.agency_id, d, "name", NULL, score);
	}
	free((char *)x.body);
	return 0;
}

/* Name matches: each strong name of each watched person, searched in the
 * node's name index (as a search scores it) for persons stored after
 * `after`; a score at or above the operating threshold is a new link. */
static void
person_name_matches(struct node_net *nn, struct store *st, int64_t after, struct pwalert *pa)
{
	for (size_t w = 0; w < nn->nwatches; w++) {
		struct watch *wa = &nn->watches[w];
		json_t *nm, *q;
		size_t i;
		int done = 0;

		if (strcmp(wa->row.kind, "person") != 0 || wa->pbody == NULL)
			continue;
		json_array_foreach(json_object_get(wa->pbody, "names"), i, nm) {
			struct nidx_query nq;
			struct namectx nc = { nn, st, wa, pa };
			struct err e;
			const char *str = json_string_value(json_object_get(nm, "strength"));
			json_t *docs = json_array(), *d;
			size_t k;
			if (done >= 4 || (str && strcmp(str, "strong") != 0))
				continue;
			json_array_foreach(json_object_get(wa->pbody, "documents"), k, d)
				json_array_append(docs, json_object_get(d, "number"));
			q = json_pack("{s:O, s:O*, s:O*, s:o}", "name", json_object_get(nm, "name"),
			    "dob", json_array_get(json_object_get(wa->pbody, "dob"), 0),
			    "nationality", json_object_get(wa->pbody, "nationality"), "documents", docs);
			if (q && person_query_parse(q, &nq, &e) == 0)
				node_persons_match_since(nn->n, &nq, NIDX_THRESHOLD, after, name_hit_cb, &nc, &e);
			json_decref(q);
			done++;
		}
	}
}

/* Records stored since the last round (persons and notices) against the
 * person watches; then the name matches. Alerts in one transaction. */
static void
person_records(struct node_net *nn)
{
	struct xcollect pc = { 0 }, ncl = { 0 };
	struct pwalert pa;
	struct store *st;
	struct err e;
	bool any = false;
	int64_t after = nn->xrid;
	int rc = 0;

	pthread_mutex_lock(&nn->wmu);
	for (size_t w = 0; w < nn->nwatches && !any; w++)
		any = strcmp(nn->watches[w].row.kind, "person") == 0;
	pthread_mutex_unlock(&nn->wmu);
	if (!any) {
		/* Only from the value read: a watch added meanwhile set it. */
		atomic_compare_exchange_strong(&nn->xrid, &after, -1);
		return;
	}
	if ((st = node_reader(nn->n, &e)) == NULL)
		return;
	if (after < 0) {
		/* From now on (the watch's own creation alerts nothing). */
		long long last, none = -1;
		int64_t l;
		if (store_net_xrecords_last(st, &l) == 0) {
			last = l;
			atomic_compare_exchange_strong(&nn->xrid, &none, last);
		}
		return;
	}
	pc.last = ncl.last = after;
	if (store_xrecord_iter(st, "person", after, xcollect_cb, &pc) == -1)
		goto out;
	if (pc.n >= PW_BATCH)
		ncl.cap_rid = pc.last;
	if (store_xrecord_iter(st, "notice", after, xcollect_cb, &ncl) == -1)
		goto out;
	if (pc.n == 0 && ncl.n == 0)
		goto out;
	if (ncl.n >= PW_BATCH && (pc.n < PW_BATCH || ncl.last < pc.last))
		pc.last = ncl.last;   /* both capped: the smaller row is where to go on */
	{
		long long was = after, to = pc.n >= PW_BATCH || ncl.n >= PW_BATCH ?
		    (pc.n >= PW_BATCH ? pc.last : ncl.last) : (pc.last > ncl.last ? pc.last : ncl.last);
		if (!atomic_compare_exchange_strong(&nn->xrid, &was, to))
			goto out;   /* the watches changed under us: next round */
	}
	pa.list = json_array();
	pa.seen = json_object();
	pthread_mutex_lock(&nn->wmu);
	for (int kind = 0; kind < 2; kind++)
		for (struct xcopy *x = kind ? ncl.head : pc.head; x; x = x->next) {
			struct record_meta meta = { .agency_id = x->agency_id, .m = &x->m };
			if (x->rid > nn->xrid || x->m.disclosure == DISC_SILENT)
				continue;
			for (size_t w = 0; w < nn->nwatches; w++) {
				struct watch *wa = &nn->watches[w];
				enum decision d;
				const char *link;
				char via[SIMPUL_MAX_KEY_LEN + 1] = "";
				if (strcmp(wa->row.kind, "person") != 0 || wa->pbody == NULL ||
				    strcmp(x->id, wa->row.target) == 0)
					continue;
				d = policy_decide(&wa->p, &meta, USE_READ);
				/* Notices are shown whole or not at all. */
				if (d == POLICY_NONE || (kind == 1 && d != POLICY_FULL))
					continue;
				if ((link = record_link(wa, x, via, sizeof(via))) != NULL)
					pw_add(&pa, wa, x->id, x->kind, x->agency_id, d, link, via, 0);
			}
		}
	if (pc.n > 0)
		person_name_matches(nn, st, after, &pa);
	pthread_mutex_unlock(&nn->wmu);
	if (json_array_size(pa.list) > 0 && node_write_begin(nn->n, &e) == 0) {
		size_t i;
		json_t *a;
		json_array_foreach(pa.list, i, a) {
			if (rc != 0)
				break;
			rc = node_alert_to(node_writer(nn->n), json_string_value(json_object_get(a, "agency")),
			    json_string_value(json_object_get(a, "principal")), "watch", json_object_get(a, "payload"), &e);
		}
		if (node_write_end(nn->n, rc, &e) == -1)
			nn->xrid = after;   /* not written: again next round (only this thread moves it on) */
	}
	json_decref(pa.list);
	json_decref(pa.seen);
out:
	for (int kind = 0; kind < 2; kind++) {
		struct xcopy *x = kind ? ncl.head : pc.head;
		while (x) {
			struct xcopy *nx = x->next;
			json_decref(x->body);
			free(x);
			x = nx;
		}
	}
}

/* ---- delivery: the gate again ------------------------------------------------- */

bool
node_alert_visible(struct store *st, const struct principal *p, const struct alert_row *a)
{
	json_t *pl;
	const char *id;
	struct xrecord x;
	bool yes = false;

	/* An auditor reviews the trail, not content: of its agency's alerts it
	 * sees only who searched a silent record of its own, and the notices
	 * the gate lets it read; match, watch and request alerts name other
	 * agencies' records. */
	if (p->role == ROLE_AUDITOR && strcmp(a->kind, "notice") != 0 &&
	    strcmp(a->kind, "silent_search") != 0)
		return false;
	if (strcmp(a->kind, "notice") != 0)
		return true;
	/* A notice alert goes to each agency that may read the notice; each of
	 * its principals gets it only if the gate says so for that principal
	 * (an auditor reads its own agency's records only). */
	if ((pl = json_loads(a->payload, 0, NULL)) == NULL)
		return false;
	id = json_string_value(json_object_get(pl, "notice"));
	memset(&x, 0, sizeof(x));
	if (id && store_xrecord_get(st, id, &x) == 0 && strcmp(x.kind, "notice") == 0) {
		struct record_meta meta = { .agency_id = x.agency_id, .m = &x.m };
		yes = policy_decide(p, &meta, USE_READ) == POLICY_FULL;
	}
	free((char *)x.body);
	json_decref(pl);
	return yes;
}

/* ---- event streams --------------------------------------------------------- */

static void
subs_notify(struct node_net *nn, bool keepalive_only)
{
	int64_t now = mono_us();

	pthread_mutex_lock(&nn->smu);
	for (struct node_sub *s = nn->subs; s; s = s->next)
		if (!keepalive_only || now - s->last_us > KEEPALIVE_US)
			s->notify(s->nctx);
	pthread_mutex_unlock(&nn->smu);
}

/* ---- the upkeep thread ---------------------------------------------------- */

static int64_t
alerts_head(struct node_net *nn)
{
	struct err e;
	struct store *st = node_reader(nn->n, &e);
	struct store_stats ss;

	/* The alert count moves with every alert (a trigger keeps it). */
	if (st == NULL || store_stats(st, &ss) == -1)
		return nn->last_alert_seq;
	return ss.alerts;
}

static void *
upkeep(void *arg)
{
	struct node_net *nn = arg;
	struct err e;
	int64_t last_watch_load = 0;

	/* Below the request threads: folding a large store into the index at
	 * start (tens of seconds per million reports) must not take the CPU
	 * the answers need. A thread's own nice value on Linux. */
	setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), 10);
	pthread_mutex_lock(&nn->mu);
	while (!nn->stop) {
		struct timespec ts;
		int64_t head;

		if (!nn->kicked) {
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 200 * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&nn->cv, &nn->mu, &ts);
		}
		if (nn->stop)
			break;
		nn->kicked = false;
		pthread_mutex_unlock(&nn->mu);
		if (mono_us() - last_watch_load > 2000000) {
			/* Watches added by another process show within 2 s. */
			struct store *st = node_reader(nn->n, &e);
			if (st)
				watches_load(nn, st);
			last_watch_load = mono_us();
		}
		if (nn->active || nn->wanted || nn->nwatches > 0)
			refresh(nn, &e);
		watch_alerts(nn);
		person_records(nn);
		if (nn->loaded && nn->snap_every > 0 && nn->since_snap >= nn->snap_every &&
		    (nn->snap_at_us == 0 || mono_us() - nn->snap_at_us >= (int64_t)nn->snap_secs * 1000000))
			snap_write(nn, &e);
		head = alerts_head(nn);
		pthread_mutex_lock(&nn->mu);
		if (head != nn->last_alert_seq) {
			nn->last_alert_seq = head;
			pthread_cond_signal(&nn->whcv);
			pthread_mutex_unlock(&nn->mu);
			subs_notify(nn, false);
			pthread_mutex_lock(&nn->mu);
		} else {
			pthread_mutex_unlock(&nn->mu);
			subs_notify(nn, true);
			pthread_mutex_lock(&nn->mu);
		}
	}
	pthread_mutex_unlock(&nn->mu);
	return NULL;
}

/* ---- webhooks ------------------------------------------------------------- */

static struct hookstate *
hook_state(struct node_net *nn, const char *id)
{
	struct hookstate *h;

	for (size_t i = 0; i < nn->nhs; i++)
		if (strcmp(nn->hs[i].id, id) == 0)
			return &nn->hs[i];
	if ((h = realloc(nn->hs, (nn->nhs + 1) * sizeof(*h))) == NULL)
		return NULL;
	nn->hs = h;
	h = &nn->hs[nn->nhs++];
	memset(h, 0, sizeof(*h));
	str_copy(h->id, sizeof(h->id), id);
	return h;
}

static void
hmac_hex(const char *secret, const char *body, size_t len, char out[65])
{
	crypto_auth_hmacsha256_state st;
	unsigned char mac[crypto_auth_hmacsha256_BYTES];

	crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
	crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
	crypto_auth_hmacsha256_final(&st, mac);
	hex_encode(mac, sizeof(mac), out);
}

static size_t
discard(char *p, size_t sz, size_t n, void *ctx)
{
	return sz * n;
}

/* POST one delivery. 0 delivered (2xx), -1 with why. */
static int
post(const struct webhook_row *w, const char *delivery, const char *body, char *why, size_t whysz)
{
	CURL *cu = curl_easy_init();
	struct curl_slist *hd = NULL;
	char h[256], sig[65];
	long code = 0;
	CURLcode cc;

	if (cu == NULL) {
		str_copy(why, whysz, "could not start an HTTP client");
		return -1;
	}
	hmac_hex(w->secret, body, strlen(body), sig);
	hd = curl_slist_append(hd, "Content-Type: application/json");
	snprintf(h, sizeof(h), "X-Simpul-Delivery: %s", delivery);
	hd = curl_slist_append(hd, h);
	snprintf(h, sizeof(h), "X-Simpul-Signature: sha256=%s", sig);
	hd = curl_slist_append(hd, h);
	curl_easy_setopt(cu, CURLOPT_URL, w->url);
	curl_easy_setopt(cu, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
	curl_easy_setopt(cu, CURLOPT_HTTPHEADER, hd);
	curl_easy_setopt(cu, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(cu, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(cu, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(cu, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(cu, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(cu, CURLOPT_USERAGENT, "simpul-webhook/1");
	cc = curl_easy_perform(cu);
	if (cc == CURLE_OK)
		curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(hd);
	curl_easy_cleanup(cu);
	if (cc != CURLE_OK) {
		snprintf(why, whysz, "%s", curl_easy_strerror(cc));
		return -1;
	}
	if (code < 200 || code > 299) {
		snprintf(why, whysz, "HTTP %ld", code);
		return -1;
	}
	return 0;
}

struct hookvec {
	struct webhook_row *v;
	size_t              n;
};

static int
hooks_cb(void *ctx, const struct webhook_row *w)
{
	struct hookvec *hv = ctx;
	struct webhook_row *nv = realloc(hv->v, (hv->n + 1) * sizeof(*nv));

	if (nv == NULL)
		return 1;
	hv->v = nv;
	hv->v[hv->n++] = *w;
	return 0;
}

struct pendalert {
	int64_t seq;
	char    id[SIMPUL_ID_LEN + 1];
	char   *body;
};

struct alertvec {
	struct pendalert   v[20];
	int                n;
	const struct webhook_row *w;
	struct store      *st;
	struct principal   p;          /* the webhook's principal */
	int64_t            passed;     /* the last seq read that is not for it */
};

static int
hook_alert_cb(void *ctx, const struct alert_row *a)
{
	struct alertvec *av = ctx;
	json_t *pl, *o;
	char t[32], delivery[SIMPUL_ID_LEN * 2 + 2];

	if (!node_alert_visible(av->st, &av->p, a)) {
		if (av->n == 0)
			av->passed = a->seq;   /* before any delivery: the cursor may pass it */
		return 0;
	}
	pl = json_loads(a->payload, 0, NULL);

	time_iso(a->created_ms, t);
	snprintf(delivery, sizeof(delivery), "%s.%s", av->w->id, a->id);
	o = json_pack("{s:s, s:s, s:{s:I, s:s, s:s, s:s, s:o}}", "delivery", delivery, "webhook", av->w->id,
	    "alert", "seq", (json_int_t)a->seq, "id", a->id, "kind", a->kind, "created", t,
	    "data", pl ? pl : json_object());
	av->v[av->n].seq = a->seq;
	str_copy(av->v[av->n].id, sizeof(av->v[0].id), a->id);
	av->v[av->n].body = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	av->n++;
	return av->n >= 20;
}

/* Record progress: the cursor, a dead letter, and the audit entry. */
static void
hook_commit(struct node_net *nn, const struct webhook_row *w, int64_t cursor, int delivered,
    const struct dead_row *dead)
{
	struct err e;
	struct principal sys;
	struct reqctx c = { .p = &sys, .purpose = "webhook" };
	json_t *d;
	int rc;

	memset(&sys, 0, sizeof(sys));
	str_copy(sys.id, sizeof(sys.id), "webhook");
	str_copy(sys.agency.id, sizeof(sys.agency.id), w->agency_id);
	if (node_write_begin(nn->n, &e) == -1)
		return;
	rc = store_net_webhook_cursor(node_writer(nn->n), w->id, cursor, &e);
	if (rc == 0 && dead)
		rc = store_net_dead_put(node_writer(nn->n), dead, &e);
	if (rc == 0) {
		d = json_pack("{s:I, s:i, s:s}", "cursor", (json_int_t)cursor, "delivered", delivered,
		    "url", w->url);
		if (dead)
			json_object_set_new(d, "dead_letter", json_string(dead->id));
		rc = node_audit_write(nn->n, &c, dead ? "webhook.dead_letter" : "webhook.deliver", w->id,
		    "ok", d, &e);
		json_decref(d);
	}
	node_write_end(nn->n, rc, &e);
}

static void
hook_run(struct node_net *nn, const struct webhook_row *w)
{
	struct hookstate *hs = hook_state(nn, w->id);
	struct alertvec av = { .n = 0, .w = w };
	struct err e;
	struct store *st;
	int64_t cursor = w->cursor;
	int delivered = 0;

	if (hs == NULL || now_ms() < hs->next_ms || (st = node_reader(nn->n, &e)) == NULL)
		return;
	av.st = st;
	if (store_principal_get(st, w->principal_id, &av.p) != 0)
		return;   /* its principal is gone: nothing is delivered */
	if (store_alerts_list(st, w->agency_id, w->principal_id, w->cursor, 20, hook_alert_cb, &av) == -1)
		return;
	if (av.n == 0 && av.passed > cursor) {
		/* Only alerts that are not for this principal: move past them. */
		hook_commit(nn, w, av.passed, 0, NULL);
		return;
	}
	for (int i = 0; i < av.n; i++) {
		char why[200];
		char delivery[SIMPUL_ID_LEN * 2 + 2];

		snprintf(delivery, sizeof(delivery), "%s.%s", w->id, av.v[i].id);
		if (post(w, delivery, av.v[i].body, why, sizeof(why)) == 0) {
			nn->wh_ok++;
			hs->attempts = 0;
			hs->next_ms = 0;
			cursor = av.v[i].seq;
			delivered++;
			continue;
		}
		hs->attempts++;
		nn->wh_fail++;
		str_copy(hs->last_error, sizeof(hs->last_error), why);
		if (hs->attempts >= nn->wh_attempts) {
			struct dead_row d;
			if (delivered)
				hook_commit(nn, w, cursor, delivered, NULL);
			delivered = 0;
			memset(&d, 0, sizeof(d));
			str_copy(d.id, sizeof(d.id), delivery);
			str_copy(d.webhook_id, sizeof(d.webhook_id), w->id);
			str_copy(d.agency_id, sizeof(d.agency_id), w->agency_id);
			d.alert_seq = av.v[i].seq;
			d.attempts = hs->attempts;
			d.last_error = why;
			d.created_ms = now_ms();
			cursor = av.v[i].seq;
			hook_commit(nn, w, cursor, 0, &d);
			nn->wh_dead++;
			hs->attempts = 0;
			hs->next_ms = 0;
			continue;
		}
		{
			/* Exponential backoff with jitter: base * 2^(tries-1), capped. */
			int64_t wait = (int64_t)nn->wh_base_ms << (hs->attempts - 1 < 20 ? hs->attempts - 1 : 20);
			if (wait > nn->wh_max_ms)
				wait = nn->wh_max_ms;
			wait += (int64_t)randombytes_uniform((uint32_t)(wait / 4 + 1));
			hs->next_ms = now_ms() + wait;
		}
		break;
	}
	if (delivered)
		hook_commit(nn, w, cursor, delivered, NULL);
	for (int i = 0; i < av.n; i++)
		free(av.v[i].body);
}

/* Dead letters an agency asked for again: each is tried once more, with
 * its original delivery id (the receiver deduplicates on it). Delivered:
 * the letter goes; failed: it stays dead, with one more try counted. */
struct deadvec {
	struct dead_row *v;
	char           (*err)[200];
	size_t           n;
};

static int
pending_cb(void *ctx, const struct dead_row *d)
{
	struct deadvec *dv = ctx;
	struct dead_row *nv = realloc(dv->v, (dv->n + 1) * sizeof(*nv));

	if (nv == NULL)
		return 1;
	dv->v = nv;
	dv->v[dv->n] = *d;
	dv->v[dv->n].last_error = NULL;
	dv->n++;
	return 0;
}

static void
hook_redrive(struct node_net *nn, struct store *st, const struct hookvec *hv)
{
	struct deadvec dv = { 0 };

	if (store_net_dead_pending(st, pending_cb, &dv) != 0 || dv.n == 0) {
		free(dv.v);
		return;
	}
	for (size_t i = 0; i < dv.n && !nn->stop; i++) {
		const struct dead_row *d = &dv.v[i];
		const struct webhook_row *w = NULL;
		struct alertvec av;
		struct principal sys;
		struct reqctx c = { .p = &sys, .purpose = "webhook redelivery" };
		char why[200] = "";
		struct err e;
		json_t *det;
		int rc;

		for (size_t k = 0; k < hv->n && w == NULL; k++)
			if (strcmp(hv->v[k].id, d->webhook_id) == 0)
				w = &hv->v[k];
		memset(&av, 0, sizeof(av));
		av.w = w;
		av.st = st;
		if (w == NULL)
			str_copy(why, sizeof(why), "the webhook was deleted");
		else if (store_principal_get(st, w->principal_id, &av.p) != 0)
			str_copy(why, sizeof(why), "the webhook's principal is gone");
		else if (store_alerts_list(st, w->agency_id, w->principal_id, d->alert_seq - 1, 1, hook_alert_cb,
		    &av) != 0 || av.n != 1 || av.v[0].seq != d->alert_seq)
			str_copy(why, sizeof(why), "the alert is no longer for this webhook");
		else if (post(w, d->id, av.v[0].body, why, sizeof(why)) == 0)
			why[0] = '\0';
		for (int k = 0; k < av.n; k++)
			free(av.v[k].body);
		memset(&sys, 0, sizeof(sys));
		str_copy(sys.id, sizeof(sys.id), "webhook");
		str_copy(sys.agency.id, sizeof(sys.agency.id), d->agency_id);
		if (node_write_begin(nn->n, &e) == -1)
			break;
		rc = store_net_dead_settle(node_writer(nn->n), d->id, why[0] ? why : NULL, &e);
		det = json_pack("{s:s, s:I, s:s}", "delivery", d->id, "alert_seq", (json_int_t)d->alert_seq,
		    "result", why[0] ? why : "delivered");
		if (rc == 0)
			rc = node_audit_write(nn->n, &c, "webhook.redeliver", d->webhook_id, why[0] ? "failed" : "ok",
			    det, &e);
		json_decref(det);
		node_write_end(nn->n, rc, &e);
		if (why[0])
			nn->wh_fail++;
		else
			nn->wh_ok++;
	}
	free(dv.v);
}

static void *
hooks(void *arg)
{
	struct node_net *nn = arg;

	pthread_mutex_lock(&nn->mu);
	while (!nn->stop) {
		struct timespec ts;
		struct hookvec hv = { 0 };
		struct err e;
		struct store *st;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 100 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&nn->whcv, &nn->mu, &ts);
		if (nn->stop)
			break;
		pthread_mutex_unlock(&nn->mu);
		if ((st = node_reader(nn->n, &e)) != NULL && store_net_webhooks(st, hooks_cb, &hv) == 0) {
			for (size_t i = 0; i < hv.n && !nn->stop; i++)
				hook_run(nn, &hv.v[i]);
			if (!nn->stop)
				hook_redrive(nn, st, &hv);
		}
		free(hv.v);
		pthread_mutex_lock(&nn->mu);
	}
	pthread_mutex_unlock(&nn->mu);
	return NULL;
}

/* ---- life cycle ------------------------------------------------------------ */

struct watchvec {
	struct node_net *nn;
	struct store    *st;
	struct watch    *v;
	size_t           n;
};

static int
watch_cb(void *ctx, const struct watch_row *w)
{
	struct watchvec *wv = ctx;
	struct watch *nv = realloc(wv->v, (wv->n + 1) * sizeof(*nv));

	if (nv == NULL)
		return 1;
	wv->v = nv;
	memset(&wv->v[wv->n], 0, sizeof(wv->v[0]));
	wv->v[wv->n].row = *w;
	if (store_principal_get(wv->st, w->principal_id, &wv->v[wv->n].p) != 0)
		return 0;   /* its principal is gone: skip */
	wv->n++;
	return 0;
}

static int
watches_load(struct node_net *nn, struct store *st)
{
	struct watchvec wv = { .nn = nn, .st = st };

	if (store_net_watches(st, watch_cb, &wv) == -1) {
		free(wv.v);
		return -1;
	}
	for (size_t i = 0; i < wv.n; i++) {
		struct xrecord x;
		if (strcmp(wv.v[i].row.kind, "person") != 0)
			continue;
		memset(&x, 0, sizeof(x));
		if (store_xrecord_get(st, wv.v[i].row.target, &x) == 0 && strcmp(x.kind, "person") == 0)
			wv.v[i].pbody = json_loads(x.body, 0, NULL);
		free((char *)x.body);
	}
	pthread_mutex_lock(&nn->wmu);
	for (size_t i = 0; i < nn->nwatches; i++)
		json_decref(nn->watches[i].pbody);
	free(nn->watches);
	nn->watches = wv.v;
	nn->nwatches = wv.n;
	pthread_mutex_unlock(&nn->wmu);
	return 0;
}

int
node_net_open(struct node *n, struct err *e)
{
	struct node_net *nn = calloc(1, sizeof(*nn));

	if (nn == NULL || (nn->idx = net_new()) == NULL || (nn->wl = wl_new()) == NULL) {
		if (nn) {
			net_free(nn->idx);
			free(nn);
		}
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	nn->n = n;
	nn->xrid = -1;
	pthread_rwlock_init(&nn->wl_lock, NULL);
	pthread_mutex_init(&nn->fold, NULL);
	pthread_mutex_init(&nn->mu, NULL);
	pthread_cond_init(&nn->cv, NULL);
	pthread_cond_init(&nn->whcv, NULL);
	pthread_mutex_init(&nn->wmu, NULL);
	pthread_mutex_init(&nn->smu, NULL);
	pthread_mutex_init(&nn->stmu, NULL);
	nn->wh_base_ms = env_int("SIMPUL_WEBHOOK_BASE_MS", 1000, 10, 3600000);
	nn->wh_max_ms = env_int("SIMPUL_WEBHOOK_MAX_MS", 60000, 10, 86400000);
	nn->wh_attempts = env_int("SIMPUL_WEBHOOK_ATTEMPTS", 12, 1, 1000);
	/* A snapshot after 10,000 changes, at most every 5 minutes; 0 turns
	 * writing off. SIMPUL_NET_SNAPSHOT_LOAD=0 starts with a full fold. */
	nn->snap_every = env_int("SIMPUL_NET_SNAPSHOT_EVERY", 10000, 0, 1000000000);
	nn->snap_secs = env_int("SIMPUL_NET_SNAPSHOT_SECS", 300, 0, 86400);
	nn->snap_load = env_int("SIMPUL_NET_SNAPSHOT_LOAD", 1, 0, 1) == 1;
	*node_net_slot(n) = nn;
	return 0;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void
curl_init_once(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void
start(struct node_net *nn)
{
	pthread_once(&curl_once, curl_init_once);
	pthread_mutex_lock(&nn->mu);
	if (!nn->started && pthread_create(&nn->th, NULL, upkeep, nn) == 0)
		nn->started = true;
	if (!nn->wh_started && pthread_create(&nn->wh, NULL, hooks, nn) == 0)
		nn->wh_started = true;
	pthread_mutex_unlock(&nn->mu);
}

void
node_networks_start(struct node *n)
{
	struct node_net *nn = NN(n);

	/* The first fold (about 20 s per million reports) runs on the upkeep
	 * thread: the daemon answers at once; a network query meanwhile waits
	 * for it. */
	nn->wanted = true;
	start(nn);
}

void
node_net_close(struct node *n)
{
	struct node_net *nn = n ? NN(n) : NULL;

	if (nn == NULL)
		return;
	pthread_mutex_lock(&nn->mu);
	nn->stop = true;
	pthread_cond_broadcast(&nn->cv);
	pthread_cond_broadcast(&nn->whcv);
	pthread_mutex_unlock(&nn->mu);
	if (nn->started)
		pthread_join(nn->th, NULL);
	if (nn->wh_started)
		pthread_join(nn->wh, NULL);
	/* Later kicks (the core's other threads still write) find it stopped. */
	pthread_mutex_lock(&nn->mu);
	nn->started = nn->wh_started = false;
	pthread_mutex_unlock(&nn->mu);
}

void
node_net_free(struct node *n)
{
	struct node_net *nn = n ? NN(n) : NULL;

	if (nn == NULL)
		return;
	while (nn->queue) {
		struct newrep *q = nn->queue;
		nn->queue = q->next;
		for (size_t k = 0; k < q->nkeys; k++)
			free(q->keys[k]);
		free(q->keys);
		free(q);
	}
	net_free(nn->idx);
	wl_free(nn->wl);
	for (size_t i = 0; i < nn->nwatches; i++)
		json_decref(nn->watches[i].pbody);
	free(nn->watches);
	free(nn->hs);
	pthread_rwlock_destroy(&nn->wl_lock);
	pthread_mutex_destroy(&nn->fold);
	pthread_mutex_destroy(&nn->mu);
	pthread_cond_destroy(&nn->cv);
	pthread_cond_destroy(&nn->whcv);
	pthread_mutex_destroy(&nn->wmu);
	pthread_mutex_destroy(&nn->smu);
	pthread_mutex_destroy(&nn->stmu);
	free(nn);
	*node_net_slot(n) = NULL;
}

void
node_net_kick(struct node *n)
{
	struct node_net *nn = NN(n);

	if (nn == NULL)
		return;
	pthread_mutex_lock(&nn->mu);
	if (nn->started) {
		nn->kicked = true;
		pthread_cond_signal(&nn->cv);
	}
	pthread_mutex_unlock(&nn->mu);
}

/* ---- queries ---------------------------------------------------------------- */

static bool
may_view(struct node *n, const struct reqctx *c, const char *action, const char *obj, struct err *e)
{
	if (c->p->role == ROLE_PUBLIC || c->p->agency.kind == AK_PUBLIC) {
		err_set(e, 403, "", "the public has no access to networks, rules or alerts");
		node_audit_refusal(n, c, action, obj, 403, e->msg);
		return false;
	}
	return true;
}

static bool
may_supervise(struct node *n, const struct reqctx *c, const char *action, const char *obj, struct err *e)
{
	if ((c->p->role != ROLE_SUPERVISOR && c->p->role != ROLE_ADMIN) || !role_valid_for_kind(c->p->role,
	    c->p->agency.kind) || !kind_is_le(c->p->agency.kind)) {
		err_set(e, 403, "", "only a supervisor or an admin of a law-enforcement agency may change the generic-value rules");
		node_audit_refusal(n, c, action, obj, 403, e->msg);
		return false;
	}
	return true;
}

static int
answer(struct node *n, const struct reqctx *c, const char *action, const char *obj, const char *outcome,
    json_t *detail, json_t **out, struct err *e)
{
	if (node_audit_read(n, c, action, obj, outcome, detail, NULL, 0) == -1) {
		json_decref(*out);
		*out = NULL;
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		return -1;
	}
	return 0;
}

static bool
key_ok(const char *key)
{
	const char *colon;

	return key && (colon = strchr(key, ':')) != NULL && colon != key && strlen(key) <= SIMPUL_MAX_KEY_LEN &&
	    utf8_valid(key, strlen(key));
}

int
node_networks(struct node *n, const struct reqctx *c, const char *key, int64_t after, int limit, json_t **out,
    struct err *e)
{
	json_t *d;
	int rc;

	*out = NULL;
	if (!may_view(n, c, "network.list", key, e))
		return -1;
	if (key && !key_ok(key)) {
		err_set(e, 400, "key", "key must be a canonical selector key such as phone:+60123456789");
		node_audit_refusal(n, c, "network.list", NULL, 400, e->msg);
		return -1;
	}
	if (refresh(NN(n), e) == -1 || net_list(NN(n)->idx, c->p, key, after, limit, out) == -1) {
		if (e->status == 0)
			err_set(e, 500, "", "could not compute networks");
		return -1;
	}
	d = json_pack("{s:I}", "networks", (json_int_t)json_array_size(json_object_get(*out, "networks")));
	rc = answer(n, c, "network.list", key, "ok", d, out, e);
	json_decref(d);
	return rc;
}

int
node_network_get(struct node *n, const struct reqctx *c, const char *id, json_t **out, struct err *e)
{
	int rc;

	*out = NULL;
	if (!may_view(n, c, "network.read", id, e))
		return -1;
	if (refresh(NN(n), e) == -1)
		return -1;
	rc = net_get(NN(n)->idx, c->p, id, out);
	if (rc == -1) {
		err_set(e, 500, "", "could not compute the network");
		return -1;
	}
	if (rc == 1) {
		/* Unknown and not-for-you look the same. */
		err_set(e, 404, "id", "no network %.40s that you may see", id);
		node_audit_read(n, c, "network.read", id, "refused:404", NULL, NULL, 0);
		return -1;
	}
	{
		json_t *d = json_pack("{s:O}", "reports", json_object_get(*out, "reports"));
		rc = answer(n, c, "network.read", id, "ok", d, out, e);
		json_decref(d);
	}
	return rc;
}

int
node_graph(struct node *n, const struct reqctx *c, const char *key, int depth, int max_nodes, json_t **out,
    struct err *e)
{
	int rc;

	*out = NULL;
	if (!may_view(n, c, "graph.read", key, e))
		return -1;
	if (!key_ok(key)) {
		err_set(e, 400, "key", "key must be a canonical selector key such as phone:+60123456789");
		node_audit_refusal(n, c, "graph.read", NULL, 400, e->msg);
		return -1;
	}
	if (refresh(NN(n), e) == -1)
		return -1;
	rc = net_graph(NN(n)->idx, c->p, key, depth, max_nodes, out);
	if (rc == -1) {
		err_set(e, 500, "", "could not compute the graph");
		return -1;
	}
	if (rc == 1) {
		err_set(e, 404, "key", "no report that you may see names %.80s", key);
		node_audit_read(n, c, "graph.read", key, "refused:404", NULL, NULL, 0);
		return -1;
	}
	{
		json_t *d = json_pack("{s:i, s:I}", "depth", depth, "nodes",
		    (json_int_t)json_array_size(json_object_get(*out, "nodes")));
		rc = answer(n, c, "graph.read", key, "ok", d, out, e);
		json_decref(d);
	}
	return rc;
}

int
node_report_retract(struct node *n, const struct reqctx *c, const char *id, json_t **out, struct err *e)
{
	int64_t rid = 0;
	int rc;

	*out = NULL;
	if (!policy_may_write(c->p)) {
		err_set(e, 403, "", "role %s of a %s agency may not retract reports", role_name(c->p->role),
		    agency_kind_name(c->p->agency.kind));
		node_audit_refusal(n, c, "report.retract", id, 403, e->msg);
		return -1;
	}
	if (strlen(id) != SIMPUL_ID_LEN) {
		err_set(e, 404, "id", "no report %.40s of your agency", id);
		node_audit_refusal(n, c, "report.retract", NULL, 404, e->msg);
		return -1;
	}
	if (node_write_begin(n, e) == -1)
		return -1;
	rc = store_net_retract(node_writer(n), id, c->p->agency.id, c->p->id, now_ms(), &rid, e);
	if (rc == 1) {
		node_write_end(n, -1, e);
		/* Another agency's report and no report look the same. */
		err_set(e, 404, "id", "no report %.40s of your agency", id);
		node_audit_refusal(n, c, "report.retract", id, 404, e->msg);
		return -1;
	}
	if (rc == 0)
		rc = node_audit_write(n, c, "report.retract", id, "ok", NULL, e);
	if (node_write_end(n, rc, e) == -1)
		return -1;
	if (NN(n)->active)
		refresh(NN(n), e);
	*out = json_pack("{s:s, s:b}", "id", id, "retracted", 1);
	return 0;
}

/* ---- generic values -------------------------------------------------------- */

static int
ovr_json_cb(void *ctx, const struct override_row *o)
{
	char t[32];

	time_iso(o->created_ms, t);
	json_array_append_new(ctx, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s}", "key", o->key, "mode", o->mode,
	    "by", o->principal_id, "agency", o->agency_id, "reason", o->reason, "at", t));
	return 0;
}

int
node_generic_get(struct node *n, const struct reqctx *c, const char *key, json_t **out, struct err *e)
{
	struct node_net *nn = NN(n);
	struct store *st;
	int max, min;
	json_t *ovr;

	*out = NULL;
	if (!may_view(n, c, "generic.read", key, e))
		return -1;
	if (key && !key_ok(key)) {
		err_set(e, 400, "key", "key must be a canonical selector key such as domain:example.com");
		node_audit_refusal(n, c, "generic.read", NULL, 400, e->msg);
		return -1;
	}
	if (refresh(nn, e) == -1 || (st = node_reader(n, e)) == NULL)
		return -1;
	net_get_rules(nn->idx, &max, &min);
	ovr = json_array();
	store_net_overrides(st, ovr_json_cb, ovr);
	pthread_rwlock_rdlock(&nn->wl_lock);
	*out = json_pack("{s:{s:i, s:i, s:s}, s:o, s:o}", "rules", "max_reports", max, "min_agencies", min,
	    "rule", "a selector stops linking when more than max_reports reports from at least min_agencies"
	    " agencies name it, or when it is on a warning list; a supervisor's override wins",
	    "warning_lists", wl_describe(nn->wl), "overrides", ovr);
	pthread_rwlock_unlock(&nn->wl_lock);
	if (key) {
		char why[96];
		int s = net_key_status(nn->idx, key, why, sizeof(why));
		/* The degree rule counts reports the caller may not know of: it is
		 * only told to someone who may know of a report naming the key.
		 * Lists and overrides are public rules and always shown. */
		if (strcmp(why, "degree") == 0 && !net_key_visible(nn->idx, c->p, key))
			json_object_set_new(*out, "key", json_pack("{s:s, s:n, s:s}", "key", key, "links",
			    "reason", "not shown: no report you may see names this key"));
		else
			json_object_set_new(*out, "key", json_pack("{s:s, s:b, s:s}", "key", key, "links", s != 0,
			    "reason", why));
	}
	return answer(n, c, "generic.read", key, "ok", NULL, out, e);
}

int
node_generic_rules_set(struct node *n, const struct reqctx *c, const json_t *body, json_t **out, struct err *e)
{
	json_t *mx = json_object_get(body, "max_reports"), *mn = json_object_get(body, "min_agencies"), *d;
	char v[32];
	int64_t gen = 0;
	int rc;

	*out = NULL;
	if (!may_supervise(n, c, "generic.rules", NULL, e))
		return -1;
	if (!json_is_integer(mx) || json_integer_value(mx) < 1 || json_integer_value(mx) > 1000000) {
		err_set(e, 400, "max_reports", "max_reports must be an integer from 1 to 1000000");
	} else if (!json_is_integer(mn) || json_integer_value(mn) < 1 || json_integer_value(mn) > 8) {
		err_set(e, 400, "min_agencies", "min_agencies must be an integer from 1 to 8");
	}
	if (e->status) {
		node_audit_refusal(n, c, "generic.rules", NULL, 400, e->msg);
		return -1;
	}
	if (node_write_begin(n, e) == -1)
		return -1;
	snprintf(v, sizeof(v), "%lld", (long long)json_integer_value(mx));
	rc = store_meta_put(node_writer(n), "generic_max_reports", v, e);
	snprintf(v, sizeof(v), "%lld", (long long)json_integer_value(mn));
	if (rc == 0)
		rc = store_meta_put(node_writer(n), "generic_min_agencies", v, e);
	if (rc == 0)
		rc = gen_bump(n, &gen, e);
	d = json_pack("{s:O, s:O}", "max_reports", mx, "min_agencies", mn);
	if (rc == 0)
		rc = node_audit_write(n, c, "generic.rules", NULL, "ok", d, e);
	json_decref(d);
	if (node_write_end(n, rc, e) == -1)
		return -1;
	pthread_mutex_lock(&NN(n)->fold);
	if (NN(n)->active) {
		net_set_rules(NN(n)->idx, (int)json_integer_value(mx), (int)json_integer_value(mn));
		gen_applied(NN(n), gen);
	}
	pthread_mutex_unlock(&NN(n)->fold);
	*out = json_pack("{s:O, s:O}", "max_reports", mx, "min_agencies", mn);
	return 0;
}

int
node_generic_override(struct node *n, const struct reqctx *c, const json_t *body, json_t **out, struct err *e)
{
	const char *key = json_string_value(json_object_get(body, "key"));
	const char *mode = json_string_value(json_object_get(body, "mode"));
	const char *reason = json_string_value(json_object_get(body, "reason"));
	struct override_row o;
	int64_t gen = 0;
	json_t *d;
	int rc;

	*out = NULL;
	if (!may_supervise(n, c, "generic.override", key, e))
		return -1;
	if (!key_ok(key))
		err_set(e, 400, "key", "key must be a canonical selector key such as domain:example.com");
	else if (mode == NULL || (strcmp(mode, "link") != 0 && strcmp(mode, "generic") != 0 &&
	    strcmp(mode, "none") != 0))
		err_set(e, 400, "mode", "mode must be link, generic or none (clears the override)");
	else if (reason == NULL || *reason == '\0' || strlen(reason) > SIMPUL_MAX_REASON ||
	    !utf8_valid(reason, strlen(reason)))
		err_set(e, 400, "reason", "reason is required (at most %d bytes): it is audited", SIMPUL_MAX_REASON);
	if (e->status) {
		node_audit_refusal(n, c, "generic.override", key_ok(key) ? key : NULL, 400, e->msg);
		return -1;
	}
	if (node_write_begin(n, e) == -1)
		return -1;
	memset(&o, 0, sizeof(o));
	str_copy(o.key, sizeof(o.key), key);
	str_copy(o.mode, sizeof(o.mode), mode);
	str_copy(o.principal_id, sizeof(o.principal_id), c->p->id);
	str_copy(o.agency_id, sizeof(o.agency_id), c->p->agency.id);
	o.reason = reason;
	o.created_ms = now_ms();
	if (strcmp(mode, "none") == 0)
		rc = store_net_override_del(node_writer(n), key, e) == -1 ? -1 : 0;
	else
		rc = store_net_override_put(node_writer(n), &o, e);
	if (rc == 0)
		rc = gen_bump(n, &gen, e);
	d = json_pack("{s:s, s:s}", "mode", mode, "reason", reason);
	if (rc == 0)
		rc = node_audit_write(n, c, "generic.override", key, "ok", d, e);
	json_decref(d);
	if (node_write_end(n, rc, e) == -1)
		return -1;
	/* The index of this process now; any other process's at its next
	 * refresh, through the generation. */
	pthread_mutex_lock(&NN(n)->fold);
	if (NN(n)->active) {
		net_override(NN(n)->idx, key, strcmp(mode, "link") == 0 ? NET_OVR_LINK :
		    strcmp(mode, "generic") == 0 ? NET_OVR_GENERIC : NET_OVR_NONE);
		gen_applied(NN(n), gen);
	}
	pthread_mutex_unlock(&NN(n)->fold);
	*out = json_pack("{s:s, s:s, s:s}", "key", key, "mode", mode, "reason", reason);
	return 0;
}

int
node_warninglist_add(struct node *n, const struct reqctx *c, const char *body, size_t len, json_t **out,
    struct err *e)
{
	struct node_net *nn = NN(n);
	struct wlset *probe;
	char name[WL_MAX_NAME + 1];
	int64_t gen = 0;
	json_t *d;
	int rc;

	*out = NULL;
	if (!may_supervise(n, c, "warninglist.add", NULL, e))
		return -1;
	/* Parse into a scratch set first: a bad list changes nothing. */
	if ((probe = wl_new()) == NULL) {
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	rc = wl_add_json(probe, body, len, name, sizeof(name), e);
	if (rc == 0) {
		d = wl_describe(probe);
		*out = json_incref(json_array_get(d, 0));
		json_decref(d);
	}
	wl_free(probe);
	if (rc == -1) {
		node_audit_refusal(n, c, "warninglist.add", NULL, e->status, e->msg);
		return -1;
	}
	if (node_write_begin(n, e) == -1) {
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	{
		char *text = strndup(body, len);
		rc = text ? store_net_wl_put(node_writer(n), name, text, c->p->id, now_ms(), e) : -1;
		free(text);
	}
	if (rc == 0)
		rc = gen_bump(n, &gen, e);
	d = json_pack("{s:s, s:O}", "name", name, "entries", json_object_get(*out, "entries"));
	if (rc == 0)
		rc = node_audit_write(n, c, "warninglist.add", name, "ok", d, e);
	json_decref(d);
	if (node_write_end(n, rc, e) == -1) {
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	pthread_mutex_lock(&nn->fold);
	if (nn->active) {
		pthread_rwlock_wrlock(&nn->wl_lock);
		rc = wl_add_json(nn->wl, body, len, name, sizeof(name), e);
		pthread_rwlock_unlock(&nn->wl_lock);
		net_set_listed(nn->idx, listed, nn);   /* every selector again: splits where needed */
		gen_applied(nn, gen);
	}
	pthread_mutex_unlock(&nn->fold);
	return 0;
}

/* ---- watches ---------------------------------------------------------------- */

static int
count_mine_cb(void *ctx, const struct watch_row *w)
{
	struct { const char *pid; int n; json_t *arr; } *cm = ctx;
	char t[32];

	if (strcmp(w->principal_id, cm->pid) != 0)
		return 0;
	cm->n++;
	if (cm->arr) {
		time_iso(w->created_ms, t);
		json_array_append_new(cm->arr, json_pack("{s:s, s:s, s:s, s:s}", "id", w->id, "kind", w->kind,
		    "target", w->target, "created", t));
	}
	return 0;
}

int
node_watch_add(struct node *n, const struct reqctx *c, const json_t *body, json_t **out, struct err *e)
{
	const char *kind = json_string_value(json_object_get(body, "kind"));
	const char *target = json_string_value(json_object_get(body, "target"));
	struct node_net *nn = NN(n);
	struct watch_row w;
	struct store *st;
	struct { const char *pid; int n; json_t *arr; } cm = { c->p->id, 0, NULL };
	int rc;

	*out = NULL;
	if (!may_view(n, c, "watch.add", NULL, e))
		return -1;
	memset(&w, 0, sizeof(w));
	if (kind == NULL || (strcmp(kind, "selector") != 0 && strcmp(kind, "network") != 0 &&
	    strcmp(kind, "person") != 0)) {
		err_set(e, 400, "kind", "kind must be selector, network or person");
	} else if (strcmp(kind, "person") == 0) {
		struct xrecord x;
		struct record_meta meta;
		memset(&x, 0, sizeof(x));
		/* A person the watcher may read in full (unknown and not-for-you
		 * look the same). */
		if (target == NULL || strlen(target) != SIMPUL_ID_LEN) {
			err_set(e, 400, "target", "target must be a person id");
		} else if ((st = node_reader(n, e)) == NULL) {
			return -1;
		} else if (store_xrecord_get(st, target, &x) != 0 || strcmp(x.kind, "person") != 0 ||
		    (meta.agency_id = x.agency_id, meta.m = &x.m, policy_decide(c->p, &meta, USE_READ)) != POLICY_FULL) {
			err_set(e, 404, "target", "no person %.40s that you may see", target);
		}
		free((char *)x.body);
	} else if (strcmp(kind, "selector") == 0 && !key_ok(target)) {
		err_set(e, 400, "target", "target must be a canonical selector key such as phone:+60123456789");
	} else if (strcmp(kind, "network") == 0) {
		if (target == NULL || strlen(target) > 40) {
			err_set(e, 400, "target", "target must be a network id such as net_0123456789abcdef");
		} else if (refresh(nn, e) == -1) {
			return -1;
		} else if (net_anchor(nn->idx, c->p, target, w.anchor) != 0) {
			err_set(e, 404, "target", "no network %.40s that you may see", target);
		}
	}
	if (e->status == 0 && (st = node_reader(n, e)) != NULL) {
		store_net_watches(st, count_mine_cb, &cm);
		if (cm.n >= SIMPUL_MAX_WATCHES)
			err_set(e, 429, "", "at most %d watches per principal", SIMPUL_MAX_WATCHES);
	}
	if (e->status) {
		node_audit_refusal(n, c, "watch.add", NULL, e->status, e->msg);
		return -1;
	}
	id_new(w.id);
	str_copy(w.agency_id, sizeof(w.agency_id), c->p->agency.id);
	str_copy(w.principal_id, sizeof(w.principal_id), c->p->id);
	str_copy(w.kind, sizeof(w.kind), kind);
	str_copy(w.target, sizeof(w.target), target);
	w.created_ms = now_ms();
	if (node_write_begin(n, e) == -1)
		return -1;
	rc = store_net_watch_put(node_writer(n), &w, e);
	if (rc == 0) {
		json_t *d = json_pack("{s:s, s:s}", "kind", kind, "target", target);
		rc = node_audit_write(n, c, "watch.add", w.id, "ok", d, e);
		json_decref(d);
	}
	if (node_write_end(n, rc, e) == -1)
		return -1;
	/* From now on new reports are checked against it (and new records,
	 * for a person). */
	if (strcmp(kind, "person") == 0) {
		int64_t last;
		long long none = -1;
		if (store_net_xrecords_last(node_reader(n, e), &last) == 0)
			atomic_compare_exchange_strong(&nn->xrid, &none, (long long)last);
	}
	refresh(nn, e);
	watches_load(nn, node_reader(n, e));
	start(nn);
	*out = json_pack("{s:s, s:s, s:s}", "id", w.id, "kind", kind, "target", target);
	return 0;
}

int
node_watch_list(struct node *n, const struct reqctx *c, json_t **out, struct err *e)
{
	struct { const char *pid; int n; json_t *arr; } cm = { c->p->id, 0, json_array() };
	struct store *st;

	*out = NULL;
	if (!may_view(n, c, "watch.list", NULL, e) || (st = node_reader(n, e)) == NULL) {
		json_decref(cm.arr);
		return -1;
	}
	store_net_watches(st, count_mine_cb, &cm);
	*out = json_pack("{s:o}", "watches", cm.arr);
	return answer(n, c, "watch.list", NULL, "ok", NULL, out, e);
}

int
node_watch_del(struct node *n, const struct reqctx *c, const char *id, struct err *e)
{
	int rc;

	if (!may_view(n, c, "watch.delete", id, e))
		return -1;
	if (node_write_begin(n, e) == -1)
		return -1;
	rc = strlen(id) == SIMPUL_ID_LEN ? store_net_watch_del(node_writer(n), id, c->p->id, e) : 1;
	if (rc == 1) {
		node_write_end(n, -1, e);
		err_set(e, 404, "id", "no watch %.40s of yours", id);
		node_audit_refusal(n, c, "watch.delete", NULL, 404, e->msg);
		return -1;
	}
	if (rc == 0)
		rc = node_audit_write(n, c, "watch.delete", id, "ok", NULL, e);
	if (node_write_end(n, rc, e) == -1)
		return -1;
	watches_load(NN(n), node_reader(n, e));
	return 0;
}

/* ---- webhooks (API) --------------------------------------------------------- */

static bool
may_hook(struct node *n, const struct reqctx *c, const char *action, struct err *e)
{
	if (c->p->role == ROLE_PUBLIC || c->p->role == ROLE_AUDITOR || c->p->agency.kind == AK_PUBLIC ||
	    !role_valid_for_kind(c->p->role, c->p->agency.kind)) {
		err_set(e, 403, "", "role %s may not manage webhooks", role_name(c->p->role));
		node_audit_refusal(n, c, action, NULL, 403, e->msg);
		return false;
	}
	return true;
}

static int
hook_count_cb(void *ctx, const struct webhook_row *w)
{
	struct { const char *agency; int n; json_t *arr; } *hc = ctx;
	char t[32];

	if (strcmp(w->agency_id, hc->agency) != 0)
		return 0;
	hc->n++;
	if (hc->arr) {
		time_iso(w->created_ms, t);
		json_array_append_new(hc->arr, json_pack("{s:s, s:s, s:s, s:I, s:s}", "id", w->id, "url", w->url,
		    "principal", w->principal_id, "cursor", (json_int_t)w->cursor, "created", t));
	}
	return 0;
}

int
node_webhook_add(struct node *n, const struct reqctx *c, const json_t *body, json_t **out, struct err *e)
{
	const char *url = json_string_value(json_object_get(body, "url"));
	struct { const char *agency; int n; json_t *arr; } hc = { c->p->agency.id, 0, NULL };
	struct webhook_row w;
	unsigned char key[32];
	struct store *st;
	CURLU *u = NULL;
	char *scheme = NULL;
	int rc;

	*out = NULL;
	if (!may_hook(n, c, "webhook.add", e))
		return -1;
	if (url == NULL || strlen(url) > STORE_URL_MAX || (u = curl_url()) == NULL ||
	    curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    (strcmp(scheme, "http") != 0 && strcmp(scheme, "https") != 0))
		err_set(e, 400, "url", "url must be an http or https URL of at most %d bytes", STORE_URL_MAX);
	curl_free(scheme);
	curl_url_cleanup(u);
	if (e->status == 0 && (st = node_reader(n, e)) != NULL) {
		store_net_webhooks(st, hook_count_cb, &hc);
		if (hc.n >= SIMPUL_MAX_WEBHOOKS)
			err_set(e, 429, "", "at most %d webhooks per agency", SIMPUL_MAX_WEBHOOKS);
	}
	if (e->status) {
		node_audit_refusal(n, c, "webhook.add", NULL, e->status, e->msg);
		return -1;
	}
	memset(&w, 0, sizeof(w));
	id_new(w.id);
	str_copy(w.agency_id, sizeof(w.agency_id), c->p->agency.id);
	str_copy(w.principal_id, sizeof(w.principal_id), c->p->id);
	str_copy(w.url, sizeof(w.url), url);
	randombytes_buf(key, sizeof(key));
	hex_encode(key, sizeof(key), w.secret);
	sodium_memzero(key, sizeof(key));
	w.created_ms = now_ms();
	if (node_write_begin(n, e) == -1)
		return -1;
	/* Deliveries start with the next alert. */
	rc = store_net_alerts_last(node_writer(n), w.agency_id, w.principal_id, &w.cursor) == 0 ? 0 : -1;
	if (rc == 0)
		rc = store_net_webhook_put(node_writer(n), &w, e);
	if (rc == 0) {
		json_t *d = json_pack("{s:s}", "url", url);   /* never the secret */
		rc = node_audit_write(n, c, "webhook.add", w.id, "ok", d, e);
		json_decref(d);
	}
	if (node_write_end(n, rc, e) == -1)
		return -1;
	start(NN(n));
	*out = json_pack("{s:s, s:s, s:s, s:s}", "id", w.id, "url", url, "secret", w.secret,
	    "signature", "X-Simpul-Signature: sha256=hex(HMAC-SHA256(secret, body))");
	sodium_memzero(w.secret, sizeof(w.secret));
	return 0;
}

int
node_webhook_list(struct node *n, const struct reqctx *c, json_t **out, struct err *e)
{
	struct { const char *agency; int n; json_t *arr; } hc = { c->p->agency.id, 0, json_array() };
	struct store *st;

	*out = NULL;
	if (!may_hook(n, c, "webhook.list", e) || (st = node_reader(n, e)) == NULL) {
		json_decref(hc.arr);
		return -1;
	}
	store_net_webhooks(st, hook_count_cb, &hc);
	*out = json_pack("{s:o}", "webhooks", hc.arr);
	return answer(n, c, "webhook.list", NULL, "ok", NULL, out, e);
}

int
node_webhook_del(struct node *n, const struct reqctx *c, const char *id, struct err *e)
{
	int rc;

	if (!may_hook(n, c, "webhook.delete", e))
		return -1;
	if (node_write_begin(n, e) == -1)
		return -1;
	rc = strlen(id) == SIMPUL_ID_LEN ? store_net_webhook_del(node_writer(n), id, c->p->agency.id, e) : 1;
	if (rc == 1) {
		node_write_end(n, -1, e);
		err_set(e, 404, "id", "no webhook %.40s of your agency", id);
		node_audit_refusal(n, c, "webhook.delete", NULL, 404, e->msg);
		return -1;
	}
	if (rc == 0)
		rc = node_audit_write(n, c, "webhook.delete", id, "ok", NULL, e);
	return node_write_end(n, rc, e);
}

static int
dead_cb(void *ctx, const struct dead_row *d)
{
	char t[32];

	time_iso(d->created_ms, t);
	json_array_append_new(ctx, json_pack("{s:s, s:s, s:I, s:i, s:s, s:s}", "delivery", d->id, "webhook",
	    d->webhook_id, "alert_seq", (json_int_t)d->alert_seq, "attempts", d->attempts, "last_error",
	    d->last_error, "at", t));
	return 0;
}

int
node_webhook_dead(struct node *n, const struct reqctx *c, json_t **out, struct err *e)
{
	struct store *st;
	json_t *arr;

	*out = NULL;
	if (!may_hook(n, c, "webhook.dead", e) || (st = node_reader(n, e)) == NULL)
		return -1;
	arr = json_array();
	store_net_dead_list(st, c->p->agency.id, 500, dead_cb, arr);
	*out = json_pack("{s:o}", "dead_letters", arr);
	return answer(n, c, "webhook.dead", NULL, "ok", NULL, out, e);
}

int
node_webhook_redrive(struct node *n, const struct reqctx *c, const json_t *body, json_t **out, struct err *e)
{
	const char *id = json_string_value(json_object_get(body, "delivery"));
	int rc;

	*out = NULL;
	if (!may_hook(n, c, "webhook.redrive", e))
		return -1;
	if (id == NULL || strlen(id) > SIMPUL_ID_LEN * 2 + 1 || !utf8_valid(id, strlen(id))) {
		err_set(e, 400, "delivery", "delivery must be the id of one of your dead letters");
		node_audit_refusal(n, c, "webhook.redrive", NULL, 400, e->msg);
		return -1;
	}
	if (node_write_begin(n, e) == -1)
		return -1;
	rc = store_net_dead_redrive(node_writer(n), c->p->agency.id, id, e);
	if (rc == 1) {
		node_write_end(n, -1, e);
		/* Another agency's letter and no letter look the same. */
		err_set(e, 404, "delivery", "no dead letter %.60s of your agency", id);
		node_audit_refusal(n, c, "webhook.redrive", id, 404, e->msg);
		return -1;
	}
	if (rc == 0)
		rc = node_audit_write(n, c, "webhook.redrive", id, "ok", NULL, e);
	if (node_write_end(n, rc, e) == -1)
		return -1;
	start(NN(n));
	pthread_mutex_lock(&NN(n)->mu);
	pthread_cond_signal(&NN(n)->whcv);
	pthread_mutex_unlock(&NN(n)->mu);
	*out = json_pack("{s:s, s:b}", "delivery", id, "queued", 1);
	return 0;
}

/* ---- event streams (API) ---------------------------------------------------- */

int
node_events_open(struct node *n, const struct reqctx *c, int64_t after, void (*notify)(void *), void *ctx,
    struct node_sub **out, struct err *e)
{
	struct node_net *nn = NN(n);
	struct node_sub *s;
	struct store *st;
	json_t *d;

	*out = NULL;
	if (!may_view(n, c, "events.open", NULL, e))
		return -1;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	s->n = n;
	s->p = *c->p;
	s->c.p = &s->p;
	s->c.purpose = "event stream";
	s->notify = notify;
	s->nctx = ctx;
	s->last_us = mono_us();
	sbuf_init(&s->pend, 4u * 1024u * 1024u);
	if (after < 0) {
		if ((st = node_reader(n, e)) == NULL ||
		    store_net_alerts_last(st, s->p.agency.id, s->p.id, &s->cursor) == -1) {
			free(s);
			if (e->status == 0)
				err_set(e, 500, "", "could not read the alerts");
			return -1;
		}
	} else {
		s->cursor = after;
	}
	pthread_mutex_lock(&nn->smu);
	if (nn->nsubs >= SIMPUL_MAX_STREAMS || nn->closing) {
		pthread_mutex_unlock(&nn->smu);
		sbuf_free(&s->pend);
		free(s);
		err_set(e, 503, "", "too many open event streams; try again later");
		node_audit_refusal(n, c, "events.open", NULL, 503, e->msg);
		return -1;
	}
	s->next = nn->subs;
	nn->subs = s;
	nn->nsubs++;
	pthread_mutex_unlock(&nn->smu);
	start(nn);
	d = json_pack("{s:I}", "after", (json_int_t)s->cursor);
	if (node_audit_read(n, c, "events.open", NULL, "ok", d, NULL, 0) == -1) {
		json_decref(d);
		node_events_close(s);
		err_set(e, 500, "", "the audit trail could not be written");
		return -1;
	}
	json_decref(d);
	*out = s;
	return 0;
}

struct evctx {
	struct node_sub *s;
	struct store    *st;
	int              n;
};

static int
ev_cb(void *ctx, const struct alert_row *a)
{
	struct evctx *ec = ctx;
	json_t *pl, *o;
	char t[32], *text;

	if (!node_alert_visible(ec->st, &ec->s->p, a)) {
		ec->s->cursor = a->seq;   /* not for this principal: passed over */
		return 0;
	}
	pl = json_loads(a->payload, 0, NULL);

	time_iso(a->created_ms, t);
	o = json_pack("{s:I, s:s, s:s, s:s, s:o}", "seq", (json_int_t)a->seq, "id", a->id, "kind", a->kind,
	    "created", t, "data", pl ? pl : json_object());
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	/* One data line: JSON has no raw newlines. */
	sbuf_printf(&ec->s->pend, "id: %lld\nevent: %s\ndata: %s\n\n", (long long)a->seq, a->kind,
	    text ? text : "{}");
	free(text);
	ec->s->cursor = a->seq;
	ec->n++;
	return 0;
}

ssize_t
node_events_read(struct node_sub *s, char *buf, size_t max)
{
	size_t n;

	if (s->off >= s->pend.len) {
		struct err e;
		struct store *st;
		struct evctx ec = { s, NULL, 0 };
		int64_t from = s->cursor;

		sbuf_reset(&s->pend);
		s->off = 0;
		if (s->closing)
			return -1;
		if (!s->hello) {
			sbuf_adds(&s->pend, "retry: 2000\n: simpul event stream\n\n");
			s->hello = true;
		}
		if ((st = ec.st = node_reader(s->n, &e)) != NULL &&
		    store_alerts_list(st, s->p.agency.id, s->p.id, s->cursor, 100, ev_cb, &ec) == 0 && ec.n > 0) {
			/* Every delivery is a read of the inbox: audited. */
			json_t *d = json_pack("{s:i, s:I, s:I}", "events", ec.n, "from", (json_int_t)from,
			    "to", (json_int_t)s->cursor);
			if (node_audit_read(s->n, &s->c, "events.deliver", NULL, "ok", d, NULL, 0) == -1) {
				/* Not audited: not sent. */
				sbuf_reset(&s->pend);
				s->cursor = from;
			}
			json_decref(d);
		}
		if (s->pend.len == 0 && mono_us() - s->last_us > KEEPALIVE_US)
			sbuf_adds(&s->pend, ": keepalive\n\n");
		if (s->pend.len == 0)
			return 0;
	}
	n = s->pend.len - s->off;
	if (n > max)
		n = max;
	memcpy(buf, s->pend.ptr + s->off, n);
	s->off += n;
	s->last_us = mono_us();
	return (ssize_t)n;
}

void
node_events_close(struct node_sub *s)
{
	struct node_net *nn;

	if (s == NULL)
		return;
	nn = NN(s->n);
	pthread_mutex_lock(&nn->smu);
	for (struct node_sub **pp = &nn->subs; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			nn->nsubs--;
			break;
		}
	pthread_mutex_unlock(&nn->smu);
	sbuf_free(&s->pend);
	free(s);
}

void
node_events_shutdown(struct node *n)
{
	struct node_net *nn = NN(n);

	pthread_mutex_lock(&nn->smu);
	nn->closing = true;
	for (struct node_sub *s = nn->subs; s; s = s->next) {
		s->closing = true;
		s->notify(s->nctx);
	}
	pthread_mutex_unlock(&nn->smu);
	/* Let the server's threads end the streams (bounded wait). */
	for (int i = 0; i < 200; i++) {
		size_t left;
		struct timespec ts = { 0, 10 * 1000000L };
		pthread_mutex_lock(&nn->smu);
		left = nn->nsubs;
		pthread_mutex_unlock(&nn->smu);
		if (left == 0)
			break;
		nanosleep(&ts, NULL);
	}
}

/* ---- for the exporters (formats: GET /api/v1/export/stix?network=ID) ---- */

int
node_network_members(struct node *n, const struct principal *p, const char *id, json_t **ids_out,
    struct err *e)
{
	json_t *o = NULL;
	int rc;

	*ids_out = NULL;
	if (refresh(NN(n), e) == -1)
		return -1;
	if ((rc = net_get(NN(n)->idx, p, id, &o)) == -1) {
		err_set(e, 500, "", "could not compute the network");
		return -1;
	}
	if (rc == 1)
		return 1;
	*ids_out = json_incref(json_object_get(o, "report_ids"));
	if (*ids_out == NULL)
		*ids_out = json_array();
	json_decref(o);
	return 0;
}

bool
node_key_links(struct node *n, const char *key)
{
	char why[96];

	return net_key_status(NN(n)->idx, key, why, sizeof(why)) == 1;
}

int
node_net_metrics(struct node *n, struct sbuf *b)
{
	struct node_net *nn = NN(n);
	struct net_stats ns;
	size_t subs;
	int rc = 0;

	if (nn == NULL)
		return 0;
	struct node_net_status st;

	memset(&ns, 0, sizeof(ns));
	if (nn->loaded)
		net_stats(nn->idx, &ns);
	node_networks_status(n, &st);
	pthread_mutex_lock(&nn->smu);
	subs = nn->nsubs;
	pthread_mutex_unlock(&nn->smu);
#define G(name, help, type, fmt, v) \
	rc |= sbuf_printf(b, "# HELP " name " " help "\n# TYPE " name " " type "\n" name " " fmt "\n", v)
	G("simpul_networks_reports", "Reports in the network index (live, including silent ones).", "gauge",
	    "%llu", (unsigned long long)ns.reports);
	G("simpul_networks_selectors", "Distinct selectors in the network index.", "gauge", "%llu",
	    (unsigned long long)ns.selectors);
	G("simpul_networks_components", "Connected components of live non-silent reports.", "gauge", "%llu",
	    (unsigned long long)ns.components);
	G("simpul_networks_largest", "Reports in the largest component.", "gauge", "%llu",
	    (unsigned long long)ns.largest);
	G("simpul_networks_ready_seconds", "How long the index took to be current at start.", "gauge", "%.3f",
	    (double)st.first_fold_us / 1e6);
	G("simpul_networks_snapshot_loaded", "1 when the index started from its snapshot.", "gauge", "%d",
	    st.snapshot_loaded ? 1 : 0);
	G("simpul_networks_snapshot_load_seconds", "Time to load the snapshot at start.", "gauge", "%.3f",
	    (double)st.snapshot_load_us / 1e6);
	G("simpul_networks_snapshots_written_total", "Snapshots of the index written.", "counter", "%lld",
	    (long long)st.snapshots_written);
	G("simpul_networks_snapshot_bytes", "Size of the last snapshot written.", "gauge", "%lld",
	    (long long)st.snapshot_bytes);
	G("simpul_networks_rules_reloads_total", "Generic-value rule changes by another process applied.",
	    "counter", "%lld", (long long)st.rules_reloads);
	G("simpul_event_streams", "Open event streams (GET /api/v1/events).", "gauge", "%zu", subs);
	G("simpul_webhook_deliveries_total", "Webhook deliveries acknowledged by a receiver.", "counter", "%lld",
	    (long long)nn->wh_ok);
	G("simpul_webhook_failures_total", "Webhook tries that failed (each is retried with backoff).", "counter",
	    "%lld", (long long)nn->wh_fail);
	G("simpul_webhook_dead_letters_total", "Webhook deliveries given up and dead-lettered.", "counter", "%lld",
	    (long long)nn->wh_dead);
#undef G
	return rc ? -1 : 0;
}
