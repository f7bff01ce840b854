/* test_ppp.c - the partnership module (src/lib/ppp.c) in-process on a real
 * SQLite file: the request state machine against a literal table, who may
 * send, read and answer, the timeline and audit of each change, SLA
 * overdue and escalation with an injected clock, the figures, the public
 * check's counts over CLEAR records only, and the screening line parser. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "core.h"
#include "ppp.h"
#include "store.h"
#include "store_ppp.h"

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
	struct who   admin, asc, asc2, th, bank, bank2, telco, aud, pub;
};

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
		fail_msg("agency add %s: %s", id, e.msg);
}

static void
mk_who(struct fx *f, struct who *w, const char *agency, const char *role)
{
	struct err e = {0};

	if (node_token_create(f->n, &f->admin.c, agency, role, "t", w->tok, sizeof(w->tok), NULL, &e) != 0)
		fail_msg("token %s %s: %s", agency, role, e.msg);
	if (node_authenticate(f->n, w->tok, &w->p, &e) != 0)
		fail_msg("auth: %s", e.msg);
	w->c.p = &w->p;
	w->c.purpose = "test";
	w->c.client = "127.0.0.1";
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct err e = {0};

	if (f == NULL)
		return -1;
	str_copy(f->dir, sizeof(f->dir), "/tmp/simpul-ppp-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/node.db", f->dir);
	if (node_open(f->path, NODE_CREATE | NODE_SYNC_FAST, &f->n, &e) != 0 ||
	    node_init(f->n, "NODE-ADMIN", "SG", f->admin.tok, sizeof(f->admin.tok), &e) != 0 ||
	    node_authenticate(f->n, f->admin.tok, &f->admin.p, &e) != 0) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	f->admin.c.p = &f->admin.p;
	add_agency(f, "MY-NSRC", "MY", AK_ASC);
	add_agency(f, "TH-AOC", "TH", AK_ASC);
	add_agency(f, "MY-BANK1", "MY", AK_BANK);
	add_agency(f, "MY-BANK2", "MY", AK_BANK);
	add_agency(f, "TH-TELCO1", "TH", AK_TELCO);
	add_agency(f, "PUBLIC-WEB", "MY", AK_PUBLIC);
	mk_who(f, &f->asc, "MY-NSRC", "analyst");
	mk_who(f, &f->asc2, "MY-NSRC", "supervisor");
	mk_who(f, &f->th, "TH-AOC", "analyst");
	mk_who(f, &f->bank, "MY-BANK1", "partner");
	mk_who(f, &f->bank2, "MY-BANK2", "partner");
	mk_who(f, &f->telco, "TH-TELCO1", "partner");
	mk_who(f, &f->aud, "MY-BANK1", "auditor");
	mk_who(f, &f->pub, "PUBLIC-WEB", "public");
	ppp_set_sla(PA_FREEZE, 900);
	ppp_set_escalation_factor(2);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	char p[192];
	const char *sfx[] = { "node.db", "node.db-wal", "node.db-shm", NULL };

	node_close(f->n);
	for (int i = 0; sfx[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", f->dir, sfx[i]);
		unlink(p);
	}
	rmdir(f->dir);
	free(f);
	return 0;
}

static int64_t
chain_ok(struct fx *f)
{
	struct store *st;
	struct err e = {0};
	int64_t checked = -1;

	if (store_open(f->path, 0, &st, &e) != 0)
		fail_msg("store_open: %s", e.msg);
	if (audit_verify_store(st, &checked, &e) != 0)
		fail_msg("audit chain broken: %s", e.msg);
	store_close(st);
	return checked;
}

/* Every audit entry's (action, outcome) with object obj, as "a=o;a=o". */
struct auditcollect {
	const char *obj;
	char        buf[4096];
};

static int
audit_cb(void *ctx, const struct audit_row *a)
{
	struct auditcollect *ac = ctx;
	json_t *j = json_loads(a->entry, 0, NULL);
	const char *o = jss(j, "object");

	if (o && strcmp(o, ac->obj) == 0) {
		size_t l = strlen(ac->buf);
		snprintf(ac->buf + l, sizeof(ac->buf) - l, "%s%s=%s", l ? ";" : "", jss(j, "action"), jss(j, "outcome"));
	}
	json_decref(j);
	return 0;
}

static const char *
audit_of(struct fx *f, struct auditcollect *ac, const char *obj)
{
	struct store *st;
	struct err e = {0};

	memset(ac, 0, sizeof(*ac));
	ac->obj = obj;
	if (store_open(f->path, 0, &st, &e) != 0)
		fail_msg("store_open: %s", e.msg);
	store_audit_iter(st, 1, audit_cb, ac);
	store_close(st);
	return ac->buf;
}

static char *
report(struct fx *f, struct who *w, const char *acct, const char *markings)
{
	char body[1024];
	json_t *in, *out = NULL;
	struct err e = {0};
	char *id;

	snprintf(body, sizeof(body), "{\"reference\":\"R\",\"selectors\":[{\"type\":\"bank_account\",\"value\":\"%s\","
	    "\"country\":\"MY\",\"bank\":\"MBBEMYKL\",\"role\":\"mule_account\"}],\"markings\":%s}", acct, markings);
	in = J(body);
	if (node_report_create(f->n, &w->c, in, &out, &e) != 0)
		fail_msg("report: %s %s", e.field, e.msg);
	id = strdup(jss(out, "id"));
	json_decref(in);
	json_decref(out);
	return id;
}

static json_t *
req_create(struct fx *f, struct who *w, const char *body, struct err *e)
{
	json_t *in = J(body), *out = NULL;

	err_clear(e);
	if (ppp_request_create(f->n, &w->c, in, &out, e) != 0)
		out = NULL;
	json_decref(in);
	return out;
}

static json_t *
req_answer(struct fx *f, struct who *w, const char *id, const char *body, struct err *e)
{
	json_t *in = J(body), *out = NULL;

	err_clear(e);
	if (ppp_request_answer(f->n, &w->c, id, in, &out, e) != 0)
		out = NULL;
	json_decref(in);
	return out;
}

#define FREEZE "{\"partner\":\"MY-BANK1\",\"action\":\"freeze\",\"selectors\":[{\"type\":\"bank_account\"," \
	"\"value\":\"5123 4567 8901\",\"country\":\"MY\",\"bank\":\"MBBEMYKL\"}]"

/* ---- the state machine ---------------------------------------------------- */

static void
state_machine_table(void **state)
{
	/* allowed[from][to] for the partner (P) and the sender (S), literally. */
	static const char *const table[PS__N][PS__N] = {
		/*             sent  accepted rejected completed withdrawn */
		/* sent */     { "",  "P",     "P",     "P",      "S" },
		/* accepted */ { "",  "",      "P",     "P",      "S" },
		/* rejected */ { "",  "",      "",      "",       ""  },
		/* completed */{ "",  "",      "",      "",       ""  },
		/* withdrawn */{ "",  "",      "",      "",       ""  },
	};
	int allowed = 0;

	(void)state;
	for (int from = 0; from < PS__N; from++)
		for (int to = 0; to < PS__N; to++) {
			bool p = strchr(table[from][to], 'P') != NULL, s = strchr(table[from][to], 'S') != NULL;
			assert_int_equal(ppp_transition_ok(from, to, PARTY_PARTNER), p);
			assert_int_equal(ppp_transition_ok(from, to, PARTY_SENDER), s);
			allowed += p + s;
		}
	assert_int_equal(allowed, 7);
	assert_false(ppp_transition_ok(PS__N, PS_SENT, PARTY_PARTNER));
	assert_false(ppp_transition_ok(PS_SENT, -1, PARTY_PARTNER));
	assert_false(ppp_transition_ok(PS_SENT, PS_ACCEPTED, 7));
	for (int s = 0; s < PS__N; s++)
		assert_int_equal(ppp_status_parse(ppp_status_name(s)), s);
	for (int a = 0; a < PA__N; a++)
		assert_int_equal(ppp_action_parse(ppp_action_name(a)), a);
	assert_int_equal(ppp_status_parse("Sent"), -1);
	assert_int_equal(ppp_action_parse(NULL), -1);
}

static void
actions_fit_partner_kinds(void **state)
{
	(void)state;
	for (int k = 0; k < AK__N; k++) {
		assert_int_equal(ppp_action_fits(PA_FREEZE, k), k == AK_BANK);
		assert_int_equal(ppp_action_fits(PA_BLOCK, k), k == AK_TELCO || k == AK_PLATFORM);
		assert_int_equal(ppp_action_fits(PA_TAKEDOWN, k), k == AK_TELCO || k == AK_PLATFORM);
		assert_int_equal(ppp_action_fits(PA_INFO, k), k == AK_BANK || k == AK_TELCO || k == AK_PLATFORM);
	}
}

static void
sla_parse(void **state)
{
	struct err e = {0};

	(void)state;
	assert_int_equal(ppp_sla_parse("freeze=600", &e), 0);
	assert_int_equal(ppp_sla(PA_FREEZE), 600);
	assert_int_equal(ppp_sla_parse("block=2h", &e), 0);
	assert_int_equal(ppp_sla(PA_BLOCK), 7200);
	assert_int_equal(ppp_sla_parse("info=3d", &e), 0);
	assert_int_equal(ppp_sla(PA_INFO), 259200);
	assert_int_equal(ppp_sla_parse("takedown=10m", &e), 0);
	assert_int_equal(ppp_sla(PA_TAKEDOWN), 600);
	const char *bad[] = { "", "freeze", "freeze=", "freeze=0", "freeze=-5", "thaw=10", "freeze=10y",
		"freeze=1m1", "=10", "freeze=400d", NULL };
	for (int i = 0; bad[i]; i++) {
		err_clear(&e);
		if (ppp_sla_parse(bad[i], &e) != -1)
			fail_msg("accepted %s", bad[i]);
		assert_string_equal(e.field, "sla");
	}
	assert_int_equal(ppp_sla(PA_TAKEDOWN), 600);   /* a refused spec changed nothing */
	ppp_set_sla(PA_FREEZE, 900);
	ppp_set_sla(PA_BLOCK, 3600);
	ppp_set_sla(PA_TAKEDOWN, 14400);
}

/* ---- requests on a node ------------------------------------------------- */

static void
lifecycle(void **state)
{
	struct fx *f = *state;
	struct err e;
	struct auditcollect ac;
	char *rep = report(f, &f->asc, "5123 4567 8901", "{\"tlp\":\"AMBER\",\"releasable_to\":[\"MEMBERS\"]}");
	char body[512], id[27];
	json_t *rq, *got, *a;
	int64_t before = chain_ok(f);

	snprintf(body, sizeof(body), FREEZE ",\"reports\":[\"%s\"],\"note\":\"n1\"}", rep);
	rq = req_create(f, &f->asc, body, &e);
	if (rq == NULL)
		fail_msg("create: %d %s %s", e.status, e.field, e.msg);
	str_copy(id, sizeof(id), jss(rq, "id"));
	assert_string_equal(jss(rq, "status"), "sent");
	assert_string_equal(json_string_value(json_array_get(json_object_get(rq, "reports"), 0)), rep);
	assert_string_equal(jss(json_array_get(json_object_get(rq, "selectors"), 0), "key"),
	    "bank_account:MY:MBBEMYKL:512345678901");
	json_decref(rq);
	/* The partner's view: no reports, no sender principal. */
	assert_int_equal(ppp_request_get(f->n, &f->bank.c, id, &got, &e), 0);
	assert_null(json_object_get(got, "reports"));
	assert_null(json_object_get(got, "from_principal"));
	assert_null(json_object_get(json_array_get(json_object_get(got, "timeline"), 0), "principal"));
	json_decref(got);
	/* Accepted, then completed with the amount; a second completion is refused. */
	a = req_answer(f, &f->bank, id, "{\"status\":\"accepted\"}", &e);
	assert_non_null(a);
	json_decref(a);
	a = req_answer(f, &f->bank, id, "{\"status\":\"completed\",\"amount_frozen\":{\"amount\":250000,\"currency\":\"MYR\"}}", &e);
	assert_non_null(a);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a, "amount_frozen"), "amount")), 250000);
	assert_int_equal(json_array_size(json_object_get(a, "timeline")), 3);
	json_decref(a);
	assert_null(req_answer(f, &f->bank, id, "{\"status\":\"completed\"}", &e));
	assert_int_equal(e.status, 409);
	assert_null(req_answer(f, &f->asc, id, "{\"status\":\"withdrawn\"}", &e));
	assert_int_equal(e.status, 409);
	assert_string_equal(audit_of(f, &ac, id),
	    "request.create=ok;request.read=ok;request.answer=accepted;request.answer=completed;"
	    "request.answer=refused:409;request.answer=refused:409");
	assert_int_equal(chain_ok(f), before + 6);
	free(rep);
}

static void
refusals(void **state)
{
	struct fx *f = *state;
	struct err e;
	char *th_rep = report(f, &f->th, "5123 4567 8902", "{\"tlp\":\"AMBER\",\"releasable_to\":[\"TH\"]}");
	char body[512], id[27];
	json_t *rq, *out = NULL;
	struct who *senders_refused[] = { &f->bank, &f->telco, &f->aud, &f->pub };

	for (size_t i = 0; i < sizeof(senders_refused) / sizeof(*senders_refused); i++) {
		assert_null(req_create(f, senders_refused[i], FREEZE "}", &e));
		assert_int_equal(e.status, 403);
	}
	/* A report the sender may not read is not referenced (same answer as unknown). */
	snprintf(body, sizeof(body), FREEZE ",\"reports\":[\"%s\"]}", th_rep);
	assert_null(req_create(f, &f->asc, body, &e));
	assert_int_equal(e.status, 400);
	assert_string_equal(e.field, "reports[0]");
	assert_null(req_create(f, &f->asc, FREEZE ",\"reports\":[\"01M8G75BDTXG9XS0JWSTV4K1S6\"]}", &e));
	assert_string_equal(e.field, "reports[0]");
	assert_null(req_create(f, &f->asc, "{\"partner\":\"TH-TELCO1\",\"action\":\"freeze\",\"selectors\":[{\"key\":\"phone:+66812345678\"}]}", &e));
	assert_string_equal(e.field, "action");
	assert_null(req_create(f, &f->asc, "{\"partner\":\"TH-AOC\",\"action\":\"info\",\"selectors\":[{\"key\":\"phone:+66812345678\"}]}", &e));
	assert_string_equal(e.field, "partner");
	assert_null(req_create(f, &f->asc, FREEZE ",\"selectors2\":1}", &e));
	assert_string_equal(e.field, "selectors2");

	rq = req_create(f, &f->asc, FREEZE "}", &e);
	assert_non_null(rq);
	str_copy(id, sizeof(id), jss(rq, "id"));
	json_decref(rq);
	/* Others cannot read or answer: the 404 of an unknown id. */
	struct who *outsiders[] = { &f->bank2, &f->th, &f->telco, &f->pub };
	for (size_t i = 0; i < sizeof(outsiders) / sizeof(*outsiders); i++) {
		err_clear(&e);
		assert_int_equal(ppp_request_get(f->n, &outsiders[i]->c, id, &out, &e), -1);
		assert_int_equal(e.status, 404);
		assert_null(req_answer(f, outsiders[i], id, "{\"status\":\"accepted\"}", &e));
		assert_int_equal(e.status, 404);
	}
	/* The sender's agency cannot answer; the partner's auditor cannot either. */
	assert_null(req_answer(f, &f->asc2, id, "{\"status\":\"accepted\"}", &e));
	assert_int_equal(e.status, 403);
	assert_null(req_answer(f, &f->aud, id, "{\"status\":\"accepted\"}", &e));
	assert_int_equal(e.status, 403);
	/* ...but the partner's auditor may read it (its own agency's business). */
	assert_int_equal(ppp_request_get(f->n, &f->aud.c, id, &out, &e), 0);
	json_decref(out);
	/* Lists: the other bank's is empty. */
	assert_int_equal(ppp_request_list(f->n, &f->bank2.c, NULL, &out, &e), 0);
	assert_int_equal(json_array_size(json_object_get(out, "requests")), 0);
	json_decref(out);
	assert_int_equal(ppp_request_list(f->n, &f->bank.c, "sent", &out, &e), 0);
	assert_int_equal(json_array_size(json_object_get(out, "requests")), 1);
	json_decref(out);
	assert_int_equal(ppp_request_list(f->n, &f->bank.c, "completed", &out, &e), 0);
	assert_int_equal(json_array_size(json_object_get(out, "requests")), 0);
	json_decref(out);
	chain_ok(f);
	free(th_rep);
}

static int
count_kind(struct fx *f, struct who *w, const char *kind, const char *id)
{
	json_t *out = NULL, *a;
	struct err e = {0};
	size_t i;
	int n = 0;

	if (node_alerts(f->n, &w->c, 0, 500, &out, &e) != 0)
		fail_msg("alerts: %s", e.msg);
	json_array_foreach(json_object_get(out, "alerts"), i, a)
		n += strcmp(jss(a, "kind"), kind) == 0 &&
		    strcmp(jss(json_object_get(a, "data"), "request"), id) == 0;
	json_decref(out);
	return n;
}

static void
sweep_overdue_escalated(void **state)
{
	struct fx *f = *state;
	struct err e;
	json_t *rq, *got;
	char id[27], id2[27];
	int64_t t0 = now_ms();

	rq = req_create(f, &f->asc, FREEZE "}", &e);
	str_copy(id, sizeof(id), jss(rq, "id"));
	json_decref(rq);
	rq = req_create(f, &f->asc, FREEZE "}", &e);
	str_copy(id2, sizeof(id2), jss(rq, "id"));
	json_decref(rq);
	json_decref(req_answer(f, &f->bank, id2, "{\"status\":\"rejected\"}", &e));
	assert_int_equal(ppp_sweep(f->n, t0 + 899 * 1000, &e), 0);          /* not yet */
	assert_int_equal(ppp_sweep(f->n, t0 + 901 * 1000, &e), 1);          /* overdue (the open one only) */
	assert_int_equal(ppp_sweep(f->n, t0 + 902 * 1000, &e), 0);          /* once */
	assert_int_equal(count_kind(f, &f->asc, "request_overdue", id), 1);
	assert_int_equal(count_kind(f, &f->bank, "request_overdue", id), 1);
	assert_int_equal(count_kind(f, &f->asc, "request_escalated", id), 0);
	assert_int_equal(ppp_sweep(f->n, t0 + 1801 * 1000, &e), 1);         /* 2 × SLA: escalated */
	assert_int_equal(ppp_sweep(f->n, t0 + 9000 * 1000, &e), 0);
	assert_int_equal(count_kind(f, &f->asc, "request_escalated", id), 1);
	assert_int_equal(count_kind(f, &f->bank, "request_escalated", id), 1);
	assert_int_equal(count_kind(f, &f->bank2, "request_escalated", id), 0);
	assert_int_equal(ppp_request_get(f->n, &f->asc.c, id, &got, &e), 0);
	assert_true(json_is_true(json_object_get(got, "overdue")));
	assert_true(json_is_true(json_object_get(got, "escalated")));
	{
		json_t *tl = json_object_get(got, "timeline");
		assert_int_equal(json_array_size(tl), 3);
		assert_string_equal(jss(json_array_get(tl, 1), "status"), "overdue");
		assert_string_equal(jss(json_array_get(tl, 2), "status"), "escalated");
		assert_true(json_is_null(json_object_get(json_array_get(tl, 2), "agency")));
	}
	json_decref(got);
	/* Closed requests are never swept. */
	json_decref(req_answer(f, &f->bank, id, "{\"status\":\"completed\"}", &e));
	assert_int_equal(ppp_sweep(f->n, t0 + 99999 * 1000, &e), 0);
	chain_ok(f);
}

static void
stats_figures(void **state)
{
	struct fx *f = *state;
	struct err e;
	json_t *rq, *s, *fr;
	char id[27];

	for (int i = 0; i < 3; i++) {
		rq = req_create(f, &f->asc, FREEZE "}", &e);
		str_copy(id, sizeof(id), jss(rq, "id"));
		json_decref(rq);
		json_decref(req_answer(f, &f->bank, id, i < 2 ?
		    "{\"status\":\"completed\",\"amount_frozen\":{\"amount\":100,\"currency\":\"MYR\"}}" :
		    "{\"status\":\"completed\",\"amount_frozen\":{\"amount\":5,\"currency\":\"THB\"},"
		    "\"amount_recovered\":{\"amount\":4,\"currency\":\"THB\"}}", &e));
	}
	assert_int_equal(ppp_stats(f->n, &f->asc.c, "year", &s, &e), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "requests"), "completed")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "request_to_freeze"), "count")), 3);
	fr = json_object_get(s, "frozen");
	assert_int_equal(json_array_size(fr), 2);   /* MYR and THB lines, sorted by currency */
	assert_string_equal(jss(json_array_get(fr, 0), "currency"), "MYR");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(fr, 0), "amount")), 200);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(fr, 0), "requests")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(json_object_get(s, "recovered"), 0), "amount")), 4);
	assert_int_equal(strlen(jss(json_array_get(fr, 0), "period")), 4);
	json_decref(s);
	assert_int_equal(ppp_stats(f->n, &f->bank2.c, NULL, &s, &e), 0);
	assert_int_equal(json_array_size(json_object_get(s, "frozen")), 0);   /* not its requests */
	json_decref(s);
	assert_int_equal(ppp_stats(f->n, &f->pub.c, NULL, &s, &e), -1);
	assert_int_equal(e.status, 403);
	assert_int_equal(ppp_stats(f->n, &f->asc.c, "week", &s, &e), -1);
	assert_string_equal(e.field, "period");
	{
		struct sbuf b;
		sbuf_init(&b, 1 << 20);
		assert_int_equal(ppp_metrics(f->n, &b), 0);
		assert_non_null(strstr(b.ptr, "simpul_frozen_minor_units_total{partner=\"MY-BANK1\",currency=\"MYR\"} 200\n"));
		assert_non_null(strstr(b.ptr, "simpul_requests{status=\"completed\"} 3\n"));
		assert_non_null(strstr(b.ptr, "simpul_request_to_freeze_seconds_count 3\n"));
		sbuf_free(&b);
	}
}

/* ---- the public check ---------------------------------------------------- */

static json_t *
pub_check(struct fx *f, const char *body)
{
	static const struct principal anon = { .id = "anonymous", .role = ROLE_PUBLIC };
	struct reqctx c = { .p = &anon, .client = "198.51.100.9" };
	struct sbuf out;
	struct err e = {0};
	json_t *j;

	sbuf_init(&out, 1 << 20);
	if (ppp_public_check(f->n, &c, body, strlen(body), &out, &e) != 0)
		fail_msg("public check: %d %s %s", e.status, e.field, e.msg);
	j = J(out.ptr);
	sbuf_free(&out);
	return j;
}

static void
public_check_clear_only(void **state)
{
	struct fx *f = *state;
	const char *q = "{\"selectors\":[{\"key\":\"bank_account:MY:MBBEMYKL:111122223333\"},"
	    "{\"key\":\"bank_account:MY:MBBEMYKL:444455556666\"},{\"key\":\"bank_account:MY:MBBEMYKL:777788889999\"}]}";
	json_t *a, *b, *r;
	char *ids[12];
	int k = 0;
	struct err e = {0};
	struct sbuf out;
	static const struct principal anon = { .id = "anonymous", .role = ROLE_PUBLIC };
	struct reqctx c = { .p = &anon };

	ids[k++] = report(f, &f->asc, "1111 2222 3333", "{\"tlp\":\"CLEAR\"}");
	ids[k++] = report(f, &f->th, "1111 2222 3333", "{\"tlp\":\"CLEAR\"}");
	a = pub_check(f, q);
	r = json_array_get(json_object_get(a, "results"), 0);
	assert_int_equal(json_integer_value(json_object_get(r, "reports")), 2);
	assert_int_equal(json_integer_value(json_object_get(r, "countries")), 2);
	assert_int_equal(strlen(jss(r, "last_seen")), 10);
	/* Everything not CLEAR, or silent, on the same keys and on others. */
	ids[k++] = report(f, &f->asc, "1111 2222 3333", "{\"tlp\":\"AMBER\",\"releasable_to\":[\"MEMBERS\"]}");
	ids[k++] = report(f, &f->th, "1111 2222 3333", "{\"tlp\":\"GREEN\",\"releasable_to\":[\"ALL_LE\"]}");
	ids[k++] = report(f, &f->asc, "1111 2222 3333", "{\"tlp\":\"RED\",\"releasable_to\":[\"MY-BANK1\"]}");
	ids[k++] = report(f, &f->th, "1111 2222 3333", "{\"tlp\":\"CLEAR\",\"disclosure\":\"silent\"}");
	ids[k++] = report(f, &f->asc, "1111 2222 3333", "{\"tlp\":\"AMBER\",\"disclosure\":\"silent\"}");
	ids[k++] = report(f, &f->bank, "1111 2222 3333", "{\"tlp\":\"AMBER\",\"releasable_to\":[\"PRIVATE\"]}");
	ids[k++] = report(f, &f->asc, "4444 5555 6666", "{\"tlp\":\"AMBER\",\"releasable_to\":[\"MEMBERS\"]}");
	ids[k++] = report(f, &f->th, "7777 8888 9999", "{\"tlp\":\"AMBER\",\"disclosure\":\"silent\"}");
	b = pub_check(f, q);
	assert_true(json_equal(json_array_get(json_object_get(a, "results"), 0),
	    json_array_get(json_object_get(b, "results"), 0)));
	for (int i = 1; i < 3; i++) {
		r = json_array_get(json_object_get(b, "results"), (size_t)i);
		assert_int_equal(json_integer_value(json_object_get(r, "reports")), 0);
		assert_int_equal(json_integer_value(json_object_get(r, "countries")), 0);
		assert_true(json_is_null(json_object_get(r, "last_seen")));
		assert_int_equal(json_object_size(r), 5);
	}
	json_decref(a);
	json_decref(b);
	/* Refusals: bad body, bad key, over the public batch. */
	sbuf_init(&out, 1 << 20);
	assert_int_equal(ppp_public_check(f->n, &c, "{", 1, &out, &e), -1);
	assert_string_equal(e.field, "body");
	err_clear(&e);
	{
		const char *bk = "{\"selectors\":[{\"key\":\"x\"}]}";
		assert_int_equal(ppp_public_check(f->n, &c, bk, strlen(bk), &out, &e), -1);
	}
	assert_string_equal(e.field, "selectors[0].key");
	{
		struct sbuf big;
		sbuf_init(&big, 1 << 20);
		sbuf_adds(&big, "{\"selectors\":[");
		for (int i = 0; i < 101; i++)
			sbuf_printf(&big, "%s{\"key\":\"phone:+6012345%04d\"}", i ? "," : "", i);
		sbuf_adds(&big, "]}");
		err_clear(&e);
		assert_int_equal(ppp_public_check(f->n, &c, big.ptr, big.len, &out, &e), -1);
		assert_int_equal(e.status, 413);
		sbuf_free(&big);
	}
	sbuf_free(&out);
	for (int i = 0; i < k; i++)
		free(ids[i]);
	chain_ok(f);
}

/* ---- screening -------------------------------------------------------------- */

static void
screen_line_parser(void **state)
{
	struct err e = {0};
	json_t *h, *it;
	const char *hl = "customer,type,value,country,bank\n";

	(void)state;
	h = ppp_screen_header(hl, strlen(hl), &e);
	assert_non_null(h);
	const char *l1 = "c1,bank_account,\"5123 4567, 8901\",MY,MBBEMYKL\r\n";
	const char *l2 = "c2,url,\"http://x.example/\"\"q\",,\n";
	it = ppp_screen_line(l1, strlen(l1), SCREEN_CSV, h, &e);
	assert_non_null(it);
	assert_string_equal(jss(it, "value"), "5123 4567, 8901");
	assert_null(json_object_get(it, "customer"));           /* the partner's own column */
	json_decref(it);
	it = ppp_screen_line(l2, strlen(l2), SCREEN_CSV, h, &e);
	assert_non_null(it);
	assert_string_equal(jss(it, "value"), "http://x.example/\"q");
	assert_null(json_object_get(it, "country"));            /* empty field = absent */
	json_decref(it);
	const char *bad[] = { "c3,phone,\"open,,\n", "c4,phone,x\"y,,\n", "c5,phone,\"a\"b,,\n", "c6,phone\n",
		"a,b,c,d,e,f\n", NULL };
	for (int i = 0; bad[i]; i++) {
		err_clear(&e);
		if ((it = ppp_screen_line(bad[i], strlen(bad[i]), SCREEN_CSV, h, &e)) != NULL)
			fail_msg("accepted %s", bad[i]);
		assert_string_equal(e.field, "line");
	}
	json_decref(h);
	const char *badh[] = { "customer,value\n", "type,type,value\n", "\"unterminated\n", "", NULL };
	for (int i = 0; badh[i]; i++) {
		err_clear(&e);
		if ((h = ppp_screen_header(badh[i], strlen(badh[i]), &e)) != NULL)
			fail_msg("accepted header %s", badh[i]);
	}
	it = ppp_screen_line("{\"key\":\"phone:+60123456789\"}", 28, SCREEN_JSONL, NULL, &e);
	assert_non_null(it);
	json_decref(it);
	assert_null(ppp_screen_line("[1]", 3, SCREEN_JSONL, NULL, &e));
	assert_null(ppp_screen_line("{\"a\":1,\"a\":2}", 13, SCREEN_JSONL, NULL, &e));
}

static void
screen_stream(void **state)
{
	struct fx *f = *state;
	struct screen_stats st;
	struct err e = {0};
	char *in_buf = NULL, *out_buf = NULL;
	size_t in_len = 0, out_len = 0;
	FILE *in = open_memstream(&in_buf, &in_len), *out;
	char *rep = report(f, &f->asc, "9999 0000 1111", "{\"tlp\":\"AMBER\",\"releasable_to\":[\"PRIVATE\"]}");
	int lines = 0;

	fputs("type,value,country,bank\n", in);
	for (int i = 0; i < 2100; i++)
		fprintf(in, "bank_account,%s,MY,MBBEMYKL\n", i == 1500 ? "9999 0000 1111" : i == 3 ? "" : "1234 5678");
	fclose(in);
	in = fmemopen(in_buf, in_len, "r");
	out = open_memstream(&out_buf, &out_len);
	assert_int_equal(ppp_screen(f->n, &f->bank.c, in, SCREEN_CSV, out, NULL, NULL, &st, &e), 0);
	fclose(in);
	fclose(out);
	assert_int_equal(st.lines, 2100);
	assert_int_equal(st.checked, 2099);
	assert_int_equal(st.flagged, 1);
	for (char *p = out_buf; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	assert_int_equal(lines, 2101);
	assert_non_null(strstr(out_buf, "\n1501,\"bank_account:MY:MBBEMYKL:999900001111\",true,true,1,"));
	assert_non_null(strstr(out_buf, "\n4,,,,,,\""));
	/* A public principal may not screen at all. */
	free(out_buf);
	out_buf = NULL;
	in = fmemopen(in_buf, in_len, "r");
	out = open_memstream(&out_buf, &out_len);
	assert_int_equal(ppp_screen(f->n, &f->pub.c, in, SCREEN_CSV, out, NULL, NULL, &st, &e), -1);
	assert_int_equal(e.status, 403);
	fclose(in);
	fclose(out);
	free(in_buf);
	free(out_buf);
	free(rep);
}

/* Percentiles and sums on known times: rows written through the store with
 * chosen timestamps (the API stamps the clock), figures checked exactly. */
static void
figures_exact(void **state)
{
	struct fx *f = *state;
	struct store *st;
	struct err e = {0};
	json_t *s, *fr;
	/* request→freeze durations in seconds: nearest rank over 10 values. */
	const int64_t dur[10] = { 300, 60, 120, 900, 180, 240, 600, 30, 90, 1800 };
	const int64_t day0 = 20000LL * 86400000LL;   /* 2024-10-04 UTC */

	assert_int_equal(store_open(f->path, 0, &st, &e), 0);
	assert_int_equal(store_begin(st, &e), 0);
	for (int i = 0; i < 10; i++) {
		struct req_row r;
		memset(&r, 0, sizeof(r));
		id_new(r.id);
		str_copy(r.from_agency, sizeof(r.from_agency), "MY-NSRC");
		str_copy(r.from_principal, sizeof(r.from_principal), f->asc.p.id);
		str_copy(r.partner, sizeof(r.partner), i < 7 ? "MY-BANK1" : "MY-BANK2");
		str_copy(r.action, sizeof(r.action), "freeze");
		str_copy(r.status, sizeof(r.status), "completed");
		r.created_ms = day0 + (i < 5 ? 0 : 40LL * 86400000LL) + i * 1000;   /* two months */
		r.first_report_ms = r.created_ms - (i + 1) * 60000;                    /* 1..10 minutes */
		r.answered_ms = r.closed_ms = r.updated_ms = r.created_ms + dur[i] * 1000;
		r.due_ms = r.created_ms + 900000;
		r.frozen_amount = 1000 + i;
		str_copy(r.frozen_currency, sizeof(r.frozen_currency), "MYR");
		r.recovered_amount = -1;
		r.body = (char *)"{}";
		assert_int_equal(store_req_put(st, &r, &e), 0);
	}
	assert_int_equal(store_commit(st, &e), 0);
	store_close(st);
	assert_int_equal(ppp_stats(f->n, &f->asc.c, "month", &s, &e), 0);
	/* sorted: 30 60 90 120 180 240 300 600 900 1800: median = 5th = 180, p90 = 9th = 900 */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "request_to_freeze"), "median_ms")), 180000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "request_to_freeze"), "p90_ms")), 900000);
	/* report→request: 1..10 minutes: median 5, p90 9 */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "report_to_request"), "median_ms")), 300000);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "report_to_request"), "p90_ms")), 540000);
	/* Answered after the 15-minute SLA: 1800 s (the 900 s one is on time). */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "requests"), "overdue")), 1);
	fr = json_object_get(s, "frozen");
	/* 2024-10: i 0..4 (MY-BANK1); 2024-11: i 5,6 (MY-BANK1), 7..9 (MY-BANK2) */
	assert_int_equal(json_array_size(fr), 3);
	assert_string_equal(jss(json_array_get(fr, 0), "period"), "2024-10");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(fr, 0), "amount")), 1000 + 1001 + 1002 + 1003 + 1004);
	assert_string_equal(jss(json_array_get(fr, 1), "period"), "2024-11");
	assert_string_equal(jss(json_array_get(fr, 1), "partner"), "MY-BANK1");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(fr, 1), "amount")), 1005 + 1006);
	assert_string_equal(jss(json_array_get(fr, 2), "partner"), "MY-BANK2");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(fr, 2), "requests")), 3);
	json_decref(s);
	/* The bank sees its own seven only. */
	assert_int_equal(ppp_stats(f->n, &f->bank.c, "year", &s, &e), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(s, "request_to_freeze"), "count")), 7);
	fr = json_object_get(s, "frozen");
	assert_int_equal(json_array_size(fr), 1);
	assert_string_equal(jss(json_array_get(fr, 0), "period"), "2024");
	json_decref(s);
}

static int
keys_cb(void *ctx, const char *key, size_t len)
{
	struct sbuf *b = ctx;

	sbuf_add(b, key, len);
	sbuf_addc(b, ';');
	return 0;
}

/* The public check's filter is fed with the keys of CLEAR, non-silent
 * reports only, and its watermark moves past every report. */
static void
clear_keys_feed(void **state)
{
	struct fx *f = *state;
	struct store *st;
	struct err e = {0};
	struct sbuf b;
	int64_t upto = -1;
	char *ids[5];

	ids[0] = report(f, &f->asc, "1000 0000 0001", "{\"tlp\":\"CLEAR\"}");
	ids[1] = report(f, &f->asc, "1000 0000 0002", "{\"tlp\":\"AMBER\",\"releasable_to\":[\"MEMBERS\"]}");
	ids[2] = report(f, &f->th, "1000 0000 0003", "{\"tlp\":\"CLEAR\",\"disclosure\":\"silent\"}");
	ids[3] = report(f, &f->th, "1000 0000 0004", "{\"tlp\":\"GREEN\",\"releasable_to\":[\"ALL_LE\"]}");
	assert_int_equal(store_open(f->path, STORE_READONLY, &st, &e), 0);
	sbuf_init(&b, 1 << 16);
	assert_int_equal(store_clear_keys_since(st, 0, &upto, keys_cb, &b), 0);
	assert_string_equal(b.ptr, "bank_account:MY:MBBEMYKL:100000000001;");
	assert_int_equal(upto, 4);
	sbuf_reset(&b);
	assert_int_equal(store_clear_keys_since(st, upto, &upto, keys_cb, &b), 0);
	assert_int_equal(b.len, 0);
	assert_int_equal(upto, 4);
	store_close(st);
	ids[4] = report(f, &f->th, "1000 0000 0005", "{\"tlp\":\"CLEAR\"}");
	assert_int_equal(store_open(f->path, STORE_READONLY, &st, &e), 0);
	assert_int_equal(store_clear_keys_since(st, upto, &upto, keys_cb, &b), 0);
	assert_string_equal(b.ptr, "bank_account:MY:MBBEMYKL:100000000005;");
	assert_int_equal(upto, 5);
	store_close(st);
	sbuf_free(&b);
	for (int i = 0; i < 5; i++)
		free(ids[i]);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(state_machine_table),
		cmocka_unit_test(actions_fit_partner_kinds),
		cmocka_unit_test(sla_parse),
		cmocka_unit_test(screen_line_parser),
		T(lifecycle),
		T(refusals),
		T(sweep_overdue_escalated),
		T(stats_figures),
		T(figures_exact),
		T(public_check_clear_only),
		T(clear_keys_feed),
		T(screen_stream),
	};
	return cmocka_run_group_tests_name("ppp", tests, NULL, NULL);
}
