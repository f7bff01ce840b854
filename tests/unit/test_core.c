/* test_core.c - the node service in-process (src/lib/core.c) on a real
 * SQLite file in a temp dir: set-up, tokens, reports and matches under the
 * sharing rules, silent records, checks and their limits, import batches,
 * the audit trail, metrics, concurrency, and injected storage faults.
 *
 * Every fixture is fresh: a node with five agencies of four countries (two
 * member ASCs, a member police force, a UK partner, a Malaysian bank) and a
 * principal with a token in each. Audit state is read through a second,
 * independent store connection, as `simpul audit verify` would. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audit.h"
#include "core.h"
#include "core_int.h"
#include "spool.h"
#include "store.h"

#define TOKSZ 128

struct who {
	char             tok[TOKSZ];
	struct principal p;
	struct reqctx    c;
};

struct fx {
	char         dir[64];
	char         path[128];
	struct node *n;
	struct who   admin, th, my, sg, uk, bank, aud, pub;
};

/* ---- helpers ----------------------------------------------------------- */

static json_t *
J(const char *text)
{
	json_error_t je;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &je);

	if (j == NULL)
		fail_msg("bad test JSON: %s: %s", je.text, text);
	return j;
}

static const char *
jss(const json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void
add_agency(struct fx *f, const char *id, const char *cc, enum agency_kind k)
{
	struct agency a = {0};
	struct err e = {0};

	str_copy(a.id, sizeof(a.id), id);
	str_copy(a.country, sizeof(a.country), cc);
	a.kind = k;
	str_copy(a.name, sizeof(a.name), id);
	if (node_agency_add(f->n, &f->admin.c, &a, &e) != 0)
		fail_msg("agency add %s: %d %s", id, e.status, e.msg);
}

static void
mk_who(struct fx *f, struct who *w, const char *agency, const char *role, const char *purpose)
{
	struct err e = {0};
	struct principal created;

	if (node_token_create(f->n, &f->admin.c, agency, role, "t", w->tok, sizeof(w->tok),
	    &created, &e) != 0)
		fail_msg("token create %s %s: %d %s", agency, role, e.status, e.msg);
	if (node_authenticate(f->n, w->tok, &w->p, &e) != 0)
		fail_msg("authenticate %s %s: %s", agency, role, e.msg);
	assert_string_equal(w->p.id, created.id);
	assert_string_equal(w->p.agency.id, agency);
	assert_string_equal(role_name(w->p.role), role);
	w->c.p = &w->p;
	w->c.purpose = purpose;
	w->c.case_ref = "CASE-1";
	w->c.client = "127.0.0.1";
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct err e = {0};

	if (f == NULL)
		return -1;
	str_copy(f->dir, sizeof(f->dir), "/tmp/simpul-core-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/node.db", f->dir);
	if (node_open(f->path, NODE_CREATE | NODE_SYNC_FAST, &f->n, &e) != 0) {
		fprintf(stderr, "node_open: %s\n", e.msg);
		return -1;
	}
	if (node_init(f->n, "NODE-ADMIN", "SG", f->admin.tok, sizeof(f->admin.tok), &e) != 0) {
		fprintf(stderr, "node_init: %s\n", e.msg);
		return -1;
	}
	if (node_authenticate(f->n, f->admin.tok, &f->admin.p, &e) != 0)
		return -1;
	f->admin.c.p = &f->admin.p;
	add_agency(f, "TH-AOC", "TH", AK_ASC);
	add_agency(f, "MY-NSRC", "MY", AK_ASC);
	add_agency(f, "SG-SPF", "SG", AK_POLICE);
	add_agency(f, "UK-NCA", "GB", AK_PARTNER_LE);
	add_agency(f, "MY-MAYBANK", "MY", AK_BANK);
	add_agency(f, "PUBLIC-WEB", "MY", AK_PUBLIC);
	mk_who(f, &f->th, "TH-AOC", "analyst", "intake");
	mk_who(f, &f->my, "MY-NSRC", "analyst", "investigation");
	mk_who(f, &f->sg, "SG-SPF", "investigator", "investigation");
	mk_who(f, &f->uk, "UK-NCA", "analyst", "victim-support");
	mk_who(f, &f->bank, "MY-MAYBANK", "partner", "payment-screening");
	mk_who(f, &f->aud, "TH-AOC", "auditor", "audit");
	mk_who(f, &f->pub, "PUBLIC-WEB", "public", "public-check");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char p[192];
	const char *sfx[] = { "node.db", "node.db-wal", "node.db-shm", "node.db-spool", "other.db",
		"other.db-wal", "other.db-shm", "other.db-spool", "imp.jsonl", NULL };

	node_close(f->n);
	for (int i = 0; sfx[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", f->dir, sfx[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

/* Verify the chain through a separate connection; returns its length and
 * fills *ss when given. */
static int64_t
chain_ok(struct fx *f, struct store_stats *ss)
{
	struct store *st;
	struct err e = {0};
	struct store_stats s;
	int64_t checked = -1;

	if (store_open(f->path, 0, &st, &e) != 0)
		fail_msg("store_open: %s", e.msg);
	if (audit_verify_store(st, &checked, &e) != 0)
		fail_msg("audit chain broken: %s", e.msg);
	assert_int_equal(store_stats(st, &s), 0);
	assert_true(s.audit_entries == checked);
	if (ss)
		*ss = s;
	store_close(st);
	return checked;
}

/* The last audit entry, parsed. */
static json_t *
last_entry(struct fx *f)
{
	struct store *st;
	struct err e = {0};
	struct audit_row row;
	char *text = NULL;
	json_t *j;

	if (store_open(f->path, 0, &st, &e) != 0)
		fail_msg("store_open: %s", e.msg);
	assert_int_equal(store_audit_last(st, &row, &text), 0);
	store_close(st);
	j = J(text);
	free(text);
	return j;
}

static json_t *
create_ok(struct fx *f, struct who *w, const char *body)
{
	json_t *in = J(body), *out = NULL;
	struct err e = {0};

	if (node_report_create(f->n, &w->c, in, &out, &e) != 0)
		fail_msg("report create by %s: %d %s %s", w->p.agency.id, e.status, e.field, e.msg);
	json_decref(in);
	assert_non_null(out);
	return out;
}

static int
create_err(struct fx *f, struct who *w, const char *body, struct err *e)
{
	json_t *in = J(body), *out = NULL;
	int rc;

	err_clear(e);
	rc = node_report_create(f->n, &w->c, in, &out, e);
	json_decref(in);
	if (rc == 0) {
		json_decref(out);
		fail_msg("report accepted: %s", body);
	}
	assert_null(out);
	return e->status;
}

#define CHECK_MAX (64u * 1024u * 1024u)

/* node_check on a parsed body; the answer parsed back (it must be JSON). */
static json_t *
check_json(struct fx *f, struct who *w, const json_t *in)
{
	struct sbuf out;
	struct err e = {0};
	json_t *j;
	json_error_t je;

	sbuf_init(&out, CHECK_MAX);
	if (node_check(f->n, &w->c, in, &out, &e) != 0)
		fail_msg("check by %s: %d %s %s", w->p.agency.id, e.status, e.field, e.msg);
	j = json_loadb(out.ptr, out.len, 0, &je);
	if (j == NULL)
		fail_msg("check answer is not JSON (%s): %.200s", je.text, out.ptr);
	sbuf_free(&out);
	return j;
}

static json_t *
check_ok(struct fx *f, struct who *w, const char *body)
{
	json_t *in = J(body), *out = check_json(f, w, in);

	json_decref(in);
	return out;
}

static int
check_err(struct fx *f, struct who *w, json_t *in, struct err *e)
{
	struct sbuf out;
	int rc;

	sbuf_init(&out, CHECK_MAX);
	err_clear(e);
	rc = node_check(f->n, &w->c, in, &out, e);
	json_decref(in);
	if (rc == 0)
		fail_msg("check accepted: %.200s", out.ptr);
	assert_int_equal(out.len, 0);   /* nothing of an answer on failure */
	sbuf_free(&out);
	return e->status;
}

static int
get(struct fx *f, struct who *w, const char *id, json_t **out, struct err *e)
{
	err_clear(e);
	*out = NULL;
	return node_report_get(f->n, &w->c, id, out, e);
}

static json_t *
alerts(struct fx *f, struct who *w)
{
	json_t *out = NULL;
	struct err e = {0};

	if (node_alerts(f->n, &w->c, 0, 500, &out, &e) != 0)
		fail_msg("alerts: %s", e.msg);
	return out;
}

/* The data of the n-th alert of kind (0-based), or NULL. */
static json_t *
alert_of(json_t *al, const char *kind, int nth)
{
	size_t i;
	json_t *a;

	json_array_foreach(json_object_get(al, "alerts"), i, a)
		if (strcmp(jss(a, "kind"), kind) == 0 && nth-- == 0)
			return json_object_get(a, "data");
	return NULL;
}

static int
count_alerts(json_t *al, const char *kind)
{
	int n = 0;

	while (alert_of(al, kind, n))
		n++;
	return n;
}

/* Alerts are also written in the background (silent searches): wait up to
 * 3 s for at least min alerts of kind. */
static json_t *
alerts_wait(struct fx *f, struct who *w, const char *kind, int min)
{
	json_t *al = NULL;

	for (int i = 0; i < 60; i++) {
		json_decref(al);
		al = alerts(f, w);
		if (count_alerts(al, kind) >= min)
			break;
		usleep(50000);
	}
	return al;
}

static bool
crockford26(const char *s)
{
	if (s == NULL || strlen(s) != 26)
		return false;
	for (; *s; s++)
		if (!strchr("0123456789ABCDEFGHJKMNPQRSTVWXYZ", *s))
			return false;
	return true;
}

static const char example_report[] =
    "{\"reference\":\"TH-AOC-2026-000123\",\"occurred_at\":\"2026-11-20\",\"scam_type\":\"investment\","
    "\"loss\":{\"amount\":1250000,\"currency\":\"THB\"},\"victim_country\":\"TH\",\"narrative\":\"Fake investment app\","
    "\"victim\":{\"name\":\"Somchai\"},"
    "\"selectors\":[{\"type\":\"phone\",\"value\":\"+60 12-345 6789\",\"role\":\"scammer_contact\"},"
    "{\"type\":\"bank_account\",\"value\":\"5123 4567 8901\",\"country\":\"MY\",\"bank\":\"MBBEMYKL\",\"role\":\"mule_account\"}],"
    "\"markings\":{\"tlp\":\"AMBER\",\"releasable_to\":[\"MEMBERS\"],\"disclosure\":\"hit\",\"orcon\":false}}";

#define PHONE_KEY "phone:+60123456789"
#define BANK_KEY  "bank_account:MY:MBBEMYKL:512345678901"

/* ---- set-up and tokens -------------------------------------------------- */

static void
init_gives_working_admin_token(void **state)
{
	struct fx *f = *state;
	struct principal p;
	struct err e = {0};
	char tok[TOKSZ];
	struct node *n2;

	assert_int_equal(strncmp(f->admin.tok, "spl_", 4), 0);
	assert_int_equal(strlen(f->admin.tok), 4 + 26 + 1 + 43);
	{
		char tid[27];
		memcpy(tid, f->admin.tok + 4, 26);
		tid[26] = '\0';
		assert_true(crockford26(tid));
		assert_int_equal(f->admin.tok[30], '_');
	}
	assert_int_equal(node_authenticate(f->n, f->admin.tok, &p, &e), 0);
	assert_int_equal(p.role, ROLE_ADMIN);
	assert_string_equal(p.agency.id, "NODE-ADMIN");
	assert_string_equal(p.agency.country, "SG");
	/* A second init is refused and changes nothing. */
	assert_int_equal(node_init(f->n, "OTHER-ADMIN", "MY", tok, sizeof(tok), &e), -1);
	assert_int_equal(e.status, 409);
	assert_int_equal(node_authenticate(f->n, f->admin.tok, &p, &e), 0);
	{
		struct agency a;
		assert_int_not_equal(node_agency_get(f->n, "OTHER-ADMIN", &a), 0);
	}
	/* Bad administering agency or country on a fresh database. */
	char other[160];
	snprintf(other, sizeof(other), "%s/other.db", f->dir);
	assert_int_equal(node_open(other, NODE_CREATE | NODE_SYNC_FAST, &n2, &e), 0);
	err_clear(&e);
	assert_int_equal(node_init(n2, "x", "SG", tok, sizeof(tok), &e), -1);
	assert_int_equal(e.status, 400);
	assert_int_equal(node_init(n2, "OK-ADMIN", "sg", tok, sizeof(tok), &e), -1);
	assert_int_equal(e.status, 400);
	assert_int_equal(node_init(n2, "OK-ADMIN", "SG", tok, sizeof(tok), &e), 0);
	/* Tokens of one node mean nothing on another. */
	assert_int_equal(node_authenticate(n2, f->admin.tok, &p, &e), -1);
	assert_int_equal(e.status, 401);
	node_close(n2);
	chain_ok(f, NULL);
}

static void
agency_add_validation(void **state)
{
	struct fx *f = *state;
	struct agency a = { .id = "VN-MPS", .country = "VN", .kind = AK_POLICE, .name = "C06" }, g;
	struct err e = {0};

	assert_int_equal(node_agency_add(f->n, &f->admin.c, &a, &e), 0);
	assert_int_equal(node_agency_get(f->n, "VN-MPS", &g), 0);
	assert_string_equal(g.country, "VN");
	assert_int_equal(g.kind, AK_POLICE);
	assert_string_equal(g.name, "C06");
	/* Duplicate id. */
	assert_int_equal(node_agency_add(f->n, &f->admin.c, &a, &e), -1);
	assert_int_equal(e.status, 409);
	/* Validation names the field. */
	struct agency bad = a;
	str_copy(bad.id, sizeof(bad.id), "VN");
	assert_int_equal(node_agency_add(f->n, &f->admin.c, &bad, &e), -1);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.field, "id");
	str_copy(bad.id, sizeof(bad.id), "-VN-X");
	assert_int_equal(node_agency_add(f->n, &f->admin.c, &bad, &e), -1);
	assert_string_equal(e.field, "id");
	bad = a;
	str_copy(bad.id, sizeof(bad.id), "VN-NEW");
	str_copy(bad.country, sizeof(bad.country), "vn");
	assert_int_equal(node_agency_add(f->n, &f->admin.c, &bad, &e), -1);
	assert_string_equal(e.field, "country");
	bad = a;
	str_copy(bad.id, sizeof(bad.id), "VN-NEW");
	bad.kind = AK__N;
	assert_int_equal(node_agency_add(f->n, &f->admin.c, &bad, &e), -1);
	assert_string_equal(e.field, "kind");
	assert_int_not_equal(node_agency_get(f->n, "VN-NEW", &g), 0);
	/* Only admins: an analyst, a bank partner and an auditor are refused. */
	bad = a;
	str_copy(bad.id, sizeof(bad.id), "VN-NEW");
	struct who *nonadmin[] = { &f->th, &f->bank, &f->aud, &f->pub };
	for (size_t i = 0; i < 4; i++) {
		err_clear(&e);
		assert_int_equal(node_agency_add(f->n, &nonadmin[i]->c, &bad, &e), -1);
		assert_int_equal(e.status, 403);
	}
	assert_int_not_equal(node_agency_get(f->n, "VN-NEW", &g), 0);
	chain_ok(f, NULL);
}

/* docs/internals/policy.md: MEMBERS, ALL_LE and PRIVATE always mean the
 * group; "registering such an agency should be refused at agency add". */
static void
agency_add_refuses_reserved_audience_words(void **state)
{
	struct fx *f = *state;
	const char *words[] = { "MEMBERS", "ALL_LE", "PRIVATE" };
	struct err e = {0};

	for (int i = 0; i < 3; i++) {
		struct agency a = { .country = "MY", .kind = AK_POLICE };
		str_copy(a.id, sizeof(a.id), words[i]);
		err_clear(&e);
		if (node_agency_add(f->n, &f->admin.c, &a, &e) == 0)
			fail_msg("an agency named %s was registered", words[i]);
		assert_int_equal(e.status, 400);
		assert_string_equal(e.field, "id");
	}
}

static void
token_create_rules(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	struct principal p, q;
	char tok[TOKSZ];
	static const struct { const char *agency, *role; int status; const char *field; } t[] = {
		{ "TH-AOC", "wizard", 400, "role" },
		{ "TH-AOC", "", 400, "role" },
		{ "TH-AOC", "partner", 400, "role" },     /* partner is for the private sector */
		{ "TH-AOC", "public", 400, "role" },
		{ "MY-MAYBANK", "analyst", 400, "role" },
		{ "MY-MAYBANK", "investigator", 400, "role" },
		{ "PUBLIC-WEB", "admin", 400, "role" },
		{ "NO-SUCH-AGENCY", "analyst", 404, "agency" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		err_clear(&e);
		if (node_token_create(f->n, &f->admin.c, t[i].agency, t[i].role, NULL, tok, sizeof(tok), &p, &e) != -1)
			fail_msg("token for %s %s created", t[i].agency, t[i].role);
		assert_int_equal(e.status, t[i].status);
		assert_string_equal(e.field, t[i].field);
	}
	/* Only admins create tokens. */
	err_clear(&e);
	assert_int_equal(node_token_create(f->n, &f->th.c, "TH-AOC", "admin", NULL, tok, sizeof(tok), &p, &e), -1);
	assert_int_equal(e.status, 403);
	assert_int_equal(node_token_create(f->n, &f->aud.c, "TH-AOC", "analyst", NULL, tok, sizeof(tok), &p, &e), -1);
	assert_int_equal(e.status, 403);
	/* analyst is valid for partner_le; the token works and carries the agency. */
	assert_int_equal(node_token_create(f->n, &f->admin.c, "UK-NCA", "supervisor", "Jane", tok, sizeof(tok), &p, &e), 0);
	assert_string_equal(p.agency.id, "UK-NCA");
	assert_int_equal(p.agency.kind, AK_PARTNER_LE);
	assert_int_equal(node_authenticate(f->n, tok, &q, &e), 0);
	assert_string_equal(q.id, p.id);
	assert_int_equal(q.role, ROLE_SUPERVISOR);
	assert_string_equal(q.agency.country, "GB");
	/* Each token is distinct. */
	char tok2[TOKSZ];
	assert_int_equal(node_token_create(f->n, &f->admin.c, "UK-NCA", "supervisor", "Jane", tok2, sizeof(tok2), &p, &e), 0);
	assert_string_not_equal(tok, tok2);
	/* A buffer too small for the token fails and leaves no principal usable. */
	char tiny[16];
	err_clear(&e);
	assert_int_equal(node_token_create(f->n, &f->admin.c, "UK-NCA", "analyst", NULL, tiny, sizeof(tiny), &p, &e), -1);
	chain_ok(f, NULL);
}

static void
authenticate_refusals(void **state)
{
	struct fx *f = *state;
	struct principal p;
	struct err e = {0};
	char t[TOKSZ + 8];
	long long before = atomic_load(&node_counters(f->n)->auth_failures);
	int refused = 0;

#define REFUSE(tok) do { \
	err_clear(&e); \
	assert_int_equal(node_authenticate(f->n, (tok), &p, &e), -1); \
	assert_int_equal(e.status, 401); \
	assert_string_equal(e.field, "Authorization"); \
	refused++; \
} while (0)
	REFUSE(NULL);
	REFUSE("");
	REFUSE("garbage");
	REFUSE("Bearer x");
	str_copy(t, sizeof(t), f->th.tok);
	t[strlen(t) - 1] = '\0';                     /* one character short */
	REFUSE(t);
	snprintf(t, sizeof(t), "%sA", f->th.tok);    /* one character long */
	REFUSE(t);
	str_copy(t, sizeof(t), f->th.tok);
	memcpy(t, "tok_", 4);                        /* wrong prefix */
	REFUSE(t);
	str_copy(t, sizeof(t), f->th.tok);
	t[30] = '-';                                 /* separator missing */
	REFUSE(t);
	/* The right id with a wrong secret: last, first and middle character. */
	for (int pos = 0; pos < 3; pos++) {
		size_t at = pos == 0 ? strlen(f->th.tok) - 1 : pos == 1 ? 31 : 50;
		str_copy(t, sizeof(t), f->th.tok);
		t[at] = t[at] == 'A' ? 'B' : 'A';
		REFUSE(t);
	}
	/* Another principal's secret with this id. */
	str_copy(t, sizeof(t), f->th.tok);
	memcpy(t + 31, f->my.tok + 31, 43);
	REFUSE(t);
	/* A well-formed unknown id. */
	str_copy(t, sizeof(t), f->th.tok);
	t[5] = t[5] == '0' ? '1' : '0';
	REFUSE(t);
	assert_int_equal(atomic_load(&node_counters(f->n)->auth_failures) - before, refused);

	/* Revocation. */
	char tid[27];
	memcpy(tid, f->my.tok + 4, 26);
	tid[26] = '\0';
	err_clear(&e);
	assert_int_equal(node_token_revoke(f->n, &f->th.c, tid, &e), -1);   /* not an admin */
	assert_int_equal(e.status, 403);
	assert_int_equal(node_authenticate(f->n, f->my.tok, &p, &e), 0);
	assert_int_equal(node_token_revoke(f->n, &f->admin.c, tid, &e), 0);
	REFUSE(f->my.tok);
	err_clear(&e);
	assert_int_equal(node_token_revoke(f->n, &f->admin.c, "01ARZ3NDEKTSV4RRFFQ69G5FAV", &e), -1);
	assert_int_equal(e.status, 404);
	/* Other tokens are unaffected. */
	assert_int_equal(node_authenticate(f->n, f->th.tok, &p, &e), 0);
	assert_string_equal(p.agency.id, "TH-AOC");
#undef REFUSE
	chain_ok(f, NULL);
}

/* ---- reports, matches, alerts ------------------------------------------- */

static void
report_create_matches_per_policy(void **state)
{
	struct fx *f = *state;
	json_t *o, *m, *s, *al;
	char th_id[27], my_id[27], uk_id[27], bank_id[27];

	/* Thailand files the example. */
	o = create_ok(f, &f->th, example_report);
	assert_true(crockford26(jss(o, "id")));
	str_copy(th_id, sizeof(th_id), jss(o, "id"));
	assert_true(json_integer_value(json_object_get(o, "version")) == 1);
	s = json_object_get(o, "selectors");
	assert_int_equal(json_array_size(s), 2);
	assert_string_equal(jss(json_array_get(s, 0), "key"), PHONE_KEY);
	assert_true(json_is_true(json_object_get(json_array_get(s, 0), "valid")));
	assert_string_equal(jss(json_array_get(s, 0), "role"), "scammer_contact");
	assert_string_equal(jss(json_array_get(s, 1), "key"), BANK_KEY);
	assert_int_equal(json_array_size(json_object_get(o, "matches")), 0);
	json_decref(o);

	/* Malaysia (a member, in the audience): the same phone in national form,
	 * read in Malaysia. A full match. */
	o = create_ok(f, &f->my, "{\"reference\":\"NSRC-1\",\"selectors\":[{\"type\":\"phone\","
	    "\"value\":\"012-345 6789\"}],\"markings\":{\"releasable_to\":[\"MEMBERS\"]}}");
	str_copy(my_id, sizeof(my_id), jss(o, "id"));
	assert_string_not_equal(my_id, th_id);
	assert_string_equal(jss(json_array_get(json_object_get(o, "selectors"), 0), "key"), PHONE_KEY);
	m = json_object_get(o, "matches");
	assert_int_equal(json_array_size(m), 1);
	m = json_array_get(m, 0);
	assert_string_equal(jss(m, "key"), PHONE_KEY);
	assert_string_equal(jss(m, "report"), th_id);
	assert_string_equal(jss(m, "agency"), "TH-AOC");
	assert_string_equal(jss(m, "visibility"), "full");
	assert_null(json_object_get(m, "contact_ref"));
	json_decref(o);

	/* The UK partner (law enforcement outside MEMBERS): hit-only with a
	 * contact reference for both. */
	o = create_ok(f, &f->uk, "{\"selectors\":[{\"type\":\"phone\",\"value\":\"+60123456789\"}]}");
	str_copy(uk_id, sizeof(uk_id), jss(o, "id"));
	m = json_object_get(o, "matches");
	assert_int_equal(json_array_size(m), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *x = json_array_get(m, i);
		assert_string_equal(jss(x, "visibility"), "hit");
		assert_true(crockford26(jss(x, "contact_ref")));
		assert_string_not_equal(jss(x, "contact_ref"), jss(x, "report"));
	}
	json_decref(o);

	/* The bank: nothing released to it, so nothing at all. */
	o = create_ok(f, &f->bank, "{\"selectors\":[{\"type\":\"phone\",\"value\":\"+60123456789\","
	    "\"role\":\"mule_account\"},{\"type\":\"bank_account\",\"value\":\"512345678901\","
	    "\"country\":\"MY\",\"bank\":\"MBBEMYKL\"}]}");
	str_copy(bank_id, sizeof(bank_id), jss(o, "id"));
	assert_int_equal(json_array_size(json_object_get(o, "matches")), 0);
	json_decref(o);

	/* Thailand's inbox: a full match from Malaysia, hit-only ones from
	 * the UK and the bank (released to nobody, disclosure hit). */
	al = alerts(f, &f->aud);    /* TH-AOC's auditor: not content, so none of them */
	assert_int_equal(count_alerts(al, "match"), 0);
	json_decref(al);
	al = alerts(f, &f->th);
	assert_int_equal(count_alerts(al, "match"), 4);   /* MY phone, UK phone, bank phone + account */
	m = alert_of(al, "match", 0);
	assert_string_equal(jss(m, "your_report"), th_id);
	assert_string_equal(jss(m, "report"), my_id);
	assert_string_equal(jss(m, "agency"), "MY-NSRC");
	assert_string_equal(jss(m, "visibility"), "full");
	m = alert_of(al, "match", 1);
	assert_string_equal(jss(m, "report"), uk_id);
	assert_string_equal(jss(m, "visibility"), "hit");
	assert_true(crockford26(jss(m, "contact_ref")));
	json_decref(al);
	/* The bank learns of no one's record: its inbox is empty. */
	al = alerts(f, &f->bank);
	assert_int_equal(json_array_size(json_object_get(al, "alerts")), 0);
	json_decref(al);
	/* The public may not write. */
	struct err e;
	assert_int_equal(create_err(f, &f->pub, "{}", &e), 403);
	assert_int_equal(create_err(f, &f->aud, "{}", &e), 403);
	chain_ok(f, NULL);
}

static void
report_create_refusals_name_the_field(void **state)
{
	struct fx *f = *state;
	struct err e;
	struct store_stats a, b;
	int64_t n0 = chain_ok(f, &a);

	assert_int_equal(create_err(f, &f->th, "{\"colour\":1}", &e), 400);
	assert_string_equal(e.field, "colour");
	assert_int_equal(create_err(f, &f->th, "{\"selectors\":[{\"type\":\"phone\",\"value\":\"1\",\"xxx\":1}]}", &e), 400);
	assert_string_equal(e.field, "selectors[0].xxx");
	assert_int_equal(create_err(f, &f->th, "{\"markings\":{\"tlp\":\"PURPLE\"}}", &e), 400);
	assert_string_equal(e.field, "markings.tlp");
	assert_int_equal(create_err(f, &f->th, "[1]", &e), 400);
	/* Refusals change nothing but the audit log: one entry each. */
	int64_t n1 = chain_ok(f, &b);
	assert_true(n1 == n0 + 4);
	assert_true(b.reports == a.reports);
	assert_true(b.postings == a.postings);
	json_t *le = last_entry(f);
	assert_string_equal(jss(le, "action"), "report.create");
	assert_string_equal(jss(le, "outcome"), "refused:400");
	assert_string_equal(jss(le, "principal"), f->th.p.id);
	json_decref(le);
}

/* ---- silent records --------------------------------------------------- */

static json_t *
strip_key(json_t *check_out, size_t i)
{
	json_t *r = json_deep_copy(json_array_get(json_object_get(check_out, "results"), i));

	json_object_del(r, "key");
	return r;
}

static void
assert_same_json(json_t *a, json_t *b)
{
	char *sa = json_dumps(a, JSON_COMPACT | JSON_SORT_KEYS);
	char *sb = json_dumps(b, JSON_COMPACT | JSON_SORT_KEYS);

	if (strcmp(sa, sb) != 0)
		fail_msg("differ:\n  %s\n  %s", sa, sb);
	free(sa);
	free(sb);
}

static void
silent_record_changes_nothing_for_outsiders(void **state)
{
	struct fx *f = *state;
	json_t *o, *o2, *a, *b, *al, *d;
	struct err e, e2;
	char sg_id[27];
	static const char silent_key[] = "phone:+6591234567";

	o = create_ok(f, &f->sg, "{\"reference\":\"SPF-UC-7\",\"selectors\":[{\"type\":\"phone\","
	    "\"value\":\"9123 4567\"}],\"markings\":{\"tlp\":\"RED\",\"releasable_to\":[],"
	    "\"disclosure\":\"silent\"}}");
	str_copy(sg_id, sizeof(sg_id), jss(o, "id"));
	assert_string_equal(jss(json_array_get(json_object_get(o, "selectors"), 0), "key"), silent_key);
	json_decref(o);

	/* An outsider's check: the silent key and a never-seen key answer
	 * byte for byte alike, in one request and in separate ones. */
	o = check_ok(f, &f->my, "{\"selectors\":[{\"key\":\"phone:+6591234567\"},{\"key\":\"phone:+6598765432\"}]}");
	a = strip_key(o, 0);
	b = strip_key(o, 1);
	assert_same_json(a, b);
	assert_true(json_is_false(json_object_get(a, "hit")));
	json_decref(a);
	json_decref(b);
	json_decref(o);
	o = check_ok(f, &f->my, "{\"selectors\":[{\"type\":\"phone\",\"value\":\"+65 9123 4567\"}]}");
	o2 = check_ok(f, &f->my, "{\"selectors\":[{\"type\":\"phone\",\"value\":\"+65 9876 5432\"}]}");
	a = strip_key(o, 0);
	b = strip_key(o2, 0);
	assert_same_json(a, b);
	json_decref(a);
	json_decref(b);
	json_decref(o);
	json_decref(o2);
	/* The bank and the UK likewise. */
	struct who *outs[] = { &f->bank, &f->uk };
	for (int i = 0; i < 2; i++) {
		o = check_ok(f, outs[i], "{\"selectors\":[{\"key\":\"phone:+6591234567\"},{\"key\":\"phone:+6598765432\"}]}");
		a = strip_key(o, 0);
		b = strip_key(o, 1);
		assert_same_json(a, b);
		json_decref(a);
		json_decref(b);
		json_decref(o);
	}

	/* The originator is told who searched. */
	al = alerts_wait(f, &f->sg, "silent_search", 4);
	assert_true(count_alerts(al, "silent_search") >= 4);
	d = alert_of(al, "silent_search", 0);
	assert_non_null(d);
	assert_string_equal(jss(d, "key"), silent_key);
	assert_string_equal(jss(d, "your_report"), sg_id);
	assert_string_equal(jss(d, "agency"), "MY-NSRC");
	assert_string_equal(jss(d, "principal"), f->my.p.id);
	json_decref(al);
	/* The searcher is told nothing. */
	al = alerts(f, &f->my);
	assert_int_equal(json_array_size(json_object_get(al, "alerts")), 0);
	json_decref(al);

	/* An outsider's write with the silent key answers like one with a fresh key. */
	o = create_ok(f, &f->my, "{\"selectors\":[{\"type\":\"phone\",\"value\":\"+6591234567\"}]}");
	o2 = create_ok(f, &f->my, "{\"selectors\":[{\"type\":\"phone\",\"value\":\"+6591112222\"}]}");
	assert_int_equal(json_array_size(json_object_get(o, "matches")), 0);
	a = json_deep_copy(o);
	b = json_deep_copy(o2);
	json_object_del(a, "id");
	json_object_del(b, "id");
	json_object_del(json_array_get(json_object_get(a, "selectors"), 0), "key");
	json_object_del(json_array_get(json_object_get(b, "selectors"), 0), "key");
	assert_same_json(a, b);
	json_decref(a);
	json_decref(b);
	json_decref(o2);
	/* ... and the originator hears of that write. */
	al = alerts(f, &f->sg);
	bool told = false;
	size_t i;
	json_t *x;
	json_array_foreach(json_object_get(al, "alerts"), i, x) {
		json_t *dd = json_object_get(x, "data");
		if ((strcmp(jss(x, "kind"), "match") == 0 || strcmp(jss(x, "kind"), "silent_match") == 0) &&
		    strcmp(jss(dd, "your_report"), sg_id) == 0 && strcmp(jss(dd, "agency"), "MY-NSRC") == 0)
			told = true;
	}
	assert_true(told);
	json_decref(al);
	json_decref(o);

	/* A read of the silent record is a 404 like an unknown id's, and the
	 * originator learns of it. */
	assert_int_equal(get(f, &f->my, sg_id, &o, &e), -1);
	assert_int_equal(get(f, &f->my, "01ARZ3NDEKTSV4RRFFQ69G5FAV", &o2, &e2), -1);
	assert_null(o);
	assert_int_equal(e.status, 404);
	assert_int_equal(e2.status, 404);
	assert_string_equal(e.field, e2.field);
	{
		char m1[256], m2[256], *p;
		str_copy(m1, sizeof(m1), e.msg);
		str_copy(m2, sizeof(m2), e2.msg);
		if ((p = strstr(m1, sg_id)) != NULL)
			memset(p, '#', 26);
		if ((p = strstr(m2, "01ARZ3NDEKTSV4RRFFQ69G5FAV")) != NULL)
			memset(p, '#', 26);
		assert_string_equal(m1, m2);
	}
	al = alerts_wait(f, &f->sg, "silent_read", 1);
	d = alert_of(al, "silent_read", 0);
	assert_non_null(d);
	assert_string_equal(jss(d, "your_report"), sg_id);
	assert_string_equal(jss(d, "agency"), "MY-NSRC");
	json_decref(al);
	/* The originator itself sees its record in full. */
	assert_int_equal(get(f, &f->sg, sg_id, &o, &e), 0);
	assert_string_equal(jss(o, "visibility"), "full");
	json_decref(o);
	chain_ok(f, NULL);
}

/* A silent record whose originator can see nothing of the writer's record
 * (a bank never gets hit-only contacts) yields a "silent_match" alert. */
static void
silent_match_alert_on_outsider_write(void **state)
{
	struct fx *f = *state;
	json_t *o, *al, *d;
	char bank_id[27];

	o = create_ok(f, &f->bank, "{\"selectors\":[{\"type\":\"bank_account\",\"value\":\"1122334455\","
	    "\"country\":\"MY\",\"bank\":\"MBBEMYKL\"}],\"markings\":{\"disclosure\":\"silent\"}}");
	str_copy(bank_id, sizeof(bank_id), jss(o, "id"));
	json_decref(o);
	o = create_ok(f, &f->th, "{\"selectors\":[{\"type\":\"bank_account\",\"value\":\"11 2233 4455\","
	    "\"country\":\"MY\",\"bank\":\"MBBEMYKL\"}]}");
	assert_int_equal(json_array_size(json_object_get(o, "matches")), 0);
	json_decref(o);
	al = alerts(f, &f->bank);
	d = alert_of(al, "silent_match", 0);
	assert_non_null(d);
	assert_string_equal(jss(d, "your_report"), bank_id);
	assert_string_equal(jss(d, "agency"), "TH-AOC");
	assert_null(alert_of(al, "match", 0));
	json_decref(al);
	/* Thailand is told nothing. */
	al = alerts(f, &f->th);
	assert_int_equal(json_array_size(json_object_get(al, "alerts")), 0);
	json_decref(al);
}

/* "silent" hides a record from those outside its audience only: its
 * originator and the agencies it is released to still find it by check. */
static void
silent_record_found_by_originator_and_audience(void **state)
{
	struct fx *f = *state;
	json_t *o, *r;
	char id[27];

	o = create_ok(f, &f->sg, "{\"reference\":\"SPF-UC-8\",\"selectors\":[{\"type\":\"phone\","
	    "\"value\":\"+6581112222\"}],\"markings\":{\"releasable_to\":[\"MEMBERS\"],"
	    "\"disclosure\":\"silent\"}}");
	str_copy(id, sizeof(id), jss(o, "id"));
	json_decref(o);
	/* The gate itself gives Malaysia the record in full ... */
	{
		struct err e;
		assert_int_equal(get(f, &f->my, id, &o, &e), 0);
		assert_string_equal(jss(o, "visibility"), "full");
		json_decref(o);
	}
	/* ... so a check must find it too. */
	struct who *insiders[] = { &f->sg, &f->my, &f->th };
	for (int i = 0; i < 3; i++) {
		o = check_ok(f, insiders[i], "{\"selectors\":[{\"key\":\"phone:+6581112222\"}]}");
		r = json_array_get(json_object_get(o, "results"), 0);
		if (!json_is_true(json_object_get(r, "hit"))) {
			json_decref(o);
			fail_msg("%s does not find a silent record it may see", insiders[i]->p.agency.id);
		}
		assert_string_equal(jss(json_array_get(json_object_get(r, "records"), 0), "id"), id);
		json_decref(o);
	}
	/* The UK, outside the audience, finds nothing. */
	o = check_ok(f, &f->uk, "{\"selectors\":[{\"key\":\"phone:+6581112222\"}]}");
	r = json_array_get(json_object_get(o, "results"), 0);
	assert_true(json_is_false(json_object_get(r, "hit")));
	assert_int_equal(json_array_size(json_object_get(r, "contacts")), 0);
	json_decref(o);
}

/* ---- reads ------------------------------------------------------------- */

static void
report_get_full_hit_404_and_fields(void **state)
{
	struct fx *f = *state;
	json_t *o, *c;
	struct err e;
	char id[27], pid[27], ref[27];
	long long reads0 = atomic_load(&node_counters(f->n)->reads);

	o = create_ok(f, &f->th, example_report);
	str_copy(id, sizeof(id), jss(o, "id"));
	json_decref(o);
	o = create_ok(f, &f->th, "{\"reference\":\"TH-P-1\",\"narrative\":\"secret\",\"victim_country\":\"TH\","
	    "\"loss\":{\"amount\":5,\"currency\":\"THB\"},\"victim\":{\"name\":\"V\"},"
	    "\"selectors\":[{\"type\":\"phone\",\"value\":\"+66812345678\"}],"
	    "\"markings\":{\"tlp\":\"GREEN\",\"releasable_to\":[\"PRIVATE\"]}}");
	str_copy(pid, sizeof(pid), jss(o, "id"));
	json_decref(o);

	/* The originator: everything, victim included, and its contact_ref. */
	assert_int_equal(get(f, &f->th, id, &o, &e), 0);
	assert_string_equal(jss(o, "id"), id);
	assert_string_equal(jss(o, "visibility"), "full");
	assert_string_equal(jss(o, "agency"), "TH-AOC");
	assert_string_equal(jss(o, "reference"), "TH-AOC-2026-000123");
	assert_string_equal(jss(o, "narrative"), "Fake investment app");
	assert_non_null(json_object_get(o, "loss"));
	assert_string_equal(jss(json_object_get(o, "victim"), "name"), "Somchai");
	assert_int_equal(json_array_size(json_object_get(o, "selectors")), 2);
	assert_string_equal(jss(json_object_get(o, "markings"), "tlp"), "AMBER");
	assert_true(crockford26(jss(o, "contact_ref")));
	str_copy(ref, sizeof(ref), jss(o, "contact_ref"));
	json_decref(o);

	/* Another member agency: content without the victim or the contact ref. */
	assert_int_equal(get(f, &f->my, id, &o, &e), 0);
	assert_string_equal(jss(o, "visibility"), "full");
	assert_string_equal(jss(o, "narrative"), "Fake investment app");
	assert_int_equal(json_array_size(json_object_get(o, "selectors")), 2);
	assert_null(json_object_get(o, "victim"));
	assert_null(json_object_get(o, "contact_ref"));
	json_decref(o);
	/* Singapore police too (member kind police). */
	assert_int_equal(get(f, &f->sg, id, &o, &e), 0);
	assert_string_equal(jss(o, "visibility"), "full");
	json_decref(o);

	/* The UK: hit-only, exactly {id, visibility, agency, contact_ref}. */
	assert_int_equal(get(f, &f->uk, id, &o, &e), 0);
	assert_int_equal(json_object_size(o), 4);
	assert_string_equal(jss(o, "id"), id);
	assert_string_equal(jss(o, "visibility"), "hit");
	assert_string_equal(jss(o, "agency"), "TH-AOC");
	assert_string_equal(jss(o, "contact_ref"), ref);
	json_decref(o);

	/* The bank, the public, another agency's auditor: 404. */
	assert_int_equal(get(f, &f->bank, id, &o, &e), -1);
	assert_int_equal(e.status, 404);
	assert_null(o);
	assert_int_equal(get(f, &f->pub, id, &o, &e), -1);
	assert_int_equal(e.status, 404);
	/* The bank on a record released to PRIVATE: core and selectors only. */
	assert_int_equal(get(f, &f->bank, pid, &o, &e), 0);
	assert_string_equal(jss(o, "visibility"), "full");
	assert_string_equal(jss(o, "reference"), "TH-P-1");
	assert_int_equal(json_array_size(json_object_get(o, "selectors")), 1);
	assert_null(json_object_get(o, "narrative"));
	assert_null(json_object_get(o, "loss"));
	assert_null(json_object_get(o, "victim_country"));
	assert_null(json_object_get(o, "victim"));
	assert_null(json_object_get(o, "contact_ref"));
	json_decref(o);
	/* Unknown, malformed, empty ids. */
	const char *ids[] = { "01ARZ3NDEKTSV4RRFFQ69G5FAV", "short", "", "' OR 1=1 --", NULL };
	for (int i = 0; ids[i]; i++) {
		assert_int_equal(get(f, &f->th, ids[i], &o, &e), -1);
		assert_int_equal(e.status, 404);
		assert_null(o);
	}
	/* An auditor sees its own agency's record, no one else's. */
	assert_int_equal(get(f, &f->aud, id, &o, &e), 0);
	json_decref(o);
	o = create_ok(f, &f->my, "{\"markings\":{\"tlp\":\"CLEAR\"}}");
	str_copy(pid, sizeof(pid), jss(o, "id"));
	json_decref(o);
	assert_int_equal(get(f, &f->aud, pid, &o, &e), -1);
	assert_int_equal(e.status, 404);

	/* The full read lists the record's matches as the reader may see them. */
	o = create_ok(f, &f->my, "{\"selectors\":[{\"type\":\"phone\",\"value\":\"+60123456789\"}],"
	    "\"markings\":{\"releasable_to\":[\"MEMBERS\"]}}");
	json_decref(o);
	assert_int_equal(get(f, &f->th, id, &o, &e), 0);
	c = json_object_get(o, "matches");
	assert_int_equal(json_array_size(c), 1);
	assert_string_equal(jss(json_array_get(c, 0), "agency"), "MY-NSRC");
	assert_string_equal(jss(json_array_get(c, 0), "visibility"), "full");
	json_decref(o);
	assert_true(atomic_load(&node_counters(f->n)->reads) - reads0 == 7);
	chain_ok(f, NULL);
}

static void
contact_resolve_only_for_originator(void **state)
{
	struct fx *f = *state;
	json_t *o;
	struct err e = {0};
	char id[27], ref[27];

	o = create_ok(f, &f->th, example_report);
	str_copy(id, sizeof(id), jss(o, "id"));
	json_decref(o);
	/* The UK learns the ref from a check. */
	o = check_ok(f, &f->uk, "{\"selectors\":[{\"key\":\"" PHONE_KEY "\"}]}");
	json_t *r = json_array_get(json_object_get(o, "results"), 0);
	assert_true(json_is_true(json_object_get(r, "hit")));
	assert_int_equal(json_array_size(json_object_get(r, "records")), 0);
	assert_int_equal(json_array_size(json_object_get(r, "contacts")), 1);
	assert_string_equal(jss(json_array_get(json_object_get(r, "contacts"), 0), "agency"), "TH-AOC");
	str_copy(ref, sizeof(ref), jss(json_array_get(json_object_get(r, "contacts"), 0), "ref"));
	json_decref(o);
	assert_string_not_equal(ref, id);
	/* Only Thailand can resolve it. */
	struct who *others[] = { &f->uk, &f->my, &f->bank, &f->pub };
	for (int i = 0; i < 4; i++) {
		err_clear(&e);
		assert_int_equal(node_contact_resolve(f->n, &others[i]->c, ref, &o, &e), -1);
		assert_int_equal(e.status, 404);
		assert_null(o);
	}
	assert_int_equal(node_contact_resolve(f->n, &f->th.c, ref, &o, &e), 0);
	assert_string_equal(jss(o, "report"), id);
	assert_string_equal(jss(o, "reference"), "TH-AOC-2026-000123");
	json_decref(o);
	/* A record id is not a contact ref. */
	assert_int_equal(node_contact_resolve(f->n, &f->th.c, id, &o, &e), -1);
	assert_int_equal(node_contact_resolve(f->n, &f->th.c, "x", &o, &e), -1);
	assert_int_equal(e.status, 404);
	chain_ok(f, NULL);
}

/* ---- checks ------------------------------------------------------------ */

static json_t *
n_keys(int n, int bad_at, const char *bad)
{
	json_t *arr = json_array();

	for (int i = 0; i < n; i++) {
		char k[64];
		if (i == bad_at) {
			json_array_append_new(arr, J(bad));
			continue;
		}
		snprintf(k, sizeof(k), "phone:+6012%07d", i);
		json_array_append_new(arr, json_pack("{s:s}", "key", k));
	}
	return json_pack("{s:o}", "selectors", arr);
}

static void
check_limits_and_fields(void **state)
{
	struct fx *f = *state;
	struct err e;
	json_t *o;
	int64_t n0 = chain_ok(f, NULL);
	long long ref0 = atomic_load(&node_counters(f->n)->refusals);

	assert_int_equal(check_err(f, &f->my, J("[]"), &e), 400);
	assert_string_equal(e.field, "selectors");
	assert_int_equal(check_err(f, &f->my, J("{\"selectors\":{}}"), &e), 400);
	assert_int_equal(check_err(f, &f->my, J("{}"), &e), 400);
	assert_int_equal(check_err(f, &f->my, n_keys(0, -1, NULL), &e), 400);
	assert_string_equal(e.field, "selectors");
	assert_int_equal(check_err(f, &f->my, n_keys(SIMPUL_MAX_BATCH + 1, -1, NULL), &e), 413);
	assert_string_equal(e.field, "selectors");
	static const struct { const char *item, *field; } t[] = {
		{ "{\"type\":\"pager\",\"value\":\"1\"}", "selectors[3].type" },
		{ "{\"type\":\"phone\"}", "selectors[3].value" },
		{ "{\"value\":\"+60123456789\"}", "selectors[3].type" },
		{ "{\"type\":\"phone\",\"value\":60123456789}", "selectors[3].value" },
		{ "{\"type\":\"phone\",\"value\":\"1\",\"foo\":\"x\"}", "selectors[3].foo" },
		{ "{\"type\":\"phone\",\"value\":\"1\",\"country\":\"my\"}", "selectors[3].country" },
		{ "{\"key\":\"nonsense\"}", "selectors[3].key" },
		{ "{\"key\":\"pager:123\"}", "selectors[3].key" },
		{ "\"phone:+60123456789\"", "selectors[3]" },
		{ "[]", "selectors[3]" },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		check_err(f, &f->my, n_keys(5, 3, t[i].item), &e);
		if (e.status != 400 || strcmp(e.field, t[i].field) != 0)
			fail_msg("%s: %d %s, expected 400 %s", t[i].item, e.status, e.field, t[i].field);
	}
	/* Roles that may not check. */
	assert_int_equal(check_err(f, &f->pub, n_keys(1, -1, NULL), &e), 403);
	assert_int_equal(check_err(f, &f->aud, n_keys(1, -1, NULL), &e), 403);
	/* Every refusal is audited and counted. */
	int refusals = 5 + (int)(sizeof(t) / sizeof(t[0])) + 2;
	assert_true(chain_ok(f, NULL) == n0 + refusals);
	assert_true(atomic_load(&node_counters(f->n)->refusals) - ref0 == refusals);
	json_t *le = last_entry(f);
	assert_string_equal(jss(le, "action"), "check");
	assert_string_equal(jss(le, "outcome"), "refused:403");
	json_decref(le);

	/* The full batch of 1,000 is answered, in order. */
	json_t *in = n_keys(SIMPUL_MAX_BATCH, -1, NULL);
	o = check_json(f, &f->my, in);
	json_decref(in);
	assert_int_equal(json_array_size(json_object_get(o, "results")), SIMPUL_MAX_BATCH);
	assert_string_equal(jss(json_array_get(json_object_get(o, "results"), 999), "key"), "phone:+60120000999");
	json_decref(o);
}

static void
check_answers_per_policy(void **state)
{
	struct fx *f = *state;
	json_t *o, *r, *rec;
	char id[27];
	long long c0 = atomic_load(&node_counters(f->n)->checks);
	long long k0 = atomic_load(&node_counters(f->n)->check_keys);
	long long h0 = atomic_load(&node_counters(f->n)->check_hits);

	o = create_ok(f, &f->th, example_report);
	str_copy(id, sizeof(id), jss(o, "id"));
	json_decref(o);

	/* Malaysia, canonical key and raw national value: the same answer. */
	o = check_ok(f, &f->my, "{\"selectors\":[{\"key\":\"" PHONE_KEY "\"},"
	    "{\"type\":\"phone\",\"value\":\"012-345 6789\"},{\"key\":\"" BANK_KEY "\"},"
	    "{\"type\":\"phone\",\"value\":\"+60 19-999 9999\"}]}");
	r = json_object_get(o, "results");
	assert_int_equal(json_array_size(r), 4);
	for (int i = 0; i < 3; i++) {
		json_t *x = json_array_get(r, i);
		assert_true(json_is_true(json_object_get(x, "hit")));
		assert_int_equal(json_array_size(json_object_get(x, "records")), 1);
		assert_int_equal(json_array_size(json_object_get(x, "contacts")), 0);
		rec = json_array_get(json_object_get(x, "records"), 0);
		assert_string_equal(jss(rec, "id"), id);
		assert_string_equal(jss(rec, "agency"), "TH-AOC");
		assert_string_equal(jss(rec, "reference"), "TH-AOC-2026-000123");
	}
	assert_string_equal(jss(json_array_get(r, 1), "key"), PHONE_KEY);
	assert_true(json_is_false(json_object_get(json_array_get(r, 3), "hit")));
	json_decref(o);
	/* The bank: nothing; no hit, no contacts. */
	o = check_ok(f, &f->bank, "{\"selectors\":[{\"key\":\"" PHONE_KEY "\"}]}");
	r = json_array_get(json_object_get(o, "results"), 0);
	assert_true(json_is_false(json_object_get(r, "hit")));
	assert_int_equal(json_array_size(json_object_get(r, "records")), 0);
	assert_int_equal(json_array_size(json_object_get(r, "contacts")), 0);
	json_decref(o);
	/* Counters: 2 checks, 5 keys, 3 hits. */
	assert_true(atomic_load(&node_counters(f->n)->checks) - c0 == 2);
	assert_true(atomic_load(&node_counters(f->n)->check_keys) - k0 == 5);
	assert_true(atomic_load(&node_counters(f->n)->check_hits) - h0 == 3);
	/* The check's audit entry: who, why, which keys. */
	json_t *le = last_entry(f);
	assert_string_equal(jss(le, "action"), "check");
	assert_string_equal(jss(le, "agency"), "MY-MAYBANK");
	assert_string_equal(jss(le, "principal"), f->bank.p.id);
	assert_string_equal(jss(le, "purpose"), "payment-screening");
	assert_string_equal(jss(le, "case"), "CASE-1");
	assert_string_equal(jss(le, "outcome"), "no-hit");
	assert_string_equal(json_string_value(json_array_get(json_object_get(json_object_get(le, "detail"), "keys"), 0)), PHONE_KEY);
	json_decref(le);
}

/* ---- import ------------------------------------------------------------ */

static FILE *
import_file(struct fx *f, int lines, int bad_at, const char *bad)
{
	char p[160];
	FILE *w;

	snprintf(p, sizeof(p), "%s/imp.jsonl", f->dir);
	w = fopen(p, "w");
	assert_non_null(w);
	for (int i = 1; i <= lines; i++) {
		if (i == bad_at)
			fprintf(w, "%s\n", bad);
		else
			fprintf(w, "{\"reference\":\"IMP-%d\",\"selectors\":[{\"type\":\"phone\",\"value\":\"012-%03d %04d\"},"
			    "{\"type\":\"url\",\"value\":\"http://scam%d.example.com/\"}]}\n", i, i / 10000, i % 10000, i);
		if (i == 2)
			fprintf(w, "\n");   /* blank lines are skipped */
	}
	fclose(w);
	w = fopen(p, "r");
	assert_non_null(w);
	return w;
}

static void
import_good_bad_and_batches(void **state)
{
	struct fx *f = *state;
	struct import_stats st;
	struct store_stats ss;
	struct err e = {0};
	FILE *in;
	int64_t r0;

	chain_ok(f, &ss);
	r0 = ss.reports;
	/* A good file. */
	in = import_file(f, 5, -1, NULL);
	assert_int_equal(node_import_reports(f->n, "MY-NSRC", in, 0, NULL, NULL, &st, &e), 0);
	fclose(in);
	assert_true(st.reports == 5);
	assert_true(st.selectors == 10);
	chain_ok(f, &ss);
	assert_true(ss.reports == r0 + 5);
	/* The imported records belong to the agency and are found by check. */
	json_t *o = check_ok(f, &f->my, "{\"selectors\":[{\"type\":\"phone\",\"value\":\"012-000 0003\"}]}");
	json_t *rec = json_array_get(json_object_get(json_array_get(json_object_get(o, "results"), 0), "records"), 0);
	assert_non_null(rec);
	assert_string_equal(jss(rec, "agency"), "MY-NSRC");
	assert_string_equal(jss(rec, "reference"), "IMP-3");
	json_decref(o);

	/* A bad line names its line number (blank lines counted) and field. */
	in = import_file(f, 5, 3, "{\"reference\":\"x\",\"colour\":\"red\"}");
	err_clear(&e);
	assert_int_equal(node_import_reports(f->n, "MY-NSRC", in, 0, NULL, NULL, &st, &e), -1);
	fclose(in);
	assert_int_equal(e.status, 400);
	assert_string_equal(e.field, "colour");
	assert_non_null(strstr(e.msg, "line 4"));   /* line 3 is blank, the bad report is line 4 */
	in = import_file(f, 5, 4, "{not json");
	err_clear(&e);
	assert_int_equal(node_import_reports(f->n, "MY-NSRC", in, 0, NULL, NULL, &st, &e), -1);
	fclose(in);
	assert_non_null(strstr(e.msg, "line 5"));
	assert_non_null(strstr(e.msg, "invalid JSON"));
	in = import_file(f, 5, 4, "{\"selectors\":[{\"type\":\"phone\",\"value\":\"1\",\"xxx\":1}]}");
	err_clear(&e);
	assert_int_equal(node_import_reports(f->n, "MY-NSRC", in, 0, NULL, NULL, &st, &e), -1);
	fclose(in);
	assert_string_equal(e.field, "selectors[0].xxx");
	/* Nothing of those failing batches was kept. */
	chain_ok(f, &ss);
	assert_true(ss.reports == r0 + 5);
	/* Unknown agency. */
	in = import_file(f, 1, -1, NULL);
	err_clear(&e);
	assert_int_equal(node_import_reports(f->n, "NO-SUCH", in, 0, NULL, NULL, &st, &e), -1);
	fclose(in);
	assert_int_equal(e.status, 404);

	/* The default transaction (about a second) holds whole batches: a bad
	 * report at 1,200 of 1,500 after a fast first batch commits nothing,
	 * and says so. */
	in = import_file(f, 1500, 1200, "{\"loss\":{\"amount\":-1,\"currency\":\"MYR\"}}");
	err_clear(&e);
	node_set_import_commit_ms(f->n, 60000);
	assert_int_equal(node_import_reports(f->n, "TH-AOC", in, 0, NULL, NULL, &st, &e), -1);
	fclose(in);
	assert_non_null(strstr(e.msg, "line 1201"));
	assert_true(st.committed_reports == 0 && st.committed_lines == 0);
	chain_ok(f, &ss);
	assert_true(ss.reports == r0 + 5);

	/* Batches: 1,500 reports with a bad one at report 1,200 (file line
	 * 1,201: one blank line after report 2). With a commit per batch the
	 * first batch of 1,000 stays; the failing batch (reports
	 * 1,001..1,199) is rolled back. */
	node_set_import_commit_ms(f->n, 0);
	in = import_file(f, 1500, 1200, "{\"loss\":{\"amount\":-1,\"currency\":\"MYR\"}}");
	err_clear(&e);
	assert_int_equal(node_import_reports(f->n, "TH-AOC", in, 0, NULL, NULL, &st, &e), -1);
	fclose(in);
	assert_string_equal(e.field, "loss.amount");
	assert_non_null(strstr(e.msg, "line 1201"));
	assert_true(st.committed_reports == 1000 && st.committed_lines == 1001);
	chain_ok(f, &ss);
	assert_true(ss.reports == r0 + 5 + 1000);
	o = check_ok(f, &f->th, "{\"selectors\":[{\"key\":\"url:http://scam999.example.com/\"},"
	    "{\"key\":\"url:http://scam1000.example.com/\"},{\"key\":\"url:http://scam1001.example.com/\"},"
	    "{\"key\":\"url:http://scam1199.example.com/\"}]}");
	json_t *res = json_object_get(o, "results");
	assert_true(json_is_true(json_object_get(json_array_get(res, 0), "hit")));
	assert_true(json_is_true(json_object_get(json_array_get(res, 1), "hit")));
	assert_true(json_is_false(json_object_get(json_array_get(res, 2), "hit")));
	assert_true(json_is_false(json_object_get(json_array_get(res, 3), "hit")));
	json_decref(o);
	/* Resume after the committed lines with the line fixed: 1,500 in all,
	 * none twice. 1,000 reports = file lines 1..1,001 (blank line 3). */
	in = import_file(f, 1500, -1, NULL);
	err_clear(&e);
	assert_int_equal(node_import_reports(f->n, "TH-AOC", in, st.committed_lines, NULL, NULL, &st, &e), 0);
	fclose(in);
	assert_true(st.reports == 500 && st.committed_reports == 500 && st.committed_lines == 1501);
	chain_ok(f, &ss);
	assert_true(ss.reports == r0 + 5 + 1500);
	o = check_ok(f, &f->th, "{\"selectors\":[{\"key\":\"url:http://scam1000.example.com/\"},"
	    "{\"key\":\"url:http://scam1001.example.com/\"},{\"key\":\"url:http://scam1500.example.com/\"}]}");
	res = json_object_get(o, "results");
	for (int i = 0; i < 3; i++) {
		json_t *x = json_array_get(res, i);
		assert_true(json_is_true(json_object_get(x, "hit")));
		assert_int_equal(json_array_size(json_object_get(x, "records")), 1);
	}
	json_decref(o);
}

/* ---- audit and metrics ---------------------------------------------- */

static void
every_operation_is_audited(void **state)
{
	struct fx *f = *state;
	json_t *o, *le;
	struct err e = {0};
	char id[27];
	int64_t n = chain_ok(f, NULL);

#define STEP(action, outcome) do { \
	int64_t m = chain_ok(f, NULL); \
	if (m != n + 1) fail_msg("%s: %lld entries added, expected 1", action, (long long)(m - n)); \
	n = m; \
	le = last_entry(f); \
	assert_string_equal(jss(le, "action"), action); \
	assert_string_equal(jss(le, "outcome"), outcome); \
	json_decref(le); \
} while (0)
	o = create_ok(f, &f->th, example_report);
	str_copy(id, sizeof(id), jss(o, "id"));
	json_decref(o);
	STEP("report.create", "ok");
	le = last_entry(f);
	assert_string_equal(jss(le, "object"), id);
	assert_string_equal(jss(le, "agency"), "TH-AOC");
	assert_string_equal(jss(le, "role"), "analyst");
	assert_string_equal(jss(le, "purpose"), "intake");
	json_decref(le);
	assert_int_equal(get(f, &f->my, id, &o, &e), 0);
	json_decref(o);
	STEP("report.read", "full");
	assert_int_equal(get(f, &f->uk, id, &o, &e), 0);
	json_decref(o);
	STEP("report.read", "hit");
	assert_int_equal(get(f, &f->bank, id, &o, &e), -1);
	STEP("report.read", "refused:404");
	o = check_ok(f, &f->my, "{\"selectors\":[{\"key\":\"" PHONE_KEY "\"}]}");
	json_decref(o);
	STEP("check", "hit");
	o = check_ok(f, &f->my, "{\"selectors\":[{\"key\":\"phone:+60199999999\"}]}");
	json_decref(o);
	STEP("check", "no-hit");
	o = alerts(f, &f->th);
	json_decref(o);
	STEP("alerts.list", "ok");
	assert_int_equal(node_contact_resolve(f->n, &f->uk.c, "01ARZ3NDEKTSV4RRFFQ69G5FAV", &o, &e), -1);
	STEP("contact.resolve", "refused:404");
	struct agency a = { .id = "KH-NCB", .country = "KH", .kind = AK_POLICE };
	assert_int_equal(node_agency_add(f->n, &f->admin.c, &a, &e), 0);
	STEP("agency.add", "ok");
	char tok[TOKSZ];
	assert_int_equal(node_token_create(f->n, &f->admin.c, "KH-NCB", "analyst", NULL, tok, sizeof(tok), NULL, &e), 0);
	STEP("token.create", "ok");
	assert_int_equal(node_audit_verify(f->n, &f->aud.c, &o, &e), 0);
	assert_true(json_is_true(json_object_get(o, "ok")));
	json_decref(o);
	STEP("audit.verify", "intact");
	err_clear(&e);
	assert_int_equal(node_audit_verify(f->n, &f->my.c, &o, &e), -1);
	assert_int_equal(e.status, 403);
	STEP("audit.verify", "refused:403");
#undef STEP
}

static void
metrics_expose_counters(void **state)
{
	struct fx *f = *state;
	struct sbuf b;
	json_t *o;
	char line[128];

	for (int i = 0; i < 3; i++)
		json_decref(create_ok(f, &f->th, example_report));
	o = check_ok(f, &f->my, "{\"selectors\":[{\"key\":\"" PHONE_KEY "\"},{\"key\":\"phone:+60199999999\"}]}");
	json_decref(o);
	sbuf_init(&b, 1 << 16);
	assert_int_equal(node_metrics(f->n, &b), 0);
	const char *want[] = {
		"simpul_reports_created_total 3\n", "simpul_checks_total 1\n", "simpul_check_keys_total 2\n",
		"simpul_check_hits_total 1\n", "simpul_reports 3\n", "# TYPE simpul_checks_total counter\n",
		"# TYPE simpul_reports gauge\n", "simpul_agencies 7\n", NULL
	};
	for (int i = 0; want[i]; i++)
		if (strstr(b.ptr, want[i]) == NULL)
			fail_msg("metrics lack %s\n%s", want[i], b.ptr);
	snprintf(line, sizeof(line), "simpul_audit_chain_length %lld\n", (long long)chain_ok(f, NULL));
	if (strstr(b.ptr, line) == NULL)
		fail_msg("metrics lack %s", line);
	sbuf_free(&b);
	/* A bounded buffer too small for the text is an error, not a cut. */
	sbuf_init(&b, 100);
	assert_int_equal(node_metrics(f->n, &b), -1);
	sbuf_free(&b);
}

/* ---- concurrency ------------------------------------------------------ */

struct thr {
	struct fx  *f;
	struct who *w;
	int         idx;
	int64_t     until_us;
	long        writes, checks, errors;
	char        err[256];
};

static void *
worker(void *arg)
{
	struct thr *t = arg;
	unsigned seed = (unsigned)t->idx * 7919u + 1;

	while (mono_us() < t->until_us) {
		char body[512];
		json_t *in, *out = NULL;
		struct sbuf sb;
		struct err e = {0};
		int k = (int)(rand_r(&seed) % 50);

		snprintf(body, sizeof(body), "{\"reference\":\"T%d\",\"selectors\":[{\"type\":\"phone\","
		    "\"value\":\"+601200%05d\"},{\"type\":\"phone\",\"value\":\"+601300%05d\"}],"
		    "\"markings\":{\"releasable_to\":[\"MEMBERS\"],\"disclosure\":\"%s\"}}",
		    t->idx, k, (int)(rand_r(&seed) % 100000), k % 5 == 0 ? "silent" : "hit");
		in = json_loads(body, 0, NULL);
		if (node_report_create(t->f->n, &t->w->c, in, &out, &e) == 0)
			t->writes++;
		else if (t->errors++ == 0)
			snprintf(t->err, sizeof(t->err), "write: %d %.200s", e.status, e.msg);
		json_decref(in);
		json_decref(out);
		for (int c = 0; c < 3; c++) {
			snprintf(body, sizeof(body), "{\"selectors\":[{\"key\":\"phone:+601200%05d\"},"
			    "{\"key\":\"phone:+601400%05d\"}]}", (int)(rand_r(&seed) % 50), c);
			in = json_loads(body, 0, NULL);
			sbuf_init(&sb, 1u << 20);
			if (node_check(t->f->n, &t->w->c, in, &sb, &e) == 0 && sb.len > 0)
				t->checks++;
			else if (t->errors++ == 0)
				snprintf(t->err, sizeof(t->err), "check: %d %.200s", e.status, e.msg);
			sbuf_free(&sb);
			json_decref(in);
		}
	}
	return NULL;
}

static void
concurrent_checks_and_writes(void **state)
{
	struct fx *f = *state;
	struct thr t[8];
	pthread_t th[8];
	struct who *ws[] = { &f->th, &f->my, &f->sg, &f->uk };
	struct store_stats s0, s1;
	int64_t n0 = chain_ok(f, &s0), n1;
	long writes = 0, checks = 0;
	long long rc0 = atomic_load(&node_counters(f->n)->reports_created);
	long long ch0 = atomic_load(&node_counters(f->n)->checks);
	int64_t until = mono_us() + 1000000;

	for (int i = 0; i < 8; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].f = f;
		t[i].w = ws[i % 4];
		t[i].idx = i;
		t[i].until_us = until;
		assert_int_equal(pthread_create(&th[i], NULL, worker, &t[i]), 0);
	}
	for (int i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		if (t[i].errors)
			fail_msg("thread %d: %ld errors, first: %s", i, t[i].errors, t[i].err);
		writes += t[i].writes;
		checks += t[i].checks;
	}
	print_message("# %ld writes and %ld checks in 1 s from 8 threads\n", writes, checks);
	assert_true(writes > 0 && checks > 0);
	n1 = chain_ok(f, &s1);
	assert_true(s1.reports - s0.reports == writes);
	assert_true(s1.postings - s0.postings == 2 * writes);
	assert_true(n1 - n0 == writes + checks);
	assert_true(atomic_load(&node_counters(f->n)->reports_created) - rc0 == writes);
	assert_true(atomic_load(&node_counters(f->n)->checks) - ch0 == checks);
	assert_true(s1.matches > s0.matches);
}

/* ---- fault injection ----------------------------------------------------- */

static sqlite3 *
raw_open(struct fx *f)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
	sqlite3_busy_timeout(db, 10000);
	return db;
}

static void
raw_exec(sqlite3 *db, const char *sql)
{
	char *msg = NULL;

	if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg);
}

static int64_t
raw_count(sqlite3 *db, const char *table)
{
	char sql[128];
	sqlite3_stmt *s;
	int64_t n;

	snprintf(sql, sizeof(sql), "SELECT count(*) FROM %s", table);
	assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(s), SQLITE_ROW);
	n = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return n;
}

struct counts { int64_t reports, content, postings, matches, alerts, audit; };

static struct counts
table_counts(sqlite3 *db)
{
	struct counts c = {
		raw_count(db, "reports"), raw_count(db, "report_content"), raw_count(db, "postings"),
		raw_count(db, "matches"), raw_count(db, "alerts"), raw_count(db, "audit"),
	};
	return c;
}

static void
assert_counts_equal(struct counts a, struct counts b)
{
	assert_true(a.reports == b.reports);
	assert_true(a.content == b.content);
	assert_true(a.postings == b.postings);
	assert_true(a.matches == b.matches);
	assert_true(a.alerts == b.alerts);
	assert_true(a.audit == b.audit);
}

/* A write that fails after its report, postings and match rows are in (the
 * alert insert is made to fail): the caller gets the error, nothing of the
 * write remains, the chain verifies, and the next write works. */
static void
fault_midway_write_rolls_back(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = raw_open(f);
	struct counts c0, c1;
	struct err e;
	json_t *o;

	json_decref(create_ok(f, &f->th, example_report));
	c0 = table_counts(db);
	raw_exec(db, "CREATE TRIGGER fault_alerts BEFORE INSERT ON alerts BEGIN SELECT RAISE(ABORT, 'injected fault'); END");
	create_err(f, &f->my, "{\"selectors\":[{\"type\":\"phone\",\"value\":\"+60123456789\"}],"
	    "\"markings\":{\"releasable_to\":[\"MEMBERS\"]}}", &e);
	assert_true(e.status >= 400);
	assert_non_null(strstr(e.msg, "alert"));
	c1 = table_counts(db);
	assert_counts_equal(c0, c1);
	chain_ok(f, NULL);
	raw_exec(db, "DROP TRIGGER fault_alerts");
	o = create_ok(f, &f->my, "{\"selectors\":[{\"type\":\"phone\",\"value\":\"+60123456789\"}],"
	    "\"markings\":{\"releasable_to\":[\"MEMBERS\"]}}");
	assert_int_equal(json_array_size(json_object_get(o, "matches")), 1);
	json_decref(o);
	c1 = table_counts(db);
	assert_true(c1.reports == c0.reports + 1);
	assert_true(c1.audit == c0.audit + 1);
	assert_true(c1.alerts == c0.alerts + 1);
	chain_ok(f, NULL);
	sqlite3_close(db);
}

/* The audit trail cannot be written: no write is kept and no answer is
 * given without its audit entry. */
static void
fault_audit_unwritable(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = raw_open(f);
	struct counts c0, c1;
	struct err e;
	json_t *o = NULL, *in;
	char id[27];

	o = create_ok(f, &f->th, example_report);
	str_copy(id, sizeof(id), jss(o, "id"));
	json_decref(o);
	c0 = table_counts(db);
	raw_exec(db, "CREATE TRIGGER fault_audit BEFORE INSERT ON audit BEGIN SELECT RAISE(ABORT, 'injected fault'); END");
	create_err(f, &f->my, "{\"selectors\":[{\"type\":\"phone\",\"value\":\"+60123456789\"}]}", &e);
	assert_true(e.status >= 400);
	in = J("{\"selectors\":[{\"key\":\"" PHONE_KEY "\"}]}");
	assert_int_equal(check_err(f, &f->my, in, &e), 500);
	assert_int_equal(get(f, &f->my, id, &o, &e), -1);
	assert_null(o);
	assert_int_equal(e.status, 500);
	c1 = table_counts(db);
	assert_counts_equal(c0, c1);
	raw_exec(db, "DROP TRIGGER fault_audit");
	chain_ok(f, NULL);
	/* Back to normal, and the chain continues from the right head. */
	o = check_ok(f, &f->my, "{\"selectors\":[{\"key\":\"" PHONE_KEY "\"}]}");
	json_decref(o);
	json_decref(create_ok(f, &f->my, "{}"));
	c1 = table_counts(db);
	assert_true(c1.audit == c0.audit + 2);
	chain_ok(f, NULL);
	sqlite3_close(db);
}

/* Another process holds the write lock: writes and audited reads fail with
 * an error (after the busy timeout) instead of hanging or half-writing. */
static void
fault_database_locked(void **state)
{
	struct fx *f = *state;
	sqlite3 *db = raw_open(f);
	struct counts c0, c1;
	struct err e;
	int64_t t0;

	json_decref(create_ok(f, &f->th, example_report));
	c0 = table_counts(db);
	raw_exec(db, "BEGIN IMMEDIATE");
	t0 = mono_us();
	create_err(f, &f->my, "{\"selectors\":[{\"type\":\"phone\",\"value\":\"+60123456789\"}]}", &e);
	assert_int_equal(e.status, 503);
	assert_int_equal(check_err(f, &f->my, J("{\"selectors\":[{\"key\":\"" PHONE_KEY "\"}]}"), &e), 500);
	assert_true(mono_us() - t0 < 30 * 1000000LL);
	raw_exec(db, "ROLLBACK");
	c1 = table_counts(db);
	assert_counts_equal(c0, c1);
	chain_ok(f, NULL);
	json_decref(create_ok(f, &f->my, "{}"));
	json_decref(check_ok(f, &f->my, "{\"selectors\":[{\"key\":\"" PHONE_KEY "\"}]}"));
	c1 = table_counts(db);
	assert_true(c1.reports == c0.reports + 1);
	assert_true(c1.audit == c0.audit + 2);
	chain_ok(f, NULL);
	sqlite3_close(db);
}

static void
json_depth_limit(void **state)
{
	json_t *j = json_object(), *cur = j;

	(void)state;
	for (int i = 0; i < SIMPUL_MAX_JSON_DEPTH; i++) {
		json_t *c = json_object();
		json_object_set_new(cur, "a", c);
		cur = c;
	}
	/* 17 levels of objects: depth 0..16 */
	assert_true(json_depth_ok(j, SIMPUL_MAX_JSON_DEPTH));
	json_object_set_new(cur, "a", json_array());
	assert_false(json_depth_ok(j, SIMPUL_MAX_JSON_DEPTH));
	assert_true(json_depth_ok(j, SIMPUL_MAX_JSON_DEPTH + 1));
	json_decref(j);
	assert_false(json_depth_ok(json_null(), -1));
}


/* ---- the audit spool (spool.h) ----------------------------------------- */

/* Append n "spool.test" entries (one alert for TH-AOC on the first)
 * straight to the spool, as a daemon would have before stopping; and,
 * when torn, half a record after them (a write cut by a crash). */
static void
spool_put(struct fx *f, int n, bool torn)
{
	struct spool *sp;
	struct err e = {0};
	struct sbuf b;
	struct alert_row a = { .created_ms = 7, .payload = "{\"key\":\"phone:+66812345678\"}" };

	str_copy(a.agency_id, sizeof(a.agency_id), "TH-AOC");
	str_copy(a.kind, sizeof(a.kind), "silent_search");
	id_new(a.id);
	assert_int_equal(spool_open(f->path, true, &sp, &e), 0);
	sbuf_init(&b, 1 << 20);
	for (int i = 0; i < n; i++) {
		struct audit_event ev = { .who = &f->my.p, .action = "spool.test", .outcome = "ok" };
		char obj[16], *prefix;
		struct spool_entry en;

		snprintf(obj, sizeof(obj), "n%d", i);
		ev.object = obj;
		assert_non_null(prefix = audit_entry_prefix(&ev, &e));
		en = (struct spool_entry){ .ts_ms = now_ms(), .prefix = prefix,
		    .prefix_len = strlen(prefix), .alerts = &a, .nalerts = i == 0 };
		assert_int_equal(spool_encode(&b, &en, 1), 0);
		free(prefix);
	}
	if (torn) {
		size_t keep = b.len;
		struct audit_event ev = { .who = &f->my.p, .action = "spool.torn" };
		char *prefix = audit_entry_prefix(&ev, &e);
		struct spool_entry en = { .ts_ms = 1, .prefix = prefix, .prefix_len = strlen(prefix) };

		assert_int_equal(spool_encode(&b, &en, 1), 0);
		b.len = keep + (b.len - keep) / 2;
		free(prefix);
	}
	assert_int_equal(spool_append(sp, b.ptr, b.len, &e), 0);
	sbuf_free(&b);
	spool_close(sp);
}

static int
count_action(struct fx *f, const char *action)
{
	struct store *st;
	struct err e = {0};
	sqlite3 *db;
	sqlite3_stmt *q;
	char like[64];
	int c = -1;

	(void)st;
	(void)e;
	snprintf(like, sizeof(like), "%%\"action\":\"%s\"%%", action);
	assert_int_equal(sqlite3_open_v2(f->path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM audit WHERE entry LIKE ?1", -1, &q, NULL), SQLITE_OK);
	sqlite3_bind_text(q, 1, like, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) == SQLITE_ROW)
		c = sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	sqlite3_close(db);
	return c;
}

static void
reopen(struct fx *f, int flags)
{
	struct err e = {0};

	node_close(f->n);
	f->n = NULL;
	if (node_open(f->path, flags | NODE_SYNC_FAST, &f->n, &e) != 0)
		fail_msg("node_open: %s", e.msg);
}

/* A daemon's checks are answered from the spool and reach the chain: all of
 * them, once, chained, after node_audit_flush. A second daemon on the same
 * file cannot take the spool and commits its audits directly. */
static void
spool_daemon_checks_reach_the_chain(void **state)
{
	struct fx *f = *state;
	struct node *second = NULL;
	struct err e = {0};
	int64_t before;
	json_t *j;
	int c0;

	reopen(f, NODE_SPOOL);
	before = chain_ok(f, NULL);
	c0 = count_action(f, "check");
	for (int i = 0; i < 40; i++)
		json_decref(check_ok(f, &f->th, "{\"selectors\":[{\"key\":\"phone:+66812345678\"}]}"));
	assert_int_equal(node_audit_flush(f->n, &e), 0);
	assert_int_equal(count_action(f, "check"), c0 + 40);
	assert_true(chain_ok(f, NULL) >= before + 40);

	assert_int_equal(node_open(f->path, NODE_SPOOL | NODE_SYNC_FAST, &second, &e), 0);
	{
		struct sbuf out;
		json_t *in = J("{\"selectors\":[{\"key\":\"phone:+66812345679\"}]}");

		sbuf_init(&out, CHECK_MAX);
		assert_int_equal(node_check(second, &f->th.c, in, &out, &e), 0);
		json_decref(in);
		sbuf_free(&out);
	}
	/* No flush: the second node had no spool, so it is already there. */
	assert_int_equal(count_action(f, "check"), c0 + 41);
	node_close(second);

	/* Closing the daemon ingests the rest and empties the spool. */
	json_decref(check_ok(f, &f->th, "{\"selectors\":[{\"key\":\"phone:+66812345678\"}]}"));
	reopen(f, 0);
	assert_int_equal(count_action(f, "check"), c0 + 42);
	j = last_entry(f);
	assert_non_null(j);
	json_decref(j);
	chain_ok(f, NULL);
}

/* What a stopped daemon left in the spool is chained by the next process
 * that opens the database, with its alerts; a torn last record (never
 * answered) is dropped; nothing is ingested twice, including records the
 * database already notes as ingested. */
static void
spool_recovery_exactly_once(void **state)
{
	struct fx *f = *state;
	struct store *st;
	struct err e = {0};
	struct spool *sp;
	char pos[64];
	json_t *al;

	node_close(f->n);
	f->n = NULL;
	spool_put(f, 3, true);
	reopen(f, 0);
	assert_int_equal(count_action(f, "spool.test"), 3);
	assert_int_equal(count_action(f, "spool.torn"), 0);
	{
		/* The torn half-record is kept aside, not destroyed. */
		char dp[192];
		struct stat sb;

		snprintf(dp, sizeof(dp), "%s-spool.damaged", f->path);
		assert_int_equal(stat(dp, &sb), 0);
		assert_true(sb.st_size > 0);
		unlink(dp);
	}
	chain_ok(f, NULL);
	al = alerts(f, &f->th);
	assert_true(count_alerts(al, "silent_search") >= 1);
	json_decref(al);
	reopen(f, 0);
	assert_int_equal(count_action(f, "spool.test"), 3);

	/* The database says the first two records of this spool are in: only
	 * the third is ingested. */
	node_close(f->n);
	f->n = NULL;
	spool_put(f, 2, false);
	assert_int_equal(spool_open(f->path, true, &sp, &e), 0);
	snprintf(pos, sizeof(pos), "%016llx:%llu", (unsigned long long)spool_id(sp),
	    (unsigned long long)spool_end(sp));
	spool_close(sp);
	assert_int_equal(store_open(f->path, 0, &st, &e), 0);
	assert_int_equal(store_begin(st, &e), 0);
	assert_int_equal(store_meta_put(st, "audit_spool", pos, &e), 0);
	assert_int_equal(store_commit(st, &e), 0);
	store_close(st);
	spool_put(f, 1, false);
	reopen(f, 0);
	assert_int_equal(count_action(f, "spool.test"), 4);
	chain_ok(f, NULL);
}

/* Records: round trip with alerts; a flipped byte or a cut ends the good
 * part; the lock admits one process at a time; a foreign file is refused. */
static void
spool_file_format(void **state)
{
	struct fx *f = *state;
	struct spool *sp, *sp2;
	struct err e = {0};
	struct sbuf b;
	struct alert_row a = { .created_ms = 9, .payload = "{}" };
	struct spool_entry en[2] = {
		{ .ts_ms = 1, .prefix = "{\"action\":\"a\"", .prefix_len = 13, .alerts = &a, .nalerts = 1 },
		{ .ts_ms = 2, .prefix = "{\"action\":\"b\"", .prefix_len = 13 },
	};
	int64_t one, used;
	char path[192];
	FILE *fp;

	str_copy(a.agency_id, sizeof(a.agency_id), "TH-AOC");
	str_copy(a.kind, sizeof(a.kind), "match");
	id_new(a.id);
	sbuf_init(&b, 1 << 20);
	assert_int_equal(spool_encode(&b, en, 1), 0);
	one = (int64_t)b.len;
	assert_int_equal(spool_encode(&b, en + 1, 1), 0);
	assert_int_equal(spool_decode(b.ptr, b.len, NULL, NULL), (int64_t)b.len);
	assert_int_equal(spool_decode(b.ptr, b.len - 1, NULL, NULL), one);
	b.ptr[one + 30] ^= 1;
	assert_int_equal(spool_decode(b.ptr, b.len, NULL, NULL), one);
	b.ptr[one + 30] ^= 1;
	used = spool_decode(b.ptr, (size_t)one - 1, NULL, NULL);
	assert_int_equal(used, 0);
	sbuf_free(&b);

	/* The node holds nothing here (opened without NODE_SPOOL). */
	assert_int_equal(spool_open(f->path, true, &sp, &e), 0);
	assert_int_equal(spool_open(f->path, true, &sp2, &e), 1);
	assert_int_equal(spool_end(sp), SPOOL_HEADER);
	spool_close(sp);

	snprintf(path, sizeof(path), "%s/other.db", f->dir);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "-spool");
	assert_non_null(fp = fopen(path, "w"));
	fputs("this is not a spool file at all, no", fp);
	fclose(fp);
	path[strlen(path) - 6] = '\0';
	assert_int_equal(spool_open(path, true, &sp, &e), -1);
	assert_non_null(strstr(e.msg, "not a Simpul audit spool"));
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(init_gives_working_admin_token),
		T(agency_add_validation),
		T(agency_add_refuses_reserved_audience_words),
		T(token_create_rules),
		T(authenticate_refusals),
		T(report_create_matches_per_policy),
		T(report_create_refusals_name_the_field),
		T(silent_record_changes_nothing_for_outsiders),
		T(silent_match_alert_on_outsider_write),
		T(silent_record_found_by_originator_and_audience),
		T(report_get_full_hit_404_and_fields),
		T(contact_resolve_only_for_originator),
		T(check_limits_and_fields),
		T(check_answers_per_policy),
		T(import_good_bad_and_batches),
		T(every_operation_is_audited),
		T(metrics_expose_counters),
		T(concurrent_checks_and_writes),
		T(fault_midway_write_rolls_back),
		T(fault_audit_unwritable),
		T(fault_database_locked),
		T(spool_daemon_checks_reach_the_chain),
		T(spool_recovery_exactly_once),
		T(spool_file_format),
		cmocka_unit_test(json_depth_limit),
	};
	return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
