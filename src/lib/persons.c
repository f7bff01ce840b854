/* persons.c - persons, travel documents and notices on the node (issue 3).
 *
 * Invariants (the core's, kept through core_int.h):
 *  - every record read passes policy_decide() for the asking principal;
 *    nothing is rendered without a decision (the console operator, c->p
 *    NULL, holds the file and sees everything, audited as "system");
 *  - every access appends one audit entry, committed before the answer;
 *  - bad input changes nothing but the audit log;
 *  - persons are police-database records: banks, telcos, platforms and the
 *    public are refused (403) on every person endpoint. */
#include "persons.h"

#include <ctype.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <unicode/uloc.h>

#include "core_int.h"
#include "person_import.h"
#include "policy.h"
#include "simpul_limits.h"
#include "store.h"

#define NORM_VERSION 2   /* bump when name_normalise changes: stored tokens are recomputed */

static const char *const roles[] = { "wanted", "suspect", "victim_of_trafficking", "missing",
	"sanctioned", "witness", "other" };
static const char *const genders[] = { "male", "female", "other", "unknown" };

static bool
one_of(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}
#define ONE_OF(s, l) one_of((s), (l), sizeof(l) / sizeof((l)[0]))

static bool
text_ok(const char *s, size_t max)
{
	size_t n = strlen(s);
	return n <= max && utf8_valid(s, n);
}

/* ---- the persons state of a node: the name index ----------------------- */

struct pstate {
	pthread_rwlock_t lock;      /* readers search; the refresher adds */
	pthread_mutex_t  build;     /* one refresher at a time */
	struct nidx     *x;
	int64_t          last_rid;
	int64_t          build_ms;
};

static pthread_mutex_t pinit = PTHREAD_MUTEX_INITIALIZER;

static void
pstate_free(void *p)
{
	struct pstate *ps = p;
	nidx_free(ps->x);
	pthread_rwlock_destroy(&ps->lock);
	pthread_mutex_destroy(&ps->build);
	free(ps);
}

static struct pstate *
pstate(struct node *n)
{
	void **slot = node_persons_slot(n, NULL);
	struct pstate *ps;

	pthread_mutex_lock(&pinit);
	if ((ps = *slot) == NULL && (ps = calloc(1, sizeof(*ps))) != NULL) {
		if ((ps->x = nidx_new()) == NULL) {
			free(ps);
			ps = NULL;
		} else {
			pthread_rwlock_init(&ps->lock, NULL);
			pthread_mutex_init(&ps->build, NULL);
			*slot = ps;
			node_persons_set_free(n, pstate_free);
		}
	}
	pthread_mutex_unlock(&pinit);
	return ps;
}

/* Stored tokens of a name: "tok tok >tok" ('>' = after a patronymic connector). */
static char *
norm_text(const struct name_norm *nn)
{
	struct sbuf b;
	sbuf_init(&b, 4096);
	for (int i = 0; i < nn->ntok; i++) {
		if (i) sbuf_addc(&b, ' ');
		if (nn->patronym && nn->t[i].side) sbuf_addc(&b, '>');
		sbuf_adds(&b, nn->t[i].s);
	}
	if (b.ptr == NULL)
		sbuf_adds(&b, "");
	return sbuf_steal(&b);
}

static int
norm_from_text(const char *s, struct name_norm *nn)
{
	memset(nn, 0, sizeof(*nn));
	while (*s && nn->ntok < NAME_MAX_TOKENS) {
		size_t k = 0;
		struct name_tok *t = &nn->t[nn->ntok];
		while (*s == ' ') s++;
		if (*s == 0) break;
		if (*s == '>') { t->side = 1; nn->patronym = true; s++; }
		while (*s && *s != ' ' && k < NAME_TOK_LEN) t->s[k++] = *s++;
		while (*s && *s != ' ') s++;
		t->s[k] = 0;
		if (k == 0) continue;
		name_skeleton(t->s, t->skel, sizeof(t->skel));
		nn->ntok++;
	}
	return nn->ntok > 0 ? 0 : -1;
}

struct refresh { struct pstate *ps; int64_t last; int err; bool locked; };

static int
index_person_cb(void *ctx, const struct xrecord *x)
{
	struct refresh *r = ctx;
	struct nidx_person np;
	json_t *b = json_loads(x->body, 0, NULL), *v, *names;
	bool cur;
	size_t i;
	int pidx;

	r->last = x->rid;
	if (!r->locked) {
		/* the write lock only when there is something new */
		pthread_rwlock_wrlock(&r->ps->lock);
		r->locked = true;
	}
	if (b == NULL)
		return 0;
	memset(&np, 0, sizeof(np));
	np.id = x->id;
	np.rid = x->rid;
	json_array_foreach(json_object_get(b, "dob"), i, v)
		if (np.ndob < NIDX_MAX_DOB && name_dob_parse(json_string_value(v) ? json_string_value(v) : "",
		    &np.dob[np.ndob]) == 0)
			np.ndob++;
	json_array_foreach(json_object_get(b, "nationality"), i, v)
		if (np.nnat < NIDX_MAX_NAT && json_string_value(v))
			str_copy(np.nat[np.nnat++], 3, json_string_value(v));
	json_array_foreach(json_object_get(b, "documents"), i, v)
		if (np.ndoc < NIDX_MAX_DOCS && json_string_value(json_object_get(v, "number")))
			np.doc[np.ndoc++] = json_string_value(json_object_get(v, "number"));
	cur = json_integer_value(json_object_get(b, "norm_version")) == NORM_VERSION;
	names = json_object_get(b, "names");
	if ((pidx = nidx_add_person(r->ps->x, &np)) < 0) {
		r->err = 1;
		json_decref(b);
		return 1;
	}
	json_array_foreach(names, i, v) {
		struct name_norm nn;
		const char *nm = json_string_value(json_object_get(v, "name"));
		const char *nt = json_string_value(json_object_get(v, "norm"));
		const char *str = json_string_value(json_object_get(v, "strength"));
		struct err e;
		if (cur && nt ? norm_from_text(nt, &nn) == -1 :
		    (nm == NULL || name_normalise(nm, strlen(nm), &nn, &e) == -1))
			continue;
		if (nidx_add_name(r->ps->x, pidx, (int)i, str && strcmp(str, "weak") == 0, &nn) == -1) {
			r->err = 1;
			break;
		}
	}
	json_decref(b);
	return r->err;
}

/* Fold persons stored since the last refresh into the index. */
static int
index_refresh(struct node *n, struct pstate *ps, struct err *e)
{
	struct store *st = node_reader(n, e);
	struct refresh r = { ps, 0, 0, false };
	int64_t t0 = now_ms();
	int rc;

	if (st == NULL)
		return -1;
	pthread_mutex_lock(&ps->build);
	r.last = ps->last_rid;
	rc = store_xrecord_iter(st, "person", ps->last_rid, index_person_cb, &r);
	if (r.locked) {
		ps->last_rid = r.last;
		ps->build_ms = now_ms() - t0;
		pthread_rwlock_unlock(&ps->lock);
	}
	pthread_mutex_unlock(&ps->build);
	if (rc != 0 || r.err) {
		err_set(e, 500, "", "could not build the name index");
		return -1;
	}
	return 0;
}

int
node_persons_match_since(struct node *n, const struct nidx_query *q, double min, int64_t after_rid,
    int (*cb)(void *ctx, const char *id, double score), void *ctx, struct err *e)
{
	struct pstate *ps = pstate(n);
	struct nidx_hit hits[PERSON_SEARCH_LIMIT];
	int nh, rc = 0;

	if (ps == NULL) {
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	if (index_refresh(n, ps, e) == -1)
		return -1;
	pthread_rwlock_rdlock(&ps->lock);
	nh = nidx_search(ps->x, q, min, hits, PERSON_SEARCH_LIMIT);
	pthread_rwlock_unlock(&ps->lock);
	if (nh < 0) {
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	for (int i = 0; i < nh && rc == 0; i++)
		if (hits[i].rid > after_rid && hits[i].score >= min)
			rc = cb(ctx, hits[i].id, hits[i].score);
	nidx_hits_free(hits, nh);
	return rc;
}

int
node_persons_index_stats(struct node *n, json_t **out, struct err *e)
{
	struct pstate *ps = pstate(n);
	int64_t t0 = mono_us();

	if (ps == NULL || index_refresh(n, ps, e) == -1)
		return -1;
	pthread_rwlock_rdlock(&ps->lock);
	*out = json_pack("{s:I, s:I, s:I, s:f}", "persons", (json_int_t)nidx_persons(ps->x),
	    "names", (json_int_t)nidx_names(ps->x), "memory_bytes", (json_int_t)nidx_memory(ps->x),
	    "refresh_s", (double)(mono_us() - t0) / 1e6);
	pthread_rwlock_unlock(&ps->lock);
	return 0;
}

/* ---- who may use persons ------------------------------------------------ */

static bool
may_read_persons(const struct reqctx *c)
{
	if (c == NULL || c->p == NULL)
		return true;   /* the console operator */
	return kind_is_le(c->p->agency.kind) && c->p->role != ROLE_PUBLIC && c->p->role != ROLE_PARTNER &&
	    c->p->role != ROLE_AUDITOR;
}

static bool
may_write_le(const struct reqctx *c)
{
	if (c == NULL || c->p == NULL)
		return true;
	return kind_is_le(c->p->agency.kind) && policy_may_write(c->p);
}

static enum decision
decide(const struct reqctx *c, const struct xrecord *x)
{
	struct record_meta meta = { x->agency_id, &x->m };

	if (c == NULL || c->p == NULL)
		return POLICY_FULL;
	return policy_decide(c->p, &meta, USE_READ);
}

static int
refuse_read(struct node *n, const struct reqctx *c, const char *action, const char *object,
    int status, const char *why, struct err *e)
{
	err_set(e, status, "", "%s", why);
	node_audit_refusal(n, c, action, object, status, why);
	return -1;
}

/* ---- persons: parse ----------------------------------------------------- */

static int
strings_or_one(const json_t *v, const char *field, size_t max, json_t **out, struct err *e)
{
	size_t i;
	json_t *x;

	*out = json_array();
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_string(v)) {
		json_array_append(*out, (json_t *)v);
		return 0;
	}
	if (!json_is_array(v) || json_array_size(v) > max) {
		err_set(e, 400, field, "%s must be a string or an array of at most %zu strings", field, max);
		goto bad;
	}
	json_array_foreach(v, i, x) {
		if (!json_is_string(x)) {
			err_set(e, 400, field, "%s[%zu] must be a string", field, i);
			goto bad;
		}
		json_array_append(*out, x);
	}
	return 0;
bad:
	json_decref(*out);
	*out = NULL;
	return -1;
}

static int
doc_number_norm(const char *in, char *out, size_t outsz)
{
	size_t o = 0;

	for (; *in; in++) {
		char ch = *in;
		if (ch == ' ' || ch == '-' || ch == '<' || ch == '/' || ch == '.')
			continue;
		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 32);
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
			return -1;
		if (o + 1 >= outsz || o >= DOC_NUMBER_MAX)
			return -1;
		out[o++] = ch;
	}
	out[o] = 0;
	return o ? 0 : -1;
}

int
person_parse(const json_t *in, json_t **out, struct markings *m, struct err *e)
{
	json_t *b = NULL, *names, *v, *arr = NULL;
	const char *s;
	char field[64];
	size_t i;

	*out = NULL;
	if (!json_is_object(in)) {
		err_set(e, 400, "body", "a person is a JSON object");
		return -1;
	}
	b = json_object();
	json_object_set_new(b, "norm_version", json_integer(NORM_VERSION));
	if ((v = json_object_get(in, "ref")) != NULL && !json_is_null(v)) {
		if (!json_is_string(v) || !text_ok(json_string_value(v), SIMPUL_MAX_SHORT)) {
			err_set(e, 400, "ref", "ref must be text of at most %d bytes", SIMPUL_MAX_SHORT);
			goto bad;
		}
		json_object_set(b, "ref", v);
	}
	names = json_object_get(in, "names");
	if (!json_is_array(names) || json_array_size(names) == 0 || json_array_size(names) > PERSON_MAX_NAMES) {
		err_set(e, 400, "names", "names must be an array of 1 to %d names", PERSON_MAX_NAMES);
		goto bad;
	}
	arr = json_array();
	json_array_foreach(names, i, v) {
		struct name_norm nn;
		const char *nm, *str = "strong", *kind = NULL;
		json_t *o;
		char *nt;
		snprintf(field, sizeof(field), "names[%zu]", i);
		if (json_is_string(v))
			nm = json_string_value(v);
		else if (json_is_object(v) && json_is_string(json_object_get(v, "name"))) {
			nm = json_string_value(json_object_get(v, "name"));
			if ((s = json_string_value(json_object_get(v, "strength"))) != NULL) {
				if (strcmp(s, "strong") != 0 && strcmp(s, "weak") != 0) {
					err_set(e, 400, field, "%s.strength must be strong or weak", field);
					goto bad;
				}
				str = s;
			}
			if ((kind = json_string_value(json_object_get(v, "kind"))) != NULL && !text_ok(kind, 32)) {
				err_set(e, 400, field, "%s.kind must be short text", field);
				goto bad;
			}
		} else {
			err_set(e, 400, field, "%s must be a string or {\"name\",\"strength\"}", field);
			goto bad;
		}
		if (name_normalise(nm, strlen(nm), &nn, e) == -1) {
			str_copy(e->field, sizeof(e->field), field);
			goto bad;
		}
		if ((nt = norm_text(&nn)) == NULL) {
			err_set(e, 500, "", "out of memory");
			goto bad;
		}
		o = json_pack("{s:s, s:s, s:s, s:s}", "name", nm, "strength", i == 0 ? "strong" : str,
		    "script", nn.script, "norm", nt);
		free(nt);
		if (kind)
			json_object_set_new(o, "kind", json_string(kind));
		json_array_append_new(arr, o);
	}
	json_object_set_new(b, "names", arr);
	arr = NULL;
	if (strings_or_one(json_object_get(in, "dob"), "dob", NIDX_MAX_DOB, &arr, e) == -1)
		goto bad;
	json_array_foreach(arr, i, v) {
		struct name_dob d;
		if (name_dob_parse(json_string_value(v), &d) == -1) {
			err_set(e, 400, "dob", "dob must be YYYY, YYYY-MM or YYYY-MM-DD between 1850 and today");
			goto bad;
		}
	}
	if (json_array_size(arr)) json_object_set(b, "dob", arr);
	json_decref(arr);
	arr = NULL;
	if (strings_or_one(json_object_get(in, "nationality"), "nationality", NIDX_MAX_NAT, &arr, e) == -1)
		goto bad;
	json_array_foreach(arr, i, v)
		if (!country_valid(json_string_value(v))) {
			err_set(e, 400, "nationality", "nationality must be ISO 3166-1 alpha-2 codes such as MY");
			goto bad;
		}
	if (json_array_size(arr)) json_object_set(b, "nationality", arr);
	json_decref(arr);
	arr = NULL;
	if ((s = json_string_value(json_object_get(in, "gender"))) != NULL || json_object_get(in, "gender")) {
		if (s == NULL || !ONE_OF(s, genders)) {
			err_set(e, 400, "gender", "gender must be male, female, other or unknown");
			goto bad;
		}
		json_object_set_new(b, "gender", json_string(s));
	}
	if ((s = json_string_value(json_object_get(in, "role"))) != NULL || json_object_get(in, "role")) {
		if (s == NULL || !ONE_OF(s, roles)) {
			err_set(e, 400, "role", "role must be wanted, suspect, victim_of_trafficking, missing, sanctioned, witness or other");
			goto bad;
		}
		json_object_set_new(b, "role", json_string(s));
	}
	if ((v = json_object_get(in, "documents")) != NULL) {
		json_t *d;
		if (!json_is_array(v) || json_array_size(v) > PERSON_MAX_DOCS) {
			err_set(e, 400, "documents", "documents must be an array of at most %d", PERSON_MAX_DOCS);
			goto bad;
		}
		arr = json_array();
		json_array_foreach(v, i, d) {
			const char *num = json_string_value(json_object_get(d, "number"));
			const char *ty = json_string_value(json_object_get(d, "type"));
			const char *cc = json_string_value(json_object_get(d, "country"));
			char nb[64];
			snprintf(field, sizeof(field), "documents[%zu].number", i);
			if (!json_is_object(d) || num == NULL || doc_number_norm(num, nb, sizeof(nb)) == -1) {
				err_set(e, 400, field, "%s must be a document number of 1 to %d letters and digits",
				    field, DOC_NUMBER_MAX);
				goto bad;
			}
			if ((ty && !text_ok(ty, 32)) || (cc && (strlen(cc) < 2 || strlen(cc) > 3 || !text_ok(cc, 3)))) {
				snprintf(field, sizeof(field), "documents[%zu]", i);
				err_set(e, 400, field, "%s: type is short text, country a 2- or 3-letter code", field);
				goto bad;
			}
			json_t *o = json_pack("{s:s}", "number", nb);
			if (ty) json_object_set_new(o, "type", json_string(ty));
			if (cc) json_object_set_new(o, "country", json_string(cc));
			json_array_append_new(arr, o);
		}
		json_object_set_new(b, "documents", arr);
		arr = NULL;
	}
	if ((v = json_object_get(in, "links")) != NULL) {
		json_t *rep = json_object_get(v, "reports"), *sel = json_object_get(v, "selectors"), *x;
		size_t total = json_array_size(rep) + json_array_size(sel);
		if (!json_is_object(v) || (rep && !json_is_array(rep)) || (sel && !json_is_array(sel)) ||
		    total > PERSON_MAX_LINKS) {
			err_set(e, 400, "links", "links is {\"reports\":[ids],\"selectors\":[keys]}, at most %d", PERSON_MAX_LINKS);
			goto bad;
		}
		json_array_foreach(rep, i, x)
			if (!json_is_string(x) || strlen(json_string_value(x)) != SIMPUL_ID_LEN) {
				err_set(e, 400, "links.reports", "links.reports[%zu] must be a report id", i);
				goto bad;
			}
		json_array_foreach(sel, i, x)
			if (!json_is_string(x) || !text_ok(json_string_value(x), SIMPUL_MAX_KEY_LEN) ||
			    strchr(json_string_value(x), ':') == NULL) {
				err_set(e, 400, "links.selectors", "links.selectors[%zu] must be a canonical key type:value", i);
				goto bad;
			}
		json_object_set(b, "links", v);
	}
	if ((s = json_string_value(json_object_get(in, "source"))) != NULL) {
		if (!text_ok(s, SIMPUL_MAX_SHORT)) {
			err_set(e, 400, "source", "source must be short text");
			goto bad;
		}
		json_object_set_new(b, "source", json_string(s));
	}
	if (markings_parse(json_object_get(in, "markings"), m, e) == -1)
		goto bad;
	/* A victim of trafficking: the most restrictive markings unless the
	 * originator chose others. */
	if ((s = json_string_value(json_object_get(b, "role"))) != NULL &&
	    strcmp(s, "victim_of_trafficking") == 0 && json_object_get(in, "markings") == NULL) {
		m->tlp = TLP_RED;
		m->disclosure = DISC_SILENT;
		m->orcon = true;
		m->naud = 0;
	}
	*out = b;
	return 0;
bad:
	json_decref(arr);
	json_decref(b);
	return -1;
}

static json_t *
person_render(const struct xrecord *x, enum decision d)
{
	json_t *b, *o;

	if (d == POLICY_HIT)
		return json_pack("{s:s, s:s, s:s, s:s}", "id", x->id, "visibility", "hit", "agency",
		    x->agency_id, "contact_ref", x->contact_ref);
	b = json_loads(x->body, 0, NULL);
	o = json_pack("{s:s, s:s, s:s, s:I}", "id", x->id, "agency", x->agency_id, "ref", x->ref,
	    "version", (json_int_t)x->version);
	if (b) {
		const char *k;
		json_t *v;
		json_object_foreach(b, k, v) {
			if (strcmp(k, "norm_version") == 0)
				continue;
			if (strcmp(k, "names") == 0) {
				json_t *nn = json_array(), *n1;
				size_t i;
				json_array_foreach(v, i, n1) {
					json_t *c = json_deep_copy(n1);
					json_object_del(c, "norm");
					json_array_append_new(nn, c);
				}
				json_object_set_new(o, "names", nn);
			} else
				json_object_set(o, k, v);
		}
		json_decref(b);
	}
	char t1[32], t2[32];
	time_iso(x->created_ms, t1);
	time_iso(x->updated_ms, t2);
	json_object_set_new(o, "created", json_string(t1));
	json_object_set_new(o, "updated", json_string(t2));
	json_object_set_new(o, "markings", markings_json(&x->m));
	return o;
}

/* ---- persons: write ----------------------------------------------------- */

static int
person_keys(json_t *body, char keys[][48], size_t *nkeys)
{
	json_t *d;
	size_t i;

	*nkeys = 0;
	json_array_foreach(json_object_get(body, "documents"), i, d)
		if (*nkeys < PERSON_MAX_DOCS)
			snprintf(keys[(*nkeys)++], 48, "pdoc:%s", json_string_value(json_object_get(d, "number")));
	return 0;
}

static int
person_put(struct node *n, const char *agency_id, json_t *body, const struct markings *m,
    char id_out[SIMPUL_ID_LEN + 1], struct err *e)
{
	struct xrecord x;
	char keys[PERSON_MAX_DOCS][48];
	const char *kp[PERSON_MAX_DOCS];
	size_t nk;
	char *text;
	int rc;

	memset(&x, 0, sizeof(x));
	id_new(x.id);
	id_new(x.contact_ref);
	str_copy(x.kind, sizeof(x.kind), "person");
	str_copy(x.agency_id, sizeof(x.agency_id), agency_id);
	str_copy(x.ref, sizeof(x.ref), json_string_value(json_object_get(body, "ref")) ?
	    json_string_value(json_object_get(body, "ref")) : "");
	x.version = 1;
	x.created_ms = x.updated_ms = now_ms();
	x.m = *m;
	if ((text = json_dumps(body, JSON_COMPACT)) == NULL) {
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	x.body = text;
	person_keys(body, keys, &nk);
	for (size_t i = 0; i < nk; i++)
		kp[i] = keys[i];
	rc = store_xrecord_put(node_writer(n), &x, kp, nk, e);
	free(text);
	if (rc == 0)
		memcpy(id_out, x.id, SIMPUL_ID_LEN + 1);
	return rc;
}

int
node_person_create(struct node *n, const struct reqctx *c, const json_t *in, json_t **out, struct err *e)
{
	struct markings m;
	json_t *body = NULL, *d;
	char id[SIMPUL_ID_LEN + 1];
	int rc;

	*out = NULL;
	if (c == NULL || c->p == NULL || !may_write_le(c))
		return refuse_read(n, c, "person.create", NULL, 403,
		    "only law-enforcement analysts, investigators, supervisors and admins may add persons", e);
	if (person_parse(in, &body, &m, e) == -1) {
		node_audit_refusal(n, c, "person.create", e->field, e->status, e->msg);
		return -1;
	}
	if (node_write_begin(n, e) == -1) {
		json_decref(body);
		return -1;
	}
	rc = person_put(n, c->p->agency.id, body, &m, id, e);
	if (rc == 0) {
		d = json_pack("{s:s, s:s}", "ref", json_string_value(json_object_get(body, "ref")) ?
		    json_string_value(json_object_get(body, "ref")) : "", "role",
		    json_string_value(json_object_get(body, "role")) ? json_string_value(json_object_get(body, "role")) : "");
		rc = node_audit_write(n, c, "person.create", id, "ok", d, e);
		json_decref(d);
	}
	rc = node_write_end(n, rc, e);
	if (rc == 0)
		*out = json_pack("{s:s, s:O*, s:o}", "id", id, "ref", json_object_get(body, "ref"),
		    "markings", markings_json(&m));
	json_decref(body);
	return rc;
}

/* PUT /api/v1/persons/{id}: the whole person again, as for create, plus an
 * optional "version" (the one the caller read; 409 when the person moved
 * on). Only the originating agency changes its record (one writer per
 * record); an agency that may see it gets 403, one that may not 404, as
 * for an unknown id. Markings: the new ones when given, else the current
 * ones, except that a person who becomes a victim of trafficking gets the
 * most restrictive ones (as on create). The id, contact reference and
 * creation time are kept; the version goes up by one. Decided and written
 * in one write transaction, refusals included (audited there). */
int
node_person_update(struct node *n, const struct reqctx *c, const char *id, const json_t *in,
    json_t **out, struct err *e)
{
	struct markings m;
	struct xrecord cur, x;
	json_t *body = NULL, *v, *d;
	char keys[PERSON_MAX_DOCS][48], *text = NULL;
	const char *kp[PERSON_MAX_DOCS];
	int64_t want = 0;
	size_t nk;
	int found, rc = -1, status = 0;
	struct err e2 = {0};

	*out = NULL;
	memset(&cur, 0, sizeof(cur));
	if (c == NULL || c->p == NULL || !may_write_le(c))
		return refuse_read(n, c, "person.update", id, 403,
		    "only law-enforcement analysts, investigators, supervisors and admins may change persons", e);
	if ((v = json_object_get(in, "version")) != NULL && !json_is_null(v)) {
		if (!json_is_integer(v) || json_integer_value(v) < 1) {
			err_set(e, 400, "version", "version must be the positive integer you read");
			node_audit_refusal(n, c, "person.update", e->field, e->status, e->msg);
			return -1;
		}
		want = json_integer_value(v);
	}
	if (person_parse(in, &body, &m, e) == -1) {
		node_audit_refusal(n, c, "person.update", e->field, e->status, e->msg);
		return -1;
	}
	if (node_write_begin(n, e) == -1) {
		json_decref(body);
		return -1;
	}
	found = strlen(id) == SIMPUL_ID_LEN ? store_xrecord_get(node_writer(n), id, &cur) : 1;
	if (found == -1) {
		err_set(e, 500, "", "could not read the person");
		goto end;
	}
	if (found == 0 && strcmp(cur.kind, "person") != 0)
		found = 1;
	if (found == 1 || decide(c, &cur) == POLICY_NONE) {
		status = 404;
		err_set(e, 404, "id", "no person %.40s that you may see", id);
		if (found == 0 && cur.m.disclosure == DISC_SILENT && strcmp(cur.agency_id, c->p->agency.id) != 0) {
			json_t *pl = json_pack("{s:s, s:s, s:s, s:s}", "your_record", cur.id, "kind", "person",
			    "agency", c->p->agency.id, "action", "person.update");
			node_alert_put(n, cur.agency_id, "silent_search", pl, &e2);
			json_decref(pl);
		}
	} else if (strcmp(cur.agency_id, c->p->agency.id) != 0) {
		status = 403;
		err_set(e, 403, "id", "only the originating agency (%s) may change this person", cur.agency_id);
	} else if (want && want != cur.version) {
		status = 409;
		err_set(e, 409, "version", "the person is at version %lld, not %lld: read it again and resend",
		    (long long)cur.version, (long long)want);
	}
	if (status) {
		char oc[32];
		snprintf(oc, sizeof(oc), "refused:%d", status);
		d = json_pack("{s:s}", "reason", e->msg);
		rc = node_audit_write(n, c, "person.update", id, oc, d, &e2);
		json_decref(d);
		node_write_end(n, rc, &e2);
		rc = -1;
		goto out;
	}
	if (json_object_get(in, "markings") == NULL) {
		const char *role = json_string_value(json_object_get(body, "role"));
		if (role == NULL || strcmp(role, "victim_of_trafficking") != 0)
			m = cur.m;
	}
	memset(&x, 0, sizeof(x));
	memcpy(x.id, cur.id, sizeof(x.id));
	memcpy(x.contact_ref, cur.contact_ref, sizeof(x.contact_ref));
	str_copy(x.kind, sizeof(x.kind), "person");
	str_copy(x.agency_id, sizeof(x.agency_id), cur.agency_id);
	str_copy(x.ref, sizeof(x.ref), json_string_value(json_object_get(body, "ref")) ?
	    json_string_value(json_object_get(body, "ref")) : "");
	x.version = cur.version + 1;
	x.created_ms = cur.created_ms;
	x.updated_ms = now_ms();
	if (x.updated_ms <= cur.updated_ms)
		x.updated_ms = cur.updated_ms + 1;
	x.m = m;
	if ((text = json_dumps(body, JSON_COMPACT)) == NULL) {
		err_set(e, 500, "", "out of memory");
		goto end;
	}
	x.body = text;
	person_keys(body, keys, &nk);
	for (size_t i = 0; i < nk; i++)
		kp[i] = keys[i];
	if ((rc = store_xrecord_put(node_writer(n), &x, kp, nk, e)) == 0) {
		json_t *mn = markings_json(&m), *mo = markings_json(&cur.m);
		d = json_pack("{s:s, s:I, s:I, s:b}", "ref", x.ref, "from_version", (json_int_t)cur.version,
		    "version", (json_int_t)x.version, "markings_changed", !json_equal(mn, mo));
		json_decref(mn);
		json_decref(mo);
		rc = node_audit_write(n, c, "person.update", id, "ok", d, e);
		json_decref(d);
	}
end:
	rc = node_write_end(n, rc, e);
	if (rc == 0)
		*out = json_pack("{s:s, s:O*, s:I, s:o}", "id", x.id, "ref", json_object_get(body, "ref"),
		    "version", (json_int_t)x.version, "markings", markings_json(&m));
out:
	free(text);
	free((char *)cur.body);
	json_decref(body);
	return rc;
}

static void
silent_alert(const struct reqctx *c, const struct xrecord *x, const char *action,
    struct alert_row *a, char **payload)
{
	json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "your_record", x->id, "kind", x->kind,
	    "agency", c->p->agency.id, "action", action);

	memset(a, 0, sizeof(*a));
	id_new(a->id);
	str_copy(a->agency_id, sizeof(a->agency_id), x->agency_id);
	str_copy(a->kind, sizeof(a->kind), "silent_search");
	a->created_ms = now_ms();
	*payload = json_dumps(p, JSON_COMPACT);
	a->payload = *payload ? *payload : "{}";
	json_decref(p);
}

int
node_person_get(struct node *n, const struct reqctx *c, const char *id, json_t **out, struct err *e)
{
	struct store *st;
	struct xrecord x;
	struct alert_row alert;
	char *payload = NULL;
	enum decision d = POLICY_NONE;
	int found, rc = -1;

	*out = NULL;
	if (!may_read_persons(c))
		return refuse_read(n, c, "person.read", id, 403, "persons are for law-enforcement principals", e);
	if ((st = node_reader(n, e)) == NULL)
		return -1;
	memset(&x, 0, sizeof(x));
	found = strlen(id) == SIMPUL_ID_LEN ? store_xrecord_get(st, id, &x) : 1;
	if (found == -1) {
		err_set(e, 500, "", "could not read the person");
		return -1;
	}
	if (found == 0 && strcmp(x.kind, "person") != 0)
		found = 1;
	if (found == 0)
		d = decide(c, &x);
	if (d == POLICY_NONE) {
		size_t na = 0;
		err_set(e, 404, "id", "no person %.40s that you may see", id);
		if (found == 0 && x.m.disclosure == DISC_SILENT && c->p && strcmp(x.agency_id, c->p->agency.id) != 0) {
			silent_alert(c, &x, "read", &alert, &payload);
			na = 1;
		}
		node_audit_read(n, c, "person.read", id, "refused:404", NULL, &alert, na);
		goto out;
	}
	*out = person_render(&x, d);
	if (node_audit_read(n, c, "person.read", id, d == POLICY_FULL ? "full" : "hit", NULL, NULL, 0) == -1) {
		json_decref(*out);
		*out = NULL;
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		goto out;
	}
	rc = 0;
out:
	free(payload);
	free((char *)x.body);
	return rc;
}

/* ---- persons: search ---------------------------------------------------- */

int
person_query_parse(const json_t *q, struct nidx_query *out, struct err *e)
{
	const char *name, *dob, *s;
	json_t *v, *nat;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(q)) {
		err_set(e, 400, "query", "a query is {\"name\",\"dob\"?,\"nationality\"?}");
		return -1;
	}
	if ((name = json_string_value(json_object_get(q, "name"))) == NULL) {
		err_set(e, 400, "name", "name is required");
		return -1;
	}
	if (name_normalise(name, strlen(name), &out->nn, e) == -1)
		return -1;
	if ((v = json_object_get(q, "dob")) != NULL && !json_is_null(v)) {
		if ((dob = json_string_value(v)) == NULL || name_dob_parse(dob, &out->dob) == -1) {
			err_set(e, 400, "dob", "dob must be YYYY, YYYY-MM or YYYY-MM-DD between 1850 and today");
			return -1;
		}
		out->has_dob = true;
	}
	nat = json_object_get(q, "nationality");
	if (nat && !json_is_null(nat)) {
		json_t *one = json_is_string(nat) ? json_pack("[O]", nat) : json_incref(nat);
		if (!json_is_array(one) || json_array_size(one) > NIDX_MAX_NAT) {
			json_decref(one);
			err_set(e, 400, "nationality", "nationality must be a code such as MY or an array of codes");
			return -1;
		}
		json_array_foreach(one, i, v) {
			if ((s = json_string_value(v)) == NULL || !country_valid(s)) {
				json_decref(one);
				err_set(e, 400, "nationality", "nationality must be ISO 3166-1 alpha-2 codes such as MY");
				return -1;
			}
			str_copy(out->nat[out->nnat++], 3, s);
		}
		json_decref(one);
	}
	if ((v = json_object_get(q, "documents")) != NULL && !json_is_null(v)) {
		if (!json_is_array(v) || json_array_size(v) > NIDX_MAX_DOCS) {
			err_set(e, 400, "documents", "documents must be an array of at most %d", NIDX_MAX_DOCS);
			return -1;
		}
		json_t *d;
		json_array_foreach(v, i, d) {
			const char *num = json_string_value(json_is_object(d) ? json_object_get(d, "number") : d);
			if (num == NULL || strlen(num) > 64) {
				err_set(e, 400, "documents", "documents[%zu] must be a number or {\"number\"}", i);
				return -1;
			}
			out->doc[out->ndoc++] = num;   /* borrowed from q */
		}
	}
	return 0;
}

struct qctx {
	struct node            *n;
	const struct reqctx    *c;
	struct store           *st;
	struct alert_row       *alerts;
	char                  **payloads;
	size_t                  nalerts, capalerts;
};

static json_t *
search_one(struct qctx *qc, struct pstate *ps, const struct nidx_query *q, int limit, json_t *audit_ids)
{
	struct nidx_hit hits[PERSON_SEARCH_LIMIT + 10];
	int want = limit + 10 > PERSON_SEARCH_LIMIT + 10 ? PERSON_SEARCH_LIMIT + 10 : limit + 10;
	json_t *res = json_array(), *contacts = json_array(), *ans;
	int nh, shown = 0;

	pthread_rwlock_rdlock(&ps->lock);
	nh = nidx_search(ps->x, q, 0.30, hits, want);
	pthread_rwlock_unlock(&ps->lock);
	for (int i = 0; i < nh; i++) {
		struct xrecord x;
		enum decision d;
		if (shown >= limit)
			break;
		if (store_xrecord_get(qc->st, hits[i].id, &x) != 0)
			continue;      /* deleted since */
		d = decide(qc->c, &x);
		if (d == POLICY_FULL) {
			json_t *names = NULL, *b = json_loads(x.body, 0, NULL);
			if (b) names = json_object_get(b, "names");
			json_t *nm = json_array_get(names, (size_t)hits[i].name_no);
			if (nm)
				json_object_set(hits[i].explain, "name", json_object_get(nm, "name"));
			json_object_set_new(hits[i].explain, "agency", json_string(x.agency_id));
			json_array_append_new(res, json_pack("{s:s, s:s, s:f, s:O}", "ref", x.ref, "id", x.id,
			    "score", hits[i].score, "explain", hits[i].explain));
			json_array_append_new(audit_ids, json_string(x.id));
			json_decref(b);
			shown++;
		} else if (hits[i].score >= NIDX_THRESHOLD) {
			/* Outsiders learn only what disclosure allows, and only for alerts. */
			if (d == POLICY_HIT)
				json_array_append_new(contacts, json_pack("{s:s, s:s, s:f}", "agency", x.agency_id,
				    "contact_ref", x.contact_ref, "score", hits[i].score));
			else if (x.m.disclosure == DISC_SILENT && qc->c && qc->c->p &&
			    strcmp(x.agency_id, qc->c->p->agency.id) != 0 && qc->nalerts < 64) {
				if (qc->nalerts == qc->capalerts) {
					size_t nc = qc->capalerts ? qc->capalerts * 2 : 8;
					struct alert_row *na = realloc(qc->alerts, nc * sizeof(*na));
					char **np = na ? realloc(qc->payloads, nc * sizeof(*np)) : NULL;
					if (na) qc->alerts = na;
					if (np) qc->payloads = np;
					if (na && np) qc->capalerts = nc;
				}
				if (qc->nalerts < qc->capalerts) {
					silent_alert(qc->c, &x, "person.search", &qc->alerts[qc->nalerts],
					    &qc->payloads[qc->nalerts]);
					qc->nalerts++;
				}
			}
		}
		free((char *)x.body);
	}
	nidx_hits_free(hits, nh);
	ans = json_pack("{s:o, s:f}", "results", res, "threshold", NIDX_THRESHOLD);
	if (json_array_size(contacts))
		json_object_set_new(ans, "contacts", contacts);
	else
		json_decref(contacts);
	return ans;
}

int
node_person_search_many(struct node *n, const struct reqctx *c, const json_t *queries, int limit,
    json_t **answers, struct err *e)
{
	struct pstate *ps;
	struct qctx qc = { .n = n, .c = c };
	struct nidx_query *qs = NULL;
	json_t *ans = NULL, *detail = NULL, *qlog = NULL, *v;
	size_t i, nq;
	int rc = -1;

	*answers = NULL;
	if (!may_read_persons(c))
		return refuse_read(n, c, "person.search", NULL, 403,
		    "person search is for law-enforcement principals", e);
	nq = json_array_size(queries);
	if (!json_is_array(queries) || nq == 0 || nq > PERSON_MAX_BATCH) {
		err_set(e, 400, "queries", "queries must be an array of 1 to %d queries", PERSON_MAX_BATCH);
		node_audit_refusal(n, c, "person.search", NULL, 400, e->msg);
		return -1;
	}
	if (limit < 1 || limit > PERSON_SEARCH_LIMIT) {
		err_set(e, 400, "limit", "limit must be between 1 and %d", PERSON_SEARCH_LIMIT);
		node_audit_refusal(n, c, "person.search", NULL, 400, e->msg);
		return -1;
	}
	if ((qs = calloc(nq, sizeof(*qs))) == NULL) {
		err_set(e, 500, "", "out of memory");
		return -1;
	}
	json_array_foreach(queries, i, v)
		if (person_query_parse(v, &qs[i], e) == -1) {
			char f[sizeof(e->field) + 32];
			if (nq > 1) {
				snprintf(f, sizeof(f), "queries[%zu].%s", i, e->field);
				str_copy(e->field, sizeof(e->field), f);
			}
			node_audit_refusal(n, c, "person.search", e->field, e->status, e->msg);
			goto out;
		}
	if ((ps = pstate(n)) == NULL || index_refresh(n, ps, e) == -1)
		goto out;
	if ((qc.st = node_reader(n, e)) == NULL)
		goto out;
	ans = json_array();
	qlog = json_array();
	store_read_begin(qc.st, e);
	json_array_foreach(queries, i, v) {
		json_t *ids = json_array(), *a;
		a = search_one(&qc, ps, &qs[i], limit, ids);
		json_array_append_new(ans, a);
		/* the audit names what was searched and what was shown */
		json_t *ql = json_pack("{s:O, s:o}", "name", json_object_get(v, "name"), "shown", ids);
		if (json_object_get(v, "dob")) json_object_set(ql, "dob", json_object_get(v, "dob"));
		if (json_object_get(v, "nationality")) json_object_set(ql, "nationality", json_object_get(v, "nationality"));
		if (json_object_get(a, "contacts"))
			json_object_set_new(ql, "contacts", json_integer((json_int_t)json_array_size(json_object_get(a, "contacts"))));
		json_array_append_new(qlog, ql);
	}
	store_read_end(qc.st);
	detail = json_pack("{s:I, s:o}", "queries", (json_int_t)nq, "searched", qlog);
	qlog = NULL;
	if (node_audit_read(n, c, "person.search", nq == 1 ? json_string_value(json_object_get(json_array_get(queries, 0), "name")) : NULL,
	    "ok", detail, qc.alerts, qc.nalerts) == -1) {
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		goto out;
	}
	*answers = ans;
	ans = NULL;
	rc = 0;
out:
	for (size_t k = 0; k < qc.nalerts; k++)
		free(qc.payloads[k]);
	free(qc.payloads);
	free(qc.alerts);
	json_decref(detail);
	json_decref(qlog);
	json_decref(ans);
	free(qs);
	return rc;
}

int
node_person_search(struct node *n, const struct reqctx *c, const json_t *body, json_t **out, struct err *e)
{
	json_t *queries, *answers = NULL, *lim;
	json_int_t limit = 10;
	bool batch;
	int rc;

	*out = NULL;
	if ((lim = json_object_get(body, "limit")) != NULL) {
		if (!json_is_integer(lim) || json_integer_value(lim) < 1 || json_integer_value(lim) > PERSON_SEARCH_LIMIT) {
			err_set(e, 400, "limit", "limit must be an integer between 1 and %d", PERSON_SEARCH_LIMIT);
			node_audit_refusal(n, c, "person.search", "limit", 400, e->msg);
			return -1;
		}
		limit = json_integer_value(lim);
	}
	batch = json_object_get(body, "queries") != NULL;
	queries = batch ? json_incref(json_object_get(body, "queries")) : json_pack("[O]", body);
	rc = node_person_search_many(n, c, queries, (int)limit, &answers, e);
	json_decref(queries);
	if (rc == -1)
		return -1;
	if (batch)
		*out = json_pack("{s:o, s:f}", "answers", answers, "threshold", NIDX_THRESHOLD);
	else {
		*out = json_incref(json_array_get(answers, 0));
		json_decref(answers);
	}
	return 0;
}

/* ---- persons: import ----------------------------------------------------- */

struct pimport {
	struct node                *n;
	const char                 *agency_id;
	struct person_import_stats *st;
	struct err                 *e;
	bool                        lists;     /* a published list: clean names, public markings */
	int                         inbatch;
	json_t                     *refs;
	bool                        failed;
};

static int
pimport_flush(struct pimport *pi)
{
	struct reqctx c = { .p = NULL, .purpose = "import" };
	json_t *d;
	int rc;

	if (pi->inbatch == 0)
		return 0;
	d = json_pack("{s:s, s:i, s:O}", "agency", pi->agency_id, "persons", pi->inbatch, "refs", pi->refs);
	rc = node_audit_write(pi->n, &c, "person.import", pi->agency_id, "ok", d, pi->e);
	json_decref(d);
	rc = node_write_end(pi->n, rc, pi->e);
	json_array_clear(pi->refs);
	pi->inbatch = 0;
	return rc;
}

static int
pimport_one(void *ctx, json_t *person)
{
	struct pimport *pi = ctx;
	struct markings m;
	json_t *body = NULL;
	char id[SIMPUL_ID_LEN + 1];

	pi->st->lines++;
	if (pi->lists) {
		/* drop names our normaliser refuses (punctuation only, too long) */
		json_t *names = json_object_get(person, "names"), *clean = json_array(), *v;
		size_t i;
		json_array_foreach(names, i, v) {
			struct name_norm nn;
			struct err e2;
			const char *nm = json_string_value(json_object_get(v, "name"));
			if (nm && name_normalise(nm, strlen(nm), &nn, &e2) == 0 &&
			    json_array_size(clean) < PERSON_MAX_NAMES)
				json_array_append(clean, v);
		}
		json_object_set_new(person, "names", clean);
		/* and document numbers that are not plain numbers ("92/664" is kept as 92664) */
		json_t *docs = json_object_get(person, "documents"), *dclean = json_array();
		json_array_foreach(docs, i, v) {
			char nb[64];
			const char *num = json_string_value(json_object_get(v, "number"));
			if (num && doc_number_norm(num, nb, sizeof(nb)) == 0 && json_array_size(dclean) < PERSON_MAX_DOCS)
				json_array_append(dclean, v);
		}
		if (docs)
			json_object_set(person, "documents", dclean);
		json_decref(dclean);
		/* lists give up to a dozen alternative dates of birth: keep the first */
		json_t *dl = json_object_get(person, "dob"), *nl = json_object_get(person, "nationality");
		while (json_array_size(dl) > NIDX_MAX_DOB)
			json_array_remove(dl, json_array_size(dl) - 1);
		while (json_array_size(nl) > NIDX_MAX_NAT)
			json_array_remove(nl, json_array_size(nl) - 1);
		if (json_array_size(clean) == 0) {
			json_decref(person);
			return 0;
		}
		json_object_set_new(person, "role", json_string("sanctioned"));
		/* published lists: shared with all law enforcement */
		if (!json_object_get(person, "markings"))
			json_object_set_new(person, "markings", json_pack("{s:s, s:[s], s:s}", "tlp", "GREEN",
			    "releasable_to", "ALL_LE", "disclosure", "hit"));
	}
	if (person_parse(person, &body, &m, pi->e) == -1) {
		char f[160];
		snprintf(f, sizeof(f), "line %llu: %s", (unsigned long long)pi->st->lines, pi->e->field);
		str_copy(pi->e->field, sizeof(pi->e->field), f);
		json_decref(person);
		pi->failed = true;
		return 1;
	}
	if (pi->inbatch == 0 && node_write_begin(pi->n, pi->e) == -1) {
		json_decref(body);
		json_decref(person);
		pi->failed = true;
		return 1;
	}
	if (person_put(pi->n, pi->agency_id, body, &m, id, pi->e) == -1) {
		node_write_end(pi->n, -1, pi->e);
		pi->inbatch = 0;
		json_decref(body);
		json_decref(person);
		pi->failed = true;
		return 1;
	}
	pi->st->persons++;
	pi->st->names += json_array_size(json_object_get(body, "names"));
	json_array_append(pi->refs, json_object_get(body, "ref") ? json_object_get(body, "ref") : json_string(id));
	pi->inbatch++;
	json_decref(body);
	json_decref(person);
	if (pi->inbatch >= 1000 && pimport_flush(pi) == -1) {
		pi->failed = true;
		return 1;
	}
	return 0;
}

static char *
slurp(FILE *f, size_t max, size_t *len)
{
	struct sbuf b;
	char buf[65536];
	size_t n;

	sbuf_init(&b, max);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		if (sbuf_add(&b, buf, n) == -1) {
			sbuf_free(&b);
			return NULL;
		}
	*len = b.len;
	if (b.ptr == NULL)
		sbuf_adds(&b, "");
	return sbuf_steal(&b);
}

int
node_import_persons(struct node *n, const char *agency_id, const char *format, FILE *in, FILE *alt,
    struct person_import_stats *st, struct err *e)
{
	struct pimport pi = { .n = n, .agency_id = agency_id, .st = st, .e = e };
	struct agency a;
	int rc = -1;

	memset(st, 0, sizeof(*st));
	if (node_agency_get(n, agency_id, &a) != 0) {
		err_set(e, 404, "agency", "no agency %s (add it with `simpul agency add`)", agency_id);
		return -1;
	}
	if (!kind_is_le(a.kind)) {
		err_set(e, 403, "agency", "persons belong to law-enforcement agencies; %s is a %s", agency_id,
		    agency_kind_name(a.kind));
		return -1;
	}
	pi.refs = json_array();
	if (strcmp(format, "persons-jsonl") == 0) {
		char *line = malloc(SIMPUL_MAX_IMPORT_LINE + 2);
		if (line == NULL) {
			err_set(e, 500, "", "out of memory");
			goto out;
		}
		while (fgets(line, SIMPUL_MAX_IMPORT_LINE + 2, in)) {
			size_t l = strlen(line);
			json_error_t je;
			json_t *j;
			if (l > SIMPUL_MAX_IMPORT_LINE) {
				err_set(e, 413, "line", "line %llu is longer than %u bytes",
				    (unsigned long long)st->lines + 1, SIMPUL_MAX_IMPORT_LINE);
				pi.failed = true;
				break;
			}
			while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
				line[--l] = 0;
			if (l == 0) {
				st->lines++;
				continue;
			}
			if ((j = json_loadb(line, l, JSON_REJECT_DUPLICATES, &je)) == NULL ||
			    !json_is_object(j) || !json_depth_ok(j, SIMPUL_MAX_JSON_DEPTH)) {
				err_set(e, 400, "line", "line %llu: not a JSON object (%s)",
				    (unsigned long long)st->lines + 1, j ? "wrong shape" : je.text);
				json_decref(j);
				pi.failed = true;
				break;
			}
			if (!json_is_string(json_object_get(j, "ref"))) {
				err_set(e, 400, "ref", "line %llu: ref is required", (unsigned long long)st->lines + 1);
				json_decref(j);
				pi.failed = true;
				break;
			}
			if (pimport_one(&pi, j) != 0)
				break;
		}
		free(line);
	} else if (strcmp(format, "ofac-csv") == 0 || strcmp(format, "un-xml") == 0) {
		size_t l1 = 0, l2 = 0;
		char *b1 = slurp(in, 256u * 1024u * 1024u, &l1), *b2 = alt ? slurp(alt, 256u * 1024u * 1024u, &l2) : NULL;
		pi.lists = true;
		if (b1 == NULL || (alt && b2 == NULL)) {
			err_set(e, 413, "file", "the file could not be read (over 256 MiB?)");
			pi.failed = true;
		} else if (format[0] == 'o') {
			if (ofac_read(b1, l1, b2, l2, pimport_one, &pi, e) == -1)
				pi.failed = true;
		} else if (unxml_read(b1, l1, pimport_one, &pi, e) == -1)
			pi.failed = true;
		free(b1);
		free(b2);
	} else {
		err_set(e, 400, "format", "unknown format %.40s", format);
		goto out;
	}
	if (pi.failed) {
		if (pi.inbatch)
			node_write_end(n, -1, e);
		goto out;
	}
	if (pimport_flush(&pi) == -1)
		goto out;
	rc = 0;
out:
	json_decref(pi.refs);
	return rc;
}

/* ---- travel documents ---------------------------------------------------- */

static const char *const doc_types[] = { "passport", "id_card", "visa", "travel_document", "residence_permit", "other" };
static const char *const doc_statuses[] = { "stolen", "lost", "revoked", "stolen_blank" };

/* ICAO 3-letter code -> ISO alpha-2 (ICU's table, plus ICAO's own codes). */
static const char *
icao_to_iso2(const char *c3, char out[3])
{
	static const struct { const char *a, *b; } extra[] = {
		{"D", "DE"}, {"GBD", "GB"}, {"GBN", "GB"}, {"GBO", "GB"}, {"GBP", "GB"}, {"GBS", "GB"},
		{"RKS", "XK"}, {"UNK", "XK"},
	};
	const char *const *codes = uloc_getISOCountries();

	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++)
		if (strcmp(c3, extra[i].a) == 0) {
			memcpy(out, extra[i].b, 3);
			return out;
		}
	for (size_t i = 0; codes[i]; i++) {
		char loc[8];
		snprintf(loc, sizeof(loc), "_%s", codes[i]);
		if (strcmp(uloc_getISO3Country(loc), c3) == 0) {
			memcpy(out, codes[i], 3);
			return out;
		}
	}
	return NULL;
}

static const char *
iso2_to_icao(const char *c2, char out[4])
{
	char loc[8];
	const char *c3;

	snprintf(loc, sizeof(loc), "_%s", c2);
	c3 = uloc_getISO3Country(loc);
	if (c3 == NULL || strlen(c3) != 3)
		return NULL;
	memcpy(out, c3, 4);
	return out;
}

/* Issuing country as given (2 or 3 letters, or the ICAO "D") -> ICAO 3-letter
 * code, and its alpha-2 (empty for codes without one, such as UTO). */
static int
doc_country(const char *in, char c3[4], char c2[3])
{
	char up[4];
	size_t n = in ? strlen(in) : 0;

	c2[0] = 0;
	if (n < 1 || n > 3)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (!isalpha((unsigned char)in[i]))
			return -1;
		up[i] = (char)toupper((unsigned char)in[i]);
	}
	up[n] = 0;
	if (n == 2) {
		if (!iso2_to_icao(up, c3))
			return -1;
		memcpy(c2, up, 3);
		return 0;
	}
	if (n == 1 && strcmp(up, "D") != 0)
		return -1;
	memcpy(c3, up, n + 1);
	if (!icao_to_iso2(up, c2))
		c2[0] = 0;
	return 0;
}

static bool
date_ok(const json_t *v)
{
	const char *s = json_string_value(v);
	return s && strlen(s) == 10 && date_valid(s);
}

int
node_documents_expire(struct node *n, int64_t now, int *deleted, struct err *e);

struct idlist { char (*ids)[SIMPUL_ID_LEN + 1]; size_t n, cap; };

static int
collect_ids(void *ctx, const struct xrecord *x)
{
	struct idlist *l = ctx;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		void *p = realloc(l->ids, nc * sizeof(*l->ids));
		if (p == NULL)
			return 1;
		l->ids = p;
		l->cap = nc;
	}
	memcpy(l->ids[l->n++], x->id, SIMPUL_ID_LEN + 1);
	return 0;
}

int
node_documents_expire(struct node *n, int64_t now, int *deleted, struct err *e)
{
	struct store *st = node_reader(n, e);
	struct idlist l = { 0 };
	int rc = 0;

	*deleted = 0;
	if (st == NULL)
		return -1;
	/* the cheap look first, on the reader; the deletion under the write lock */
	if (store_xrecord_expired(st, "document", now, collect_ids, &l) != 0) {
		free(l.ids);
		err_set(e, 500, "", "could not look for expired documents");
		return -1;
	}
	if (l.n == 0)
		return 0;
	l.n = 0;
	if (node_write_begin(n, e) == -1) {
		free(l.ids);
		return -1;
	}
	if (store_xrecord_expired(node_writer(n), "document", now, collect_ids, &l) != 0)
		rc = -1;
	for (size_t i = 0; rc == 0 && i < l.n; i++) {
		json_t *d = json_pack("{s:s}", "reason", "past its review date");
		if (store_xrecord_delete(node_writer(n), l.ids[i], e) == -1 ||
		    node_audit_write(n, NULL, "document.expire", l.ids[i], "deleted", d, e) == -1)
			rc = -1;
		json_decref(d);
	}
	rc = node_write_end(n, rc, e);
	if (rc == 0)
		*deleted = (int)l.n;
	free(l.ids);
	return rc;
}

int
node_document_create(struct node *n, const struct reqctx *c, const json_t *in, json_t **out, struct err *e)
{
	const char *cc = json_string_value(json_object_get(in, "issuing_country"));
	const char *ty = json_string_value(json_object_get(in, "type"));
	const char *num = json_string_value(json_object_get(in, "number"));
	const char *status = json_string_value(json_object_get(in, "status"));
	char c3[4], c2[3], nb[64], key[96];
	const char *kp[1] = { key };
	struct markings m;
	struct xrecord x;
	json_t *body = NULL, *v;
	char *text = NULL;
	int rc, del;

	*out = NULL;
	if (c == NULL || c->p == NULL || !may_write_le(c))
		return refuse_read(n, c, "document.create", NULL, 403,
		    "only law-enforcement principals may add travel documents", e);
	if (cc == NULL || doc_country(cc, c3, c2) == -1) {
		err_set(e, 400, "issuing_country", "issuing_country must be an ICAO 3-letter or ISO 2-letter code");
		goto refused;
	}
	if (ty == NULL || !ONE_OF(ty, doc_types)) {
		err_set(e, 400, "type", "type must be passport, id_card, visa, travel_document, residence_permit or other");
		goto refused;
	}
	if (num == NULL || doc_number_norm(num, nb, sizeof(nb)) == -1) {
		err_set(e, 400, "number", "number must be 1 to %d letters and digits", DOC_NUMBER_MAX);
		goto refused;
	}
	if (status == NULL || !ONE_OF(status, doc_statuses)) {
		err_set(e, 400, "status", "status must be stolen, lost, revoked or stolen_blank");
		goto refused;
	}
	static const char *const dates[] = { "issued", "expires", "reported" };
	for (size_t i = 0; i < 3; i++)
		if ((v = json_object_get(in, dates[i])) != NULL && !date_ok(v)) {
			err_set(e, 400, dates[i], "%s must be a date YYYY-MM-DD", dates[i]);
			goto refused;
		}
	/* Only agencies of the issuing country add or change its documents. */
	if (c2[0] == 0 || strcmp(c2, c->p->agency.country) != 0) {
		err_set(e, 403, "issuing_country", "only agencies of the issuing country (%s) may add its documents", c3);
		goto refused;
	}
	if (markings_parse(json_object_get(in, "markings"), &m, e) == -1)
		goto refused;
	if (m.review_at_ms == 0)
		m.review_at_ms = now_ms() + (int64_t)DOC_REVIEW_YEARS * 365 * 24 * 3600 * 1000 + 2LL * 24 * 3600 * 1000;
	body = json_pack("{s:s, s:s, s:s, s:s}", "issuing_country", c3, "type", ty, "number", nb, "status", status);
	for (size_t i = 0; i < 3; i++)
		if ((v = json_object_get(in, dates[i])) != NULL)
			json_object_set(body, dates[i], v);
	if ((v = json_object_get(in, "ref")) != NULL) {
		if (!json_is_string(v) || !text_ok(json_string_value(v), SIMPUL_MAX_SHORT)) {
			err_set(e, 400, "ref", "ref must be short text");
			goto refused;
		}
		json_object_set(body, "ref", v);
	}
	node_documents_expire(n, now_ms(), &del, e);
	err_clear(e);
	snprintf(key, sizeof(key), "doc:%s:%s", c3, nb);
	memset(&x, 0, sizeof(x));
	id_new(x.id);
	id_new(x.contact_ref);
	str_copy(x.kind, sizeof(x.kind), "document");
	str_copy(x.agency_id, sizeof(x.agency_id), c->p->agency.id);
	str_copy(x.ref, sizeof(x.ref), json_string_value(json_object_get(body, "ref")) ?
	    json_string_value(json_object_get(body, "ref")) : nb);
	x.version = 1;
	x.created_ms = x.updated_ms = now_ms();
	x.m = m;
	if ((text = json_dumps(body, JSON_COMPACT)) == NULL) {
		err_set(e, 500, "", "out of memory");
		json_decref(body);
		return -1;
	}
	x.body = text;
	if (node_write_begin(n, e) == -1) {
		free(text);
		json_decref(body);
		return -1;
	}
	rc = store_xrecord_put(node_writer(n), &x, kp, 1, e);
	if (rc == 0) {
		json_t *d = json_pack("{s:s, s:s}", "key", key, "status", status);
		rc = node_audit_write(n, c, "document.create", x.id, "ok", d, e);
		json_decref(d);
	}
	rc = node_write_end(n, rc, e);
	if (rc == 0) {
		*out = json_deep_copy(body);
		json_object_set_new(*out, "id", json_string(x.id));
		json_object_set_new(*out, "markings", markings_json(&m));
	}
	free(text);
	json_decref(body);
	return rc;
refused:
	node_audit_refusal(n, c, "document.create", e->field, e->status, e->msg);
	json_decref(body);
	return -1;
}

struct dcheck {
	const struct reqctx *c;
	json_t              *records, *contacts;
	struct alert_row    *alerts;
	char               **payloads;
	size_t               nalerts, capalerts;
};

static int
dcheck_cb(void *ctx, const struct xrecord *x)
{
	struct dcheck *dc = ctx;
	enum decision d = decide(dc->c, x);

	if (strcmp(x->kind, "document") != 0)
		return 0;
	if (d == POLICY_FULL) {
		json_t *b = json_loads(x->body, 0, NULL);
		if (b == NULL) b = json_object();
		json_object_set_new(b, "id", json_string(x->id));
		json_object_set_new(b, "agency", json_string(x->agency_id));
		json_array_append_new(dc->records, b);
	} else if (d == POLICY_HIT) {
		json_array_append_new(dc->contacts, json_pack("{s:s, s:s}", "agency", x->agency_id,
		    "contact_ref", x->contact_ref));
	} else if (x->m.disclosure == DISC_SILENT && dc->c->p && strcmp(x->agency_id, dc->c->p->agency.id) != 0 &&
	    dc->nalerts < 256) {
		if (dc->nalerts == dc->capalerts) {
			size_t nc = dc->capalerts ? dc->capalerts * 2 : 8;
			struct alert_row *na = realloc(dc->alerts, nc * sizeof(*na));
			char **np = na ? realloc(dc->payloads, nc * sizeof(*np)) : NULL;
			if (na) dc->alerts = na;
			if (np) dc->payloads = np;
			if (!na || !np) return 0;
			dc->capalerts = nc;
		}
		silent_alert(dc->c, x, "document.check", &dc->alerts[dc->nalerts], &dc->payloads[dc->nalerts]);
		dc->nalerts++;
	}
	return 0;
}

int
node_documents_check(struct node *n, const struct reqctx *c, const json_t *body, json_t **out, struct err *e)
{
	json_t *docs = json_object_get(body, "documents"), *v, *answers = NULL, *log = NULL, *detail;
	struct dcheck dc = { .c = c };
	struct store *st;
	size_t i, hits = 0;
	int del, rc = -1;

	*out = NULL;
	if (c == NULL || c->p == NULL || c->p->role == ROLE_PUBLIC)
		return refuse_read(n, c, "document.check", NULL, 403, "document checks need an agency principal", e);
	if (!json_is_array(docs) || json_array_size(docs) == 0 || json_array_size(docs) > SIMPUL_MAX_BATCH) {
		err_set(e, 400, "documents", "documents must be an array of 1 to %d documents", SIMPUL_MAX_BATCH);
		node_audit_refusal(n, c, "document.check", NULL, 400, e->msg);
		return -1;
	}
	/* the shape of every item first: a malformed body is a 4xx, one bad MRZ is not */
	json_array_foreach(docs, i, v) {
		const char *mrz = json_string_value(json_object_get(v, "mrz"));
		if (!json_is_object(v) || (mrz == NULL && (!json_is_string(json_object_get(v, "number")) ||
		    !json_is_string(json_object_get(v, "issuing_country")))) ||
		    (mrz && strlen(mrz) > 400) || (json_object_get(v, "mrz") && mrz == NULL)) {
			char f[48];
			snprintf(f, sizeof(f), "documents[%zu]", i);
			err_set(e, 400, f, "%s must be {\"issuing_country\",\"number\"} or {\"mrz\"} (at most 400 characters)", f);
			node_audit_refusal(n, c, "document.check", f, 400, e->msg);
			return -1;
		}
	}
	node_documents_expire(n, now_ms(), &del, e);
	err_clear(e);
	if ((st = node_reader(n, e)) == NULL)
		return -1;
	answers = json_array();
	log = json_array();
	store_read_begin(st, e);
	json_array_foreach(docs, i, v) {
		const char *mrz = json_string_value(json_object_get(v, "mrz"));
		json_t *errors = json_array(), *a;
		char c3[4] = "", c2[3], nb[64] = "", key[96] = "";
		int valid = -1;   /* null */
		if (mrz) {
			struct mrz mz;
			mrz_parse(mrz, strlen(mrz), &mz);
			valid = mz.valid ? 1 : 0;
			for (int k = 0; k < mz.nerrors; k++)
				json_array_append_new(errors, json_string(mz.errors[k]));
			if (mz.format && doc_country(mz.issuing, c3, c2) == 0 && doc_number_norm(mz.number, nb, sizeof(nb)) == 0)
				snprintf(key, sizeof(key), "doc:%s:%s", c3, nb);
		} else {
			const char *num = json_string_value(json_object_get(v, "number"));
			if (doc_country(json_string_value(json_object_get(v, "issuing_country")), c3, c2) == -1)
				json_array_append_new(errors, json_string("issuing_country: not an ICAO or ISO code"));
			else if (doc_number_norm(num, nb, sizeof(nb)) == -1)
				json_array_append_new(errors, json_string("number: not 1 to 20 letters and digits"));
			else
				snprintf(key, sizeof(key), "doc:%s:%s", c3, nb);
		}
		dc.records = json_array();
		dc.contacts = json_array();
		if (key[0])
			store_xrecord_by_key(st, key, dcheck_cb, &dc);
		bool hit = json_array_size(dc.records) > 0 || json_array_size(dc.contacts) > 0;
		hits += hit;
		a = json_pack("{s:b, s:o, s:o, s:o, s:o}", "hit", hit, "mrz_valid",
		    valid < 0 ? json_null() : json_boolean(valid), "errors", errors, "records", dc.records,
		    "contacts", dc.contacts);
		json_array_append_new(answers, a);
		json_array_append_new(log, json_pack("{s:s, s:b}", "key", key[0] ? key : "(unreadable)", "hit", hit));
	}
	store_read_end(st);
	detail = json_pack("{s:I, s:I, s:o}", "documents", (json_int_t)json_array_size(docs), "hits", (json_int_t)hits, "checked", log);
	log = NULL;
	rc = node_audit_read(n, c, "document.check", NULL, hits ? "hit" : "no-hit", detail, dc.alerts, dc.nalerts);
	json_decref(detail);
	if (rc == -1) {
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
		json_decref(answers);
	} else
		*out = json_pack("{s:o}", "results", answers);
	for (size_t k = 0; k < dc.nalerts; k++)
		free(dc.payloads[k]);
	free(dc.payloads);
	free(dc.alerts);
	json_decref(log);
	return rc;
}

/* ---- MRZ (ICAO 9303) ------------------------------------------------------ */

static int
mrz_val(char ch)
{
	if (ch >= '0' && ch <= '9') return ch - '0';
	if (ch >= 'A' && ch <= 'Z') return ch - 'A' + 10;
	if (ch == '<') return 0;
	return -1;
}

static int
mrz_cd(const char *s, size_t n)
{
	static const int w[3] = { 7, 3, 1 };
	int sum = 0;
	for (size_t i = 0; i < n; i++) {
		int v = mrz_val(s[i]);
		if (v < 0) return -1;
		sum += v * w[i % 3];
	}
	return sum % 10;
}

static void
mrz_check(struct mrz *m, const char *field, const char *s, size_t n, char cd)
{
	int want = mrz_cd(s, n);
	int got = cd == '<' ? 0 : (cd >= '0' && cd <= '9') ? cd - '0' : -1;
	if (want < 0 || got != want) {
		m->valid = false;
		if (m->nerrors < 6)
			snprintf(m->errors[m->nerrors++], sizeof(m->errors[0]), "%s check digit", field);
	}
}

static void
mrz_field(char *dst, size_t dstsz, const char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 1 < dstsz; i++)
		if (s[i] != '<') dst[o++] = s[i];
	dst[o] = 0;
}

int
mrz_parse(const char *text, size_t len, struct mrz *m)
{
	char lines[3][48];
	size_t nl = 0, cur = 0;
	bool over = false;

	memset(m, 0, sizeof(*m));
	for (size_t i = 0; i <= len && !over; i++) {
		char ch = i < len ? text[i] : '\n';
		if (ch == '\r' || ch == ' ' || ch == '\t')
			continue;
		if (ch == '\n') {
			if (cur) {
				if (nl >= 3) { over = true; break; }
				lines[nl][cur] = 0;
				nl++;
				cur = 0;
			}
			continue;
		}
		if (nl >= 3 || cur >= 44) { over = true; break; }
		if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 32);
		if (mrz_val(ch) < 0) { over = true; break; }
		lines[nl][cur++] = ch;
	}
	m->valid = true;
	if (!over && nl == 2 && strlen(lines[0]) == 44 && strlen(lines[1]) == 44)
		m->format = 3;
	else if (!over && nl == 2 && strlen(lines[0]) == 36 && strlen(lines[1]) == 36)
		m->format = 2;
	else if (!over && nl == 3 && strlen(lines[0]) == 30 && strlen(lines[1]) == 30 && strlen(lines[2]) == 30)
		m->format = 1;
	if (m->format == 0) {
		m->valid = false;
		m->nerrors = 1;
		str_copy(m->errors[0], sizeof(m->errors[0]), "mrz: not a TD1, TD2 or TD3 zone");
		return -1;
	}
	const char *l1 = lines[0], *l2 = lines[1];
	mrz_field(m->doc_type, sizeof(m->doc_type), l1, 2);
	mrz_field(m->issuing, sizeof(m->issuing), l1 + 2, 3);
	if (m->format == 1) {
		const char *l3 = lines[2];
		char comp[64];
		mrz_field(m->number, sizeof(m->number), l1 + 5, 9);
		mrz_check(m, "document_number", l1 + 5, 9, l1[14]);
		memcpy(m->birth, l2, 6);
		mrz_check(m, "date_of_birth", l2, 6, l2[6]);
		memcpy(m->expiry, l2 + 8, 6);
		mrz_check(m, "date_of_expiry", l2 + 8, 6, l2[14]);
		mrz_field(m->nationality, sizeof(m->nationality), l2 + 15, 3);
		memcpy(comp, l1 + 5, 25);
		memcpy(comp + 25, l2, 7);
		memcpy(comp + 32, l2 + 8, 7);
		memcpy(comp + 39, l2 + 18, 11);
		mrz_check(m, "composite", comp, 50, l2[29]);
		mrz_field(m->names, sizeof(m->names), l3, 30);
	} else {
		size_t w = m->format == 3 ? 44 : 36;
		char comp[64];
		mrz_field(m->names, sizeof(m->names), l1 + 5, w - 5);
		mrz_field(m->number, sizeof(m->number), l2, 9);
		mrz_check(m, "document_number", l2, 9, l2[9]);
		mrz_field(m->nationality, sizeof(m->nationality), l2 + 10, 3);
		memcpy(m->birth, l2 + 13, 6);
		mrz_check(m, "date_of_birth", l2 + 13, 6, l2[19]);
		memcpy(m->expiry, l2 + 21, 6);
		mrz_check(m, "date_of_expiry", l2 + 21, 6, l2[27]);
		if (m->format == 3)
			mrz_check(m, "personal_number", l2 + 28, 14, l2[42]);
		memcpy(comp, l2, 10);
		memcpy(comp + 10, l2 + 13, 7);
		memcpy(comp + 17, l2 + 21, w - 1 - 21);
		mrz_check(m, "composite", comp, 17 + w - 1 - 21, l2[w - 1]);
	}
	return 0;
}

/* ---- notices --------------------------------------------------------------- */

static const char *const notice_kinds[] = { "wanted_person", "modus_operandi", "warning" };

struct agencies { struct agency *a; size_t n, cap; };

static int
agency_collect(void *ctx, const struct agency *a)
{
	struct agencies *l = ctx;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 16;
		void *p = realloc(l->a, nc * sizeof(*l->a));
		if (p == NULL) return 1;
		l->a = p;
		l->cap = nc;
	}
	l->a[l->n++] = *a;
	return 0;
}

int
node_notice_create(struct node *n, const struct reqctx *c, const json_t *in, json_t **out, struct err *e)
{
	const char *kind = json_string_value(json_object_get(in, "kind"));
	const char *title = json_string_value(json_object_get(in, "title"));
	const char *text = json_string_value(json_object_get(in, "text"));
	json_t *subjects = json_object_get(in, "subjects"), *v, *body = NULL;
	struct agencies al = { 0 };
	struct markings m;
	struct xrecord x;
	char *btext = NULL;
	size_t i;
	int rc;

	*out = NULL;
	if (c == NULL || c->p == NULL || !may_write_le(c))
		return refuse_read(n, c, "notice.create", NULL, 403, "only law-enforcement principals may issue notices", e);
	if (kind == NULL || !ONE_OF(kind, notice_kinds)) {
		err_set(e, 400, "kind", "kind must be wanted_person, modus_operandi or warning");
		goto refused;
	}
	if (title == NULL || title[0] == 0 || !text_ok(title, SIMPUL_MAX_SHORT)) {
		err_set(e, 400, "title", "title is required, at most %d bytes of text", SIMPUL_MAX_SHORT);
		goto refused;
	}
	if (text && !text_ok(text, SIMPUL_MAX_TEXT)) {
		err_set(e, 400, "text", "text must be at most %d bytes of text", SIMPUL_MAX_TEXT);
		goto refused;
	}
	if (subjects && (!json_is_array(subjects) || json_array_size(subjects) > 100)) {
		err_set(e, 400, "subjects", "subjects must be an array of at most 100");
		goto refused;
	}
	json_array_foreach(subjects, i, v) {
		const char *t = json_string_value(json_object_get(v, "type"));
		const char *id = json_string_value(json_object_get(v, "id"));
		const char *key = json_string_value(json_object_get(v, "key"));
		if (t == NULL || !(strcmp(t, "person") == 0 || strcmp(t, "document") == 0 || strcmp(t, "selector") == 0) ||
		    (strcmp(t, "selector") == 0 ? key == NULL || !text_ok(key, SIMPUL_MAX_KEY_LEN) :
		    id == NULL || strlen(id) != SIMPUL_ID_LEN)) {
			char f[48];
			snprintf(f, sizeof(f), "subjects[%zu]", i);
			err_set(e, 400, f, "%s must be {\"type\":\"person|document\",\"id\"} or {\"type\":\"selector\",\"key\"}", f);
			goto refused;
		}
	}
	if (markings_parse(json_object_get(in, "markings"), &m, e) == -1)
		goto refused;
	body = json_pack("{s:s, s:s, s:s, s:O*}", "kind", kind, "title", title, "text", text ? text : "",
	    "subjects", subjects);
	memset(&x, 0, sizeof(x));
	id_new(x.id);
	id_new(x.contact_ref);
	str_copy(x.kind, sizeof(x.kind), "notice");
	str_copy(x.agency_id, sizeof(x.agency_id), c->p->agency.id);
	str_copy(x.ref, sizeof(x.ref), title);
	x.version = 1;
	x.created_ms = x.updated_ms = now_ms();
	x.m = m;
	btext = json_dumps(body, JSON_COMPACT);
	x.body = btext ? btext : "{}";
	if (node_write_begin(n, e) == -1) {
		free(btext);
		json_decref(body);
		return -1;
	}
	rc = store_xrecord_put(node_writer(n), &x, NULL, 0, e);
	/* Every agency that may see the notice finds it in its alerts, its own
	 * included (its other principals learn of it too); each principal is
	 * asked again at delivery (node_alert_visible). */
	if (rc == 0 && store_agency_list(node_writer(n), agency_collect, &al) != 0)
		rc = -1;
	int nalerted = 0;
	for (size_t k = 0; rc == 0 && k < al.n; k++) {
		struct principal ap;
		node_agency_principal(&al.a[k], &ap);
		struct record_meta meta = { x.agency_id, &x.m };
		if (policy_decide(&ap, &meta, USE_READ) != POLICY_FULL)
			continue;
		json_t *p = json_pack("{s:s, s:s, s:s, s:s}", "notice", x.id, "kind", kind, "title", title,
		    "agency", x.agency_id);
		rc = node_alert_put(n, al.a[k].id, "notice", p, e);
		json_decref(p);
		nalerted++;
	}
	if (rc == 0) {
		json_t *d = json_pack("{s:s, s:i}", "kind", kind, "agencies_alerted", nalerted);
		rc = node_audit_write(n, c, "notice.create", x.id, "ok", d, e);
		json_decref(d);
	}
	rc = node_write_end(n, rc, e);
	if (rc == 0) {
		*out = json_deep_copy(body);
		json_object_set_new(*out, "id", json_string(x.id));
		json_object_set_new(*out, "markings", markings_json(&m));
	}
	free(al.a);
	free(btext);
	json_decref(body);
	return rc;
refused:
	node_audit_refusal(n, c, "notice.create", e->field, e->status, e->msg);
	return -1;
}

struct nlist { const struct reqctx *c; struct store *st; json_t *arr; };

static int
notice_cb(void *ctx, const struct xrecord *x)
{
	struct nlist *nl = ctx;
	json_t *b;
	int64_t at = 0;

	if (decide(nl->c, x) != POLICY_FULL)
		return 0;
	if ((b = json_loads(x->body, 0, NULL)) == NULL)
		return 0;
	char t[32];
	time_iso(x->created_ms, t);
	json_object_set_new(b, "id", json_string(x->id));
	json_object_set_new(b, "agency", json_string(x->agency_id));
	json_object_set_new(b, "created", json_string(t));
	json_object_set_new(b, "acknowledged", json_boolean(nl->c->p &&
	    store_notice_acked(nl->st, x->id, nl->c->p->agency.id, &at) == 0));
	json_array_append_new(nl->arr, b);
	return 0;
}

int
node_notices_list(struct node *n, const struct reqctx *c, json_t **out, struct err *e)
{
	struct nlist nl = { c, NULL, NULL };

	*out = NULL;
	if (c == NULL || c->p == NULL || c->p->role == ROLE_PUBLIC)
		return refuse_read(n, c, "notice.list", NULL, 403, "notices need an agency principal", e);
	if ((nl.st = node_reader(n, e)) == NULL)
		return -1;
	nl.arr = json_array();
	store_read_begin(nl.st, e);
	int rc = store_xrecord_iter(nl.st, "notice", 0, notice_cb, &nl);
	store_read_end(nl.st);
	if (rc != 0) {
		json_decref(nl.arr);
		err_set(e, 500, "", "could not list notices");
		return -1;
	}
	json_t *d = json_pack("{s:I}", "notices", (json_int_t)json_array_size(nl.arr));
	rc = node_audit_read(n, c, "notice.list", NULL, "ok", d, NULL, 0);
	json_decref(d);
	if (rc == -1) {
		json_decref(nl.arr);
		err_set(e, 500, "", "the audit trail could not be written");
		return -1;
	}
	*out = json_pack("{s:o}", "notices", nl.arr);
	return 0;
}

int
node_notice_ack(struct node *n, const struct reqctx *c, const char *id, json_t **out, struct err *e)
{
	struct xrecord x;
	int found, rc;

	*out = NULL;
	if (c == NULL || c->p == NULL || c->p->role == ROLE_PUBLIC || c->p->role == ROLE_AUDITOR)
		return refuse_read(n, c, "notice.ack", id, 403, "notices are acknowledged by an agency principal", e);
	if (node_write_begin(n, e) == -1)
		return -1;
	memset(&x, 0, sizeof(x));
	found = id && strlen(id) == SIMPUL_ID_LEN ? store_xrecord_get(node_writer(n), id, &x) : 1;
	if (found != 0 || strcmp(x.kind, "notice") != 0 || decide(c, &x) != POLICY_FULL) {
		err_set(e, 404, "id", "no notice %.40s that you may see", id ? id : "");
		rc = node_audit_write(n, c, "notice.ack", id, "refused:404", NULL, e);
		node_write_end(n, rc, e);
		err_set(e, 404, "id", "no notice %.40s that you may see", id ? id : "");
		free((char *)x.body);
		return -1;
	}
	rc = store_notice_ack(node_writer(n), id, c->p->agency.id, c->p->id, now_ms(), e);
	if (rc == 0)
		rc = node_audit_write(n, c, "notice.ack", id, "ok", NULL, e);
	rc = node_write_end(n, rc, e);
	if (rc == 0)
		*out = json_pack("{s:s, s:b}", "id", id, "acknowledged", 1);
	free((char *)x.body);
	return rc;
}
