/* ratelimit.c - token buckets and daily quotas (ratelimit.h;
 * docs/internals/ratelimit.md).
 *
 * The table: RL_SLOTS slots, open addressing over RL_PROBE neighbours. A
 * slot is claimed by the first key that finds it empty; when all
 * neighbours are taken, a slot whose bucket is full again (its owner idle:
 * a full bucket is exactly what a new one would be) or whose quota day is
 * over is reused, so reuse never forgets a limit. When even that fails
 * (an address flood) the key shares its home slot with its owner: both are
 * limited more strictly, never less. */
#include "ratelimit.h"

#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simpul_limits.h"

#define RL_SLOTS 65536u
#define RL_PROBE 8

enum rscope { RS_PRINCIPAL, RS_AGENCY, RS_PUBLIC, RS__N };
static const char *const scope_names[RS__N] = { "principal", "agency", "public" };

struct rule {
	enum rscope scope;
	char        id[SIMPUL_MAX_AGENCY_ID + 1];  /* empty: the default of its scope */
	bool        has_rate, has_quota;
	double      rate, burst;                   /* tokens a second; rate 0 = unlimited */
	int64_t     quota;                         /* requests a UTC day */
};

enum slotkind { SK_FREE, SK_RATE, SK_QUOTA };

struct slot {
	atomic_flag   lock;
	uint8_t       kind;
	uint64_t      key;
	double        tokens, rate, burst;   /* SK_RATE */
	int64_t       t_us;                  /* SK_RATE: last refill; SK_QUOTA: the day */
	int64_t       count;                 /* SK_QUOTA */
};

static struct slot *table;
static struct rule rules[SIMPUL_MAX_LIMIT_RULES];
static int nrules;
static unsigned char hkey[crypto_shorthash_KEYBYTES];
static atomic_ullong refused;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void
rl_init(void)
{
	if (sodium_init() < 0)
		abort();
	randombytes_buf(hkey, sizeof(hkey));
	table = calloc(RL_SLOTS, sizeof(*table));
	if (table == NULL)
		abort();
	for (size_t i = 0; i < RL_SLOTS; i++)
		atomic_flag_clear(&table[i].lock);
}

/* Held for a few instructions. On a loaded machine the holder may be
 * preempted; a waiter then yields its time slice instead of spinning
 * through it. */
static void
slock(struct slot *s)
{
	for (unsigned spins = 0; atomic_flag_test_and_set_explicit(&s->lock, memory_order_acquire); spins++)
		if (spins >= 64) {
			sched_yield();
			spins = 0;
		}
}

static void
sunlock(struct slot *s)
{
	atomic_flag_clear_explicit(&s->lock, memory_order_release);
}

/* SipHash of an id (once per id and request); the scopes' keys derive
 * from it (tag), so a request hashes each id once however many limits it
 * is charged against. */
static uint64_t
idhash(const char *id)
{
	unsigned char out[8];
	size_t n = strlen(id);
	uint64_t k;

	crypto_shorthash(out, (const unsigned char *)id, n > 128 ? 128 : n, hkey);
	memcpy(&k, out, sizeof(k));
	return k;
}

static uint64_t
keyof(uint64_t h, char tag)
{
	uint64_t k = h ^ ((uint64_t)(unsigned char)tag * 0x9e3779b97f4a7c15ULL);

	return k ? k : 1;   /* 0 marks a free slot */
}

/* Under the slot's lock: may another key take this slot over? */
static bool
reusable(const struct slot *s, int64_t now_us, int64_t day)
{
	if (s->kind == SK_FREE)
		return true;
	if (s->kind == SK_QUOTA)
		return s->t_us != day;
	return s->rate <= 0 || s->tokens + (double)(now_us - s->t_us) * s->rate / 1e6 >= s->burst;
}

static void
claim(struct slot *s, uint64_t key, enum slotkind kind, double rate, double burst, int64_t now_us, int64_t day)
{
	s->key = key;
	s->kind = (uint8_t)kind;
	s->rate = rate;
	s->burst = burst;
	s->tokens = burst;
	s->t_us = kind == SK_QUOTA ? day : now_us;
	s->count = 0;
}

/* The slot of key, locked. */
static struct slot *
slot_get(uint64_t key, enum slotkind kind, double rate, double burst, int64_t now_us, int64_t day)
{
	size_t home = (size_t)(key & (RL_SLOTS - 1));
	int victim = -1;

	for (int i = 0; i < RL_PROBE; i++) {
		struct slot *s = &table[(home + (size_t)i) & (RL_SLOTS - 1)];
		slock(s);
		if (s->key == key && s->kind == kind)
			return s;
		if (s->kind == SK_FREE) {
			claim(s, key, kind, rate, burst, now_us, day);
			return s;
		}
		if (victim < 0 && reusable(s, now_us, day))
			victim = i;
		sunlock(s);
	}
	if (victim >= 0) {
		struct slot *s = &table[(home + (size_t)victim) & (RL_SLOTS - 1)];
		slock(s);
		if (s->key == key && s->kind == kind)
			return s;
		if (reusable(s, now_us, day)) {
			claim(s, key, kind, rate, burst, now_us, day);
			return s;
		}
		sunlock(s);
	}
	/* Full neighbourhood: share the home slot (stricter, never looser). */
	{
		struct slot *s = &table[home];
		slock(s);
		if (s->kind != kind)
			claim(s, key, kind, rate, burst, now_us, day);
		return s;
	}
}

/* 0 taken; 1 refused with *retry seconds. */
static int
bucket_take(uint64_t key, double rate, double burst, int64_t now_us, int *retry)
{
	struct slot *s = slot_get(key, SK_RATE, rate, burst, now_us, 0);
	double tokens;
	int rc = 0;

	/* The rule may have changed since the slot was claimed (tests). */
	s->rate = rate;
	s->burst = burst;
	tokens = s->tokens + (double)(now_us - s->t_us) * rate / 1e6;
	if (tokens > burst)
		tokens = burst;
	if (tokens >= 1.0) {
		tokens -= 1.0;
	} else {
		*retry = (int)ceil((1.0 - tokens) / rate);
		if (*retry < 1)
			*retry = 1;
		rc = 1;
	}
	s->tokens = tokens;
	s->t_us = now_us;
	sunlock(s);
	return rc;
}

static int
quota_take(uint64_t key, int64_t quota, int64_t wall_ms, int *retry)
{
	int64_t day = wall_ms / 86400000;
	struct slot *s = slot_get(key, SK_QUOTA, 0, 0, 0, day);
	int rc = 0;

	if (s->t_us != day) {
		s->t_us = day;
		s->count = 0;
	}
	if (s->count >= quota) {
		*retry = (int)(((day + 1) * 86400000 - wall_ms + 999) / 1000);
		if (*retry < 1)
			*retry = 1;
		rc = 1;
	} else {
		s->count++;
	}
	sunlock(s);
	return rc;
}

static const struct rule *
rule_for(enum rscope scope, const char *id, bool quota)
{
	const struct rule *def = NULL;

	for (int i = 0; i < nrules; i++) {
		const struct rule *r = &rules[i];
		if (r->scope != scope || (quota ? !r->has_quota : !r->has_rate))
			continue;
		if (r->id[0] == '\0')
			def = r;
		else if (id && strcmp(r->id, id) == 0)
			return r;
	}
	return def;
}

int
rl_admit(const struct principal *p, const char *client, int64_t now_us, int64_t wall_ms,
    int *retry_after, const char **why)
{
	const struct rule *rr, *rq;
	uint64_t h = 0;

	pthread_once(&once, rl_init);
	*retry_after = 0;
	*why = NULL;
	if (p == NULL) {
		rr = rule_for(RS_PUBLIC, NULL, false);
		rq = rule_for(RS_PUBLIC, NULL, true);
		if ((rr && rr->rate > 0) || rq)
			h = idhash(client ? client : "");
		if (rr && rr->rate > 0 && bucket_take(keyof(h, 'c'), rr->rate, rr->burst, now_us, retry_after)) {
			*why = "client address rate";
			goto refuse;
		}
		if (rq && quota_take(keyof(h, 'C'), rq->quota, wall_ms, retry_after)) {
			*why = "client address quota";
			goto refuse;
		}
		return 0;
	}
	rr = rule_for(RS_PRINCIPAL, p->id, false);
	rq = rule_for(RS_PRINCIPAL, p->id, true);
	if ((rr && rr->rate > 0) || rq)
		h = idhash(p->id);
	if (rr && rr->rate > 0 && bucket_take(keyof(h, 'p'), rr->rate, rr->burst, now_us, retry_after)) {
		*why = "principal rate";
		goto refuse;
	}
	if (rq && quota_take(keyof(h, 'P'), rq->quota, wall_ms, retry_after)) {
		*why = "principal quota";
		goto refuse;
	}
	rr = rule_for(RS_AGENCY, p->agency.id, false);
	rq = rule_for(RS_AGENCY, p->agency.id, true);
	if ((rr && rr->rate > 0) || rq)
		h = idhash(p->agency.id);
	if (rr && rr->rate > 0 && bucket_take(keyof(h, 'a'), rr->rate, rr->burst, now_us, retry_after)) {
		*why = "agency rate";
		goto refuse;
	}
	if (rq && quota_take(keyof(h, 'A'), rq->quota, wall_ms, retry_after)) {
		*why = "agency quota";
		goto refuse;
	}
	return 0;
refuse:
	atomic_fetch_add(&refused, 1);
	return 1;
}

uint64_t
rl_refused_total(void)
{
	return atomic_load(&refused);
}

/* "SCOPE" or "SCOPE:ID" before '=' into a rule slot (existing or new). */
static struct rule *
rule_slot(const char *spec, const char **rest, struct err *e, const char *flag)
{
	const char *eq = strchr(spec, '='), *colon;
	char scope[16], id[SIMPUL_MAX_AGENCY_ID + 1] = "";
	size_t n;
	int s;

	if (eq == NULL)
		goto bad;
	colon = memchr(spec, ':', (size_t)(eq - spec));
	n = (size_t)((colon ? colon : eq) - spec);
	if (n == 0 || n >= sizeof(scope))
		goto bad;
	memcpy(scope, spec, n);
	scope[n] = '\0';
	for (s = 0; s < RS__N; s++)
		if (strcmp(scope, scope_names[s]) == 0)
			break;
	if (s == RS__N)
		goto bad;
	if (colon) {
		n = (size_t)(eq - colon - 1);
		if (s == RS_PUBLIC || n == 0 || n >= sizeof(id))
			goto bad;
		memcpy(id, colon + 1, n);
		id[n] = '\0';
		if (s == RS_AGENCY ? !agency_id_valid(id) : strlen(id) != SIMPUL_ID_LEN)
			goto bad;
	}
	*rest = eq + 1;
	for (int i = 0; i < nrules; i++)
		if ((int)rules[i].scope == s && strcmp(rules[i].id, id) == 0)
			return &rules[i];
	if (nrules == SIMPUL_MAX_LIMIT_RULES) {
		err_set(e, 400, flag, "%s: at most %d rules", flag, SIMPUL_MAX_LIMIT_RULES);
		return NULL;
	}
	memset(&rules[nrules], 0, sizeof(rules[nrules]));
	rules[nrules].scope = (enum rscope)s;
	str_copy(rules[nrules].id, sizeof(rules[nrules].id), id);
	return &rules[nrules++];
bad:
	err_set(e, 400, flag, "%s %.80s: the scope must be principal, agency or public, or "
	    "principal:PRINCIPAL-ID / agency:AGENCY-ID, followed by =", flag, spec);
	return NULL;
}

/* "N" or "N.M" into a positive double. */
static int
num_parse(const char *s, size_t n, double *out)
{
	char buf[32], *end;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!((buf[i] >= '0' && buf[i] <= '9') || buf[i] == '.'))
			return -1;
	*out = strtod(buf, &end);
	return *end == '\0' && *out >= 0 && *out <= 1e9 ? 0 : -1;
}

int
rl_rate_parse(const char *spec, struct err *e)
{
	const char *rest, *slash, *colon;
	double rate, burst = 0, per = 1;
	struct rule *r;

	pthread_once(&once, rl_init);
	if (spec == NULL || (r = rule_slot(spec, &rest, e, "--rate-limit")) == NULL)
		return -1;
	colon = strchr(rest, ':');
	slash = strchr(rest, '/');
	if (slash && colon && slash > colon)
		goto bad;
	if (num_parse(rest, (size_t)((slash ? slash : colon ? colon : rest + strlen(rest)) - rest), &rate) == -1)
		goto bad;
	if (slash) {
		size_t un = (size_t)((colon ? colon : slash + strlen(slash)) - slash - 1);
		if (un != 1 || strchr("smh", slash[1]) == NULL)
			goto bad;
		per = slash[1] == 's' ? 1 : slash[1] == 'm' ? 60 : 3600;
	}
	if (colon && (num_parse(colon + 1, strlen(colon + 1), &burst) == -1 || burst < 1))
		goto bad;
	rate /= per;
	if (!colon)
		burst = rate < 1 ? 1 : ceil(rate);
	r->has_rate = true;
	r->rate = rate;
	r->burst = burst;
	return 0;
bad:
	err_set(e, 400, "--rate-limit", "--rate-limit %.80s: expected SCOPE=RATE[/s|/m|/h][:BURST], "
	    "e.g. principal=50/s:100", spec);
	return -1;
}

int
rl_quota_parse(const char *spec, struct err *e)
{
	const char *rest, *slash;
	double q;
	struct rule *r;

	pthread_once(&once, rl_init);
	if (spec == NULL || (r = rule_slot(spec, &rest, e, "--quota")) == NULL)
		return -1;
	slash = strchr(rest, '/');
	if (slash == NULL || strcmp(slash, "/d") != 0 ||
	    num_parse(rest, (size_t)(slash - rest), &q) == -1 || q != floor(q) || q < 1)
		goto bad;
	r->has_quota = true;
	r->quota = (int64_t)q;
	return 0;
bad:
	err_set(e, 400, "--quota", "--quota %.80s: expected SCOPE=N/d (requests a UTC day), "
	    "e.g. agency:MY-BANK1=100000/d", spec);
	return -1;
}

void
rl_reset(void)
{
	pthread_once(&once, rl_init);
	for (size_t i = 0; i < RL_SLOTS; i++) {
		slock(&table[i]);
		table[i].kind = SK_FREE;
		table[i].key = 0;
		sunlock(&table[i]);
	}
	nrules = 0;
	memset(rules, 0, sizeof(rules));
	rules[0].scope = RS_PUBLIC;
	rules[0].has_rate = true;
	rules[0].rate = RL_DEFAULT_PUBLIC_RATE;
	rules[0].burst = RL_DEFAULT_PUBLIC_BURST;
	nrules = 1;
}

void
rl_describe(struct sbuf *b)
{
	for (int i = 0; i < nrules; i++) {
		const struct rule *r = &rules[i];
		sbuf_printf(b, "%s%s%s%s", i ? ", " : "", scope_names[r->scope], r->id[0] ? ":" : "", r->id);
		if (r->has_rate && r->rate > 0)
			sbuf_printf(b, " %.3g/s burst %.0f", r->rate, r->burst);
		else if (r->has_rate)
			sbuf_adds(b, " unlimited");
		if (r->has_quota)
			sbuf_printf(b, " %lld/day", (long long)r->quota);
	}
}

/* The public default is in place before any flag is read. */
__attribute__((constructor)) static void
rl_defaults(void)
{
	rules[0].scope = RS_PUBLIC;
	rules[0].has_rate = true;
	rules[0].rate = RL_DEFAULT_PUBLIC_RATE;
	rules[0].burst = RL_DEFAULT_PUBLIC_BURST;
	nrules = 1;
}
