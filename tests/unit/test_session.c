/* test_session.c - web sign-in in-process (src/lib/session.c,
 * store_sqlite_web.c, audit_search.c) on a real SQLite file: users and
 * their argon2id passwords, sessions as expiring tokens, CSRF tokens,
 * sign-out, password changes, and audit search scope. */
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

#include "audit_search.h"
#include "core.h"
#include "session.h"
#include "store.h"

#define PW "correct horse battery staple"

struct fx {
	char             dir[64];
	char             path[128];
	struct node     *n;
	char             admin_tok[128];
	struct principal admin;
	struct reqctx    ac;
};

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct err e = {0};
	struct agency a = { .id = "MY-NSRC", .country = "MY", .kind = AK_ASC, .name = "NSRC" };
	struct agency b = { .id = "MY-BANK1", .country = "MY", .kind = AK_BANK, .name = "Bank" };

	if (f == NULL)
		return -1;
	str_copy(f->dir, sizeof(f->dir), "/tmp/simpul-session-XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/node.db", f->dir);
	if (node_open(f->path, NODE_CREATE | NODE_SYNC_FAST, &f->n, &e) != 0 ||
	    node_init(f->n, "NODE-ADMIN", "SG", f->admin_tok, sizeof(f->admin_tok), &e) != 0 ||
	    node_authenticate(f->n, f->admin_tok, &f->admin, &e) != 0 ||
	    node_agency_add(f->n, NULL, &a, &e) != 0 || node_agency_add(f->n, NULL, &b, &e) != 0) {
		fprintf(stderr, "setup: %s\n", e.msg);
		return -1;
	}
	f->ac.p = &f->admin;
	if (node_user_add(f->n, NULL, "MY-NSRC", "analyst", "my.analyst", "Aminah", PW, NULL, &e) != 0) {
		fprintf(stderr, "user add: %s\n", e.msg);
		return -1;
	}
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

static void
usernames(void **state)
{
	assert_true(username_valid("my.analyst"));
	assert_true(username_valid("a@b-c_d"));
	assert_true(username_valid("abc"));
	assert_false(username_valid("ab"));
	assert_false(username_valid("My.Analyst"));   /* lower case only */
	assert_false(username_valid(".hidden"));
	assert_false(username_valid("two words"));
	assert_false(username_valid("x/y"));
	assert_false(username_valid(""));
	assert_false(username_valid(NULL));
	char longname[80];
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_false(username_valid(longname));
}

static void
user_add_rules(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	struct principal p;
	struct reqctx analyst;

	assert_int_equal(node_user_add(f->n, &f->ac, "MY-NSRC", "investigator", "my.inv", NULL, PW, &p, &e), 0);
	assert_string_equal(p.agency.id, "MY-NSRC");
	assert_int_equal(p.role, ROLE_INVESTIGATOR);
	err_clear(&e);
	assert_int_equal(node_user_add(f->n, NULL, "MY-NSRC", "analyst", "my.analyst", NULL, PW, NULL, &e), -1);
	assert_int_equal(e.status, 409);
	err_clear(&e);
	assert_int_equal(node_user_add(f->n, NULL, "MY-NSRC", "analyst", "my.short", NULL, "123456789", NULL, &e), -1);
	assert_string_equal(e.field, "password");
	err_clear(&e);
	assert_int_equal(node_user_add(f->n, NULL, "MY-BANK1", "analyst", "bank.analyst", NULL, PW, NULL, &e), -1);
	assert_string_equal(e.field, "role");
	err_clear(&e);
	assert_int_equal(node_user_add(f->n, NULL, "NO-SUCH", "analyst", "x.analyst", NULL, PW, NULL, &e), -1);
	assert_int_equal(e.status, 404);
	/* Only an admin may add users. */
	analyst.p = &p;
	err_clear(&e);
	assert_int_equal(node_user_add(f->n, &analyst, "MY-NSRC", "analyst", "sneaky", NULL, PW, NULL, &e), -1);
	assert_int_equal(e.status, 403);
	err_clear(&e);
	assert_int_equal(node_user_passwd(f->n, &analyst, "my.analyst", "another password", &e), -1);
	assert_int_equal(e.status, 403);
}

static void
password_sessions(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	struct principal p, q;
	struct reqctx c = { .client = "192.0.2.1" };
	char s[128], s2[128], csrf[SESSION_CSRF_LEN + 1];
	int64_t until = 0;

	assert_int_equal(node_session_password(f->n, &c, "my.analyst", PW, s, sizeof(s), &p, &until, &e), 0);
	assert_true(until > now_ms() + 11 * 3600 * 1000LL);
	assert_string_equal(p.agency.id, "MY-NSRC");
	/* The session authenticates through the one token path. */
	assert_int_equal(node_authenticate(f->n, s, &q, &e), 0);
	assert_string_equal(q.id, p.id);
	/* CSRF: derived from the session, checked in constant time. */
	session_csrf(s, csrf);
	assert_int_equal(strlen(csrf), SESSION_CSRF_LEN);
	assert_true(session_csrf_ok(s, csrf));
	csrf[0] = csrf[0] == 'A' ? 'B' : 'A';
	assert_false(session_csrf_ok(s, csrf));
	assert_false(session_csrf_ok(s, ""));
	assert_false(session_csrf_ok(s, NULL));
	/* Wrong password, unknown user: the same refusal. */
	err_clear(&e);
	assert_int_equal(node_session_password(f->n, &c, "my.analyst", "wrong password", s2, sizeof(s2), &q, NULL, &e), -1);
	assert_int_equal(e.status, 401);
	char m1[sizeof(e.msg)];
	str_copy(m1, sizeof(m1), e.msg);
	err_clear(&e);
	assert_int_equal(node_session_password(f->n, &c, "no.such.user", PW, s2, sizeof(s2), &q, NULL, &e), -1);
	assert_int_equal(e.status, 401);
	assert_string_equal(e.msg, m1);
	/* Sign out: the session stops working at once in this process. */
	struct reqctx mine = { .p = &p };
	err_clear(&e);
	assert_int_equal(node_session_end(f->n, &mine, s, &e), 0);
	assert_int_equal(node_authenticate(f->n, s, &q, &e), -1);
	/* Not someone else's session, not an API token. */
	assert_int_equal(node_session_password(f->n, &c, "my.analyst", PW, s2, sizeof(s2), &p, NULL, &e), 0);
	struct reqctx adm = { .p = &f->admin };
	err_clear(&e);
	assert_int_equal(node_session_end(f->n, &adm, s2, &e), -1);
	assert_int_equal(e.status, 400);
	err_clear(&e);
	assert_int_equal(node_session_end(f->n, &adm, f->admin_tok, &e), -1);
	assert_int_equal(node_authenticate(f->n, f->admin_tok, &q, &e), 0);
}

static void
token_sessions_and_passwd(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	struct principal p, q;
	struct reqctx c = {0};
	char s[128], s2[128];

	assert_int_equal(node_session_token(f->n, &c, f->admin_tok, s, sizeof(s), &p, NULL, &e), 0);
	assert_string_not_equal(s, f->admin_tok);
	assert_string_equal(p.id, f->admin.id);
	err_clear(&e);
	assert_int_equal(node_session_token(f->n, &c, "spl_bogus", s2, sizeof(s2), &p, NULL, &e), -1);
	assert_int_equal(e.status, 401);
	/* A password change ends the user's sessions (never authenticated
	 * before, so not in the token cache). */
	err_clear(&e);
	assert_int_equal(node_session_password(f->n, &c, "my.analyst", PW, s2, sizeof(s2), &p, NULL, &e), 0);
	assert_int_equal(node_user_passwd(f->n, &f->ac, "my.analyst", "a brand new password", &e), 0);
	assert_int_equal(node_authenticate(f->n, s2, &q, &e), -1);
	err_clear(&e);
	assert_int_equal(node_session_password(f->n, &c, "my.analyst", PW, s2, sizeof(s2), &p, NULL, &e), -1);
	assert_int_equal(node_session_password(f->n, &c, "my.analyst", "a brand new password", s2, sizeof(s2), &p, NULL, &e), 0);
	err_clear(&e);
	assert_int_equal(node_user_passwd(f->n, NULL, "no.such", "a brand new password", &e), -1);
	assert_int_equal(e.status, 404);
}

static void
audit_search_scope(void **state)
{
	struct fx *f = *state;
	struct err e = {0};
	struct principal aud, an;
	struct reqctx ca, cn;
	struct audit_query q = { .limit = 200 };
	json_t *out = NULL, *x;
	size_t i;
	char tok[128];

	assert_int_equal(node_token_create(f->n, NULL, "MY-NSRC", "auditor", "aud", tok, sizeof(tok), &aud, &e), 0);
	assert_int_equal(node_token_create(f->n, NULL, "MY-NSRC", "analyst", "an", tok, sizeof(tok), &an, &e), 0);
	ca.p = &aud; ca.purpose = NULL; ca.case_ref = NULL; ca.client = NULL; ca.defer = NULL;
	cn = ca;
	cn.p = &an;
	/* The admin sees everything, newest first. */
	assert_int_equal(node_audit_search(f->n, &f->ac, &q, &out, &e), 0);
	assert_string_equal(json_string_value(json_object_get(out, "scope")), "all");
	x = json_object_get(out, "entries");
	assert_true(json_array_size(x) >= 5);
	assert_true(json_integer_value(json_object_get(json_array_get(x, 0), "seq")) >
	    json_integer_value(json_object_get(json_array_get(x, 1), "seq")));
	json_decref(out);
	/* An agency's auditor sees its agency's entries only. */
	assert_int_equal(node_audit_search(f->n, &ca, &q, &out, &e), 0);
	assert_string_equal(json_string_value(json_object_get(out, "scope")), "agency");
	json_array_foreach(json_object_get(out, "entries"), i, x)
		assert_string_equal(json_string_value(json_object_get(json_object_get(x, "entry"), "agency")), "MY-NSRC");
	json_decref(out);
	/* Filters. */
	q.action = "user.";
	assert_int_equal(node_audit_search(f->n, &f->ac, &q, &out, &e), 0);
	x = json_object_get(out, "entries");
	assert_true(json_array_size(x) >= 1);
	json_array_foreach(x, i, x)
		assert_true(strncmp(json_string_value(json_object_get(json_object_get(x, "entry"), "action")), "user.", 5) == 0);
	json_decref(out);
	/* Paging: one per page walks backwards. */
	q.action = NULL;
	q.limit = 1;
	assert_int_equal(node_audit_search(f->n, &f->ac, &q, &out, &e), 0);
	json_int_t first = json_integer_value(json_object_get(json_array_get(json_object_get(out, "entries"), 0), "seq"));
	q.before = json_integer_value(json_object_get(out, "next_before"));
	assert_int_equal(q.before, first);
	json_decref(out);
	assert_int_equal(node_audit_search(f->n, &f->ac, &q, &out, &e), 0);
	assert_true(json_integer_value(json_object_get(json_array_get(json_object_get(out, "entries"), 0), "seq")) < first);
	json_decref(out);
	/* An analyst may not. */
	err_clear(&e);
	assert_int_equal(node_audit_search(f->n, &cn, &q, &out, &e), -1);
	assert_int_equal(e.status, 403);
	assert_null(out);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(usernames),
		T(user_add_rules),
		T(password_sessions),
		T(token_sessions_and_passwd),
		T(audit_search_scope),
	};
	return cmocka_run_group_tests_name("session", tests, NULL, NULL);
}
