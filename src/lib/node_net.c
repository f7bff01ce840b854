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
#include "policy.h"
#include "simpul_limits.h"
#include "store.h"
#include "store_net.h"
#include "warninglist.h"

#define REFRESH_BATCH  2000
#define KEEPALIVE_US   (15 * 1000000LL)

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
	fc->last = r->seq;
	return 0;
}

static int
override_cb(void *ctx, const struct override_row *o)
{
	struct node_net *nn = ctx;

	net_override(nn->idx, o->key, strcmp(o->mode, "link") == 0 ? NET_OVR_LINK : NET_OVR_GENERIC);
	return 0;
}

static int
wl_cb(void *ctx, const char *name, const char *body, const char *principal_id, int64_t created)
{
	struct node_net *nn = ctx;
	char nm[WL_MAX_NAME + 1];
	struct err e;

	wl_add_json(nn->wl, body, strlen(body), nm, sizeof(nm), &e);
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
		/* First use: the rules, the lists, the overrides, then every report. */
		pthread_rwlock_wrlock(&nn->wl_lock);
		for (int i = 0; wl_builtin[i]; i++) {
			char nm[WL_MAX_NAME + 1];
			struct err e2;
			wl_add_json(nn->wl, wl_builtin[i], wl_builtin_len[i], nm, sizeof(nm), &e2);
		}
		store_net_wl_list(st, wl_cb, nn);
		pthread_rwlock_unlock(&nn->wl_lock);
		net_set_listed(nn->idx, listed, nn);
		rules_load(nn, st);
		store_net_overrides(st, override_cb, nn);
		nn->active = true;
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
};

static int
hook_alert_cb(void *ctx, const struct alert_row *a)
{
	struct alertvec *av = ctx;
	json_t *pl = json_loads(a->payload, 0, NULL), *o;
	char t[32], delivery[SIMPUL_ID_LEN * 2 + 2];

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
	if (store_alerts_list(st, w->agency_id, w->principal_id, w->cursor, 20, hook_alert_cb, &av) == -1)
		return;
	for (int i = 0; i < av.n; i++) {
		char why[200];
		char delivery[SIMPUL_ID_LEN * 2 + 2];

		snprintf(delivery, sizeof(delivery), "%s.%s", w->id, av.v[i].id);
		if (post(w, delivery, av.v[i].body, why, sizeof(why)) == 0) {
			hs->attempts = 0;
			hs->next_ms = 0;
			cursor = av.v[i].seq;
			delivered++;
			continue;
		}
		hs->attempts++;
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
		if ((st = node_reader(nn->n, &e)) != NULL && store_net_webhooks(st, hooks_cb, &hv) == 0)
			for (size_t i = 0; i < hv.n && !nn->stop; i++)
				hook_run(nn, &hv.v[i]);
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
	pthread_mutex_lock(&nn->wmu);
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
	pthread_rwlock_init(&nn->wl_lock, NULL);
	pthread_mutex_init(&nn->fold, NULL);
	pthread_mutex_init(&nn->mu, NULL);
	pthread_cond_init(&nn->cv, NULL);
	pthread_cond_init(&nn->whcv, NULL);
	pthread_mutex_init(&nn->wmu, NULL);
	pthread_mutex_init(&nn->smu, NULL);
	nn->wh_base_ms = env_int("SIMPUL_WEBHOOK_BASE_MS", 1000, 10, 3600000);
	nn->wh_max_ms = env_int("SIMPUL_WEBHOOK_MAX_MS", 60000, 10, 86400000);
	nn->wh_attempts = env_int("SIMPUL_WEBHOOK_ATTEMPTS", 12, 1, 1000);
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
	free(nn->watches);
	free(nn->hs);
	pthread_rwlock_destroy(&nn->wl_lock);
	pthread_mutex_destroy(&nn->fold);
	pthread_mutex_destroy(&nn->mu);
	pthread_cond_destroy(&nn->cv);
	pthread_cond_destroy(&nn->whcv);
	pthread_mutex_destroy(&nn->wmu);
	pthread_mutex_destroy(&nn->smu);
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
	d = json_pack("{s:O, s:O}", "max_reports", mx, "min_agencies", mn);
	if (rc == 0)
		rc = node_audit_write(n, c, "generic.rules", NULL, "ok", d, e);
	json_decref(d);
	if (node_write_end(n, rc, e) == -1)
		return -1;
	if (refresh(NN(n), e) == -1)
		return -1;
	net_set_rules(NN(n)->idx, (int)json_integer_value(mx), (int)json_integer_value(mn));
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
	if (refresh(NN(n), e) == -1 || node_write_begin(n, e) == -1)
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
	d = json_pack("{s:s, s:s}", "mode", mode, "reason", reason);
	if (rc == 0)
		rc = node_audit_write(n, c, "generic.override", key, "ok", d, e);
	json_decref(d);
	if (node_write_end(n, rc, e) == -1)
		return -1;
	net_override(NN(n)->idx, key, strcmp(mode, "link") == 0 ? NET_OVR_LINK :
	    strcmp(mode, "generic") == 0 ? NET_OVR_GENERIC : NET_OVR_NONE);
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
	if (refresh(nn, e) == -1 || node_write_begin(n, e) == -1) {
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	{
		char *text = strndup(body, len);
		rc = text ? store_net_wl_put(node_writer(n), name, text, c->p->id, now_ms(), e) : -1;
		free(text);
	}
	d = json_pack("{s:s, s:O}", "name", name, "entries", json_object_get(*out, "entries"));
	if (rc == 0)
		rc = node_audit_write(n, c, "warninglist.add", name, "ok", d, e);
	json_decref(d);
	if (node_write_end(n, rc, e) == -1) {
		json_decref(*out);
		*out = NULL;
		return -1;
	}
	pthread_rwlock_wrlock(&nn->wl_lock);
	rc = wl_add_json(nn->wl, body, len, name, sizeof(name), e);
	pthread_rwlock_unlock(&nn->wl_lock);
	net_set_listed(nn->idx, listed, nn);   /* every selector again: splits where needed */
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
	if (kind == NULL || (strcmp(kind, "selector") != 0 && strcmp(kind, "network") != 0)) {
		err_set(e, 400, "kind", "kind must be selector or network (persons come with the person index)");
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
	/* From now on new reports are checked against it. */
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
	int              n;
};

static int
ev_cb(void *ctx, const struct alert_row *a)
{
	struct evctx *ec = ctx;
	json_t *pl = json_loads(a->payload, 0, NULL), *o;
	char t[32], *text;

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
		struct evctx ec = { s, 0 };
		int64_t from = s->cursor;

		sbuf_reset(&s->pend);
		s->off = 0;
		if (s->closing)
			return -1;
		if (!s->hello) {
			sbuf_adds(&s->pend, "retry: 2000\n: simpul event stream\n\n");
			s->hello = true;
		}
		if ((st = node_reader(s->n, &e)) != NULL &&
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
