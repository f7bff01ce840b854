/* networks.c - the component index of networks.h.
 *
 * Layout: reports and selectors are dense arrays indexed by a 32-bit slot
 * (reports in arrival order, so the smallest slot of a component is its
 * earliest report). Each report lists its selector slots and each selector
 * its report slots (bit 0 of an edge: weak). Components are a union-find
 * over report slots (union by size; path compression only under the write
 * lock) with a circular "next" list per component, so the members of a
 * component are enumerated without a scan and a split recomputes exactly
 * the members of the affected component.
 *
 * Invariants (checked by tests/unit/test_networks.c):
 *  - two live, non-silent reports are in one component iff a path of strong
 *    edges through linking selectors joins them;
 *  - silent and retracted reports are singletons and in nobody's view;
 *  - a linking selector's live non-silent strong reports are all in one
 *    component; its `anchor` is one of them (or NONE). */
#include "networks.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "simpul_limits.h"

#define NONE32      UINT32_MAX
#define TOMB32      (UINT32_MAX - 1)
#define AG_TRACK    8     /* distinct agencies tracked per selector (min_agencies cap) */
#define VIEW_MAX    50000 /* reports examined for one view (a bigger component is truncated) */
#define TOP_SEL     10
#define LIST_SCAN   20000 /* components examined for one page of an unfiltered list */

#define RF_SILENT   0x1
#define RF_GONE     0x2

#define SF_LISTED   0x1
#define SF_OVR_LINK 0x2
#define SF_OVR_GEN  0x4
#define SF_DEGREE   0x8   /* generic by degree */

struct nrep {
	char      id[SIMPUL_ID_LEN + 1];
	uint8_t   flags;
	char      vc[3];
	char      cur[4];
	uint32_t  agency;      /* index into agencies */
	uint32_t  mark;        /* index into marks */
	uint32_t  scam;        /* index into scams, NONE32 = none */
	int64_t   rid, seen_ms, loss;
	uint64_t  tag;         /* the network id this report gives its piece when earliest */
	uint32_t *sel;         /* edges: slot << 1 | weak */
	uint32_t  nsel;
};

struct nsel {
	char     *key;
	uint8_t   flags;
	uint32_t *reps;        /* edges: slot << 1 | weak */
	size_t    cap;
	uint32_t  nreps;
	uint32_t  nlive;       /* live, non-silent reports */
	uint32_t  anchor;      /* a live non-silent report with a strong edge, or NONE32 */
	uint32_t  ag[AG_TRACK];
	uint8_t   nag;
	char      list[48];    /* the warning list naming it */
};

struct nagency {
	char id[SIMPUL_MAX_AGENCY_ID + 1];
	char country[3];
};

/* Open addressing: 64-bit hash -> slot. */
struct hmap {
	uint64_t *h;
	uint32_t *v;
	size_t    cap, n, used;
};

struct net {
	pthread_rwlock_t lock;
	struct nrep     *r;
	uint32_t        *parent, *next, *size, *first;  /* first: a root's earliest member */
	size_t           nr, capr;
	struct nsel     *s;
	size_t           ns, caps;
	struct hmap      rmap, smap, tmap;   /* report id, selector key, network tag */
	struct nagency  *ag;
	size_t           nag, capag;
	struct markings *marks;
	size_t           nmarks, capmarks;
	char           (*scams)[65];
	size_t           nscams, capscams;
	int              max_reports, min_agencies;
	net_listed_fn    listed;
	void            *listed_ctx;
	uint64_t         edges;
};

/* ---- small helpers ---------------------------------------------------- */

static uint64_t
hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL;   /* FNV-1a, then a finaliser */

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static int
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t nc;
	void *np;

	if (need <= *cap)
		return 0;
	nc = *cap ? *cap : 16;
	while (nc < need)
		nc *= 2;
	if ((np = realloc(*p, nc * elem)) == NULL)
		return -1;
	*p = np;
	*cap = nc;
	return 0;
}

static int
hmap_rehash(struct hmap *m, size_t nc)
{
	struct hmap o = *m;

	m->h = calloc(nc, sizeof(*m->h));
	m->v = malloc(nc * sizeof(*m->v));
	if (m->h == NULL || m->v == NULL) {
		free(m->h);
		free(m->v);
		*m = o;
		return -1;
	}
	for (size_t i = 0; i < nc; i++)
		m->v[i] = NONE32;
	m->cap = nc;
	m->n = m->used = 0;
	for (size_t i = 0; i < o.cap; i++)
		if (o.v[i] != NONE32 && o.v[i] != TOMB32) {
			size_t j = o.h[i] & (nc - 1);
			while (m->v[j] != NONE32)
				j = (j + 1) & (nc - 1);
			m->h[j] = o.h[i];
			m->v[j] = o.v[i];
			m->n++;
			m->used++;
		}
	free(o.h);
	free(o.v);
	return 0;
}

/* The slot for h accepted by eq, or NONE32. */
static uint32_t
hmap_find(const struct hmap *m, uint64_t h, bool (*eq)(const struct net *, uint32_t, const void *),
    const struct net *nt, const void *key, size_t *pos)
{
	if (m->cap == 0)
		return NONE32;
	for (size_t j = h & (m->cap - 1);; j = (j + 1) & (m->cap - 1)) {
		if (m->v[j] == NONE32)
			return NONE32;
		if (m->v[j] != TOMB32 && m->h[j] == h && eq(nt, m->v[j], key)) {
			if (pos)
				*pos = j;
			return m->v[j];
		}
	}
}

static int
hmap_put(struct hmap *m, uint64_t h, uint32_t v)
{
	size_t j;

	if ((m->used + 1) * 4 >= m->cap * 3 && hmap_rehash(m, m->cap ? m->cap * 2 : 1024) == -1)
		return -1;
	for (j = h & (m->cap - 1); m->v[j] != NONE32 && m->v[j] != TOMB32; j = (j + 1) & (m->cap - 1))
		;
	if (m->v[j] == NONE32)
		m->used++;
	m->h[j] = h;
	m->v[j] = v;
	m->n++;
	return 0;
}

static bool
eq_rep(const struct net *nt, uint32_t v, const void *key)
{
	return strcmp(nt->r[v].id, key) == 0;
}

static bool
eq_sel(const struct net *nt, uint32_t v, const void *key)
{
	return strcmp(nt->s[v].key, key) == 0;
}

static bool
eq_tag(const struct net *nt, uint32_t v, const void *key)
{
	return nt->r[v].tag == *(const uint64_t *)key;
}

static void
hmap_del(struct hmap *m, size_t pos)
{
	m->v[pos] = TOMB32;
	m->n--;
}

static uint32_t
rep_find(const struct net *nt, const char *id)
{
	return hmap_find(&nt->rmap, hash_str(id), eq_rep, nt, id, NULL);
}

static uint32_t
sel_find(const struct net *nt, const char *key)
{
	return hmap_find(&nt->smap, hash_str(key), eq_sel, nt, key, NULL);
}

bool
net_edge_strong(const char *type, bool valid, const char *role)
{
	if (!valid || type == NULL)
		return false;
	if (strcmp(type, "phone_raw") == 0)
		return false;
	if (role && strncmp(role, "victim", 6) == 0)
		return false;
	return true;
}

static enum decision decide(const struct net *nt, const struct principal *p, uint32_t x);

/* ---- union-find ------------------------------------------------------- */

/* Without path compression: safe under the read lock. */
static uint32_t
find_ro(const struct net *nt, uint32_t x)
{
	while (nt->parent[x] != x)
		x = nt->parent[x];
	return x;
}

static uint32_t
find_rw(struct net *nt, uint32_t x)
{
	uint32_t root = find_ro(nt, x);

	while (nt->parent[x] != root) {
		uint32_t up = nt->parent[x];
		nt->parent[x] = root;
		x = up;
	}
	return root;
}

static void
unite(struct net *nt, uint32_t a, uint32_t b)
{
	uint32_t t;

	a = find_rw(nt, a);
	b = find_rw(nt, b);
	if (a == b)
		return;
	if (nt->size[a] < nt->size[b]) {
		t = a;
		a = b;
		b = t;
	}
	nt->parent[b] = a;
	nt->size[a] += nt->size[b];
	if (nt->first[b] < nt->first[a])
		nt->first[a] = nt->first[b];
	/* Splice the two circular member lists. */
	t = nt->next[a];
	nt->next[a] = nt->next[b];
	nt->next[b] = t;
}

static bool
rep_live(const struct net *nt, uint32_t x)
{
	return (nt->r[x].flags & (RF_SILENT | RF_GONE)) == 0;
}

static bool
sel_links(const struct net *nt, const struct nsel *s)
{
	if (s->flags & SF_OVR_LINK)
		return true;
	if (s->flags & (SF_OVR_GEN | SF_LISTED | SF_DEGREE))
		return false;
	return true;
}

/* Recompute the degree rule of a selector; true when it changed. */
static bool
sel_degree_update(struct net *nt, struct nsel *s)
{
	bool was = (s->flags & SF_DEGREE) != 0;
	bool now = s->nlive > (uint32_t)nt->max_reports && s->nag >= nt->min_agencies;

	if (now)
		s->flags |= SF_DEGREE;
	else
		s->flags &= (uint8_t)~SF_DEGREE;
	return was != now;
}

static void
sel_recount_agencies(struct net *nt, struct nsel *s)
{
	s->nag = 0;
	for (uint32_t i = 0; i < s->nreps && s->nag < AG_TRACK; i++) {
		uint32_t x = s->reps[i] >> 1;
		uint32_t a = nt->r[x].agency;
		bool seen = false;
		if (!rep_live(nt, x))
			continue;
		for (uint8_t k = 0; k < s->nag && !seen; k++)
			seen = s->ag[k] == a;
		if (!seen)
			s->ag[s->nag++] = a;
	}
}

static void
sel_reanchor(struct net *nt, struct nsel *s)
{
	s->anchor = NONE32;
	for (uint32_t i = 0; i < s->nreps; i++)
		if (!(s->reps[i] & 1) && rep_live(nt, s->reps[i] >> 1)) {
			s->anchor = s->reps[i] >> 1;
			return;
		}
}

/* Rebuild the component holding report slot x from its members' edges.
 * The members may end in several components: the split. */
static int
recompute(struct net *nt, uint32_t x)
{
	uint32_t *mem = NULL, m, c = 0;
	size_t n = 0, cap = 0;

	m = x;
	do {
		if (grow((void **)&mem, &cap, n + 1, sizeof(*mem)) == -1) {
			free(mem);
			return -1;
		}
		mem[n++] = m;
		m = nt->next[m];
	} while (m != x);
	for (size_t i = 0; i < n; i++) {
		nt->parent[mem[i]] = mem[i];
		nt->next[mem[i]] = mem[i];
		nt->size[mem[i]] = 1;
		nt->first[mem[i]] = mem[i];
	}
	for (size_t i = 0; i < n; i++) {
		struct nrep *r = &nt->r[mem[i]];
		if (!rep_live(nt, mem[i]))
			continue;
		for (uint32_t k = 0; k < r->nsel; k++) {
			struct nsel *s = &nt->s[r->sel[k] >> 1];
			if ((r->sel[k] & 1) || !sel_links(nt, s) || s->anchor == NONE32)
				continue;
			unite(nt, mem[i], s->anchor);
			c++;
		}
	}
	free(mem);
	return 0;
}

/* A selector starts linking: join all its strong reports. */
static void
sel_join_all(struct net *nt, struct nsel *s)
{
	if (s->anchor == NONE32)
		return;
	for (uint32_t i = 0; i < s->nreps; i++)
		if (!(s->reps[i] & 1) && rep_live(nt, s->reps[i] >> 1))
			unite(nt, s->anchor, s->reps[i] >> 1);
}

/* A selector's state changed from linking (was) to now: merge or split. */
static int
sel_changed(struct net *nt, struct nsel *s, bool was)
{
	bool now = sel_links(nt, s);

	if (was == now || s->anchor == NONE32)
		return 0;
	if (now) {
		sel_join_all(nt, s);
		return 0;
	}
	return recompute(nt, s->anchor);
}

/* ---- interning -------------------------------------------------------- */

static uint32_t
agency_intern(struct net *nt, const char *id, const char *country)
{
	for (size_t i = nt->nag; i-- > 0;)
		if (strcmp(nt->ag[i].id, id) == 0) {
			if (country && country[0] && !nt->ag[i].country[0])
				str_copy(nt->ag[i].country, sizeof(nt->ag[i].country), country);
			return (uint32_t)i;
		}
	if (grow((void **)&nt->ag, &nt->capag, nt->nag + 1, sizeof(*nt->ag)) == -1)
		return NONE32;
	memset(&nt->ag[nt->nag], 0, sizeof(nt->ag[0]));
	str_copy(nt->ag[nt->nag].id, sizeof(nt->ag[0].id), id);
	str_copy(nt->ag[nt->nag].country, sizeof(nt->ag[0].country), country ? country : "");
	return (uint32_t)nt->nag++;
}

static bool
marks_equal(const struct markings *a, const struct markings *b)
{
	if (a->tlp != b->tlp || a->disclosure != b->disclosure || a->orcon != b->orcon || a->naud != b->naud)
		return false;
	for (int i = 0; i < a->naud; i++)
		if (strcmp(a->aud[i], b->aud[i]) != 0)
			return false;
	return true;
}

static uint32_t
mark_intern(struct net *nt, const struct markings *m)
{
	/* Few distinct markings in practice; newest first. */
	for (size_t i = nt->nmarks; i-- > 0;)
		if (marks_equal(&nt->marks[i], m))
			return (uint32_t)i;
	if (grow((void **)&nt->marks, &nt->capmarks, nt->nmarks + 1, sizeof(*nt->marks)) == -1)
		return NONE32;
	memset(&nt->marks[nt->nmarks], 0, sizeof(nt->marks[0]));
	nt->marks[nt->nmarks].tlp = m->tlp;
	nt->marks[nt->nmarks].disclosure = m->disclosure;
	nt->marks[nt->nmarks].orcon = m->orcon;
	nt->marks[nt->nmarks].naud = m->naud;
	for (int i = 0; i < m->naud && i < SIMPUL_MAX_AUDIENCE; i++)
		str_copy(nt->marks[nt->nmarks].aud[i], sizeof(m->aud[i]), m->aud[i]);
	return (uint32_t)nt->nmarks++;
}

static uint32_t
scam_intern(struct net *nt, const char *s)
{
	if (s == NULL || *s == '\0')
		return NONE32;
	for (size_t i = 0; i < nt->nscams; i++)
		if (strcmp(nt->scams[i], s) == 0)
			return (uint32_t)i;
	if (nt->nscams >= 4096 ||
	    grow((void **)&nt->scams, &nt->capscams, nt->nscams + 1, sizeof(*nt->scams)) == -1)
		return NONE32;
	str_copy(nt->scams[nt->nscams], sizeof(nt->scams[0]), s);
	return (uint32_t)nt->nscams++;
}

static uint32_t
sel_intern(struct net *nt, const char *key)
{
	uint32_t v = sel_find(nt, key);
	struct nsel *s;

	if (v != NONE32)
		return v;
	if (grow((void **)&nt->s, &nt->caps, nt->ns + 1, sizeof(*nt->s)) == -1)
		return NONE32;
	s = &nt->s[nt->ns];
	memset(s, 0, sizeof(*s));
	if ((s->key = strdup(key)) == NULL)
		return NONE32;
	s->anchor = NONE32;
	if (nt->listed && nt->listed(nt->listed_ctx, key, s->list, sizeof(s->list)))
		s->flags |= SF_LISTED;
	if (hmap_put(&nt->smap, hash_str(key), (uint32_t)nt->ns) == -1) {
		free(s->key);
		return NONE32;
	}
	return (uint32_t)nt->ns++;
}

/* ---- public: life cycle and updates ----------------------------------- */

struct net *
net_new(void)
{
	struct net *nt = calloc(1, sizeof(*nt));

	if (nt == NULL)
		return NULL;
	pthread_rwlock_init(&nt->lock, NULL);
	nt->max_reports = 500;
	nt->min_agencies = 3;
	return nt;
}

void
net_free(struct net *nt)
{
	if (nt == NULL)
		return;
	for (size_t i = 0; i < nt->nr; i++)
		free(nt->r[i].sel);
	for (size_t i = 0; i < nt->ns; i++) {
		free(nt->s[i].key);
		free(nt->s[i].reps);
	}
	free(nt->r);
	free(nt->parent);
	free(nt->next);
	free(nt->size);
	free(nt->first);
	free(nt->s);
	free(nt->rmap.h);
	free(nt->rmap.v);
	free(nt->smap.h);
	free(nt->smap.v);
	free(nt->tmap.h);
	free(nt->tmap.v);
	free(nt->ag);
	free(nt->marks);
	free(nt->scams);
	pthread_rwlock_destroy(&nt->lock);
	free(nt);
}

static int
add_locked(struct net *nt, const struct net_report_in *in)
{
	struct nrep *r;
	uint32_t x, changed[SIMPUL_MAX_SELECTORS * (1 + SIMPUL_MAX_DERIVED)];
	size_t nchanged = 0, capr = nt->capr;
	bool silent = in->m->disclosure == DISC_SILENT;

	if (rep_find(nt, in->id) != NONE32)
		return 1;
	if (grow((void **)&nt->r, &nt->capr, nt->nr + 1, sizeof(*nt->r)) == -1)
		return -1;
	if (nt->capr != capr) {
		size_t c = capr;
		if (grow((void **)&nt->parent, &c, nt->capr, sizeof(uint32_t)) == -1)
			return -1;
		c = capr;
		if (grow((void **)&nt->next, &c, nt->capr, sizeof(uint32_t)) == -1)
			return -1;
		c = capr;
		if (grow((void **)&nt->size, &c, nt->capr, sizeof(uint32_t)) == -1)
			return -1;
		c = capr;
		if (grow((void **)&nt->first, &c, nt->capr, sizeof(uint32_t)) == -1)
			return -1;
	}
	x = (uint32_t)nt->nr;
	r = &nt->r[x];
	memset(r, 0, sizeof(*r));
	str_copy(r->id, sizeof(r->id), in->id);
	r->rid = in->rid;
	r->seen_ms = in->seen_ms;
	r->flags = silent ? RF_SILENT : 0;
	r->agency = agency_intern(nt, in->agency_id, in->agency_country);
	r->mark = mark_intern(nt, in->m);
	r->scam = scam_intern(nt, in->scam_type);
	if (r->agency == NONE32 || r->mark == NONE32)
		return -1;
	if (in->victim_country)
		str_copy(r->vc, sizeof(r->vc), in->victim_country);
	if (in->currency) {
		str_copy(r->cur, sizeof(r->cur), in->currency);
		r->loss = in->loss;
	}
	if (in->nkeys > 0 && (r->sel = malloc(in->nkeys * sizeof(*r->sel))) == NULL)
		return -1;
	nt->parent[x] = x;
	nt->next[x] = x;
	nt->size[x] = 1;
	nt->first[x] = x;
	{
		/* A network is named after its earliest report, through a hash:
		 * the id reveals no report id. */
		unsigned char h[8];
		crypto_generichash(h, sizeof(h), (const unsigned char *)r->id, strlen(r->id),
		    (const unsigned char *)"simpul-network", 14);
		memcpy(&r->tag, h, sizeof(h));
	}
	if (hmap_put(&nt->rmap, hash_str(r->id), x) == -1 || hmap_put(&nt->tmap, r->tag, x) == -1) {
		free(r->sel);
		return -1;
	}
	nt->nr++;
	for (size_t i = 0; i < in->nkeys && i < SIMPUL_MAX_SELECTORS * (1 + SIMPUL_MAX_DERIVED); i++) {
		uint32_t si = sel_intern(nt, in->keys[i]);
		uint32_t weak = in->strong && in->strong[i] ? 0 : 1;
		struct nsel *s;
		bool dup = false, was;

		if (si == NONE32)
			return -1;
		r = &nt->r[x];
		for (uint32_t k = 0; k < r->nsel && !dup; k++)
			dup = (r->sel[k] >> 1) == si;
		if (dup)
			continue;
		s = &nt->s[si];
		if (grow((void **)&s->reps, &s->cap, s->nreps + 1, sizeof(*s->reps)) == -1)
			return -1;
		s->reps[s->nreps++] = x << 1 | weak;
		r->sel[r->nsel++] = si << 1 | weak;
		nt->edges++;
		if (silent)
			continue;
		was = sel_links(nt, s);
		s->nlive++;
		if (s->nag < AG_TRACK) {
			bool seen = false;
			for (uint8_t k = 0; k < s->nag && !seen; k++)
				seen = s->ag[k] == r->agency;
			if (!seen)
				s->ag[s->nag++] = r->agency;
		}
		sel_degree_update(nt, s);
		if (!weak && s->anchor == NONE32)
			s->anchor = x;
		if (was != sel_links(nt, s))
			changed[nchanged++] = si;
		else if (!weak && was && s->anchor != x)
			unite(nt, x, s->anchor);
	}
	/* Selectors that stopped linking with this report: their component
	 * (which this report may have joined through other selectors) splits. */
	for (size_t i = 0; i < nchanged; i++)
		if (sel_changed(nt, &nt->s[changed[i]], true) == -1)
			return -1;
	return 0;
}

int
net_add(struct net *nt, const struct net_report_in *in)
{
	int rc;

	pthread_rwlock_wrlock(&nt->lock);
	rc = add_locked(nt, in);
	pthread_rwlock_unlock(&nt->lock);
	return rc;
}

int
net_remove(struct net *nt, const char *report_id)
{
	uint32_t x, *became = NULL, m;
	size_t nbecame = 0, pos = 0;
	struct nrep *r;
	int rc = 0;

	pthread_rwlock_wrlock(&nt->lock);
	if ((x = hmap_find(&nt->rmap, hash_str(report_id), eq_rep, nt, report_id, &pos)) == NONE32) {
		pthread_rwlock_unlock(&nt->lock);
		return 1;
	}
	r = &nt->r[x];
	hmap_del(&nt->rmap, pos);
	if (hmap_find(&nt->tmap, r->tag, eq_tag, nt, &r->tag, &pos) == x)
		hmap_del(&nt->tmap, pos);
	if (r->nsel && (became = malloc(r->nsel * sizeof(*became))) == NULL) {
		pthread_rwlock_unlock(&nt->lock);
		return -1;
	}
	{
		bool was_live = rep_live(nt, x);
		r->flags |= RF_GONE;
		for (uint32_t k = 0; k < r->nsel; k++) {
			struct nsel *s = &nt->s[r->sel[k] >> 1];
			bool was = sel_links(nt, s);
			for (uint32_t i = 0; i < s->nreps; i++)
				if ((s->reps[i] >> 1) == x) {
					s->reps[i] = s->reps[--s->nreps];
					break;
				}
			nt->edges--;
			if (!was_live)
				continue;
			s->nlive--;
			sel_recount_agencies(nt, s);
			sel_degree_update(nt, s);
			if (s->anchor == x)
				sel_reanchor(nt, s);
			if (!was && sel_links(nt, s))
				became[nbecame++] = r->sel[k] >> 1;
		}
	}
	/* Take x out of its component's list, then recompute the rest. */
	m = nt->next[x];
	if (m != x) {
		uint32_t prev = m;
		while (nt->next[prev] != x)
			prev = nt->next[prev];
		nt->next[prev] = nt->next[x];
		nt->next[x] = x;
		nt->parent[x] = x;
		nt->first[x] = x;
		rc = recompute(nt, m);
	}
	for (size_t i = 0; rc == 0 && i < nbecame; i++)
		sel_join_all(nt, &nt->s[became[i]]);
	free(r->sel);
	r->sel = NULL;
	r->nsel = 0;
	free(became);
	pthread_rwlock_unlock(&nt->lock);
	return rc;
}

void
net_set_rules(struct net *nt, int max_reports, int min_agencies)
{
	pthread_rwlock_wrlock(&nt->lock);
	if (max_reports < 1)
		max_reports = 1;
	if (min_agencies < 1)
		min_agencies = 1;
	if (min_agencies > AG_TRACK)
		min_agencies = AG_TRACK;
	nt->max_reports = max_reports;
	nt->min_agencies = min_agencies;
	for (size_t i = 0; i < nt->ns; i++) {
		bool was = sel_links(nt, &nt->s[i]);
		sel_degree_update(nt, &nt->s[i]);
		sel_changed(nt, &nt->s[i], was);
	}
	pthread_rwlock_unlock(&nt->lock);
}

void
net_get_rules(struct net *nt, int *max_reports, int *min_agencies)
{
	pthread_rwlock_rdlock(&nt->lock);
	*max_reports = nt->max_reports;
	*min_agencies = nt->min_agencies;
	pthread_rwlock_unlock(&nt->lock);
}

void
net_set_listed(struct net *nt, net_listed_fn fn, void *ctx)
{
	pthread_rwlock_wrlock(&nt->lock);
	nt->listed = fn;
	nt->listed_ctx = ctx;
	for (size_t i = 0; i < nt->ns; i++) {
		struct nsel *s = &nt->s[i];
		bool was = sel_links(nt, s);
		s->list[0] = '\0';
		if (fn && fn(ctx, s->key, s->list, sizeof(s->list)))
			s->flags |= SF_LISTED;
		else
			s->flags &= (uint8_t)~SF_LISTED;
		sel_changed(nt, s, was);
	}
	pthread_rwlock_unlock(&nt->lock);
}

int
net_override(struct net *nt, const char *key, enum net_override mode)
{
	uint32_t si;
	int rc = 0;

	pthread_rwlock_wrlock(&nt->lock);
	if ((si = sel_intern(nt, key)) == NONE32) {
		rc = -1;
	} else {
		struct nsel *s = &nt->s[si];
		bool was = sel_links(nt, s);
		s->flags &= (uint8_t)~(SF_OVR_LINK | SF_OVR_GEN);
		if (mode == NET_OVR_LINK)
			s->flags |= SF_OVR_LINK;
		else if (mode == NET_OVR_GENERIC)
			s->flags |= SF_OVR_GEN;
		rc = sel_changed(nt, s, was);
	}
	pthread_rwlock_unlock(&nt->lock);
	return rc;
}

int
net_key_status(struct net *nt, const char *key, char *why, size_t whysz)
{
	uint32_t si;
	int rc;

	pthread_rwlock_rdlock(&nt->lock);
	si = sel_find(nt, key);
	if (si == NONE32) {
		/* Unknown to the index: what would apply if it were named. */
		char list[48] = "";
		bool listed = nt->listed && nt->listed(nt->listed_ctx, key, list, sizeof(list));
		if (listed)
			snprintf(why, whysz, "warning_list:%s", list);
		else
			str_copy(why, whysz, "");
		rc = listed ? 0 : 1;
	} else {
		const struct nsel *s = &nt->s[si];
		if (s->flags & SF_OVR_LINK)
			str_copy(why, whysz, "override:link");
		else if (s->flags & SF_OVR_GEN)
			str_copy(why, whysz, "override:generic");
		else if (s->flags & SF_LISTED)
			snprintf(why, whysz, "warning_list:%s", s->list);
		else if (s->flags & SF_DEGREE)
			str_copy(why, whysz, "degree");
		else
			str_copy(why, whysz, "");
		rc = sel_links(nt, s) ? 1 : 0;
	}
	pthread_rwlock_unlock(&nt->lock);
	return rc;
}

bool
net_key_visible(struct net *nt, const struct principal *p, const char *key)
{
	uint32_t si;
	bool yes = false;

	pthread_rwlock_rdlock(&nt->lock);
	if ((si = sel_find(nt, key)) != NONE32)
		for (uint32_t i = 0; i < nt->s[si].nreps && !yes; i++)
			yes = decide(nt, p, nt->s[si].reps[i] >> 1) != POLICY_NONE;
	pthread_rwlock_unlock(&nt->lock);
	return yes;
}

void
net_stats(struct net *nt, struct net_stats *st)
{
	memset(st, 0, sizeof(*st));
	pthread_rwlock_rdlock(&nt->lock);
	st->reports = nt->rmap.n;
	st->selectors = nt->ns;
	st->edges = nt->edges;
	for (size_t i = 0; i < nt->nr; i++)
		if (nt->parent[i] == i && rep_live(nt, (uint32_t)i)) {
			st->components++;
			if (nt->size[i] > st->largest)
				st->largest = nt->size[i];
		}
	pthread_rwlock_unlock(&nt->lock);
}

int64_t
net_component(struct net *nt, const char *report_id)
{
	uint32_t x;
	int64_t c = -1;

	pthread_rwlock_rdlock(&nt->lock);
	if ((x = rep_find(nt, report_id)) != NONE32 && rep_live(nt, x))
		c = find_ro(nt, x);
	pthread_rwlock_unlock(&nt->lock);
	return c;
}

/* ---- views ------------------------------------------------------------ */

/* Slot -> local index, for one view. */
struct lmap {
	uint32_t *k, *v;
	size_t    cap;
};

static int
lmap_init(struct lmap *m, size_t n)
{
	size_t cap = 64;

	while (cap < n * 2)
		cap *= 2;
	m->cap = cap;
	m->k = malloc(cap * sizeof(*m->k));
	m->v = malloc(cap * sizeof(*m->v));
	if (m->k == NULL || m->v == NULL)
		return -1;
	for (size_t i = 0; i < cap; i++)
		m->k[i] = NONE32;
	return 0;
}

static void
lmap_put(struct lmap *m, uint32_t k, uint32_t v)
{
	size_t j = (k * 2654435761u) & (m->cap - 1);

	while (m->k[j] != NONE32 && m->k[j] != k)
		j = (j + 1) & (m->cap - 1);
	m->k[j] = k;
	m->v[j] = v;
}

static uint32_t
lmap_get(const struct lmap *m, uint32_t k)
{
	size_t j = (k * 2654435761u) & (m->cap - 1);

	while (m->k[j] != NONE32) {
		if (m->k[j] == k)
			return m->v[j];
		j = (j + 1) & (m->cap - 1);
	}
	return NONE32;
}

static void
lmap_free(struct lmap *m)
{
	free(m->k);
	free(m->v);
}

/* One component as a principal sees it: its members with their decision,
 * grouped into pieces (connected through members it may see). */
struct view {
	uint32_t     *mem;      /* slots */
	uint8_t      *dec;      /* enum decision per member */
	uint32_t     *piece;    /* piece per member (NONE32 for hidden) */
	size_t        n;
	uint32_t      npieces;
	bool          truncated;
	struct lmap   idx;
};

static void
view_free(struct view *v)
{
	free(v->mem);
	free(v->dec);
	free(v->piece);
	lmap_free(&v->idx);
	memset(v, 0, sizeof(*v));
}

static enum decision
decide(const struct net *nt, const struct principal *p, uint32_t x)
{
	struct record_meta meta = { .agency_id = nt->ag[nt->r[x].agency].id, .m = &nt->marks[nt->r[x].mark] };

	if (!rep_live(nt, x))
		return POLICY_NONE;
	return policy_decide(p, &meta, USE_READ);
}

/* Build the view of the component of slot x. Read lock held. */
static int
view_build(const struct net *nt, const struct principal *p, uint32_t x, struct view *v)
{
	uint32_t root = find_ro(nt, x), m = root, *stack = NULL;
	size_t n = nt->size[root], sp = 0;

	memset(v, 0, sizeof(*v));
	if (n > VIEW_MAX) {
		n = VIEW_MAX;
		v->truncated = true;
	}
	v->mem = malloc(n * sizeof(*v->mem));
	v->dec = malloc(n);
	v->piece = malloc(n * sizeof(*v->piece));
	stack = malloc(n * sizeof(*stack));
	if (v->mem == NULL || v->dec == NULL || v->piece == NULL || stack == NULL || lmap_init(&v->idx, n) == -1)
		goto fail;
	do {
		v->mem[v->n] = m;
		v->dec[v->n] = (uint8_t)decide(nt, p, m);
		v->piece[v->n] = NONE32;
		lmap_put(&v->idx, m, (uint32_t)v->n);
		v->n++;
		m = nt->next[m];
	} while (m != root && v->n < n);
	/* Pieces: connected through linking selectors and visible members. */
	for (size_t i = 0; i < v->n; i++) {
		if (v->dec[i] == POLICY_NONE || v->piece[i] != NONE32)
			continue;
		v->piece[i] = v->npieces;
		stack[sp++] = (uint32_t)i;
		while (sp) {
			const struct nrep *r = &nt->r[v->mem[stack[--sp]]];
			for (uint32_t k = 0; k < r->nsel; k++) {
				const struct nsel *s = &nt->s[r->sel[k] >> 1];
				if ((r->sel[k] & 1) || !sel_links(nt, s))
					continue;
				for (uint32_t j = 0; j < s->nreps; j++) {
					uint32_t li;
					if (s->reps[j] & 1)
						continue;
					li = lmap_get(&v->idx, s->reps[j] >> 1);
					if (li == NONE32 || v->dec[li] == POLICY_NONE || v->piece[li] != NONE32)
						continue;
					v->piece[li] = v->npieces;
					stack[sp++] = li;
				}
			}
		}
		v->npieces++;
	}
	free(stack);
	return 0;
fail:
	free(stack);
	view_free(v);
	return -1;
}

static void
net_id_of(const struct nrep *r, char out[32])
{
	unsigned char h[8];
	char hex[17];

	memcpy(h, &r->tag, sizeof(h));
	hex_encode(h, sizeof(h), hex);
	snprintf(out, 32, "net_%s", hex);
}

struct piece_sum {
	uint32_t first;          /* local index of its earliest member */
	uint32_t full, hit;
};

static void
pieces_summarise(const struct view *v, struct piece_sum *ps)
{
	for (uint32_t k = 0; k < v->npieces; k++) {
		ps[k].first = NONE32;
		ps[k].full = ps[k].hit = 0;
	}
	for (size_t i = 0; i < v->n; i++) {
		uint32_t k = v->piece[i];
		if (k == NONE32)
			continue;
		if (ps[k].first == NONE32 || v->mem[i] < v->mem[ps[k].first])
			ps[k].first = (uint32_t)i;
		if (v->dec[i] == POLICY_FULL)
			ps[k].full++;
		else
			ps[k].hit++;
	}
}

/* A piece is shown when it holds a record p may read and at least two. */
static bool
piece_shown(const struct piece_sum *ps)
{
	return ps->full >= 1 && ps->full + ps->hit >= 2;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static json_t *
str_set_json(const char **v, size_t n)
{
	json_t *a = json_array();

	qsort(v, n, sizeof(*v), cmp_str);
	for (size_t i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i], v[i - 1]) != 0)
			json_array_append_new(a, json_string(v[i]));
	return a;
}

struct seldeg {
	uint32_t si, deg;
};

static int
cmp_seldeg(const void *a, const void *b)
{
	const struct seldeg *x = a, *y = b;

	if (x->deg != y->deg)
		return x->deg < y->deg ? 1 : -1;
	return x->si < y->si ? -1 : x->si > y->si;
}

/* Render piece k of view v for p. detail: report ids and selectors too. */
static json_t *
piece_json(const struct net *nt, const struct principal *p, const struct view *v, uint32_t k,
    const struct piece_sum *ps, bool detail)
{
	const char **agencies = NULL, **countries = NULL, **vcs = NULL, **scams = NULL;
	size_t na = 0, nc = 0, nv = 0, nsc = 0;
	int64_t first = 0, last = 0;
	json_t *o, *loss = json_object(), *ids = json_array();
	struct seldeg *sd = NULL;
	size_t nsd = 0, capsd = 0;
	struct lmap seen = { 0 };
	char id[32], t[32];

	net_id_of(&nt->r[v->mem[ps[k].first]], id);
	agencies = calloc(ps[k].full, sizeof(*agencies));
	countries = calloc(ps[k].full, sizeof(*countries));
	vcs = calloc(ps[k].full, sizeof(*vcs));
	scams = calloc(ps[k].full, sizeof(*scams));
	lmap_init(&seen, 256);
	for (size_t i = 0; i < v->n; i++) {
		const struct nrep *r = &nt->r[v->mem[i]];
		struct record_meta meta;
		unsigned f;

		if (v->piece[i] != k || v->dec[i] != POLICY_FULL)
			continue;
		meta.agency_id = nt->ag[r->agency].id;
		meta.m = &nt->marks[r->mark];
		f = policy_fields(p, &meta);
		if (agencies)
			agencies[na++] = nt->ag[r->agency].id;
		if (countries && nt->ag[r->agency].country[0])
			countries[nc++] = nt->ag[r->agency].country;
		if ((f & FIELD_CORE) && r->scam != NONE32 && scams)
			scams[nsc++] = nt->scams[r->scam];
		if ((f & FIELD_NARRATIVE) && r->vc[0] && vcs)
			vcs[nv++] = r->vc;
		if ((f & FIELD_NARRATIVE) && r->cur[0]) {
			json_t *cur = json_object_get(loss, r->cur);
			json_object_set_new(loss, r->cur, json_integer((cur ? json_integer_value(cur) : 0) + r->loss));
		}
		if (first == 0 || r->seen_ms < first)
			first = r->seen_ms;
		if (r->seen_ms > last)
			last = r->seen_ms;
		if (detail && json_array_size(ids) < SIMPUL_MAX_MATCHES_RETURNED)
			json_array_append_new(ids, json_string(r->id));
		if (!(f & FIELD_SELECTORS))
			continue;
		for (uint32_t s = 0; s < r->nsel; s++) {
			uint32_t si = r->sel[s] >> 1, li = lmap_get(&seen, si);
			if (li != NONE32) {
				sd[li].deg++;
				continue;
			}
			if (nsd * 2 + 2 > seen.cap) {
				/* Grow the selector map. */
				struct lmap bigger;
				if (lmap_init(&bigger, seen.cap) == -1)
					continue;
				for (size_t q = 0; q < nsd; q++)
					lmap_put(&bigger, sd[q].si, (uint32_t)q);
				lmap_free(&seen);
				seen = bigger;
			}
			if (grow((void **)&sd, &capsd, nsd + 1, sizeof(*sd)) == -1)
				continue;
			sd[nsd].si = si;
			sd[nsd].deg = 1;
			lmap_put(&seen, si, (uint32_t)nsd);
			nsd++;
		}
	}
	o = json_pack("{s:s, s:I}", "id", id, "reports", (json_int_t)ps[k].full);
	json_object_set_new(o, "hidden_records", json_integer(ps[k].hit));
	if (ps[k].hit > 0) {
		char note[96];
		snprintf(note, sizeof(note), "+%u records held by other agencies", ps[k].hit);
		json_object_set_new(o, "hidden_note", json_string(note));
	}
	json_object_set_new(o, "agencies", str_set_json(agencies, na));
	json_object_set_new(o, "countries", str_set_json(countries, nc));
	json_object_set_new(o, "victim_countries", str_set_json(vcs, nv));
	json_object_set_new(o, "loss", loss);
	json_object_set_new(o, "scam_types", str_set_json(scams, nsc));
	time_iso(first, t);
	json_object_set_new(o, "first_seen", json_string(t));
	time_iso(last, t);
	json_object_set_new(o, "last_seen", json_string(t));
	{
		json_t *top = json_array();
		size_t lim = detail ? 50 : TOP_SEL;
		if (nsd)
			qsort(sd, nsd, sizeof(*sd), cmp_seldeg);
		for (size_t i = 0; i < nsd && json_array_size(top) < lim; i++) {
			const struct nsel *s = &nt->s[sd[i].si];
			json_t *e = json_pack("{s:s, s:I, s:b}", "key", s->key, "degree", (json_int_t)sd[i].deg,
			    "links", sel_links(nt, s));
			json_array_append_new(top, e);
		}
		json_object_set_new(o, "top_selectors", top);
	}
	if (detail)
		json_object_set_new(o, "report_ids", ids);
	else
		json_decref(ids);
	if (v->truncated)
		json_object_set_new(o, "truncated", json_true());
	free(agencies);
	free(countries);
	free(vcs);
	free(scams);
	free(sd);
	lmap_free(&seen);
	return o;
}

/* A piece found while listing: rendered only if it makes the page. */
struct listent {
	uint32_t root, first;   /* its component; its earliest report's slot */
	uint32_t full;
};

static int
cmp_listent(const void *a, const void *b)
{
	const struct listent *x = a, *y = b;

	if (x->full != y->full)
		return x->full < y->full ? 1 : -1;
	return x->first < y->first ? -1 : x->first > y->first;
}

/* Add the shown pieces of the component of x (those holding `must`, a
 * local slot, if not NONE32) to the list. */
static int
list_component(const struct net *nt, const struct principal *p, uint32_t x, const struct lmap *must,
    struct listent **le, size_t *nle, size_t *cap, json_t *render, int limit)
{
	struct view v;
	struct piece_sum *ps;
	int rc = 0;

	if (view_build(nt, p, x, &v) == -1)
		return -1;
	if ((ps = calloc(v.npieces + 1, sizeof(*ps))) == NULL) {
		view_free(&v);
		return -1;
	}
	pieces_summarise(&v, ps);
	for (uint32_t k = 0; k < v.npieces; k++) {
		bool want = piece_shown(&ps[k]);
		if (want && must) {
			want = false;
			for (size_t i = 0; i < v.n && !want; i++)
				want = v.piece[i] == k && v.dec[i] == POLICY_FULL && lmap_get(must, v.mem[i]) != NONE32;
		}
		if (!want)
			continue;
		if (render) {
			if ((int)json_array_size(render) < limit)
				json_array_append_new(render, piece_json(nt, p, &v, k, ps, false));
			continue;
		}
		if (grow((void **)le, cap, *nle + 1, sizeof(**le)) == -1) {
			rc = -1;
			break;
		}
		(*le)[*nle].root = x;
		(*le)[*nle].first = v.mem[ps[k].first];
		(*le)[*nle].full = ps[k].full;
		(*nle)++;
	}
	free(ps);
	view_free(&v);
	return rc;
}

int
net_list(struct net *nt, const struct principal *p, const char *key, int64_t after, int limit, json_t **out)
{
	int64_t next = 0;
	bool more = false;
	struct listent *le = NULL;
	size_t nle = 0, cap = 0;
	struct lmap roots = { 0 }, must = { 0 };
	json_t *arr = json_array();
	int rc = 0;

	if (limit <= 0 || limit > 500)
		limit = 50;
	pthread_rwlock_rdlock(&nt->lock);
	if (key != NULL) {
		uint32_t si = sel_find(nt, key);
		if (si != NONE32) {
			const struct nsel *s = &nt->s[si];
			if (lmap_init(&roots, s->nreps + 1) == 0 && lmap_init(&must, s->nreps + 1) == 0) {
				for (uint32_t i = 0; i < s->nreps && rc == 0; i++) {
					uint32_t x = s->reps[i] >> 1;
					if (rep_live(nt, x))
						lmap_put(&must, x, 1);
				}
				for (uint32_t i = 0; i < s->nreps && rc == 0; i++) {
					uint32_t x = s->reps[i] >> 1, root;
					if (!rep_live(nt, x) || decide(nt, p, x) != POLICY_FULL)
						continue;
					root = find_ro(nt, x);
					if (lmap_get(&roots, root) != NONE32)
						continue;
					lmap_put(&roots, root, 1);
					rc = list_component(nt, p, root, &must, &le, &nle, &cap, NULL, 0);
				}
			} else {
				rc = -1;
			}
		}
	} else {
		/* Every component once, at its earliest report, in arrival order
		 * from the cursor; a page stops at `limit` networks or after
		 * LIST_SCAN components, whichever comes first. */
		size_t x, scanned = 0;
		for (x = after; x < nt->nr && rc == 0; x++) {
			uint32_t root;
			if (!rep_live(nt, (uint32_t)x))
				continue;
			root = find_ro(nt, (uint32_t)x);
			if (nt->first[root] != x || nt->size[root] < 2)
				continue;
			if ((int)json_array_size(arr) >= limit || scanned >= LIST_SCAN)
				break;
			scanned++;
			rc = list_component(nt, p, root, NULL, &le, &nle, &cap, arr, limit);
		}
		more = x < nt->nr;
		next = (int64_t)x;
	}
	if (nle)
		qsort(le, nle, sizeof(*le), cmp_listent);
	/* Render the page only. */
	for (size_t i = 0; rc == 0 && i < nle && (int)json_array_size(arr) < limit; i++) {
		struct view v;
		struct piece_sum *ps;
		if (view_build(nt, p, le[i].root, &v) == -1) {
			rc = -1;
			break;
		}
		if ((ps = calloc(v.npieces + 1, sizeof(*ps))) != NULL) {
			pieces_summarise(&v, ps);
			for (uint32_t k = 0; k < v.npieces; k++)
				if (ps[k].first != NONE32 && v.mem[ps[k].first] == le[i].first) {
					json_array_append_new(arr, piece_json(nt, p, &v, k, ps, false));
					break;
				}
			free(ps);
		}
		view_free(&v);
	}
	pthread_rwlock_unlock(&nt->lock);
	free(le);
	lmap_free(&roots);
	lmap_free(&must);
	if (rc == -1) {
		json_decref(arr);
		return -1;
	}
	if (key) {
		*out = json_pack("{s:o, s:I}", "networks", arr, "total", (json_int_t)nle);
	} else {
		*out = json_pack("{s:o, s:b}", "networks", arr, "more", more);
		if (more)
			json_object_set_new(*out, "next", json_integer(next));
	}
	return 0;
}

/* Find the view piece of p whose id is `id`: sets *vout, *kout. Read lock
 * held. 0 found, 1 not. */
static int
piece_by_id(const struct net *nt, const struct principal *p, const char *id, struct view *vout,
    uint32_t *kout, struct piece_sum **psout)
{
	unsigned char h[8];
	uint64_t tag;
	uint32_t x;
	struct piece_sum *ps;
	struct view v;
	uint32_t li;

	/* The id names the piece's earliest report by its tag. */
	if (strlen(id) != 20 || strncmp(id, "net_", 4) != 0 || hex_decode(id + 4, h, sizeof(h)) == -1)
		return 1;
	memcpy(&tag, h, sizeof(tag));
	if ((x = hmap_find(&nt->tmap, tag, eq_tag, nt, &tag, NULL)) == NONE32 || !rep_live(nt, x))
		return 1;
	{
		if (decide(nt, p, (uint32_t)x) == POLICY_NONE)
			return 1;
		if (view_build(nt, p, (uint32_t)x, &v) == -1)
			return -1;
		li = lmap_get(&v.idx, (uint32_t)x);
		if ((ps = calloc(v.npieces + 1, sizeof(*ps))) == NULL) {
			view_free(&v);
			return -1;
		}
		pieces_summarise(&v, ps);
		if (li == NONE32 || v.piece[li] == NONE32 || ps[v.piece[li]].first != li ||
		    !piece_shown(&ps[v.piece[li]])) {
			free(ps);
			view_free(&v);
			return 1;
		}
		*vout = v;
		*kout = v.piece[li];
		*psout = ps;
		return 0;
	}
	return 1;
}

int
net_get(struct net *nt, const struct principal *p, const char *id, json_t **out)
{
	struct view v;
	struct piece_sum *ps = NULL;
	uint32_t k;
	int rc;

	pthread_rwlock_rdlock(&nt->lock);
	rc = piece_by_id(nt, p, id, &v, &k, &ps);
	if (rc == 0) {
		*out = piece_json(nt, p, &v, k, ps, true);
		free(ps);
		view_free(&v);
	}
	pthread_rwlock_unlock(&nt->lock);
	return rc;
}

int
net_anchor(struct net *nt, const struct principal *p, const char *id, char report_id[SIMPUL_ID_LEN + 1])
{
	struct view v;
	struct piece_sum *ps = NULL;
	uint32_t k;
	int rc;

	pthread_rwlock_rdlock(&nt->lock);
	rc = piece_by_id(nt, p, id, &v, &k, &ps);
	if (rc == 0) {
		str_copy(report_id, SIMPUL_ID_LEN + 1, nt->r[v.mem[ps[k].first]].id);
		free(ps);
		view_free(&v);
	}
	pthread_rwlock_unlock(&nt->lock);
	return rc;
}

int
net_network_of(struct net *nt, const struct principal *p, const char *report_id, char out[32])
{
	struct view v;
	struct piece_sum *ps;
	uint32_t x, li;
	int rc = 1;

	pthread_rwlock_rdlock(&nt->lock);
	if ((x = rep_find(nt, report_id)) == NONE32 || decide(nt, p, x) == POLICY_NONE)
		goto out;
	if (view_build(nt, p, x, &v) == -1) {
		rc = -1;
		goto out;
	}
	if ((ps = calloc(v.npieces + 1, sizeof(*ps))) != NULL) {
		pieces_summarise(&v, ps);
		li = lmap_get(&v.idx, x);
		if (li != NONE32 && v.piece[li] != NONE32 && piece_shown(&ps[v.piece[li]])) {
			net_id_of(&nt->r[v.mem[ps[v.piece[li]].first]], out);
			rc = 0;
		}
		free(ps);
	}
	view_free(&v);
out:
	pthread_rwlock_unlock(&nt->lock);
	return rc;
}

/* ---- graph ------------------------------------------------------------ */

struct gstate {
	const struct net       *nt;
	const struct principal *p;
	json_t                 *nodes, *edges;
	struct lmap             rseen, sseen;
	int                     max_nodes;
	bool                    truncated;
};

static bool
g_room(struct gstate *g)
{
	if ((int)json_array_size(g->nodes) >= g->max_nodes) {
		g->truncated = true;
		return false;
	}
	return true;
}

static void
g_sel_node(struct gstate *g, uint32_t si, int depth)
{
	const struct nsel *s = &g->nt->s[si];
	char why[80];

	why[0] = '\0';
	if (!sel_links(g->nt, s))
		snprintf(why, sizeof(why), "%s", (s->flags & SF_OVR_GEN) ? "override:generic" :
		    (s->flags & SF_LISTED) ? "warning_list" : "degree");
	json_array_append_new(g->nodes, json_pack("{s:s, s:s, s:s, s:i, s:b}", "id", s->key, "type", "selector",
	    "key", s->key, "depth", depth, "links", sel_links(g->nt, s)));
	if (why[0])
		json_object_set_new(json_array_get(g->nodes, json_array_size(g->nodes) - 1), "generic",
		    json_string(why));
}

int
net_graph(struct net *nt, const struct principal *p, const char *key, int depth, int max_nodes, json_t **out)
{
	struct gstate g = { .nt = nt, .p = p, .max_nodes = max_nodes };
	uint32_t si, *front = NULL, *nextf = NULL;
	size_t nf = 0, nn = 0, capf = 0, capn = 0;
	int rc = 1, any = 0;

	if (depth < 1)
		depth = 1;
	if (depth > 4)
		depth = 4;
	pthread_rwlock_rdlock(&nt->lock);
	if ((si = sel_find(nt, key)) == NONE32)
		goto out;
	if (lmap_init(&g.rseen, 1024) == -1 || lmap_init(&g.sseen, 1024) == -1) {
		rc = -1;
		goto out;
	}
	g.nodes = json_array();
	g.edges = json_array();
	/* The frontier alternates: selectors at even depths, reports at odd. */
	if (grow((void **)&front, &capf, 1, sizeof(*front)) == -1) {
		rc = -1;
		goto out;
	}
	front[nf++] = si;
	g_sel_node(&g, si, 0);
	lmap_put(&g.sseen, si, 0);
	for (int d = 1; d <= depth && nf > 0; d++) {
		nn = 0;
		for (size_t i = 0; i < nf; i++) {
			if (d % 2 == 1) {
				/* selector -> reports naming it */
				const struct nsel *s = &nt->s[front[i]];
				if (d > 1 && !sel_links(nt, s))
					continue;   /* a generic selector is shown, not expanded */
				for (uint32_t j = 0; j < s->nreps; j++) {
					uint32_t x = s->reps[j] >> 1;
					enum decision dd;
					if (!rep_live(nt, x) || (dd = decide(nt, p, x)) == POLICY_NONE)
						continue;
					any = 1;
					if (lmap_get(&g.rseen, x) == NONE32) {
						json_t *node;
						if (!g_room(&g))
							break;
						lmap_put(&g.rseen, x, dd);
						node = json_pack("{s:s, s:s, s:s, s:s, s:i}", "id", nt->r[x].id, "type", "report",
						    "agency", nt->ag[nt->r[x].agency].id, "visibility",
						    dd == POLICY_FULL ? "full" : "hit", "depth", d);
						json_array_append_new(g.nodes, node);
						if (dd == POLICY_FULL && grow((void **)&nextf, &capn, nn + 1, sizeof(*nextf)) == 0)
							nextf[nn++] = x;
					}
					json_array_append_new(g.edges, json_pack("{s:s, s:s, s:b}", "source", nt->r[x].id,
					    "target", s->key, "strong", !(s->reps[j] & 1)));
				}
			} else {
				/* report (readable in full) -> its selectors */
				const struct nrep *r = &nt->r[front[i]];
				struct record_meta meta = { .agency_id = nt->ag[r->agency].id, .m = &nt->marks[r->mark] };
				if (!(policy_fields(p, &meta) & FIELD_SELECTORS))
					continue;
				for (uint32_t k = 0; k < r->nsel; k++) {
					uint32_t s2 = r->sel[k] >> 1;
					if (lmap_get(&g.sseen, s2) != NONE32)
						continue;
					if (!g_room(&g))
						break;
					lmap_put(&g.sseen, s2, 0);
					g_sel_node(&g, s2, d);
					json_array_append_new(g.edges, json_pack("{s:s, s:s, s:b}", "source", r->id,
					    "target", nt->s[s2].key, "strong", !(r->sel[k] & 1)));
					if (grow((void **)&nextf, &capn, nn + 1, sizeof(*nextf)) == 0)
						nextf[nn++] = s2;
				}
			}
		}
		{
			uint32_t *t = front;
			size_t tc = capf;
			front = nextf;
			capf = capn;
			nf = nn;
			nextf = t;
			capn = tc;
		}
	}
	if (!any) {
		json_decref(g.nodes);
		json_decref(g.edges);
		rc = 1;
		goto out;
	}
	/* Edges to reports already listed but reached again are kept once per
	 * pair by construction of the frontier; drop edges to nodes cut by the
	 * size bound. */
	{
		json_t *kept = json_array(), *e;
		size_t i;
		json_array_foreach(g.edges, i, e) {
			const char *src = json_string_value(json_object_get(e, "source"));
			uint32_t x = rep_find(nt, src);
			if (x != NONE32 && lmap_get(&g.rseen, x) != NONE32)
				json_array_append(kept, e);
		}
		json_decref(g.edges);
		g.edges = kept;
	}
	*out = json_pack("{s:s, s:i, s:o, s:o, s:b}", "key", key, "depth", depth, "nodes", g.nodes,
	    "edges", g.edges, "truncated", g.truncated);
	rc = 0;
out:
	pthread_rwlock_unlock(&nt->lock);
	free(front);
	free(nextf);
	lmap_free(&g.rseen);
	lmap_free(&g.sseen);
	return rc;
}

/* ---- snapshot ------------------------------------------------------------ */

/* The layout is this build's own structures (checked by their sizes in
 * the header), so a snapshot is read only by the binary format it was
 * written by; anything else falls back to a rebuild from the store. */
/* A selector in the snapshot: its counts and flags only (its warning
 * list's name is asked again on load; its agencies follow, nag of them). */
struct snapsel {
	uint32_t nreps, nlive, anchor;
	uint8_t  flags, nag, pad[2];
};

struct snaphdr {
	char     magic[8];
	uint32_t format, sz_rep, sz_sel, sz_ag, sz_mark, sz_scam;
	uint64_t nr, ns, nag, nmarks, nscams, edges, keybytes;
	int32_t  max_reports, min_agencies;
};

static int
put(int (*out)(void *, const void *, size_t), void *ctx, const void *p, size_t n)
{
	return n == 0 ? 0 : out(ctx, p, n);
}

int
net_snapshot_write(struct net *nt, int (*out)(void *ctx, const void *p, size_t n), void *ctx)
{
	struct snaphdr h;
	int rc = 0;

	memset(&h, 0, sizeof(h));
	memcpy(h.magic, "SPLNET\0\1", 8);
	h.format = NET_SNAP_FORMAT;
	h.sz_rep = sizeof(struct nrep);
	h.sz_sel = sizeof(struct snapsel);
	h.sz_ag = sizeof(struct nagency);
	h.sz_mark = sizeof(struct markings);
	h.sz_scam = sizeof(nt->scams[0]);
	pthread_rwlock_rdlock(&nt->lock);
	h.nr = nt->nr;
	h.ns = nt->ns;
	h.nag = nt->nag;
	h.nmarks = nt->nmarks;
	h.nscams = nt->nscams;
	h.edges = nt->edges;
	h.max_reports = nt->max_reports;
	h.min_agencies = nt->min_agencies;
	for (size_t i = 0; i < nt->ns; i++)
		h.keybytes += strlen(nt->s[i].key) + 1;
	rc |= put(out, ctx, &h, sizeof(h));
	rc |= put(out, ctx, nt->ag, nt->nag * sizeof(*nt->ag));
	rc |= put(out, ctx, nt->marks, nt->nmarks * sizeof(*nt->marks));
	rc |= put(out, ctx, nt->scams, nt->nscams * sizeof(nt->scams[0]));
	rc |= put(out, ctx, nt->r, nt->nr * sizeof(*nt->r));
	rc |= put(out, ctx, nt->parent, nt->nr * sizeof(uint32_t));
	rc |= put(out, ctx, nt->next, nt->nr * sizeof(uint32_t));
	rc |= put(out, ctx, nt->size, nt->nr * sizeof(uint32_t));
	rc |= put(out, ctx, nt->first, nt->nr * sizeof(uint32_t));
	for (size_t i = 0; i < nt->nr && rc == 0; i++)
		rc |= put(out, ctx, nt->r[i].sel, nt->r[i].nsel * sizeof(uint32_t));
	for (size_t i = 0; i < nt->ns && rc == 0; i++) {
		struct snapsel ss;
		memset(&ss, 0, sizeof(ss));
		ss.nreps = nt->s[i].nreps;
		ss.nlive = nt->s[i].nlive;
		ss.anchor = nt->s[i].anchor;
		ss.flags = nt->s[i].flags;
		ss.nag = nt->s[i].nag;
		rc |= put(out, ctx, &ss, sizeof(ss));
	}
	for (size_t i = 0; i < nt->ns && rc == 0; i++)
		rc |= put(out, ctx, nt->s[i].ag, nt->s[i].nag * sizeof(uint32_t));
	for (size_t i = 0; i < nt->ns && rc == 0; i++)
		rc |= put(out, ctx, nt->s[i].key, strlen(nt->s[i].key) + 1);
	for (size_t i = 0; i < nt->ns && rc == 0; i++)
		rc |= put(out, ctx, nt->s[i].reps, nt->s[i].nreps * sizeof(uint32_t));
	pthread_rwlock_unlock(&nt->lock);
	return rc ? -1 : 0;
}

struct rd {
	const unsigned char *p;
	size_t               left;
};

static const void *
take(struct rd *r, size_t n)
{
	const void *p = r->p;

	if (n > r->left)
		return NULL;
	r->p += n;
	r->left -= n;
	return p;
}

/* A copy of n elements of size sz from the snapshot, or NULL (n == 0 gives
 * a 1-byte allocation so that NULL always means failure). */
static void *
take_copy(struct rd *r, uint64_t n, size_t sz)
{
	const void *p;
	void *c;

	if (n > SIZE_MAX / (sz ? sz : 1) || (p = take(r, (size_t)n * sz)) == NULL ||
	    (c = malloc(n ? (size_t)n * sz : 1)) == NULL)
		return NULL;
	memcpy(c, p, (size_t)n * sz);
	return c;
}

static size_t
pow2_for(size_t n)
{
	size_t c = 1024;

	while (c * 3 <= n * 4 + 4)
		c *= 2;
	return c;
}

static void
net_clear(struct net *nt)
{
	for (size_t i = 0; i < nt->nr; i++)
		free(nt->r[i].sel);
	for (size_t i = 0; i < nt->ns; i++) {
		free(nt->s[i].key);
		free(nt->s[i].reps);
	}
	free(nt->r);
	free(nt->parent);
	free(nt->next);
	free(nt->size);
	free(nt->first);
	free(nt->s);
	free(nt->rmap.h);
	free(nt->rmap.v);
	free(nt->smap.h);
	free(nt->smap.v);
	free(nt->tmap.h);
	free(nt->tmap.v);
	free(nt->ag);
	free(nt->marks);
	free(nt->scams);
	nt->r = NULL;
	nt->parent = nt->next = nt->size = nt->first = NULL;
	nt->s = NULL;
	memset(&nt->rmap, 0, sizeof(nt->rmap));
	memset(&nt->smap, 0, sizeof(nt->smap));
	memset(&nt->tmap, 0, sizeof(nt->tmap));
	nt->ag = NULL;
	nt->marks = NULL;
	nt->scams = NULL;
	nt->nr = nt->capr = nt->ns = nt->caps = nt->nag = nt->capag = 0;
	nt->nmarks = nt->capmarks = nt->nscams = nt->capscams = 0;
	nt->edges = 0;
}

static bool
edge_ok(uint32_t e, uint64_t n)
{
	return (e >> 1) < n;
}

static int
load_locked(struct net *nt, const void *buf, size_t len)
{
	struct rd r = { buf, len };
	const struct snaphdr *hp = take(&r, sizeof(struct snaphdr));
	struct snaphdr h;
	uint64_t edges = 0;

	if (hp == NULL)
		return -1;
	memcpy(&h, hp, sizeof(h));
	if (memcmp(h.magic, "SPLNET\0\1", 8) != 0 || h.format != NET_SNAP_FORMAT ||
	    h.sz_rep != sizeof(struct nrep) || h.sz_sel != sizeof(struct snapsel) ||
	    h.sz_ag != sizeof(struct nagency) || h.sz_mark != sizeof(struct markings) ||
	    h.sz_scam != sizeof(nt->scams[0]) || h.nr >= TOMB32 || h.ns >= TOMB32 || h.nag >= NONE32 ||
	    h.nmarks >= NONE32 || h.nscams > 4096)
		return -1;
	nt->nag = nt->capag = h.nag;
	nt->nmarks = nt->capmarks = h.nmarks;
	nt->nscams = nt->capscams = h.nscams;
	/* Every array is owned by nt from here on: a failure clears it. */
	if ((nt->ag = take_copy(&r, h.nag, sizeof(*nt->ag))) == NULL ||
	    (nt->marks = take_copy(&r, h.nmarks, sizeof(*nt->marks))) == NULL ||
	    (nt->scams = take_copy(&r, h.nscams, sizeof(nt->scams[0]))) == NULL ||
	    (nt->r = take_copy(&r, h.nr, sizeof(*nt->r))) == NULL)
		return -1;
	for (size_t i = 0; i < h.nr; i++) {
		nt->r[i].sel = NULL;   /* not owned yet: filled below */
		nt->r[i].id[SIMPUL_ID_LEN] = '\0';
	}
	nt->nr = nt->capr = h.nr;
	if ((nt->parent = take_copy(&r, h.nr, sizeof(uint32_t))) == NULL ||
	    (nt->next = take_copy(&r, h.nr, sizeof(uint32_t))) == NULL ||
	    (nt->size = take_copy(&r, h.nr, sizeof(uint32_t))) == NULL ||
	    (nt->first = take_copy(&r, h.nr, sizeof(uint32_t))) == NULL)
		return -1;
	for (size_t i = 0; i < h.nr; i++) {
		struct nrep *x = &nt->r[i];
		uint32_t nsel = x->nsel;
		if (x->agency >= h.nag || x->mark >= h.nmarks || (x->scam != NONE32 && x->scam >= h.nscams) ||
		    nt->parent[i] >= h.nr || nt->next[i] >= h.nr || nt->first[i] >= h.nr ||
		    nsel > SIMPUL_MAX_SELECTORS * (1 + SIMPUL_MAX_DERIVED)) {
			x->nsel = 0;
			return -1;
		}
		x->nsel = 0;
		if (nsel && (x->sel = take_copy(&r, nsel, sizeof(uint32_t))) == NULL)
			return -1;
		x->nsel = nsel;
		for (uint32_t k = 0; k < nsel; k++)
			if (!edge_ok(x->sel[k], h.ns))
				return -1;
		x->vc[sizeof(x->vc) - 1] = '\0';
		x->cur[sizeof(x->cur) - 1] = '\0';
	}
	if ((nt->s = calloc(h.ns ? h.ns : 1, sizeof(*nt->s))) == NULL)
		return -1;
	nt->ns = nt->caps = h.ns;
	for (size_t i = 0; i < h.ns; i++) {
		const struct snapsel *ss = take(&r, sizeof(struct snapsel));
		struct snapsel c;
		if (ss == NULL)
			return -1;
		memcpy(&c, ss, sizeof(c));
		if (c.nag > AG_TRACK || (c.anchor != NONE32 && c.anchor >= h.nr))
			return -1;
		nt->s[i].nreps = c.nreps;   /* the edges follow below */
		nt->s[i].nlive = c.nlive;
		nt->s[i].anchor = c.anchor;
		nt->s[i].flags = c.flags;
		nt->s[i].nag = c.nag;
	}
	for (size_t i = 0; i < h.ns; i++) {
		const void *ag = take(&r, nt->s[i].nag * sizeof(uint32_t));
		if (ag == NULL)
			return -1;
		memcpy(nt->s[i].ag, ag, nt->s[i].nag * sizeof(uint32_t));
		for (uint8_t k = 0; k < nt->s[i].nag; k++)
			if (nt->s[i].ag[k] >= h.nag)
				return -1;
	}
	for (size_t i = 0; i < h.ns; i++) {
		const char *k = (const char *)r.p;
		size_t kl = strnlen(k, r.left < SIMPUL_MAX_KEY_LEN + 1 ? r.left : SIMPUL_MAX_KEY_LEN + 1);
		if (kl >= r.left || k[kl] != '\0' || (nt->s[i].key = strdup(k)) == NULL)
			return -1;
		take(&r, kl + 1);
	}
	for (size_t i = 0; i < h.ns; i++) {
		struct nsel *s = &nt->s[i];
		uint32_t nreps = s->nreps;
		s->nreps = 0;
		s->cap = 0;
		if (nreps && (s->reps = take_copy(&r, nreps, sizeof(uint32_t))) == NULL)
			return -1;
		s->nreps = nreps;
		s->cap = nreps;
		for (uint32_t k = 0; k < nreps; k++)
			if (!edge_ok(s->reps[k], h.nr))
				return -1;
		edges += nreps;
	}
	if (r.left != 0 || edges != h.edges)
		return -1;
	nt->edges = h.edges;
	nt->max_reports = h.max_reports;
	nt->min_agencies = h.min_agencies;
	if (hmap_rehash(&nt->rmap, pow2_for(h.nr)) == -1 || hmap_rehash(&nt->tmap, pow2_for(h.nr)) == -1 ||
	    hmap_rehash(&nt->smap, pow2_for(h.ns)) == -1)
		return -1;
	for (size_t i = 0; i < h.nr; i++) {
		if (nt->r[i].flags & RF_GONE)
			continue;
		if (hmap_put(&nt->rmap, hash_str(nt->r[i].id), (uint32_t)i) == -1 ||
		    hmap_put(&nt->tmap, nt->r[i].tag, (uint32_t)i) == -1)
			return -1;
	}
	for (size_t i = 0; i < h.ns; i++)
		if (hmap_put(&nt->smap, hash_str(nt->s[i].key), (uint32_t)i) == -1)
			return -1;
	return 0;
}

int
net_snapshot_load(struct net *nt, const void *buf, size_t len)
{
	int rc;

	pthread_rwlock_wrlock(&nt->lock);
	if (nt->nr != 0 || nt->ns != 0) {
		pthread_rwlock_unlock(&nt->lock);
		return -1;
	}
	if ((rc = load_locked(nt, buf, len)) == -1)
		net_clear(nt);
	/* Lists are asked again by net_set_listed (the node re-applies its
	 * rules, lists and overrides after a load). */
	nt->listed = NULL;
	nt->listed_ctx = NULL;
	pthread_rwlock_unlock(&nt->lock);
	return rc;
}

int
net_overrides_set(struct net *nt, const char *const *keys, const enum net_override *modes, size_t n)
{
	int rc = 0;

	pthread_rwlock_wrlock(&nt->lock);
	/* Clear every override that is not in the new set (few selectors carry
	 * one; the scan over all of them is a pass over an array). */
	for (size_t i = 0; i < nt->ns && rc == 0; i++) {
		struct nsel *s = &nt->s[i];
		bool keep = false, was;
		if (!(s->flags & (SF_OVR_LINK | SF_OVR_GEN)))
			continue;
		for (size_t k = 0; k < n && !keep; k++)
			keep = strcmp(keys[k], s->key) == 0 &&
			    ((modes[k] == NET_OVR_LINK) == ((s->flags & SF_OVR_LINK) != 0));
		if (keep)
			continue;
		was = sel_links(nt, s);
		s->flags &= (uint8_t)~(SF_OVR_LINK | SF_OVR_GEN);
		rc = sel_changed(nt, s, was);
	}
	for (size_t k = 0; k < n && rc == 0; k++) {
		uint32_t si = sel_intern(nt, keys[k]);
		struct nsel *s;
		bool was;
		if (si == NONE32) {
			rc = -1;
			break;
		}
		s = &nt->s[si];
		was = sel_links(nt, s);
		s->flags &= (uint8_t)~(SF_OVR_LINK | SF_OVR_GEN);
		s->flags |= modes[k] == NET_OVR_LINK ? SF_OVR_LINK : modes[k] == NET_OVR_GENERIC ? SF_OVR_GEN : 0;
		rc = sel_changed(nt, s, was);
	}
	pthread_rwlock_unlock(&nt->lock);
	return rc;
}
