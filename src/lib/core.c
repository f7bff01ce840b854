/* core.c - the node service: reports, checks, alerts, tokens, import.
 *
 * Invariants:
 *  - every record read passes policy_decide(); nothing here renders a record
 *    without a decision for the asking principal;
 *  - every access appends exactly one audit entry, committed before the
 *    answer is returned (writes: in the write's own transaction; reads: by
 *    group commit);
 *  - the writer connection and the audit head are only touched with
 *    n->wlock held. */
#include "core.h"
#include "core_int.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "checkscan.h"
#include "core_int.h"
#include "keyset.h"
#include "normalise.h"
#include "policy.h"
#include "spool.h"
#include "store.h"

/* A read's audit entry (and the silent-record alerts it causes), waiting to
 * be committed by the audit committer thread. */
struct pending {
	struct pending          *next;
	char                    *prefix;   /* audit_entry_prefix(), built by the request thread */
	int64_t                  ts_ms;
	struct alert_row        *alerts;
	size_t                   nalerts;
	uint64_t                 seq;
	int                      rc;
	bool                     done;
	pthread_cond_t           cv;       /* its own: no thundering herd */

	/* A deferred entry owns its alerts' copies and is freed by the committer. */
	bool                     owned;
	struct node_defer        defer;
	char                   **payloads;
};

/* A check that touched a silent-only key: its originator is told who
 * searched, off the answer's path (see keyset.h). */
struct silentjob {
	struct silentjob *next;
	char              key[SIMPUL_MAX_KEY_LEN + 1];
	char              agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	char              principal_id[SIMPUL_ID_LEN + 1];
};

/* Authenticated tokens, for a short while: revocation through this node
 * clears the entry at once; through another process it takes TOKEN_TTL_MS. */
#define TOKCACHE     1024
#define TOKEN_TTL_MS 2000
struct tokent {
	char             id[SIMPUL_ID_LEN + 1];
	unsigned char    hash[32];
	struct principal p;
	int64_t          expires_ms, fetched_ms;
};

/* A silent posting's markings, kept in memory so that a check can tell an
 * outsider (no-hit path, same timing) from someone the record is released
 * to, without a database lookup. Silent records are few. */
#define SILENT_BUCKETS 4096
struct silentrec {
	struct silentrec *next;
	uint64_t          h;
	char              report_id[SIMPUL_ID_LEN + 1];
	char              agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	struct markings   m;
};

struct node {
	char                *db;
	int                  store_flags;
	pthread_key_t        rkey;
	pthread_mutex_t      rlock;
	struct store       **readers;
	size_t               nreaders, capreaders;

	pthread_mutex_t      wlock;
	struct store        *w;
	struct audit         audit;
	bool                 w_full;    /* the writer's commits fsync now */
	bool                 no_filter; /* NODE_NO_FILTER: keys and silent stay empty */
	bool                 bulk;      /* NODE_BULK: the writer connection is STORE_BULK */
	int                  import_commit_ms; /* an import transaction's length */
	int64_t              tail_every_us; /* how often writes are held off to restart the WAL */
	int64_t              tail_us;       /* when they last were (background thread only) */
	int64_t              w_synced_us;

	pthread_mutex_t      qlock;
	pthread_cond_t       qcond;
	struct pending      *qhead, *qtail;
	uint64_t             qnext, qdone;
	pthread_cond_t       qwake;
	pthread_t            qthread;
	bool                 qstarted, qstop;

	/* The audit spool (spool.h; NULL: read audits commit directly). The
	 * committer appends, the ingester folds into the database; both
	 * offsets under ilock. */
	struct spool        *sp;
	pthread_mutex_t      ilock;
	pthread_cond_t       iwake, idone;
	uint64_t             sp_appended, sp_ingested;
	uint64_t             sp_gen;        /* file restarts: both offsets rewound */
	int64_t              ingested_us;   /* when the last ingest began */
	bool                 iflush, istop, istarted, ifailed;
	pthread_t            ithread;

	struct node_counters ctr;

	struct keyset       *keys;
	pthread_rwlock_t     silent_lock;  /* the markings of silent postings, by key */
	struct silentrec   **silent;       /* SILENT_BUCKETS chains */
	int64_t              keys_rid;     /* last report row folded into keys */
	pthread_mutex_t      keys_lock;

	pthread_mutex_t      tclock;
	struct tokent       *tokens;       /* TOKCACHE entries */

	pthread_t            bg;
	bool                 bg_started, bg_stop;
	pthread_mutex_t      bglock;
	pthread_cond_t       bgcond;
	struct silentjob    *jobs;
	size_t               njobs;

	void                *persons;       /* persons.c's state (core_int.h) */
	void               (*persons_free)(void *);
	struct node_net     *net;       /* networks, watchlists, delivery (node_net.c) */
	void                *ext[NODE_EXT__N];          /* feature modules' state (node_ext) */
	void               (*ext_free[NODE_EXT__N])(void *);
};

static int keys_refresh(struct node *n, struct store *st);
static int alert_put(struct store *st, const char *agency_id, const char *kind, json_t *payload, struct err *e);
static void *background(void *arg);
static void *committer(void *arg);
static void *ingester(void *arg);
static int spool_recover(struct node *n, struct err *e);
static void pending_free(struct pending *pd);

static const char *
nz(const char *s)
{
	return s ? s : "";
}

bool
json_depth_ok(const json_t *j, int max)
{
	const char *k;
	json_t *v;
	size_t i;

	if (max < 0)
		return false;
	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, k, v)
			if (!json_depth_ok(v, max - 1))
				return false;
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (!json_depth_ok(v, max - 1))
				return false;
	}
	return true;
}

/* ---- connections ------------------------------------------------------- */

static struct store *
reader(struct node *n, struct err *e)
{
	struct store *st = pthread_getspecific(n->rkey);

	if (st)
		return st;
	if (store_open(n->db, n->store_flags & STORE_SYNC_NORMAL, &st, e) == -1)
		return NULL;
	pthread_mutex_lock(&n->rlock);
	if (n->nreaders == n->capreaders) {
		size_t nc = n->capreaders ? n->capreaders * 2 : 16;
		struct store **p = realloc(n->readers, nc * sizeof(*p));
		if (p == NULL) {
			pthread_mutex_unlock(&n->rlock);
			store_close(st);
			err_set(e, 500, "", "out of memory");
			return NULL;
		}
		n->readers = p;
		n->capreaders = nc;
	}
	n->readers[n->nreaders++] = st;
	pthread_mutex_unlock(&n->rlock);
	pthread_setspecific(n->rkey, st);
	return st;
}

int
node_open(const char *db, int flags, struct node **out, struct err *e)
{
	struct node *n;
	int sflags = 0;

	*out = NULL;
	if ((n = calloc(1, sizeof(*n))) == NULL || (n->db = strdup(db)) == NULL) {
		free(n);
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	if (flags & NODE_CREATE)
		sflags |= STORE_CREATE;
	if (flags & NODE_SYNC_FAST)
		sflags |= STORE_SYNC_NORMAL;
	n->store_flags = sflags;
	n->no_filter = (flags & NODE_NO_FILTER) != 0;
	n->bulk = (flags & NODE_BULK) != 0;
	n->import_commit_ms = 1000;
	/* The checkpoint tail holds writes (and so read audits, and so every
	 * answer waiting on one) for a few ms: how often is a trade between
	 * the p99 of a check and how long the WAL grows (SIMPUL_CHECKPOINT_TAIL_MS
	 * overrides the second, for measurements: docs/performance.md). */
	{
		const char *v = getenv("SIMPUL_CHECKPOINT_TAIL_MS");
		long ms = v ? strtol(v, NULL, 10) : 0;
		n->tail_every_us = (ms >= 100 && ms <= 600000 ? ms : 1000) * 1000LL;
	}
	pthread_key_create(&n->rkey, NULL);
	pthread_mutex_init(&n->rlock, NULL);
	pthread_mutex_init(&n->wlock, NULL);
	pthread_mutex_init(&n->qlock, NULL);
	pthread_cond_init(&n->qcond, NULL);
	pthread_cond_init(&n->qwake, NULL);
	pthread_mutex_init(&n->ilock, NULL);
	pthread_cond_init(&n->iwake, NULL);
	pthread_cond_init(&n->idone, NULL);
	pthread_mutex_init(&n->keys_lock, NULL);
	pthread_mutex_init(&n->tclock, NULL);
	pthread_mutex_init(&n->bglock, NULL);
	pthread_cond_init(&n->bgcond, NULL);
	pthread_rwlock_init(&n->silent_lock, NULL);
	if ((n->keys = keyset_new()) == NULL ||
	    (n->silent = calloc(SILENT_BUCKETS, sizeof(*n->silent))) == NULL ||
	    (n->tokens = calloc(TOKCACHE, sizeof(*n->tokens))) == NULL) {
		err_set(e, 500, "", "out of memory");
		goto fail;
	}
	if (sodium_init() < 0) {
		err_set(e, 500, "", "libsodium failed to initialise");
		goto fail;
	}
	if (normalise_init() == -1) {
		err_set(e, 500, "", "selector normalisation failed to initialise (public suffix list?)");
		goto fail;
	}
	/* The writer never checkpoints inline (a checkpoint under the write
	 * lock stalled every queued answer): the background thread does,
	 * on its own connection, beside the writer. */
	if (store_open(db, sflags | STORE_NO_AUTOCHECKPOINT | (n->bulk ? STORE_BULK : 0), &n->w, e) == -1)
		goto fail;
	if (audit_load(&n->audit, n->w, e) == -1)
		goto fail;
	n->w_full = !(sflags & STORE_SYNC_NORMAL);
	/* Whatever a stopped daemon left in the audit spool is chained now,
	 * before this process writes anything; only the daemon keeps it. */
	{
		struct spool *sp = NULL;
		int r = spool_open(db, (flags & NODE_SPOOL) != 0, &sp, e);

		if (r == -1)
			goto fail;
		if (r == 0) {
			n->sp = sp;
			if (spool_recover(n, e) == -1)
				goto fail;
			if (flags & NODE_SPOOL) {
				n->sp_appended = n->sp_ingested = spool_end(sp);
			} else {
				spool_close(sp);
				n->sp = NULL;
			}
		}
	}
	if (keys_refresh(n, n->w) == -1) {
		err_set(e, 500, "", "could not load the selector keys");
		goto fail;
	}
	if (pthread_create(&n->bg, NULL, background, n) != 0) {
		err_set(e, 500, "", "could not start the background thread");
		goto fail;
	}
	n->bg_started = true;
	if (pthread_create(&n->qthread, NULL, committer, n) != 0) {
		err_set(e, 500, "", "could not start the audit committer");
		goto fail;
	}
	n->qstarted = true;
	if (n->sp != NULL) {
		if (pthread_create(&n->ithread, NULL, ingester, n) != 0) {
			err_set(e, 500, "", "could not start the audit ingester");
			goto fail;
		}
		n->istarted = true;
	}
	if (node_net_open(n, e) == -1)
		goto fail;
	*out = n;
	return 0;
fail:
	node_close(n);
	return -1;
}

void
node_close(struct node *n)
{
	if (n == NULL)
		return;
	node_net_close(n);
	if (n->qstarted) {
		pthread_mutex_lock(&n->qlock);
		n->qstop = true;
		pthread_cond_signal(&n->qwake);
		pthread_mutex_unlock(&n->qlock);
		pthread_join(n->qthread, NULL);
	}
	/* Then everything spooled goes into the database (what cannot is
	 * left in the spool for the next open). */
	if (n->istarted) {
		pthread_mutex_lock(&n->ilock);
		n->istop = true;
		pthread_cond_signal(&n->iwake);
		pthread_mutex_unlock(&n->ilock);
		pthread_join(n->ithread, NULL);
	}
	if (n->bg_started) {
		pthread_mutex_lock(&n->bglock);
		n->bg_stop = true;
		pthread_cond_signal(&n->bgcond);
		pthread_mutex_unlock(&n->bglock);
		pthread_join(n->bg, NULL);
	}
	if (n->sp != NULL) {
		struct err e;

		if (n->istarted && !n->ifailed && n->sp_ingested == n->sp_appended)
			spool_restart(n->sp, &e);
		else
			spool_sync(n->sp);
		spool_close(n->sp);
		n->sp = NULL;
	}
	if (n->persons && n->persons_free)
		n->persons_free(n->persons);
	while (n->jobs) {
		struct silentjob *j = n->jobs;
		n->jobs = j->next;
		free(j);
	}
	for (int i = 0; i < NODE_EXT__N; i++)
		if (n->ext[i] && n->ext_free[i])
			n->ext_free[i](n->ext[i]);
	keyset_free(n->keys);
	for (size_t i = 0; n->silent && i < SILENT_BUCKETS; i++)
		while (n->silent[i]) {
			struct silentrec *sr = n->silent[i];
			n->silent[i] = sr->next;
			free(sr);
		}
	free(n->silent);
	pthread_rwlock_destroy(&n->silent_lock);
	free(n->tokens);
	pthread_mutex_destroy(&n->keys_lock);
	pthread_mutex_destroy(&n->tclock);
	pthread_mutex_destroy(&n->bglock);
	pthread_cond_destroy(&n->bgcond);
	for (size_t i = 0; i < n->nreaders; i++)
		store_close(n->readers[i]);
	free(n->readers);
	store_close(n->w);
	node_net_free(n);
	pthread_key_delete(n->rkey);
	pthread_mutex_destroy(&n->rlock);
	pthread_mutex_destroy(&n->wlock);
	pthread_mutex_destroy(&n->ilock);
	pthread_cond_destroy(&n->iwake);
	pthread_cond_destroy(&n->idone);
	pthread_mutex_destroy(&n->qlock);
	pthread_cond_destroy(&n->qcond);
	pthread_cond_destroy(&n->qwake);
	free(n->db);
	free(n);
}

struct node_counters *
node_counters(struct node *n)
{
	return &n->ctr;
}

/* ---- group commit of read audits ---------------------------------------- */

static int
commit_batch(struct node *n, struct pending *batch)
{
	struct err e;
	struct pending *pd;
	int64_t t0 = mono_us();
	int rc = -1;

	pthread_mutex_lock(&n->wlock);
	/* Read audits commit to the WAL (they survive a crash of the daemon)
	 * and reach the disk within a second: at the next durable write or at
	 * the background thread's checkpoint. Writes themselves are durable. */
	if (n->w_full && store_set_durable(n->w, false) == 0)
		n->w_full = false;
	if (store_begin(n->w, &e) == -1)
		goto out;
	/* Another process (the CLI) may have appended since: the head is read
	 * again under the write lock, so the chain never forks. */
	if (audit_load(&n->audit, n->w, &e) == -1)
		goto rollback;
	for (pd = batch; pd; pd = pd->next) {
		if (audit_append_prefix(&n->audit, n->w, pd->prefix, pd->ts_ms, &e) == -1)
			goto rollback;
		for (size_t i = 0; i < pd->nalerts; i++)
			if (store_alert_put(n->w, &pd->alerts[i], &e) == -1)
				goto rollback;
	}
	if (store_commit(n->w, &e) == -1)
		goto rollback;
	rc = 0;
	goto out;
rollback:
	store_rollback(n->w);
	audit_load(&n->audit, n->w, &e);
out:
	pthread_mutex_unlock(&n->wlock);
	if (rc == 0)
		atomic_fetch_add(&n->ctr.audit_batches, 1);
	atomic_fetch_add(&n->ctr.audit_commit_us, mono_us() - t0);
	return rc;
}

/* ---- the audit spool (spool.h) ------------------------------------------ */

/* Every SPOOL_INGEST_US at most the ingester folds the spool into the
 * database in one transaction (at once after a quiet spell, and whenever
 * someone in this process is about to read the trail or an inbox): under
 * load the database changes a hundred times a second, not once per batch of
 * answers, so the readers' page caches survive between ingests. */
#define SPOOL_INGEST_US   10000
#define SPOOL_INGEST_MAX  (16u * 1024u * 1024u)  /* bytes per transaction */
#define SPOOL_RESTART_AT  (64u * 1024u * 1024u)  /* start the file over past this */

/* Append one entry (a request thread, in the daemon): the answer may leave
 * when this returns 0. */
static int
spool_put(struct node *n, const struct spool_entry *en)
{
	struct sbuf b = { 0 };
	struct err e;
	int64_t t0 = mono_us();
	int rc;

	sbuf_init(&b, (size_t)1 << 30);
	if ((rc = spool_encode(&b, en, 1)) == 0) {
		pthread_mutex_lock(&n->ilock);
		if ((rc = spool_append(n->sp, b.ptr, b.len, &e)) == 0) {
			n->sp_appended = spool_end(n->sp);
			pthread_cond_signal(&n->iwake);
		}
		pthread_mutex_unlock(&n->ilock);
	}
	sbuf_free(&b);
	if (rc == 0)
		atomic_fetch_add(&n->ctr.audit_batches, 1);
	atomic_fetch_add(&n->ctr.audit_commit_us, mono_us() - t0);
	return rc;
}

static int
ingest_cb(void *ctx, const struct spool_entry *en)
{
	struct node *n = ctx;
	struct err e;

	if (audit_append_prefix(&n->audit, n->w, en->prefix, en->ts_ms, &e) == -1)
		return -1;
	for (size_t i = 0; i < en->nalerts; i++)
		if (store_alert_put(n->w, &en->alerts[i], &e) == -1)
			return -1;
	return 0;
}

/* Fold the spool's records in [from, to) into the chain, and note how far
 * in the same transaction. *done: the offset reached (whole records only:
 * at recovery a torn tail is left behind). */
static int
spool_ingest(struct node *n, uint64_t from, uint64_t to, uint64_t *done, struct err *e)
{
	char *buf = NULL;
	int64_t used;
	int rc = -1;

	*done = from;
	if (to - from > SPOOL_INGEST_MAX)
		to = from + SPOOL_INGEST_MAX;
	if (spool_read(n->sp, from, to, &buf, e) == -1)
		return -1;
	pthread_mutex_lock(&n->wlock);
	if (n->w_full && store_set_durable(n->w, false) == 0)
		n->w_full = false;
	if (store_begin(n->w, e) == -1)
		goto out;
	if (audit_load(&n->audit, n->w, e) == -1)
		goto rollback;
	if ((used = spool_decode(buf, (size_t)(to - from), ingest_cb, n)) < 0) {
		err_set(e, 500, "audit", "the audit spool could not be ingested");
		goto rollback;
	}
	if (spool_note_ingested(n->sp, n->w, from + (uint64_t)used, e) == -1 ||
	    store_commit(n->w, e) == -1)
		goto rollback;
	*done = from + (uint64_t)used;
	rc = 0;
	goto out;
rollback:
	store_rollback(n->w);
	audit_load(&n->audit, n->w, e);
out:
	pthread_mutex_unlock(&n->wlock);
	free(buf);
	return rc;
}

/* At open, before anything else writes: what a daemon that stopped
 * without ingesting left in the spool goes into the chain now. */
static int
spool_recover(struct node *n, struct err *e)
{
	uint64_t from = spool_resume_at(n->sp, n->w), to = spool_end(n->sp), done;

	while (from < to) {
		if (spool_ingest(n, from, to, &done, e) == -1)
			return -1;
		if (done == from)
			break;          /* a torn or damaged tail: never answered */
		from = done;
	}
	/* A write cut by a crash leaves a torn last record, never answered;
	 * anything else unreadable is kept aside, not destroyed. */
	if (from < to && spool_keep_damaged(n->sp, from, e) == -1)
		return -1;
	return spool_restart(n->sp, e);
}

static void *
ingester(void *arg)
{
	struct node *n = arg;
	struct err e;

	pthread_mutex_lock(&n->ilock);
	for (;;) {
		uint64_t from, to, done;
		int64_t wait_us;
		int rc;

		while (n->sp_ingested == n->sp_appended && !n->istop)
			pthread_cond_wait(&n->iwake, &n->ilock);
		if (n->sp_ingested == n->sp_appended && n->istop)
			break;
		wait_us = n->ingested_us + (n->ifailed ? 100000 : SPOOL_INGEST_US) - mono_us();
		if (wait_us > 0 && !n->iflush && !n->istop) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_sec += wait_us / 1000000;
			ts.tv_nsec += (wait_us % 1000000) * 1000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&n->iwake, &n->ilock, &ts);
			continue;
		}
		from = n->sp_ingested;
		to = n->sp_appended;
		n->iflush = false;
		n->ingested_us = mono_us();
		pthread_mutex_unlock(&n->ilock);
		rc = spool_ingest(n, from, to, &done, &e);
		pthread_mutex_lock(&n->ilock);
		n->ifailed = rc == -1 || done == from;
		if (!n->ifailed)
			n->sp_ingested = done;
		else if (n->istop)
			break;          /* left in the spool: the next open ingests it */
		if (n->sp_ingested == n->sp_appended && n->sp_appended > SPOOL_RESTART_AT &&
		    spool_restart(n->sp, &e) == 0) {
			n->sp_ingested = n->sp_appended = spool_end(n->sp);
			n->sp_gen++;
		}
		pthread_cond_broadcast(&n->idone);
	}
	pthread_cond_broadcast(&n->idone);
	pthread_mutex_unlock(&n->ilock);
	return NULL;
}

int
node_audit_flush(struct node *n, struct err *e)
{
	uint64_t target, gen;
	int rc = 0;

	if (n->sp == NULL)
		return 0;
	pthread_mutex_lock(&n->ilock);
	target = n->sp_appended;
	gen = n->sp_gen;
	/* A restart (sp_gen) came after everything before it was ingested. */
	while (n->sp_ingested < target && n->sp_gen == gen && n->istarted && !n->istop) {
		n->iflush = true;
		pthread_cond_signal(&n->iwake);
		pthread_cond_wait(&n->idone, &n->ilock);
		if (n->ifailed) {
			rc = -1;
			break;
		}
	}
	pthread_mutex_unlock(&n->ilock);
	if (rc == -1)
		err_set(e, 503, "", "the audit trail is being written; try again in a moment");
	return rc;
}

/* The audit committer: takes every pending read audit entry, lingers a
 * moment when there are few so that batches grow under load, and commits
 * them in one transaction. Readers wait on qcond until their seq is done. */
#define LINGER_US     200
#define LINGER_ENOUGH 32

static void *
committer(void *arg)
{
	struct node *n = arg;

	pthread_mutex_lock(&n->qlock);
	for (;;) {
		struct pending *batch, *pd;
		uint64_t last;
		int rc;

		while (n->qhead == NULL && !n->qstop)
			pthread_cond_wait(&n->qwake, &n->qlock);
		if (n->qhead == NULL && n->qstop)
			break;
		if (n->qtail->seq - n->qdone < LINGER_ENOUGH && !n->qstop) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += LINGER_US * 1000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&n->qwake, &n->qlock, &ts);
		}
		batch = n->qhead;
		last = n->qtail->seq;
		n->qhead = n->qtail = NULL;
		pthread_mutex_unlock(&n->qlock);
		rc = commit_batch(n, batch);   /* never a spool node's: see commit_read */
		pthread_mutex_lock(&n->qlock);
		/* Waiters return only after taking qlock, which is held here, so
		 * every pd stays valid through this loop. Deferred entries are
		 * ours: collected, then answered outside the lock. */
		n->qdone = last;
		struct pending *owned = NULL, *next;
		for (pd = batch; pd; pd = next) {
			next = pd->next;
			pd->rc = rc;
			if (pd->owned) {
				pd->next = owned;
				owned = pd;
				continue;
			}
			pd->done = true;
			pthread_cond_signal(&pd->cv);
		}
		if (owned) {
			pthread_mutex_unlock(&n->qlock);
			for (pd = owned; pd; pd = next) {
				next = pd->next;
				if (rc == 0)
					atomic_fetch_add(&n->ctr.audit_entries, 1);
				pd->defer.done(pd->defer.ctx, rc);
				pending_free(pd);
			}
			pthread_mutex_lock(&n->qlock);
		}
	}
	pthread_mutex_unlock(&n->qlock);
	return NULL;
}

static void
pending_free(struct pending *pd)
{
	free(pd->prefix);
	for (size_t i = 0; i < pd->nalerts; i++)
		free(pd->payloads ? pd->payloads[i] : NULL);
	free(pd->payloads);
	free(pd->alerts);
	free(pd);
}

/* A heap copy of a read's alerts, for deferral (takes the prefix). */
static struct pending *
pending_own(char *prefix, const struct alert_row *alerts, size_t nalerts)
{
	struct pending *pd = calloc(1, sizeof(*pd));
	bool oom = false;

	if (pd == NULL)
		return NULL;
	pd->owned = true;
	pd->prefix = prefix;
	if (nalerts) {
		pd->alerts = calloc(nalerts, sizeof(*pd->alerts));
		pd->payloads = calloc(nalerts, sizeof(char *));
		if (pd->alerts == NULL || pd->payloads == NULL)
			oom = true;
		for (size_t i = 0; !oom && i < nalerts; i++) {
			pd->alerts[i] = alerts[i];
			if ((pd->payloads[i] = strdup(alerts[i].payload)) == NULL)
				oom = true;
			pd->alerts[i].payload = pd->payloads[i];
			pd->nalerts = i + 1;
		}
	}
	if (oom) {
		pd->prefix = NULL;
		pending_free(pd);
		return NULL;
	}
	return pd;
}

static void
enqueue(struct node *n, struct pending *pd)
{
	pd->seq = ++n->qnext;
	if (n->qtail)
		n->qtail->next = pd;
	else
		n->qhead = pd;
	n->qtail = pd;
	if (pd->seq - n->qdone == 1 || pd->seq - n->qdone >= LINGER_ENOUGH)
		pthread_cond_signal(&n->qwake);
}

/* Append a read's audit entry. Waits until it is committed, unless the
 * request can be deferred (see struct node_defer). */
static int
commit_read(struct node *n, const struct reqctx *c, const struct audit_event *ev,
    struct alert_row *alerts, size_t nalerts)
{
	struct pending me = { .alerts = alerts, .nalerts = nalerts, .rc = -1 };
	struct err e;
	char *prefix;

	if ((prefix = audit_entry_prefix(ev, &e)) == NULL)
		return -1;
	if (n->sp != NULL) {
		/* The daemon: one write to the spool, on this thread. It costs
		 * less than handing the entry to the committer and suspending
		 * and resuming the connection around it. */
		struct spool_entry en = { .ts_ms = now_ms(), .prefix = prefix,
		    .prefix_len = strlen(prefix), .alerts = alerts, .nalerts = nalerts };
		int rc = spool_put(n, &en);

		free(prefix);
		if (rc == 0)
			atomic_fetch_add(&n->ctr.audit_entries, 1);
		return rc;
	}
	if (c && c->defer && !c->defer->used) {
		struct pending *pd = pending_own(prefix, alerts, nalerts);
		if (pd != NULL) {
			pd->ts_ms = now_ms();
			pd->defer = *c->defer;
			c->defer->used = true;
			pthread_mutex_lock(&n->qlock);
			enqueue(n, pd);
			pthread_mutex_unlock(&n->qlock);
			return 0;
		}
	}
	me.prefix = prefix;
	me.ts_ms = now_ms();
	pthread_cond_init(&me.cv, NULL);
	pthread_mutex_lock(&n->qlock);
	enqueue(n, &me);
	while (!me.done)
		pthread_cond_wait(&me.cv, &n->qlock);
	pthread_mutex_unlock(&n->qlock);
	pthread_cond_destroy(&me.cv);
	free(prefix);
	if (me.rc == 0)
		atomic_fetch_add(&n->ctr.audit_entries, 1);
	return me.rc;
}

static void
event_init(struct audit_event *ev, const struct reqctx *c, const char *action,
    const char *object, const char *outcome, json_t *detail)
{
	memset(ev, 0, sizeof(*ev));
	ev->who = c ? c->p : NULL;
	ev->action = action;
	ev->purpose = c ? c->purpose : NULL;
	ev->case_ref = c ? c->case_ref : NULL;
	ev->object = object;
	ev->outcome = outcome;
	ev->detail = detail;
}

void
node_audit_refusal(struct node *n, const struct reqctx *c, const char *action,
    const char *object, int status, const char *why)
{
	struct audit_event ev;
	char outcome[16];
	json_t *d = json_pack("{s:i, s:s}", "status", status, "reason", nz(why));

	if (c && c->client)
		json_object_set_new(d, "client", json_string(c->client));
	snprintf(outcome, sizeof(outcome), "refused:%d", status);
	event_init(&ev, c, action, object, outcome, d);
	commit_read(n, c, &ev, NULL, 0);
	json_decref(d);
	atomic_fetch_add(&n->ctr.refusals, 1);
}

/* ---- tokens ------------------------------------------------------------- */

#define TOKEN_PREFIX "spl_"
#define SECRET_B64_LEN 43  /* 32 bytes, base64url without padding */

static void
token_hash(const char *secret, size_t n, unsigned char out[32])
{
	crypto_generichash(out, 32, (const unsigned char *)secret, n, NULL, 0);
}

static int token_mint_until(struct store *st, const char *principal_id, const char *label,
    int64_t expires_ms, char *token_out, size_t toksz, struct err *e);

static int
token_mint(struct store *st, const char *principal_id, const char *label,
    char *token_out, size_t toksz, struct err *e)
{
	return token_mint_until(st, principal_id, label, 0, token_out, toksz, e);
}

/* expires_ms 0: never (API tokens); web sessions expire. */
static int
token_mint_until(struct store *st, const char *principal_id, const char *label,
    int64_t expires_ms, char *token_out, size_t toksz, struct err *e)
{
	struct token_row t;
	unsigned char secret[SIMPUL_TOKEN_BYTES];
	char b64[64];

	memset(&t, 0, sizeof(t));
	id_new(t.id);
	str_copy(t.principal_id, sizeof(t.principal_id), principal_id);
	str_copy(t.label, sizeof(t.label), nz(label));
	t.created_ms = now_ms();
	t.expires_ms = expires_ms;
	randombytes_buf(secret, sizeof(secret));
	sodium_bin2base64(b64, sizeof(b64), secret, sizeof(secret),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(secret, sizeof(secret));
	token_hash(b64, strlen(b64), t.hash);
	if (snprintf(token_out, toksz, TOKEN_PREFIX "%s_%s", t.id, b64) >= (int)toksz) {
		err_set(e, 500, "", "token buffer too small");
		return -1;
	}
	sodium_memzero(b64, sizeof(b64));
	return store_token_put(st, &t, e);
}

int
node_authenticate(struct node *n, const char *token, struct principal *p, struct err *e)
{
	struct token_row t;
	struct tokent *te;
	unsigned char h[32];
	char tid[SIMPUL_ID_LEN + 1];
	const char *secret;
	struct store *st;
	size_t plen = strlen(TOKEN_PREFIX);
	int64_t now = now_ms();
	bool cached = false;

	if (token == NULL || strlen(token) != plen + SIMPUL_ID_LEN + 1 + SECRET_B64_LEN ||
	    strncmp(token, TOKEN_PREFIX, plen) != 0 || token[plen + SIMPUL_ID_LEN] != '_') {
		err_set(e, 401, "Authorization", "a Bearer token from `simpul token create` is required");
		goto fail;
	}
	memcpy(tid, token + plen, SIMPUL_ID_LEN);
	tid[SIMPUL_ID_LEN] = '\0';
	secret = token + plen + SIMPUL_ID_LEN + 1;
	token_hash(secret, SECRET_B64_LEN, h);

	te = &n->tokens[keyset_hash(tid, SIMPUL_ID_LEN) & (TOKCACHE - 1)];
	pthread_mutex_lock(&n->tclock);
	if (strcmp(te->id, tid) == 0 && now - te->fetched_ms < TOKEN_TTL_MS) {
		memcpy(t.hash, te->hash, 32);
		t.expires_ms = te->expires_ms;
		t.revoked_ms = 0;
		*p = te->p;
		cached = true;
	}
	pthread_mutex_unlock(&n->tclock);
	if (!cached) {
		if ((st = reader(n, e)) == NULL)
			return -1;
		if (store_token_get(st, tid, &t, p) != 0) {
			err_set(e, 401, "Authorization", "the token is unknown, revoked or expired");
			goto fail;
		}
	}
	if (sodium_memcmp(h, t.hash, 32) != 0 || t.revoked_ms != 0 ||
	    (t.expires_ms != 0 && t.expires_ms < now)) {
		err_set(e, 401, "Authorization", "the token is unknown, revoked or expired");
		goto fail;
	}
	if (!cached) {
		pthread_mutex_lock(&n->tclock);
		str_copy(te->id, sizeof(te->id), tid);
		memcpy(te->hash, t.hash, 32);
		te->p = *p;
		te->expires_ms = t.expires_ms;
		te->fetched_ms = now;
		pthread_mutex_unlock(&n->tclock);
	}
	return 0;
fail:
	atomic_fetch_add(&n->ctr.auth_failures, 1);
	return -1;
}

static void
token_uncache(struct node *n, const char *tid)
{
	struct tokent *te = &n->tokens[keyset_hash(tid, strlen(tid)) & (TOKCACHE - 1)];

	pthread_mutex_lock(&n->tclock);
	if (strcmp(te->id, tid) == 0)
		memset(te, 0, sizeof(*te));
	pthread_mutex_unlock(&n->tclock);
}

/* ---- administration ----------------------------------------------------- */

static int
write_begin(struct node *n, struct err *e)
{
	pthread_mutex_lock(&n->wlock);
	if (!n->w_full && !(n->store_flags & STORE_SYNC_NORMAL) && store_set_durable(n->w, true) == 0)
		n->w_full = true;
	if (store_begin(n->w, e) == -1) {
		pthread_mutex_unlock(&n->wlock);
		return -1;
	}
	if (audit_load(&n->audit, n->w, e) == -1 || keys_refresh(n, n->w) == -1) {
		if (e->status == 0)
			err_set(e, 500, "", "could not read the selector keys");
		store_rollback(n->w);
		pthread_mutex_unlock(&n->wlock);
		return -1;
	}
	return 0;
}

static int
write_end(struct node *n, int rc, struct err *e)
{
	struct err e2;

	if (rc == 0 && store_commit(n->w, e) == -1)
		rc = -1;
	if (rc != 0) {
		store_rollback(n->w);
		audit_load(&n->audit, n->w, &e2);
	}
	pthread_mutex_unlock(&n->wlock);
	if (rc == 0)
		node_net_kick(n);   /* networks, watchlists, SSE and webhooks */
	return rc;
}

static bool
is_admin(const struct reqctx *c)
{
	return c == NULL || (c->p && c->p->role == ROLE_ADMIN);
}

int
node_init(struct node *n, const char *admin_agency, const char *country,
    char *token_out, size_t toksz, struct err *e)
{
	struct agency a;
	struct principal p;
	struct audit_event ev;
	char existing[8];
	int rc = -1;

	memset(&a, 0, sizeof(a));
	str_copy(a.id, sizeof(a.id), admin_agency ? admin_agency : "NODE-ADMIN");
	str_copy(a.country, sizeof(a.country), country ? country : "ZZ");
	a.kind = AK_REGULATOR;
	str_copy(a.name, sizeof(a.name), "Node administration");
	if (!agency_id_valid(a.id) || !country_valid(a.country)) {
		err_set(e, 400, "agency", "invalid administering agency id or country");
		return -1;
	}
	if (write_begin(n, e) == -1)
		return -1;
	if (store_meta_get(n->w, "initialised", existing, sizeof(existing)) == 0) {
		err_set(e, 409, "db", "this database is already initialised; create tokens with `simpul token create`");
		goto out;
	}
	if (store_agency_put(n->w, &a, e) == -1)
		goto out;
	memset(&p, 0, sizeof(p));
	id_new(p.id);
	p.agency = a;
	p.role = ROLE_ADMIN;
	str_copy(p.name, sizeof(p.name), "admin");
	if (store_principal_put(n->w, &p, e) == -1 ||
	    token_mint(n->w, p.id, "initial admin token", token_out, toksz, e) == -1 ||
	    store_meta_put(n->w, "initialised", "1", e) == -1)
		goto out;
	event_init(&ev, NULL, "node.init", a.id, "ok", NULL);
	rc = audit_append(&n->audit, n->w, &ev, now_ms(), e);
out:
	return write_end(n, rc, e);
}

int
node_agency_add(struct node *n, const struct reqctx *c, const struct agency *a, struct err *e)
{
	struct audit_event ev;
	int rc;

	if (!is_admin(c)) {
		err_set(e, 403, "", "only an admin may add agencies");
		return -1;
	}
	if (!agency_id_valid(a->id)) {
		err_set(e, 400, "id", "agency id must be 3-64 characters of A-Z a-z 0-9 . _ - (two letters are country codes)");
		return -1;
	}
	if (!country_valid(a->country)) {
		err_set(e, 400, "country", "country must be an ISO 3166-1 alpha-2 code such as MY");
		return -1;
	}
	if ((unsigned)a->kind >= AK__N) {
		err_set(e, 400, "kind", "unknown agency kind");
		return -1;
	}
	if (write_begin(n, e) == -1)
		return -1;
	rc = store_agency_put(n->w, a, e);
	if (rc == 0) {
		json_t *d = json_pack("{s:s, s:s}", "country", a->country, "kind", agency_kind_name(a->kind));
		event_init(&ev, c, "agency.add", a->id, "ok", d);
		rc = audit_append(&n->audit, n->w, &ev, now_ms(), e);
		json_decref(d);
	}
	return write_end(n, rc, e);
}

int
node_agency_get(struct node *n, const char *id, struct agency *a)
{
	struct err e;
	struct store *st = reader(n, &e);

	return st ? store_agency_get(st, id, a) : -1;
}

int
node_token_create(struct node *n, const struct reqctx *c, const char *agency_id,
    const char *role, const char *name, char *token_out, size_t toksz,
    struct principal *pout, struct err *e)
{
	struct principal p;
	struct audit_event ev;
	int r, rc = -1;

	if (!is_admin(c)) {
		err_set(e, 403, "", "only an admin may create tokens");
		return -1;
	}
	if ((r = role_parse(role)) < 0) {
		err_set(e, 400, "role", "role must be one of admin, analyst, investigator, supervisor, partner, auditor, public");
		return -1;
	}
	memset(&p, 0, sizeof(p));
	if (write_begin(n, e) == -1)
		return -1;
	if (store_agency_get(n->w, agency_id, &p.agency) != 0) {
		err_set(e, 404, "agency", "no agency %.64s: add it first with `simpul agency add`", agency_id);
		goto out;
	}
	if (!role_valid_for_kind((enum role)r, p.agency.kind)) {
		err_set(e, 400, "role", "role %s is not valid for a %s agency (analyst for law enforcement, partner for banks, telcos and platforms)",
		    role, agency_kind_name(p.agency.kind));
		goto out;
	}
	id_new(p.id);
	p.role = (enum role)r;
	str_copy(p.name, sizeof(p.name), name && *name ? name : role);
	if (store_principal_put(n->w, &p, e) == -1 ||
	    token_mint(n->w, p.id, name, token_out, toksz, e) == -1)
		goto out;
	{
		json_t *d = json_pack("{s:s, s:s, s:s}", "agency", p.agency.id, "role", role_name(p.role), "principal", p.id);
		event_init(&ev, c, "token.create", p.id, "ok", d);
		rc = audit_append(&n->audit, n->w, &ev, now_ms(), e);
		json_decref(d);
	}
	if (pout)
		*pout = p;
out:
	return write_end(n, rc, e);
}

int
node_token_revoke(struct node *n, const struct reqctx *c, const char *token_id, struct err *e)
{
	struct audit_event ev;
	int rc;

	if (!is_admin(c)) {
		err_set(e, 403, "", "only an admin may revoke tokens");
		return -1;
	}
	if (write_begin(n, e) == -1)
		return -1;
	rc = store_token_revoke(n->w, token_id, now_ms());
	if (rc == 1)
		err_set(e, 404, "token", "no such token");
	if (rc == 0) {
		event_init(&ev, c, "token.revoke", token_id, "ok", NULL);
		rc = audit_append(&n->audit, n->w, &ev, now_ms(), e);
	} else {
		rc = -1;
	}
	rc = write_end(n, rc, e);
	token_uncache(n, token_id);
	return rc;
}

/* ---- the keyset filter and the background thread ----------------------- */

struct keysctx {
	struct node  *n;
	struct store *st;
	int64_t       last;
	int           rc;
};

static int
silent_add(struct node *n, uint64_t h, const char *report_id, const char *agency_id,
    const struct markings *m)
{
	struct silentrec *sr, **b = &n->silent[h % SILENT_BUCKETS];

	pthread_rwlock_rdlock(&n->silent_lock);
	for (sr = *b; sr; sr = sr->next)
		if (sr->h == h && strcmp(sr->report_id, report_id) == 0)
			break;
	pthread_rwlock_unlock(&n->silent_lock);
	if (sr != NULL)
		return 0;
	if ((sr = calloc(1, sizeof(*sr))) == NULL)
		return -1;
	sr->h = h;
	str_copy(sr->report_id, sizeof(sr->report_id), report_id);
	str_copy(sr->agency_id, sizeof(sr->agency_id), agency_id);
	sr->m = *m;
	pthread_rwlock_wrlock(&n->silent_lock);
	sr->next = *b;
	*b = sr;
	pthread_rwlock_unlock(&n->silent_lock);
	return 0;
}

/* May p see some silent record holding the key with hash h? */
static bool
silent_visible(struct node *n, uint64_t h, const struct principal *p)
{
	bool yes = false;

	pthread_rwlock_rdlock(&n->silent_lock);
	for (struct silentrec *sr = n->silent[h % SILENT_BUCKETS]; sr && !yes; sr = sr->next) {
		struct record_meta meta = { .agency_id = sr->agency_id, .m = &sr->m };
		if (sr->h == h && policy_decide(p, &meta, USE_READ) != POLICY_NONE)
			yes = true;
	}
	pthread_rwlock_unlock(&n->silent_lock);
	return yes;
}

static int
keys_cb(void *ctx, const char *key, size_t len, const char *agency_id,
    const struct markings *silent, int64_t rid, const char *report_id)
{
	struct keysctx *kc = ctx;
	uint64_t h = keyset_hash(key, len);

	if (keyset_add(kc->n->keys, h, silent ? KEY_SILENT : KEY_LIVE) == -1 ||
	    (silent && silent_add(kc->n, h, report_id, agency_id, silent) == -1)) {
		kc->rc = -1;
		return 1;
	}
	if (rid > kc->last)
		kc->last = rid;
	return 0;
}

/* Fold the keys of reports stored since the last refresh into the filter
 * (this process's writes and any other process's). */
static int
keys_refresh(struct node *n, struct store *st)
{
	struct keysctx kc = { .n = n, .st = st };
	int rc;

	if (n->no_filter)
		return 0;
	pthread_mutex_lock(&n->keys_lock);
	kc.last = n->keys_rid;
	rc = store_keys_since(st, n->keys_rid, keys_cb, &kc);
	if (rc == 0 && kc.rc == 0)
		n->keys_rid = kc.last;
	pthread_mutex_unlock(&n->keys_lock);
	return rc == 0 && kc.rc == 0 ? 0 : -1;
}

static void
silent_enqueue(struct node *n, const char *key, const struct principal *p)
{
	struct silentjob *j;

	pthread_mutex_lock(&n->bglock);
	if (n->njobs < 100000 && (j = calloc(1, sizeof(*j))) != NULL) {
		str_copy(j->key, sizeof(j->key), key);
		str_copy(j->agency_id, sizeof(j->agency_id), p->agency.id);
		str_copy(j->principal_id, sizeof(j->principal_id), p->id);
		j->next = n->jobs;
		n->jobs = j;
		n->njobs++;
		pthread_cond_signal(&n->bgcond);
	}
	pthread_mutex_unlock(&n->bglock);
}

struct silentctx {
	struct node            *n;
	const struct silentjob *job;
	int                     rc;
};

static int
silent_cb(void *ctx, const struct posting *po)
{
	struct silentctx *sc = ctx;
	struct err e;
	json_t *pl;

	if (po->m->disclosure != DISC_SILENT || strcmp(po->agency_id, sc->job->agency_id) == 0)
		return 0;
	pl = json_pack("{s:s, s:s, s:s, s:s}", "key", sc->job->key, "your_report", po->report_id,
	    "agency", sc->job->agency_id, "principal", sc->job->principal_id);
	if (alert_put(sc->n->w, po->agency_id, "silent_search", pl, &e) == -1)
		sc->rc = -1;
	json_decref(pl);
	return sc->rc;
}

/* Tell originators of silent records who searched their selectors. */
static void
silent_drain(struct node *n)
{
	struct silentjob *jobs, *j;
	struct err e;
	int rc = 0;

	pthread_mutex_lock(&n->bglock);
	jobs = n->jobs;
	n->jobs = NULL;
	n->njobs = 0;
	pthread_mutex_unlock(&n->bglock);
	if (jobs == NULL)
		return;
	if (write_begin(n, &e) == 0) {
		for (j = jobs; j && rc == 0; j = j->next) {
			struct silentctx sc = { n, j, 0 };
			if (store_postings(n->w, j->key, silent_cb, &sc) == -1 || sc.rc == -1)
				rc = -1;
		}
		write_end(n, rc, &e);
	}
	while (jobs) {
		j = jobs;
		jobs = j->next;
		free(j);
	}
}

static void *
background(void *arg)
{
	struct node *n = arg;
	struct err e;

	pthread_mutex_lock(&n->bglock);
	while (!n->bg_stop) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 200 * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		if (n->jobs == NULL)
			pthread_cond_timedwait(&n->bgcond, &n->bglock, &ts);
		if (n->bg_stop)
			break;
		pthread_mutex_unlock(&n->bglock);
		silent_drain(n);
		{
			struct store *st = reader(n, &e);
			if (st)
				keys_refresh(n, st);
		}
		/* Every second: copy the WAL into the database on this thread's
		 * own connection (SQLite lets a checkpoint run beside the
		 * writer); it syncs the WAL first, so read audits committed
		 * without fsync reach the disk within a second. */
		if (mono_us() - n->w_synced_us > 1000000) {
			struct store *st = reader(n, &e);
			if (st != NULL)
				store_checkpoint(st);
			/* The spool too: its entries are on disk within a second. */
			if (n->sp != NULL)
				spool_sync(n->sp);
			n->w_synced_us = mono_us();
		}
		/* Then, every tail_every_us, the few frames written meanwhile,
		 * with writes held off for that moment: once all is copied the
		 * next write starts the WAL over, so it cannot grow without end
		 * under a steady stream of commits. (This pause is most of the
		 * p99 of a check: docs/performance.md.) */
		if (mono_us() - n->tail_us > n->tail_every_us) {
			int64_t t0 = mono_us(), us;
			pthread_mutex_lock(&n->wlock);
			store_checkpoint(n->w);
			pthread_mutex_unlock(&n->wlock);
			n->tail_us = mono_us();
			us = n->tail_us - t0;
			atomic_fetch_add(&n->ctr.ckpt_tails, 1);
			atomic_fetch_add(&n->ctr.ckpt_tail_us, us);
			if (us > atomic_load(&n->ctr.ckpt_tail_max_us))
				atomic_store(&n->ctr.ckpt_tail_max_us, us);
		}
		pthread_mutex_lock(&n->bglock);
	}
	pthread_mutex_unlock(&n->bglock);
	silent_drain(n);
	return NULL;
}

/* ---- reports ------------------------------------------------------------ */

/* A posting copied out of the store callback. */
struct found {
	char            key[SIMPUL_MAX_KEY_LEN + 1];
	char            report_id[SIMPUL_ID_LEN + 1];
	char            agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	char            contact_ref[SIMPUL_ID_LEN + 1];
	struct markings m;
};

struct foundvec {
	struct found *v;
	size_t        n, cap, limit;
	const char   *skip_agency;   /* postings of this agency are not matches */
	bool          truncated;
};

static int
collect_cb(void *ctx, const struct posting *p)
{
	struct foundvec *fv = ctx;
	struct found *f;

	if (strcmp(p->agency_id, fv->skip_agency) == 0)
		return 0;
	for (size_t i = 0; i < fv->n; i++)   /* one match per (key, report) */
		if (strcmp(fv->v[i].report_id, p->report_id) == 0 && strcmp(fv->v[i].key, p->key) == 0)
			return 0;
	if (fv->n >= fv->limit) {
		fv->truncated = true;
		return 1;
	}
	if (fv->n == fv->cap) {
		size_t nc = fv->cap ? fv->cap * 2 : 8;
		struct found *nv = realloc(fv->v, nc * sizeof(*nv));
		if (nv == NULL)
			return 1;
		fv->v = nv;
		fv->cap = nc;
	}
	f = &fv->v[fv->n++];
	str_copy(f->key, sizeof(f->key), p->key);
	str_copy(f->report_id, sizeof(f->report_id), p->report_id);
	str_copy(f->agency_id, sizeof(f->agency_id), p->agency_id);
	str_copy(f->contact_ref, sizeof(f->contact_ref), nz(p->contact_ref));
	f->m = *p->m;
	return 0;
}

/* A stand-in principal for an agency as a whole (alerts go to agencies). */
static void
agency_principal(const struct agency *a, struct principal *p)
{
	memset(p, 0, sizeof(*p));
	p->agency = *a;
	str_copy(p->id, sizeof(p->id), "agency");
	p->role = kind_is_private(a->kind) ? ROLE_PARTNER :
	    a->kind == AK_PUBLIC ? ROLE_PUBLIC : ROLE_ANALYST;
}

struct agencycache {
	struct agency a[16];
	int           n;
};

static const struct agency *
agency_cached(struct store *st, struct agencycache *ac, const char *id)
{
	for (int i = 0; i < ac->n; i++)
		if (strcmp(ac->a[i].id, id) == 0)
			return &ac->a[i];
	if (ac->n == 16)
		ac->n = 0;
	if (store_agency_get(st, id, &ac->a[ac->n]) != 0)
		return NULL;
	return &ac->a[ac->n++];
}

static int
alert_put(struct store *st, const char *agency_id, const char *kind, json_t *payload, struct err *e)
{
	struct alert_row a;
	char *text;
	int rc;

	memset(&a, 0, sizeof(a));
	id_new(a.id);
	str_copy(a.agency_id, sizeof(a.agency_id), agency_id);
	str_copy(a.kind, sizeof(a.kind), kind);
	a.created_ms = now_ms();
	text = json_dumps(payload, JSON_COMPACT);
	a.payload = text ? text : "{}";
	rc = store_alert_put(st, &a, e);
	free(text);
	return rc;
}

/* Write a parsed report: postings, matches, alerts and its audit entry.
 * n->wlock held and a transaction open. Appends the writer's visible
 * matches to `matches` (may be NULL). */
static int
report_write(struct node *n, const struct reqctx *c, struct report *r, json_t *matches,
    size_t *nmatches, json_t *batch, struct err *e)
{
	struct foundvec fv = { .limit = SIMPUL_MAX_MATCHES_RETURNED, .skip_agency = r->agency_id };
	struct agencycache ac = { .n = 0 };
	struct audit_event ev;
	const char *keys[SIMPUL_MAX_SELECTORS * (1 + SIMPUL_MAX_DERIVED)];
	size_t nkeys = 0;
	int64_t now = now_ms();
	json_t *d;
	int rc = -1;

	for (size_t i = 0; i < r->nsel; i++) {
		const char *cand[1 + SIMPUL_MAX_DERIVED];
		int nc = 0;
		cand[nc++] = r->sel[i].key;
		for (int k = 0; k < r->sel[i].nderived; k++)
			cand[nc++] = r->sel[i].derived[k];
		for (int k = 0; k < nc; k++) {
			bool dup = false;
			for (size_t j = 0; j < nkeys && !dup; j++)
				dup = strcmp(keys[j], cand[k]) == 0;
			if (!dup)
				keys[nkeys++] = cand[k];
		}
	}
	/* The keyset is exact under the write lock (write_begin refreshed it
	 * from the store): a key it lacks has no posting to match. */
	for (size_t i = 0; i < nkeys; i++)
		if ((n->no_filter || keyset_get(n->keys, keyset_hash(keys[i], strlen(keys[i]))) != 0) &&
		    store_postings(n->w, keys[i], collect_cb, &fv) == -1) {
			err_set(e, 500, "", "selector index lookup failed");
			goto out;
		}
	if (store_report_put(n->w, r, e) == -1)
		goto out;
	/* Known at once to later reports of the same transaction (an import
	 * batch); if it rolls back, a stale entry only costs a lookup. */
	for (size_t i = 0; i < nkeys && !n->no_filter; i++) {
		uint64_t h = keyset_hash(keys[i], strlen(keys[i]));
		if (keyset_add(n->keys, h, r->m.disclosure == DISC_SILENT ? KEY_SILENT : KEY_LIVE) == -1 ||
		    (r->m.disclosure == DISC_SILENT && silent_add(n, h, r->id, r->agency_id, &r->m) == -1)) {
			err_set(e, 500, "", "out of memory");
			goto out;
		}
	}

	for (size_t i = 0; i < fv.n; i++) {
		struct found *f = &fv.v[i];
		struct record_meta theirs = { .agency_id = f->agency_id, .m = &f->m };
		struct record_meta mine = { .agency_id = r->agency_id, .m = &r->m };
		const struct agency *other;
		struct principal op;
		struct match_row mr;
		enum decision dw, dother;

		memset(&mr, 0, sizeof(mr));
		id_new(mr.id);
		str_copy(mr.key, sizeof(mr.key), f->key);
		str_copy(mr.report_id, sizeof(mr.report_id), r->id);
		str_copy(mr.agency_id, sizeof(mr.agency_id), r->agency_id);
		str_copy(mr.other_report_id, sizeof(mr.other_report_id), f->report_id);
		str_copy(mr.other_agency_id, sizeof(mr.other_agency_id), f->agency_id);
		mr.created_ms = now;
		if (store_match_put(n->w, &mr, e) == -1)
			goto out;
		atomic_fetch_add(&n->ctr.matches, 1);

		/* What the writer learns. */
		dw = policy_decide(c->p, &theirs, USE_READ);
		if (dw != POLICY_NONE && matches && json_array_size(matches) < SIMPUL_MAX_MATCHES_RETURNED) {
			json_t *m = json_pack("{s:s, s:s, s:s, s:s}", "key", f->key, "report", f->report_id,
			    "agency", f->agency_id, "visibility", dw == POLICY_FULL ? "full" : "hit");
			if (dw == POLICY_HIT)
				json_object_set_new(m, "contact_ref", json_string(f->contact_ref));
			json_array_append_new(matches, m);
			(*nmatches)++;
		}

		/* What the other agency learns: the match as far as my markings
		 * allow it; for its silent record, who touched the selector. */
		if ((other = agency_cached(n->w, &ac, f->agency_id)) == NULL)
			continue;
		agency_principal(other, &op);
		dother = policy_decide(&op, &mine, USE_READ);
		if (dother != POLICY_NONE) {
			json_t *p = json_pack("{s:s, s:s, s:s, s:s, s:s}", "key", f->key,
			    "your_report", f->report_id, "agency", r->agency_id,
			    "report", r->id, "visibility", dother == POLICY_FULL ? "full" : "hit");
			if (dother == POLICY_HIT)
				json_object_set_new(p, "contact_ref", json_string(r->contact_ref));
			rc = alert_put(n->w, f->agency_id, "match", p, e);
			json_decref(p);
			if (rc == -1)
				goto out;
			rc = -1;
		} else if (f->m.disclosure == DISC_SILENT && r->m.disclosure != DISC_SILENT) {
			json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "key", f->key,
			    "your_report", f->report_id, "agency", r->agency_id, "action", "report");
			rc = alert_put(n->w, f->agency_id, "silent_match", p, e);
			json_decref(p);
			if (rc == -1)
				goto out;
			rc = -1;
		}
	}

	if (batch != NULL) {
		/* An import: one audit entry per batch names every report. */
		json_array_append_new(batch, json_string(r->id));
		if (nmatches)
			*nmatches += fv.n;
		rc = 0;
		goto out;
	}
	d = json_pack("{s:I, s:I}", "selectors", (json_int_t)r->nsel, "matches", (json_int_t)fv.n);
	if (fv.truncated)
		json_object_set_new(d, "matches_truncated", json_true());
	event_init(&ev, c, "report.create", r->id, "ok", d);
	rc = audit_append(&n->audit, n->w, &ev, now, e);
	json_decref(d);
	if (rc == 0)
		atomic_fetch_add(&n->ctr.audit_entries, 1);
out:
	free(fv.v);
	return rc;
}

static void
report_stamp(struct report *r, const char *agency_id)
{
	id_new(r->id);
	id_new(r->contact_ref);
	str_copy(r->agency_id, sizeof(r->agency_id), agency_id);
	r->version = 1;
	r->created_ms = r->updated_ms = now_ms();
}

static json_t *
selectors_json(const struct report *r)
{
	json_t *a = json_array();

	for (size_t i = 0; i < r->nsel; i++) {
		const struct rsel *s = &r->sel[i];
		json_t *o = json_pack("{s:s, s:s, s:b, s:s}", "key", s->key, "type", s->type,
		    "valid", s->valid, "role", s->role);
		json_t *d = json_array();
		for (int k = 0; k < s->nderived; k++)
			json_array_append_new(d, json_string(s->derived[k]));
		json_object_set_new(o, "derived", d);
		if (!s->valid)
			json_object_set_new(o, "flag", json_string(s->flag));
		json_array_append_new(a, o);
	}
	return a;
}

int
node_report_create(struct node *n, const struct reqctx *c, const json_t *body,
    json_t **out, struct err *e)
{
	struct report r;
	json_t *matches = NULL;
	size_t nm = 0;
	int rc;

	*out = NULL;
	if (!policy_may_write(c->p)) {
		err_set(e, 403, "", "role %s of a %s agency may not file reports",
		    role_name(c->p->role), agency_kind_name(c->p->agency.kind));
		node_audit_refusal(n, c, "report.create", NULL, 403, e->msg);
		return -1;
	}
	if (report_parse(body, c->p->agency.country, &r, e) == -1) {
		node_audit_refusal(n, c, "report.create", NULL, e->status, e->msg);
		return -1;
	}
	report_stamp(&r, c->p->agency.id);
	matches = json_array();
	if (write_begin(n, e) == -1) {
		rc = -1;
		goto out;
	}
	rc = report_write(n, c, &r, matches, &nm, NULL, e);
	rc = write_end(n, rc, e);
	if (rc == 0) {
		struct err e2;
		struct store *st = reader(n, &e2);
		if (st)
			keys_refresh(n, st);
		atomic_fetch_add(&n->ctr.reports_created, 1);
		*out = json_pack("{s:s, s:I, s:o, s:O}", "id", r.id, "version", (json_int_t)r.version,
		    "selectors", selectors_json(&r), "matches", matches);
	}
out:
	json_decref(matches);
	report_free(&r);
	return rc;
}

struct intake {
	const char    *country;
	struct agency  a;
	bool           found;
};

static int
intake_cb(void *ctx, const struct agency *a)
{
	struct intake *in = ctx;

	if (a->kind != AK_PUBLIC || strcmp(a->country, in->country) != 0)
		return 0;
	in->a = *a;
	in->found = true;
	return 1;
}

int
node_public_report(struct node *n, const struct reqctx *c, const json_t *body, json_t **out,
    struct err *e)
{
	static const char *const allowed[] = { "selectors", "narrative", "scam_type", "occurred_at",
	    "loss", "victim_country", "contact" };
	struct principal p;
	struct reqctx pc = *c;
	struct intake in = { 0 };
	struct report r;
	struct store *st;
	const char *key, *vc, *contact = NULL;
	json_t *v, *copy = NULL;
	size_t nm = 0;
	int rc = -1;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	if (!json_is_object(body)) {
		err_set(e, 400, "body", "a public report is a JSON object");
		goto refused;
	}
	json_object_foreach((json_t *)body, key, v) {
		bool ok = false;
		for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]) && !ok; i++)
			ok = strcmp(key, allowed[i]) == 0;
		if (!ok) {
			err_set(e, 400, key, "%.64s: a public report takes selectors, narrative, scam_type, "
			    "occurred_at, loss, victim_country and contact only", key);
			goto refused;
		}
	}
	if ((vc = json_string_value(json_object_get(body, "victim_country"))) == NULL || !country_valid(vc)) {
		err_set(e, 400, "victim_country", "victim_country (ISO 3166-1 alpha-2, e.g. MY) says whose "
		    "Anti-Scam Centre receives the report");
		goto refused;
	}
	if (json_array_size(json_object_get(body, "selectors")) > SIMPUL_MAX_PUBLIC_SELECTORS) {
		err_set(e, 413, "selectors", "a public report names at most %d selectors", SIMPUL_MAX_PUBLIC_SELECTORS);
		goto refused;
	}
	if ((v = json_object_get(body, "contact")) != NULL && (!json_is_string(v) ||
	    strlen(contact = json_string_value(v)) > SIMPUL_MAX_SHORT)) {
		err_set(e, 400, "contact", "contact is how the reporting person can be reached: a string "
		    "of at most %d bytes", SIMPUL_MAX_SHORT);
		goto refused;
	}
	if ((st = reader(n, e)) == NULL)
		return -1;
	in.country = vc;
	if (store_agency_list(st, intake_cb, &in) == -1) {
		err_set(e, 500, "", "could not read the agencies");
		return -1;
	}
	if (!in.found) {
		err_set(e, 422, "victim_country", "this node takes no public reports for %s (no agency "
		    "of kind public for that country)", vc);
		goto refused;
	}
	/* Filed by the country's public intake, seen by that country's law
	 * enforcement (a country audience admits its police, not its banks),
	 * hit-only for the other members; the person reporting learns nothing
	 * of other records. */
	copy = json_deep_copy(body);
	json_object_del(copy, "contact");
	json_object_set_new(copy, "markings", json_pack("{s:s, s:[s], s:s, s:b}", "tlp", "AMBER",
	    "releasable_to", vc, "disclosure", "hit", "orcon", 0));
	if (contact)
		json_object_set_new(copy, "victim", json_pack("{s:s}", "contact", contact));
	if (report_parse(copy, vc, &r, e) == -1)
		goto refused;
	memset(&p, 0, sizeof(p));
	p.agency = in.a;
	p.role = ROLE_PUBLIC;
	str_copy(p.id, sizeof(p.id), "anonymous");
	pc.p = &p;
	report_stamp(&r, in.a.id);
	if (write_begin(n, e) == -1)
		goto out;
	rc = report_write(n, &pc, &r, NULL, &nm, NULL, e);
	rc = write_end(n, rc, e);
	if (rc == 0) {
		atomic_fetch_add(&n->ctr.reports_created, 1);
		*out = json_pack("{s:s, s:s}", "reference", r.contact_ref, "received_by", in.a.name[0] ?
		    in.a.name : in.a.id);
	}
	goto out;
refused:
	node_audit_refusal(n, c, "public.report", e->field, e->status, e->msg);
out:
	json_decref(copy);
	report_free(&r);
	return rc;
}

/* Render a report for a principal under a decision. */
static json_t *
report_render(const struct principal *p, const struct report *r, enum decision d)
{
	struct record_meta meta = { .agency_id = r->agency_id, .m = &r->m };
	unsigned f;
	json_t *o;
	char t[32];
	static const char *const core_fields[] = { "reference", "occurred_at", "reported_at",
		"scam_type", "status", NULL };
	static const char *const narr_fields[] = { "narrative", "loss", "victim_country", NULL };

	if (d == POLICY_HIT)
		return json_pack("{s:s, s:s, s:s, s:s}", "id", r->id, "visibility", "hit",
		    "agency", r->agency_id, "contact_ref", r->contact_ref);
	f = policy_fields(p, &meta);
	o = json_pack("{s:s, s:s, s:s, s:I}", "id", r->id, "visibility", "full",
	    "agency", r->agency_id, "version", (json_int_t)r->version);
	time_iso(r->created_ms, t);
	json_object_set_new(o, "created", json_string(t));
	time_iso(r->updated_ms, t);
	json_object_set_new(o, "updated", json_string(t));
	if (f & FIELD_CORE) {
		for (int i = 0; core_fields[i]; i++) {
			json_t *v = json_object_get(r->body, core_fields[i]);
			if (v)
				json_object_set(o, core_fields[i], v);
		}
		json_object_set_new(o, "markings", markings_json(&r->m));
	}
	if (f & FIELD_NARRATIVE)
		for (int i = 0; narr_fields[i]; i++) {
			json_t *v = json_object_get(r->body, narr_fields[i]);
			if (v)
				json_object_set(o, narr_fields[i], v);
		}
	if (f & FIELD_SELECTORS) {
		json_t *sels = json_object_get(r->body, "selectors");
		json_object_set(o, "selectors", sels ? sels : json_array());
	}
	if ((f & FIELD_VICTIM) && json_object_get(r->body, "victim"))
		json_object_set(o, "victim", json_object_get(r->body, "victim"));
	if (p->agency.id[0] && strcmp(p->agency.id, r->agency_id) == 0)
		json_object_set_new(o, "contact_ref", json_string(r->contact_ref));
	return o;
}

struct matchlist {
	struct store           *st;
	const struct principal *p;
	const char             *self;
	json_t                 *arr;
};

static int
matchlist_cb(void *ctx, const struct match_row *m)
{
	struct matchlist *ml = ctx;
	const char *oid = strcmp(m->report_id, ml->self) == 0 ? m->other_report_id : m->report_id;
	struct report o;
	enum decision d;
	struct record_meta meta;

	if (json_array_size(ml->arr) >= SIMPUL_MAX_MATCHES_RETURNED)
		return 1;
	memset(&o, 0, sizeof(o));
	if (store_report_get(ml->st, oid, &o) != 0)
		return 0;
	meta.agency_id = o.agency_id;
	meta.m = &o.m;
	d = policy_decide(ml->p, &meta, USE_READ);
	if (d != POLICY_NONE) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "key", m->key, "report", o.id,
		    "agency", o.agency_id, "visibility", d == POLICY_FULL ? "full" : "hit");
		if (d == POLICY_HIT)
			json_object_set_new(j, "contact_ref", json_string(o.contact_ref));
		json_array_append_new(ml->arr, j);
	}
	report_free(&o);
	return 0;
}

static void
notify_silent_read(const struct reqctx *c, const struct report *r, struct alert_row *a, char **payload)
{
	json_t *p = json_pack("{s:s, s:s, s:s}", "your_report", r->id, "agency",
	    c->p->agency.id, "action", "read");

	memset(a, 0, sizeof(*a));
	id_new(a->id);
	str_copy(a->agency_id, sizeof(a->agency_id), r->agency_id);
	str_copy(a->kind, sizeof(a->kind), "silent_read");
	a->created_ms = now_ms();
	*payload = json_dumps(p, JSON_COMPACT);
	a->payload = *payload;
	json_decref(p);
}

int
node_report_get(struct node *n, const struct reqctx *c, const char *id, json_t **out, struct err *e)
{
	struct store *st;
	struct report r;
	struct record_meta meta;
	struct audit_event ev;
	struct alert_row alert;
	char *payload = NULL;
	size_t nalerts = 0;
	enum decision d = POLICY_NONE;
	int rc = -1, found;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	if ((st = reader(n, e)) == NULL)
		return -1;
	found = strlen(id) == SIMPUL_ID_LEN ? store_report_get(st, id, &r) : 1;
	if (found == -1) {
		err_set(e, 500, "", "could not read the report");
		goto out;
	}
	if (found == 0) {
		meta.agency_id = r.agency_id;
		meta.m = &r.m;
		d = policy_decide(c->p, &meta, USE_READ);
	}
	if (d == POLICY_NONE) {
		/* Unknown and not-for-you look the same: 404. */
		err_set(e, 404, "id", "no report %.40s that you may see", id);
		if (found == 0 && r.m.disclosure == DISC_SILENT &&
		    strcmp(r.agency_id, c->p->agency.id) != 0) {
			notify_silent_read(c, &r, &alert, &payload);
			nalerts = 1;
		}
		event_init(&ev, c, "report.read", id, "refused:404", NULL);
		commit_read(n, c, &ev, &alert, nalerts);
		atomic_fetch_add(&n->ctr.refusals, 1);
		goto out;
	}
	*out = report_render(c->p, &r, d);
	if (d == POLICY_FULL) {
		struct matchlist ml = { st, c->p, r.id, json_array() };
		store_matches_for_report(st, r.id, matchlist_cb, &ml);
		json_object_set_new(*out, "matches", ml.arr);
	}
	event_init(&ev, c, "report.read", id, d == POLICY_FULL ? "full" : "hit", NULL);
	if (commit_read(n, c, &ev, NULL, 0) == -1) {
		json_decref(*out);
		*out = NULL;
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		goto out;
	}
	atomic_fetch_add(&n->ctr.reads, 1);
	rc = 0;
out:
	free(payload);
	report_free(&r);
	return rc;
}

int
node_contact_resolve(struct node *n, const struct reqctx *c, const char *ref, json_t **out, struct err *e)
{
	struct store *st;
	struct report r;
	struct audit_event ev;
	int rc = -1;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	if ((st = reader(n, e)) == NULL)
		return -1;
	if (strlen(ref) != SIMPUL_ID_LEN || store_report_by_contact(st, ref, &r) != 0 ||
	    strcmp(r.agency_id, c->p->agency.id) != 0 || c->p->role == ROLE_PUBLIC) {
		err_set(e, 404, "ref", "no contact reference %.40s held by your agency", ref);
		event_init(&ev, c, "contact.resolve", ref, "refused:404", NULL);
		commit_read(n, c, &ev, NULL, 0);
		goto out;
	}
	*out = json_pack("{s:s, s:s, s:s}", "ref", ref, "report", r.id, "reference", r.reference);
	event_init(&ev, c, "contact.resolve", ref, "ok", NULL);
	if (commit_read(n, c, &ev, NULL, 0) == -1) {
		json_decref(*out);
		*out = NULL;
		err_set(e, 500, "", "the audit trail could not be written");
		goto out;
	}
	rc = 0;
out:
	report_free(&r);
	return rc;
}

/* ---- check -------------------------------------------------------------- */

struct checkstate {
	const struct principal *p;
	json_t                 *records, *contacts;
	struct alert_row       *alerts;
	char                  **payloads;
	size_t                  nalerts, capalerts;
	const char             *key;
	bool                    oom;
};

static int
check_cb(void *ctx, const struct posting *po)
{
	struct checkstate *cs = ctx;
	struct record_meta meta = { .agency_id = po->agency_id, .m = po->m };
	enum decision d = policy_decide(cs->p, &meta, USE_READ);

	if (d == POLICY_FULL) {
		if (json_array_size(cs->records) < SIMPUL_MAX_RECORDS_PER_KEY) {
			char t[32];
			time_iso(po->created_ms, t);
			json_t *r = json_pack("{s:s, s:s, s:s, s:s, s:s}", "id", po->report_id,
			    "agency", po->agency_id, "role", nz(po->role), "created", t,
			    "tlp", tlp_name(po->m->tlp));
			if (po->reference && *po->reference &&
			    (policy_fields(cs->p, &meta) & FIELD_CORE))
				json_object_set_new(r, "reference", json_string(po->reference));
			if (po->derived)
				json_object_set_new(r, "derived", json_true());
			json_array_append_new(cs->records, r);
		}
	} else if (d == POLICY_HIT) {
		size_t i;
		json_t *v;
		bool dup = false;
		json_array_foreach(cs->contacts, i, v)
			dup = dup || strcmp(json_string_value(json_object_get(v, "ref")), nz(po->contact_ref)) == 0;
		if (!dup && json_array_size(cs->contacts) < SIMPUL_MAX_RECORDS_PER_KEY)
			json_array_append_new(cs->contacts, json_pack("{s:s, s:s}", "agency",
			    po->agency_id, "ref", nz(po->contact_ref)));
	} else if (po->m->disclosure == DISC_SILENT && strcmp(po->agency_id, cs->p->agency.id) != 0) {
		/* Tell the originator who searched; the searcher sees nothing. */
		json_t *pl;
		struct alert_row *a;
		if (cs->nalerts == cs->capalerts) {
			size_t nc = cs->capalerts ? cs->capalerts * 2 : 4;
			struct alert_row *na = realloc(cs->alerts, nc * sizeof(*na));
			char **np = realloc(cs->payloads, nc * sizeof(*np));
			if (na) cs->alerts = na;
			if (np) cs->payloads = np;
			if (na == NULL || np == NULL) {
				cs->oom = true;
				return 1;
			}
			cs->capalerts = nc;
		}
		a = &cs->alerts[cs->nalerts];
		memset(a, 0, sizeof(*a));
		id_new(a->id);
		str_copy(a->agency_id, sizeof(a->agency_id), po->agency_id);
		str_copy(a->kind, sizeof(a->kind), "silent_search");
		a->created_ms = now_ms();
		pl = json_pack("{s:s, s:s, s:s, s:s}", "key", cs->key, "your_report", po->report_id,
		    "agency", cs->p->agency.id, "principal", cs->p->id);
		cs->payloads[cs->nalerts] = json_dumps(pl, JSON_COMPACT);
		a->payload = cs->payloads[cs->nalerts] ? cs->payloads[cs->nalerts] : "{}";
		json_decref(pl);
		cs->nalerts++;
	}
	return 0;
}

/* Items of a check body parsed by jansson, with the checks the fast path
 * (checkscan) leaves to it. The strings stay owned by body. */
static int
citems_from_json(const json_t *body, struct citem **items, size_t *nitems, struct err *e)
{
	const json_t *arr = json_is_object(body) ? json_object_get(body, "selectors") : NULL, *it, *v;
	struct citem *ci;
	const char *k;
	char f[64];
	size_t n, i;

	*items = NULL;
	*nitems = 0;
	if (!json_is_array(arr)) {
		err_set(e, 400, "selectors", "the body must be {\"selectors\": [...]}");
		return -1;
	}
	n = json_array_size(arr);
	if (n == 0 || n > SIMPUL_MAX_BATCH) {
		err_set(e, n ? 413 : 400, "selectors", "a check takes 1 to %d selectors", SIMPUL_MAX_BATCH);
		return -1;
	}
	if ((ci = calloc(n, sizeof(*ci))) == NULL) {
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	json_array_foreach(arr, i, it) {
		if (!json_is_object(it)) {
			snprintf(f, sizeof(f), "selectors[%zu]", i);
			err_set(e, 400, f, "%s must be {\"key\"} or {\"type\",\"value\"}", f);
			goto fail;
		}
		json_object_foreach((json_t *)it, k, v) {
			int cf;
			for (cf = 0; cf < CF__N; cf++)
				if (strcmp(k, cfield_names[cf]) == 0)
					break;
			if (cf == CF__N || !json_is_string(v)) {
				snprintf(f, sizeof(f), "selectors[%zu].%.30s", i, k);
				err_set(e, 400, f, cf < CF__N ? "%s must be a string" : "unknown field %s", f);
				goto fail;
			}
			ci[i].f[cf] = json_string_value(v);
		}
	}
	*items = ci;
	*nitems = n;
	return 0;
fail:
	free(ci);
	return -1;
}

/* One check item into a canonical key (and validity). */
static int
check_item(const struct citem *it, size_t i, const char *default_country, struct norm_out *no, struct err *e)
{
	char f[64];

	if (it->f[CF_KEY] != NULL) {
		const char *key = it->f[CF_KEY];
		size_t len = strlen(key);
		if (normalise_key_check(key, len, e) == -1) {
			snprintf(e->field, sizeof(e->field), "selectors[%zu].key", i);
			return -1;
		}
		/* Only what check_run reads: a norm_out is 3 KiB, and this runs
		 * for up to 1,000 keys per request. */
		str_copy(no->key, sizeof(no->key), key);
		no->valid = true;
		no->nderived = 0;
		no->flag[0] = '\0';
		return 0;
	} else {
		struct norm_in in = {
			.type = it->f[CF_TYPE],
			.value = it->f[CF_VALUE],
			.country = it->f[CF_COUNTRY],
			.bank = it->f[CF_BANK],
			.provider = it->f[CF_PROVIDER],
			.chain = it->f[CF_CHAIN],
			.platform = it->f[CF_PLATFORM],
		};
		if (in.type == NULL || in.value == NULL) {
			snprintf(f, sizeof(f), "selectors[%zu].%s", i, in.type ? "value" : "type");
			err_set(e, 400, f, "%s is required (or give a canonical \"key\")", f);
			return -1;
		}
		if (in.country && !country_valid(in.country)) {
			snprintf(f, sizeof(f), "selectors[%zu].country", i);
			err_set(e, 400, f, "%s must be an ISO 3166-1 alpha-2 code such as MY", f);
			return -1;
		}
		if (in.country == NULL)
			in.country = default_country;
		if (normalise(&in, no, e) == -1) {
			char inner[64];
			str_copy(inner, sizeof(inner), e->field[0] ? e->field : "value");
			snprintf(e->field, sizeof(e->field), "selectors[%zu].%s", i, inner);
			return -1;
		}
		return 0;
	}
}

/* Append one result to the answer. */
static void
check_emit(struct sbuf *o, const char *key, bool valid, bool hit, json_t *records, json_t *contacts)
{
	sbuf_adds(o, "{\"key\":");
	sbuf_json_str(o, key);
	sbuf_adds(o, valid ? ",\"valid\":true" : ",\"valid\":false");
	sbuf_adds(o, hit ? ",\"hit\":true,\"records\":" : ",\"hit\":false,\"records\":");
	if (records && json_array_size(records)) {
		char *t = json_dumps(records, JSON_COMPACT);
		sbuf_adds(o, t ? t : "[]");
		free(t);
	} else {
		sbuf_adds(o, "[]");
	}
	sbuf_adds(o, ",\"contacts\":");
	if (contacts && json_array_size(contacts)) {
		char *t = json_dumps(contacts, JSON_COMPACT);
		sbuf_adds(o, t ? t : "[]");
		free(t);
	} else {
		sbuf_adds(o, "[]");
	}
	sbuf_addc(o, '}');
}

static int
check_run(struct node *n, const struct reqctx *c, const struct citem *items, size_t nitems,
    struct sbuf *out, struct err *e)
{
	struct checkstate cs = { .p = c->p };
	struct audit_event ev;
	struct ckey { size_t off; bool valid; } *keys = NULL;  /* into karena */
	struct sbuf karena = { 0 }, detail = { 0 };
	struct norm_out no;
	uint64_t *hs = NULL;
	unsigned *fs = NULL;
	struct store *st = NULL;
	size_t hits = 0, i;
	int rc = -1;

	sbuf_init(&karena, nitems * (SIMPUL_MAX_KEY_LEN + 1));
	/* The audit entry's detail, {"hits":N,"keys":[...]}, is written as
	 * canonical JSON text while the keys are at hand. */
	sbuf_init(&detail, SIMPUL_MAX_BODY);
	keys = calloc(nitems, sizeof(*keys));
	hs = calloc(nitems, sizeof(*hs));
	fs = calloc(nitems, sizeof(*fs));
	if (keys == NULL || hs == NULL || fs == NULL) {
		err_set(e, 500, "", "out of memory");
		goto out;
	}
	for (i = 0; i < nitems; i++) {
		size_t klen;

		if (check_item(&items[i], i, c->p->agency.country, &no, e) == -1)
			goto refused;
		klen = strlen(no.key);
		keys[i].off = karena.len;
		keys[i].valid = no.valid;
		hs[i] = keyset_hash(no.key, klen);
		if (sbuf_add(&karena, no.key, klen + 1) == -1) {
			err_set(e, 500, "", "out of memory");
			goto out;
		}
	}
	/* All the filter lookups at once: they overlap their cache misses. */
	keyset_get_many(n->keys, hs, fs, nitems);

	sbuf_adds(&detail, "\"keys\":[");
	sbuf_reset(out);
	sbuf_adds(out, "{\"results\":[");
	for (i = 0; i < nitems; i++) {
		const char *key = karena.ptr + keys[i].off;
		uint64_t h = hs[i];
		unsigned f = fs[i];
		bool hit;

		if (i) {
			sbuf_addc(out, ',');
			sbuf_addc(&detail, ',');
		}
		if (sbuf_json_canon_str(&detail, key) == -1 && !detail.oom && !detail.toobig) {
			err_set(e, 500, "", "a normalised key is not valid UTF-8");
			goto out;
		}
		/* Someone a silent record is released to (its originator, its
		 * audience) gets the real answer, which reveals it anyway. */
		if ((f & KEY_SILENT) && !(f & KEY_LIVE) && silent_visible(n, h, c->p))
			f |= KEY_LIVE;
		if (!(f & KEY_LIVE)) {
			/* Nobody holds it, or only silent records do: the same path. */
			if (f & KEY_SILENT)
				silent_enqueue(n, key, c->p);
			check_emit(out, key, keys[i].valid, false, NULL, NULL);
			continue;
		}
		if (st == NULL) {
			/* One read snapshot for all the lookups of this check. */
			if ((st = reader(n, e)) == NULL || store_read_begin(st, e) == -1) {
				st = NULL;
				goto out;
			}
		}
		cs.records = json_array();
		cs.contacts = json_array();
		cs.key = key;
		if (store_postings(st, key, check_cb, &cs) == -1 || cs.oom) {
			json_decref(cs.records);
			json_decref(cs.contacts);
			err_set(e, 500, "", "selector index lookup failed");
			goto out;
		}
		hit = json_array_size(cs.records) > 0 || json_array_size(cs.contacts) > 0;
		check_emit(out, key, keys[i].valid, hit, cs.records, cs.contacts);
		json_decref(cs.records);
		json_decref(cs.contacts);
		hits += hit;
	}
	sbuf_adds(out, "]}");
	if (st) {
		store_read_end(st);
		st = NULL;
	}
	if (out->toobig || out->oom) {
		err_set(e, 500, "", "the answer is too large");
		goto out;
	}
	{
		/* {"hits":N,"keys":[...]}: the keys went in as they were checked. */
		char head[40];
		struct sbuf d = { 0 };

		snprintf(head, sizeof(head), "{\"hits\":%zu,", hits);
		sbuf_adds(&detail, "]}");
		sbuf_init(&d, SIMPUL_MAX_BODY + sizeof(head));
		sbuf_adds(&d, head);
		sbuf_add(&d, detail.ptr, detail.len);
		if (d.oom || d.toobig || detail.oom || detail.toobig) {
			sbuf_free(&d);
			err_set(e, 500, "", "out of memory writing the audit entry");
			goto out;
		}
		sbuf_free(&detail);
		detail = d;
	}
	event_init(&ev, c, "check", NULL, hits ? "hit" : "no-hit", NULL);
	ev.detail_json = detail.ptr;
	if (commit_read(n, c, &ev, cs.alerts, cs.nalerts) == -1) {
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		goto out;
	}
	atomic_fetch_add(&n->ctr.checks, 1);
	atomic_fetch_add(&n->ctr.check_keys, (long long)nitems);
	atomic_fetch_add(&n->ctr.check_hits, (long long)hits);
	rc = 0;
	goto out;
refused:
	node_audit_refusal(n, c, "check", e->field, e->status, e->msg);
out:
	if (st)
		store_read_end(st);
	if (rc == -1)
		sbuf_reset(out);
	for (i = 0; i < cs.nalerts; i++)
		free(cs.payloads[i]);
	free(cs.payloads);
	free(cs.alerts);
	free(keys);
	free(hs);
	free(fs);
	sbuf_free(&karena);
	sbuf_free(&detail);
	return rc;
}

/* The role check comes before anything in the body is looked at. */
static bool
may_check(struct node *n, const struct reqctx *c, struct err *e)
{
	if (n->no_filter) {
		err_set(e, 500, "", "this node was opened without its selector filter and cannot check");
		return false;
	}
	if (c->p->role == ROLE_PUBLIC || c->p->role == ROLE_AUDITOR ||
	    !role_valid_for_kind(c->p->role, c->p->agency.kind)) {
		err_set(e, 403, "", "role %s may not run checks", role_name(c->p->role));
		node_audit_refusal(n, c, "check", NULL, 403, e->msg);
		return false;
	}
	return true;
}

int
node_check(struct node *n, const struct reqctx *c, const json_t *body, struct sbuf *out, struct err *e)
{
	struct citem *items;
	size_t nitems;
	int rc;

	if (!may_check(n, c, e))
		return -1;
	if (citems_from_json(body, &items, &nitems, e) == -1) {
		node_audit_refusal(n, c, "check", e->field, e->status, e->msg);
		return -1;
	}
	rc = check_run(n, c, items, nitems, out, e);
	free(items);
	return rc;
}

int
node_check_text(struct node *n, const struct reqctx *c, const char *body, size_t len,
    struct sbuf *out, struct err *e)
{
	struct sbuf arena;
	struct citem *items;
	size_t nitems;
	json_error_t je;
	json_t *j;
	int rc;

	if (!may_check(n, c, e))
		return -1;
	sbuf_init(&arena, len + 16);
	if (checkscan(body, len, SIMPUL_MAX_BATCH, &arena, &items, &nitems) == 1) {
		rc = check_run(n, c, items, nitems, out, e);
		free(items);
		sbuf_free(&arena);
		return rc;
	}
	sbuf_free(&arena);
	/* Declined: the general parser, with its precise errors. */
	if ((j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		err_set(e, 400, "body", "invalid JSON at line %d column %d: %.120s", je.line, je.column, je.text);
		node_audit_refusal(n, c, "check", "body", 400, e->msg);
		return -1;
	}
	if (!json_is_object(j) || !json_depth_ok(j, SIMPUL_MAX_JSON_DEPTH)) {
		err_set(e, 400, "body", json_is_object(j) ? "the body is nested deeper than %d levels" :
		    "the body must be a JSON object", SIMPUL_MAX_JSON_DEPTH);
		node_audit_refusal(n, c, "check", "body", 400, e->msg);
		json_decref(j);
		return -1;
	}
	if (citems_from_json(j, &items, &nitems, e) == -1) {
		node_audit_refusal(n, c, "check", e->field, e->status, e->msg);
		json_decref(j);
		return -1;
	}
	rc = check_run(n, c, items, nitems, out, e);
	free(items);
	json_decref(j);
	return rc;
}

/* ---- alerts ------------------------------------------------------------- */

struct alertsctx {
	struct store           *st;
	const struct principal *p;
	json_t                 *arr;
	int64_t                 last;     /* the last seq read, shown or not: the cursor */
};

static int
alerts_cb(void *ctx, const struct alert_row *a)
{
	struct alertsctx *ac = ctx;
	json_t *payload;
	char t[32];

	ac->last = a->seq;
	if (!node_alert_visible(ac->st, ac->p, a))
		return 0;
	payload = json_loads(a->payload, 0, NULL);
	time_iso(a->created_ms, t);
	json_array_append_new(ac->arr, json_pack("{s:I, s:s, s:s, s:s, s:o}", "seq", (json_int_t)a->seq,
	    "id", a->id, "kind", a->kind, "created", t, "data", payload ? payload : json_object()));
	return 0;
}

int
node_alerts(struct node *n, const struct reqctx *c, int64_t after, int limit, json_t **out, struct err *e)
{
	struct store *st;
	struct audit_event ev;
	json_t *arr;
	int64_t next = after;

	*out = NULL;
	if (c->p->role == ROLE_PUBLIC) {
		err_set(e, 403, "", "the public has no inbox");
		node_audit_refusal(n, c, "alerts.list", NULL, 403, e->msg);
		return -1;
	}
	if (limit <= 0 || limit > SIMPUL_MAX_ALERTS_PAGE)
		limit = limit <= 0 ? 100 : SIMPUL_MAX_ALERTS_PAGE;
	if (node_audit_flush(n, e) == -1 || (st = reader(n, e)) == NULL)
		return -1;
	arr = json_array();
	{
		struct alertsctx ac = { st, c->p, arr, after };
		if (store_alerts_list(st, c->p->agency.id, c->p->id, after, limit, alerts_cb, &ac) == -1) {
			json_decref(arr);
			err_set(e, 500, "", "could not read alerts");
			return -1;
		}
		next = ac.last;
	}
	event_init(&ev, c, "alerts.list", NULL, "ok", NULL);
	if (commit_read(n, c, &ev, NULL, 0) == -1) {
		json_decref(arr);
		err_set(e, 500, "", "the audit trail could not be written");
		return -1;
	}
	*out = json_pack("{s:o, s:I}", "alerts", arr, "next", (json_int_t)next);
	return 0;
}

/* ---- import ------------------------------------------------------------- */

/* One audit entry names each 1,000 imported reports, in the transaction
 * that writes them. A transaction holds whole batches: it commits after
 * import_commit_ms (one second by default) or IMPORT_TXN_MAX reports. On a
 * large database a longer transaction writes each index page it touches
 * once for many inserts instead of once per few: the rate of an import into
 * a million postings doubles; other writers wait at most about that long. */
#define IMPORT_BATCH   1000
#define IMPORT_TXN_MAX 50000

void
node_set_import_commit_ms(struct node *n, int ms)
{
	n->import_commit_ms = ms < 0 ? 0 : ms;
}

static int
import_audit(struct node *n, const struct reqctx *c, json_t *batch, uint64_t matches, struct err *e)
{
	struct audit_event ev;
	json_t *d = json_pack("{s:O, s:I, s:I}", "reports", batch, "count",
	    (json_int_t)json_array_size(batch), "matches", (json_int_t)matches);
	int rc;

	event_init(&ev, c, "report.import", c->p->agency.id, "ok", d);
	rc = audit_append(&n->audit, n->w, &ev, now_ms(), e);
	json_decref(d);
	if (rc == 0)
		atomic_fetch_add(&n->ctr.audit_entries, 1);
	json_array_clear(batch);
	return rc;
}

/* The import runs in two stages on two threads: a reader parses and
 * normalises lines and serialises what the store keeps as text (JSON,
 * libphonenumber, IDNA: half the work) while the caller's thread writes. A
 * bounded ring hands reports over in order, in chunks: a lock and a wake-up
 * per chunk, not per report, and a wake-up only when the other side
 * sleeps. The writer hands processed reports back for the reader to free,
 * so that memory goes back to the arena it came from (glibc frees across
 * threads under a lock). */
#define IMPORT_RING  1024
#define IMPORT_CHUNK 64

struct parsed {
	struct report  r;
	uint64_t       line, bytes;  /* line number; bytes read up to it */
	int            kind;         /* 0 report, 1 error, 2 end of input */
	struct err     e;
	bool           has_digest;   /* an import_source item with a content digest */
	unsigned char  digest[32];
	struct parsed *next;         /* on the done list */
};

struct importer {
	FILE            *in;
	uint64_t         skip;
	const char      *country;
	pthread_mutex_t  mu;
	pthread_cond_t   can_put, can_get;
	struct parsed   *ring[IMPORT_RING];
	size_t           head, count;
	struct parsed   *done;          /* processed, for the reader to free */
	bool             put_waits, get_waits;
	bool             reader_done;   /* the reader thread has put its last */
	atomic_bool      writer_idle;   /* the writer waits for input: flush early */
	bool             stop;
	const struct import_source *src;   /* NULL: reports-jsonl from in */
};

static void
parsed_free(struct parsed *pp)
{
	if (pp) {
		report_free(&pp->r);
		free(pp);
	}
}

static void
parsed_free_list(struct parsed *pp)
{
	while (pp) {
		struct parsed *next = pp->next;
		parsed_free(pp);
		pp = next;
	}
}

/* Hand k parsed reports to the writer; false once the import stopped
 * (the caller still owns them then). */
static bool
ring_put(struct importer *im, struct parsed **pps, size_t k)
{
	struct parsed *done;
	bool ok;

	pthread_mutex_lock(&im->mu);
	while (IMPORT_RING - im->count < k && !im->stop) {
		im->put_waits = true;
		pthread_cond_wait(&im->can_put, &im->mu);
	}
	im->put_waits = false;
	ok = !im->stop;
	if (ok) {
		for (size_t i = 0; i < k; i++)
			im->ring[(im->head + im->count + i) % IMPORT_RING] = pps[i];
		im->count += k;
		if (im->get_waits)
			pthread_cond_signal(&im->can_get);
	}
	done = im->done;
	im->done = NULL;
	pthread_mutex_unlock(&im->mu);
	parsed_free_list(done);
	return ok;
}

/* Take up to max parsed reports, handing back the list of those processed
 * since the last call. 0 only when the reader stopped without saying why
 * (out of memory): it always ends with an end-of-input or error report. */
static size_t
ring_get(struct importer *im, struct parsed **out, size_t max, struct parsed *done)
{
	size_t k;

	pthread_mutex_lock(&im->mu);
	if (done) {
		struct parsed *t = done;
		while (t->next)
			t = t->next;
		t->next = im->done;
		im->done = done;
	}
	while (im->count == 0 && !im->reader_done) {
		im->get_waits = true;
		atomic_store_explicit(&im->writer_idle, true, memory_order_relaxed);
		pthread_cond_wait(&im->can_get, &im->mu);
	}
	im->get_waits = false;
	atomic_store_explicit(&im->writer_idle, false, memory_order_relaxed);
	k = im->count < max ? im->count : max;
	for (size_t i = 0; i < k; i++)
		out[i] = im->ring[(im->head + i) % IMPORT_RING];
	im->head = (im->head + k) % IMPORT_RING;
	im->count -= k;
	if (im->put_waits)
		pthread_cond_signal(&im->can_put);
	pthread_mutex_unlock(&im->mu);
	return k;
}

/* The reader stage's shared steps. One report from its JSON: checked,
 * parsed, normalised and frozen; on error pp->kind is 1 with the line
 * named. */
static void
reader_parse(struct importer *im, json_t *j, uint64_t line, struct parsed *pp)
{
	if (!json_depth_ok(j, SIMPUL_MAX_JSON_DEPTH)) {
		pp->kind = 1;
		err_set(&pp->e, 400, "", "line %llu: nested deeper than %d levels",
		    (unsigned long long)line, SIMPUL_MAX_JSON_DEPTH);
	} else if (report_parse(j, im->country, &pp->r, &pp->e) == -1) {
		char field[128], msg[256];
		str_copy(field, sizeof(field), pp->e.field);
		str_copy(msg, sizeof(msg), pp->e.msg);
		pp->kind = 1;
		err_set(&pp->e, 400, field, "line %llu: %s", (unsigned long long)line, msg);
	} else if (report_freeze(&pp->r) == -1) {
		pp->kind = 1;
		err_set(&pp->e, 500, "", "line %llu: out of memory", (unsigned long long)line);
	}
}

/* Add pp to the chunk and hand the chunk over when it is full, when it
 * holds the last report, or when the writer waits. false: the import
 * stopped (what was not handed over is freed). */
static bool
reader_emit(struct importer *im, struct parsed **chunk, size_t *nchunk, struct parsed *pp, bool last)
{
	bool ok = true;

	chunk[(*nchunk)++] = pp;
	if (last || *nchunk == IMPORT_CHUNK ||
	    atomic_load_explicit(&im->writer_idle, memory_order_relaxed)) {
		if (!(ok = ring_put(im, chunk, *nchunk)))
			for (size_t i = 0; i < *nchunk; i++)
				parsed_free(chunk[i]);
		*nchunk = 0;
	}
	return ok;
}

/* The reader thread's end: whatever it still holds is freed, and the
 * writer is told (it may be waiting for a report that will not come). */
static void
reader_finish(struct importer *im, struct parsed **chunk, size_t nchunk)
{
	for (size_t i = 0; i < nchunk; i++)
		parsed_free(chunk[i]);
	pthread_mutex_lock(&im->mu);
	im->reader_done = true;
	pthread_cond_signal(&im->can_get);
	pthread_mutex_unlock(&im->mu);
}

static void *
import_reader(void *arg)
{
	struct importer *im = arg;
	struct parsed *chunk[IMPORT_CHUNK];
	size_t nchunk = 0;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	uint64_t lineno = 0, bytes = 0;
	struct parsed *pp;
	bool last = false;

	while (!last) {
		json_t *j;
		json_error_t je;

		if ((pp = calloc(1, sizeof(*pp))) == NULL)
			break;   /* the writer learns it from reader_done */
		if ((len = getline(&line, &cap, im->in)) == -1) {
			pp->kind = 2;
			pp->line = lineno;
			pp->bytes = bytes;
			if (ferror(im->in)) {
				pp->kind = 1;
				err_set(&pp->e, 500, "line", "line %llu: read error", (unsigned long long)lineno + 1);
			}
			last = true;
		} else {
			lineno++;
			bytes += (uint64_t)len;
			pp->line = lineno;
			pp->bytes = bytes;
			while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
				line[--len] = '\0';
			if (lineno <= im->skip || len == 0) {
				free(pp);
				continue;
			}
			if ((size_t)len > SIMPUL_MAX_IMPORT_LINE) {
				pp->kind = 1;
				err_set(&pp->e, 413, "line", "line %llu: longer than %u bytes",
				    (unsigned long long)lineno, SIMPUL_MAX_IMPORT_LINE);
			} else if ((j = json_loadb(line, (size_t)len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
				pp->kind = 1;
				err_set(&pp->e, 400, "line", "line %llu: invalid JSON at column %d: %.120s",
				    (unsigned long long)lineno, je.column, je.text);
			} else {
				reader_parse(im, j, lineno, pp);
				json_decref(j);
			}
			last = pp->kind == 1;
		}
		if (!reader_emit(im, chunk, &nchunk, pp, last))
			break;
	}
	free(line);
	reader_finish(im, chunk, nchunk);
	return NULL;
}

/* The reader stage for an import_source (core.h): the same hand-over as
 * import_reader, the items coming from src->next instead of JSON lines. */
static void *
import_source_reader(void *arg)
{
	struct importer *im = arg;
	struct parsed *chunk[IMPORT_CHUNK];
	size_t nchunk = 0;
	uint64_t nitems = 0, line = 0, bytes = 0;
	struct parsed *pp;
	bool last = false;

	while (!last) {
		struct import_item it;
		int got;

		if ((pp = calloc(1, sizeof(*pp))) == NULL)
			break;   /* the writer learns it from reader_done */
		memset(&it, 0, sizeof(it));
		got = im->src->next(im->src->ctx, &it, &pp->e);
		if (got == 1) {
			line = it.line;
			bytes = it.bytes;
		}
		pp->line = line;
		pp->bytes = bytes;
		if (got == 0) {
			pp->kind = 2;
		} else if (got == -1) {
			pp->kind = 1;
			if (pp->e.status == 0)
				err_set(&pp->e, 400, "", "line %llu: malformed input", (unsigned long long)line + 1);
		} else if (++nitems <= im->skip) {
			json_decref(it.report);
			free(pp);
			continue;
		} else {
			reader_parse(im, it.report, line, pp);
			if (pp->kind == 0 && it.has_digest) {
				pp->has_digest = true;
				memcpy(pp->digest, it.digest, sizeof(pp->digest));
			}
		}
		json_decref(it.report);
		last = pp->kind != 0;
		if (!reader_emit(im, chunk, &nchunk, pp, last))
			break;
	}
	reader_finish(im, chunk, nchunk);
	return NULL;
}

static int import_run(struct node *n, const char *agency_id, FILE *in,
    const struct import_source *src, uint64_t skip, import_progress_cb cb, void *cbctx,
    struct import_stats *sts, struct err *e);

int
node_import_reports(struct node *n, const char *agency_id, FILE *in, uint64_t skip,
    import_progress_cb cb, void *cbctx, struct import_stats *sts, struct err *e)
{
	return import_run(n, agency_id, in, NULL, skip, cb, cbctx, sts, e);
}

int
node_import_source(struct node *n, const char *agency_id, const struct import_source *src,
    uint64_t skip, import_progress_cb cb, void *cbctx, struct import_stats *sts, struct err *e)
{
	return import_run(n, agency_id, NULL, src, skip, cb, cbctx, sts, e);
}

int
node_import_seen(struct node *n, const char *agency_id, const unsigned char digest[32],
    char *report_id, struct err *e)
{
	struct store *st = reader(n, e);
	int rc;

	if (st == NULL)
		return -1;
	if ((rc = store_import_seen(st, agency_id, digest, report_id)) == -1)
		err_set(e, 500, "", "could not read the imported rows");
	return rc;
}

int
node_import_seen_many(struct node *n, const char *agency_id, const unsigned char (*digests)[32],
    size_t count, struct err *e)
{
	struct store *st = reader(n, e);
	int seen = 0, rc;

	if (st == NULL || store_read_begin(st, e) == -1)
		return -1;
	for (size_t i = 0; i < count; i++) {
		if ((rc = store_import_seen(st, agency_id, digests[i], NULL)) == -1) {
			store_read_end(st);
			err_set(e, 500, "", "could not read the imported rows");
			return -1;
		}
		seen += rc;
	}
	store_read_end(st);
	return seen;
}

static int
import_run(struct node *n, const char *agency_id, FILE *in, const struct import_source *src,
    uint64_t skip, import_progress_cb cb, void *cbctx, struct import_stats *sts, struct err *e)
{
	struct principal p;
	struct reqctx c = { .p = &p, .purpose = "import" };
	struct importer im = { .in = in, .skip = skip, .src = src };
	pthread_t reader_thread;
	size_t inbatch = 0;
	int rc = -1;
	bool open_txn = false;
	json_t *batch = json_array();
	uint64_t bmatches = 0;
	struct parsed *done = NULL;
	int64_t txn_start = 0;
	size_t intxn = 0;

	memset(sts, 0, sizeof(*sts));
	sts->committed_lines = skip;       /* line numbers count from the file's start */
	memset(&p, 0, sizeof(p));
	if (node_agency_get(n, agency_id, &p.agency) != 0) {
		err_set(e, 404, "agency", "no agency %.64s: add it first with `simpul agency add`", agency_id);
		json_decref(batch);
		return -1;
	}
	str_copy(p.id, sizeof(p.id), "import");
	p.role = kind_is_private(p.agency.kind) ? ROLE_PARTNER : ROLE_ANALYST;
	str_copy(p.name, sizeof(p.name), "import");
	im.country = p.agency.country;
	pthread_mutex_init(&im.mu, NULL);
	pthread_cond_init(&im.can_put, NULL);
	pthread_cond_init(&im.can_get, NULL);
	if (pthread_create(&reader_thread, NULL, src ? import_source_reader : import_reader, &im) != 0) {
		err_set(e, 500, "", "could not start the import reader");
		goto done;
	}
	for (bool end = false; !end;) {
		struct parsed *got[IMPORT_CHUNK];
		size_t ngot = ring_get(&im, got, IMPORT_CHUNK, done);
		bool failed = false;

		done = NULL;
		if (ngot == 0) {
			err_set(e, 500, "", "the import reader stopped: out of memory");
			goto out;
		}
		for (size_t i = 0; i < ngot; i++) {
			struct parsed *pp = got[i];
			size_t nm = 0;

			pp->next = done;        /* handed back with the next ring_get */
			done = pp;
			if (end || failed)
				continue;
			sts->lines = pp->line;
			sts->bytes = pp->bytes;
			if (pp->kind == 2) {
				end = true;
				continue;
			}
			if (pp->kind == 1) {
				*e = pp->e;
				failed = true;
				continue;
			}
			report_stamp(&pp->r, p.agency.id);
			if (!open_txn) {
				if (write_begin(n, e) == -1) {
					failed = true;
					continue;
				}
				open_txn = true;
				txn_start = now_ms();
				intxn = 0;
			}
			sts->items++;
			if (pp->has_digest) {
				/* Claimed in the report's transaction: both stay or
				 * neither. An item seen before writes nothing. */
				int cl = store_import_claim(n->w, p.agency.id, pp->digest, pp->r.id, e);
				if (cl == -1) {
					failed = true;
					continue;
				}
				if (cl == 0) {
					sts->duplicates++;
					continue;
				}
			}
			if (report_write(n, &c, &pp->r, NULL, &nm, batch, e) == -1) {
				failed = true;
				continue;
			}
			sts->reports++;
			sts->selectors += pp->r.nsel;
			bmatches += nm;
			sts->matches += nm;
			if (++inbatch == IMPORT_BATCH) {
				inbatch = 0;
				intxn += IMPORT_BATCH;
				if (import_audit(n, &c, batch, bmatches, e) == -1) {
					failed = true;
					continue;
				}
				bmatches = 0;
				if (intxn >= IMPORT_TXN_MAX || now_ms() - txn_start >= n->import_commit_ms) {
					open_txn = false;
					if (write_end(n, 0, e) == -1) {
						failed = true;
						continue;
					}
					sts->committed_reports = sts->reports;
					sts->committed_lines = pp->line;
				}
				if (cb)
					cb(cbctx, sts);
			}
		}
		if (failed)
			goto out;
	}
	rc = 0;
out:
	if (open_txn) {
		if (rc == 0 && ((inbatch > 0 && import_audit(n, &c, batch, bmatches, e) == -1) ||
		    write_end(n, 0, e) == -1))
			rc = -1;
		else if (rc != 0)
			write_end(n, rc, e);
		if (rc == 0) {
			sts->committed_reports = sts->reports;
			sts->committed_lines = sts->lines;
		}
	}
	/* Stop the reader, then free what it parsed ahead and what we hold. */
	pthread_mutex_lock(&im.mu);
	im.stop = true;             /* ring_put refuses from now on */
	pthread_cond_broadcast(&im.can_put);
	pthread_mutex_unlock(&im.mu);
	pthread_join(reader_thread, NULL);
	while (im.count) {
		parsed_free(im.ring[im.head]);
		im.head = (im.head + 1) % IMPORT_RING;
		im.count--;
	}
	parsed_free_list(im.done);
	parsed_free_list(done);
	if (rc == 0 && cb)
		cb(cbctx, sts);
done:
	pthread_mutex_destroy(&im.mu);
	pthread_cond_destroy(&im.can_put);
	pthread_cond_destroy(&im.can_get);
	json_decref(batch);
	return rc;
}

/* ---- metrics and audit ------------------------------------------------- */

int
node_metrics(struct node *n, struct sbuf *b)
{
	struct store_stats ss;
	struct err e;
	struct store *st = reader(n, &e);
	struct node_counters *k = &n->ctr;

#define C(name, help, v) \
	sbuf_printf(b, "# HELP simpul_" name " " help "\n# TYPE simpul_" name " counter\nsimpul_" name " %lld\n", (long long)(v))
#define G(name, help, v) \
	sbuf_printf(b, "# HELP simpul_" name " " help "\n# TYPE simpul_" name " gauge\nsimpul_" name " %lld\n", (long long)(v))
	C("reports_created_total", "Reports written through the API.", atomic_load(&k->reports_created));
	C("checks_total", "Check requests answered.", atomic_load(&k->checks));
	C("check_keys_total", "Selectors checked.", atomic_load(&k->check_keys));
	C("check_hits_total", "Selectors checked that hit a visible record.", atomic_load(&k->check_hits));
	C("report_reads_total", "Report reads answered.", atomic_load(&k->reads));
	C("refusals_total", "Refused accesses (audited).", atomic_load(&k->refusals));
	C("matches_total", "Cross-agency matches found on write.", atomic_load(&k->matches));
	C("audit_entries_total", "Audit entries appended by this process.", atomic_load(&k->audit_entries));
	C("audit_batches_total", "Group commits of read audit entries.", atomic_load(&k->audit_batches));
	sbuf_printf(b, "# HELP simpul_audit_commit_seconds_total Time spent committing read audit batches.\n"
	    "# TYPE simpul_audit_commit_seconds_total counter\nsimpul_audit_commit_seconds_total %.6f\n",
	    (double)atomic_load(&k->audit_commit_us) / 1e6);
	C("checkpoint_tails_total", "WAL checkpoint tails run with writes held off.", atomic_load(&k->ckpt_tails));
	sbuf_printf(b, "# HELP simpul_checkpoint_tail_seconds_total Time writes were held off for checkpoint tails.\n"
	    "# TYPE simpul_checkpoint_tail_seconds_total counter\nsimpul_checkpoint_tail_seconds_total %.6f\n",
	    (double)atomic_load(&k->ckpt_tail_us) / 1e6);
	sbuf_printf(b, "# HELP simpul_checkpoint_tail_max_seconds The longest checkpoint tail so far.\n"
	    "# TYPE simpul_checkpoint_tail_max_seconds gauge\nsimpul_checkpoint_tail_max_seconds %.6f\n",
	    (double)atomic_load(&k->ckpt_tail_max_us) / 1e6);
	C("auth_failures_total", "Requests with a missing, unknown or revoked token.", atomic_load(&k->auth_failures));
	if (st && store_stats(st, &ss) == 0) {
		G("agencies", "Agencies on this node.", ss.agencies);
		G("reports", "Reports stored.", ss.reports);
		G("postings", "Selector postings in the index.", ss.postings);
		G("audit_chain_length", "Entries in the audit chain.", ss.audit_entries);
	}
#undef C
#undef G
	return b->toobig || b->oom ? -1 : 0;
}

int
node_audit_verify(struct node *n, const struct reqctx *c, json_t **out, struct err *e)
{
	struct store *st;
	struct audit_event ev;
	int64_t checked = 0;
	int ok;

	*out = NULL;
	if (!policy_may_audit(c->p)) {
		err_set(e, 403, "", "only auditors and admins may verify the audit trail");
		node_audit_refusal(n, c, "audit.verify", NULL, 403, e->msg);
		return -1;
	}
	if (node_audit_flush(n, e) == -1 || (st = reader(n, e)) == NULL)
		return -1;
	ok = audit_verify_store(st, &checked, e) == 0;
	*out = json_pack("{s:b, s:I}", "ok", ok, "entries", (json_int_t)checked);
	if (!ok)
		json_object_set_new(*out, "error", json_string(e->msg));
	err_clear(e);
	event_init(&ev, c, "audit.verify", NULL, ok ? "intact" : "broken", NULL);
	commit_read(n, c, &ev, NULL, 0);
	return 0;
}

/* ---- for the feature modules (core_int.h) -------------------------------- */

struct store *
node_reader(struct node *n, struct err *e)
{
	return reader(n, e);
}

int
node_write_begin(struct node *n, struct err *e)
{
	return write_begin(n, e);
}

int
node_write_end(struct node *n, int rc, struct err *e)
{
	return write_end(n, rc, e);
}

struct store *
node_writer(struct node *n)
{
	return n->w;
}

struct node_net **
node_net_slot(struct node *n)
{
	return &n->net;
}

int
node_audit_write(struct node *n, const struct reqctx *c, const char *action, const char *object,
    const char *outcome, json_t *detail, struct err *e)
{
	struct audit_event ev;
	int rc;

	event_init(&ev, c, action, object, outcome, detail);
	rc = audit_append(&n->audit, n->w, &ev, now_ms(), e);
	if (rc == 0)
		atomic_fetch_add(&n->ctr.audit_entries, 1);
	return rc;
}

int
node_audit_read(struct node *n, const struct reqctx *c, const char *action, const char *object,
    const char *outcome, json_t *detail, struct alert_row *alerts, size_t nalerts)
{
	struct audit_event ev;

	event_init(&ev, c, action, object, outcome, detail);
	return commit_read(n, c, &ev, alerts, nalerts);
}

int
node_alert_put(struct node *n, const char *agency_id, const char *kind, json_t *payload, struct err *e)
{
	return alert_put(n->w, agency_id, kind, payload, e);
}

void
node_agency_principal(const struct agency *a, struct principal *p)
{
	agency_principal(a, p);
}

void **
node_persons_slot(struct node *n, void (**freefn)(void *))
{
	if (freefn)
		*freefn = n->persons_free;
	return &n->persons;
}

void
node_persons_set_free(struct node *n, void (*fn)(void *))
{
	n->persons_free = fn;
}

int
node_check_keys(const char *body, size_t len, const char *default_country,
    int (*cb)(void *ctx, size_t i, const char *key, bool valid), void *ctx, struct err *e)
{
	struct sbuf arena;
	struct citem *items = NULL;
	struct norm_out *no = NULL;
	size_t nitems = 0;
	json_t *j = NULL;
	json_error_t je;
	int rc = -1;

	sbuf_init(&arena, len + 16);
	if (checkscan(body, len, SIMPUL_MAX_BATCH, &arena, &items, &nitems) != 1) {
		if ((j = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
			err_set(e, 400, "body", "invalid JSON at line %d column %d: %.120s", je.line, je.column, je.text);
			goto out;
		}
		if (!json_is_object(j) || !json_depth_ok(j, SIMPUL_MAX_JSON_DEPTH)) {
			err_set(e, 400, "body", json_is_object(j) ? "the body is nested deeper than %d levels" :
			    "the body must be a JSON object", SIMPUL_MAX_JSON_DEPTH);
			goto out;
		}
		if (citems_from_json(j, &items, &nitems, e) == -1)
			goto out;
	}
	if ((no = malloc(sizeof(*no))) == NULL) {
		err_set(e, 500, "", "out of memory");
		goto out;
	}
	for (size_t i = 0; i < nitems; i++) {
		if (check_item(&items[i], i, default_country, no, e) == -1)
			goto out;
		if (cb(ctx, i, no->key, no->valid) != 0) {
			if (e->status == 0)
				err_set(e, 500, "", "could not collect the selectors");
			goto out;
		}
	}
	rc = 0;
out:
	free(no);
	free(items);
	sbuf_free(&arena);
	json_decref(j);
	return rc;
}

/* ---- export (formats: stix.c, misp.c) ---------------------------------- */

int
node_export_reports(struct node *n, const struct reqctx *c, const char *const *ids, size_t nids,
    const char *format, json_t **reports_out, json_t **agencies_out, struct err *e)
{
	struct store *st;
	struct audit_event ev;
	json_t *reports = NULL, *agencies = NULL, *named = NULL, *d;
	int rc = -1;

	*reports_out = *agencies_out = NULL;
	if (nids == 0 || nids > SIMPUL_MAX_EXPORT_REPORTS) {
		err_set(e, 400, "report", "name 1 to %d reports to export", SIMPUL_MAX_EXPORT_REPORTS);
		node_audit_refusal(n, c, "report.export", NULL, 400, e->msg);
		return -1;
	}
	if ((st = reader(n, e)) == NULL)
		return -1;
	reports = json_array();
	agencies = json_object();
	named = json_array();
	for (size_t i = 0; i < nids; i++) {
		struct report r;
		struct record_meta meta;
		enum decision dd = POLICY_NONE;
		int found;

		memset(&r, 0, sizeof(r));
		found = strlen(ids[i]) == SIMPUL_ID_LEN ? store_report_get(st, ids[i], &r) : 1;
		if (found == -1) {
			err_set(e, 500, "", "could not read the report");
			goto out;
		}
		if (found == 0) {
			meta.agency_id = r.agency_id;
			meta.m = &r.m;
			/* Onward sharing: orcon records go to their originator only. */
			dd = policy_decide(c->p, &meta, USE_ONWARD);
		}
		if (dd != POLICY_FULL) {
			/* Unknown, not for you, hit-only and orcon look the same. */
			err_set(e, 404, "report", "no report %.40s that you may export", ids[i]);
			report_free(&r);
			node_audit_refusal(n, c, "report.export", ids[i], 404, e->msg);
			goto out;
		}
		json_array_append_new(reports, report_render(c->p, &r, POLICY_FULL));
		json_array_append_new(named, json_string(r.id));
		if (json_object_get(agencies, r.agency_id) == NULL) {
			struct agency a;
			if (store_agency_get(st, r.agency_id, &a) == 0)
				json_object_set_new(agencies, a.id, json_pack("{s:s, s:s, s:s, s:s}", "id", a.id,
				    "country", a.country, "kind", agency_kind_name(a.kind), "name", a.name));
		}
		report_free(&r);
	}
	d = json_pack("{s:s, s:O}", "format", format, "reports", named);
	event_init(&ev, c, "report.export", nids == 1 ? ids[0] : NULL, "ok", d);
	rc = commit_read(n, c, &ev, NULL, 0);
	json_decref(d);
	if (rc == -1) {
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		goto out;
	}
	atomic_fetch_add(&n->ctr.reads, 1);
	*reports_out = reports;
	*agencies_out = agencies;
	reports = agencies = NULL;
	rc = 0;
out:
	json_decref(reports);
	json_decref(agencies);
	json_decref(named);
	return rc;
}

/* ---- feeds (formats: TAXII) -------------------------------------------- */

struct feedrow {
	int64_t rid;
	char    id[SIMPUL_ID_LEN + 1];
};

struct feedscan {
	struct feedrow *v;
	size_t          n, cap;
};

static int
feed_cb(void *ctx, int64_t rid, const char *id)
{
	struct feedscan *fs = ctx;

	if (fs->n == fs->cap)
		return 1;
	fs->v[fs->n].rid = rid;
	str_copy(fs->v[fs->n].id, sizeof(fs->v[fs->n].id), id);
	fs->n++;
	return 0;
}

static bool
aud_has(const struct markings *m, const char *aud)
{
	for (int i = 0; i < m->naud; i++)
		if (strcmp(m->aud[i], aud) == 0)
			return true;
	return false;
}

int
node_export_feed(struct node *n, const struct reqctx *c, const char *audience, int64_t after_rid,
    int64_t added_after_ms, int limit, json_t **reports_out, json_t **agencies_out, json_t **rids_out,
    bool *more, struct err *e)
{
	struct feedscan fs = { 0 };
	struct store *st;
	struct audit_event ev;
	json_t *reports = json_array(), *agencies = json_object(), *rids = json_array(), *d;
	int64_t cursor = after_rid;
	size_t scanned = 0;
	int rc = -1;

	*reports_out = *agencies_out = *rids_out = NULL;
	*more = false;
	if ((st = reader(n, e)) == NULL)
		goto out;
	fs.cap = 256;
	if ((fs.v = calloc(fs.cap, sizeof(*fs.v))) == NULL) {
		err_set(e, 500, "", "out of memory");
		goto out;
	}
	/* Scan in row order, keep what the audience and the gate allow; bounded
	 * per request (SIMPUL_MAX_FEED_SCAN rows), the cursor says where to go on. */
	while ((int)json_array_size(reports) < limit && scanned < SIMPUL_MAX_FEED_SCAN) {
		fs.n = 0;
		if (store_reports_after(st, cursor, added_after_ms, (int)fs.cap, feed_cb, &fs) == -1) {
			err_set(e, 500, "", "could not read reports");
			goto out;
		}
		if (fs.n == 0)
			break;
		for (size_t i = 0; i < fs.n; i++) {
			struct report r;
			struct record_meta meta;
			bool in;

			scanned++;
			if ((int)json_array_size(reports) == limit) {
				*more = true;
				break;
			}
			cursor = fs.v[i].rid;
			memset(&r, 0, sizeof(r));
			if (store_report_get(st, fs.v[i].id, &r) != 0)
				continue;
			in = audience == NULL ? strcmp(r.agency_id, c->p->agency.id) == 0 : aud_has(&r.m, audience);
			meta.agency_id = r.agency_id;
			meta.m = &r.m;
			if (in && policy_decide(c->p, &meta, USE_ONWARD) == POLICY_FULL) {
				json_array_append_new(reports, report_render(c->p, &r, POLICY_FULL));
				json_array_append_new(rids, json_integer(fs.v[i].rid));
				if (json_object_get(agencies, r.agency_id) == NULL) {
					struct agency a;
					if (store_agency_get(st, r.agency_id, &a) == 0)
						json_object_set_new(agencies, a.id, json_pack("{s:s, s:s, s:s, s:s}", "id",
						    a.id, "country", a.country, "kind", agency_kind_name(a.kind), "name", a.name));
				}
			}
			report_free(&r);
		}
		if (*more || fs.n < fs.cap)
			break;
	}
	if (scanned >= SIMPUL_MAX_FEED_SCAN)
		*more = true;
	d = json_pack("{s:s, s:I, s:I}", "collection", audience ? audience : c->p->agency.id,
	    "after", (json_int_t)after_rid, "reports", (json_int_t)json_array_size(reports));
	event_init(&ev, c, "taxii.objects", audience ? audience : c->p->agency.id, "ok", d);
	rc = commit_read(n, c, &ev, NULL, 0);
	json_decref(d);
	if (rc == -1) {
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		goto out;
	}
	/* The next page starts after the last row scanned, even if it was not ours. */
	json_object_set_new(agencies, "", json_integer(cursor));
	*reports_out = reports;
	*agencies_out = agencies;
	*rids_out = rids;
	reports = agencies = rids = NULL;
	rc = 0;
out:
	free(fs.v);
	json_decref(reports);
	json_decref(agencies);
	json_decref(rids);
	return rc;
}

int
node_alert_to(struct store *st, const char *agency_id, const char *principal_id, const char *kind,
    json_t *payload, struct err *e)
{
	struct alert_row a;
	char *text;
	int rc;

	if (principal_id == NULL || *principal_id == '\0')
		return alert_put(st, agency_id, kind, payload, e);
	memset(&a, 0, sizeof(a));
	id_new(a.id);
	str_copy(a.agency_id, sizeof(a.agency_id), agency_id);
	str_copy(a.principal_id, sizeof(a.principal_id), principal_id);
	str_copy(a.kind, sizeof(a.kind), kind);
	a.created_ms = now_ms();
	text = json_dumps(payload, JSON_COMPACT);
	a.payload = text ? text : "{}";
	rc = store_alert_put(st, &a, e);
	free(text);
	return rc;
}

int
node_audit_access(struct node *n, const struct reqctx *c, const char *action, const char *object,
    struct err *e)
{
	struct audit_event ev;

	event_init(&ev, c, action, object, "ok", NULL);
	if (commit_read(n, c, &ev, NULL, 0) == -1) {
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		return -1;
	}
	return 0;
}

int
node_token_mint(struct store *w, const char *principal_id, const char *label, int64_t expires_ms,
    char *token_out, size_t toksz, struct err *e)
{
	return token_mint_until(w, principal_id, label, expires_ms, token_out, toksz, e);
}

void
node_token_forget(struct node *n, const char *token_id)
{
	token_uncache(n, token_id);
}

void
node_count_auth_failure(struct node *n)
{
	atomic_fetch_add(&n->ctr.auth_failures, 1);
}

void *
node_ext(struct node *n, int slot, void *(*create)(void), void (*destroy)(void *))
{
	void *p;

	if (slot < 0 || slot >= NODE_EXT__N)
		return NULL;
	pthread_mutex_lock(&n->rlock);
	if ((p = n->ext[slot]) == NULL && (p = create()) != NULL) {
		n->ext[slot] = p;
		n->ext_free[slot] = destroy;
	}
	pthread_mutex_unlock(&n->rlock);
	return p;
}

json_t *
node_report_render(const struct principal *p, const struct report *r, enum decision d)
{
	return report_render(p, r, d);
}
