/* session.c - users, passwords (argon2id) and web sessions; see session.h. */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <sodium.h>
#include <string.h>
#include <time.h>

#include "core_int.h"
#include "session.h"
#include "simpul_limits.h"
#include "store.h"

#define TOKEN_PREFIX "spl_"

static pthread_once_t pw_once = PTHREAD_ONCE_INIT;
static sem_t pw_sem;
static char dummy_hash[crypto_pwhash_STRBYTES];
static int pw_ready = -1;

/* The hash checked for an unknown user, so that a refusal takes as long
 * whether the user exists or not. */
static void
pw_setup(void)
{
	char pw[32];

	if (sem_init(&pw_sem, 0, SIMPUL_PWHASH_CONCURRENCY) != 0)
		return;
	randombytes_buf(pw, sizeof(pw));
	if (crypto_pwhash_str(dummy_hash, pw, sizeof(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
		return;
	pw_ready = 0;
}

/* Bound the memory argon2id takes (64 MiB per hash) under a burst of
 * sign-ins: at most SIMPUL_PWHASH_CONCURRENCY at once, others wait 10 s. */
static int
pw_enter(struct err *e)
{
	struct timespec ts;

	pthread_once(&pw_once, pw_setup);
	if (pw_ready != 0) {
		err_set(e, 500, "", "password hashing is not available (out of memory?)");
		return -1;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += 10;
	while (sem_timedwait(&pw_sem, &ts) != 0) {
		if (errno != EINTR) {
			err_set(e, 503, "", "too many sign-ins at once; try again in a few seconds");
			return -1;
		}
	}
	return 0;
}

static void
pw_leave(void)
{
	sem_post(&pw_sem);
}

bool
username_valid(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n < 3 || n > SIMPUL_MAX_USERNAME)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
		if (!alnum && (i == 0 || strchr("._-@", ch) == NULL))
			return false;
	}
	return true;
}

static int
password_check(const char *pw, struct err *e)
{
	size_t n = pw ? strlen(pw) : 0;

	if (n < SIMPUL_MIN_PASSWORD || n > SIMPUL_MAX_PASSWORD || !utf8_valid(pw, n)) {
		err_set(e, 400, "password", "the password must be %d to %d bytes of text",
		    SIMPUL_MIN_PASSWORD, SIMPUL_MAX_PASSWORD);
		return -1;
	}
	return 0;
}

static int
pw_hash(const char *pw, char out[crypto_pwhash_STRBYTES], struct err *e)
{
	int rc;

	if (pw_enter(e) == -1)
		return -1;
	rc = crypto_pwhash_str(out, pw, strlen(pw), crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE);
	pw_leave();
	if (rc != 0) {
		err_set(e, 500, "", "could not hash the password (out of memory)");
		return -1;
	}
	return 0;
}

static bool
is_admin_ctx(const struct reqctx *c)
{
	return c == NULL || (c->p && c->p->role == ROLE_ADMIN);
}

int
node_user_add(struct node *n, const struct reqctx *c, const char *agency_id, const char *role,
    const char *username, const char *name, const char *password, struct principal *out,
    struct err *e)
{
	struct login_row l;
	struct principal p;
	struct store *w;
	int r, rc = -1;

	if (!is_admin_ctx(c)) {
		err_set(e, 403, "", "only an admin may add users");
		return -1;
	}
	if (!username_valid(username)) {
		err_set(e, 400, "username", "a user name is 3-64 characters of a-z 0-9 . _ - @, starting with a letter or digit");
		return -1;
	}
	if ((r = role_parse(role)) < 0) {
		err_set(e, 400, "role", "role must be one of admin, analyst, investigator, supervisor, partner, auditor, public");
		return -1;
	}
	if (name && (strlen(name) > SIMPUL_MAX_NAME || !utf8_valid(name, strlen(name)))) {
		err_set(e, 400, "name", "name must be at most %d bytes of text", SIMPUL_MAX_NAME);
		return -1;
	}
	if (password_check(password, e) == -1)
		return -1;
	memset(&l, 0, sizeof(l));
	/* Hash before taking the write lock: argon2id takes a while. */
	if (pw_hash(password, l.pwhash, e) == -1)
		return -1;
	str_copy(l.username, sizeof(l.username), username);
	memset(&p, 0, sizeof(p));
	if (node_write_begin(n, e) == -1 || (w = node_writer(n)) == NULL)
		goto wipe;
	if (store_login_get(w, username, NULL, NULL) == 0) {
		err_set(e, 409, "username", "the user name %s is taken", username);
		goto out;
	}
	if (store_agency_get(w, agency_id, &p.agency) != 0) {
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
	str_copy(p.name, sizeof(p.name), name && *name ? name : username);
	str_copy(l.principal_id, sizeof(l.principal_id), p.id);
	if (store_principal_put(w, &p, e) == -1 || store_login_put(w, &l, e) == -1)
		goto out;
	{
		json_t *d = json_pack("{s:s, s:s, s:s}", "agency", p.agency.id, "role", role_name(p.role),
		    "username", username);
		rc = node_audit_write(n, c, "user.add", p.id, "ok", d, e);
		json_decref(d);
	}
	if (rc == 0 && out)
		*out = p;
out:
	rc = node_write_end(n, rc, e);
wipe:
	sodium_memzero(l.pwhash, sizeof(l.pwhash));
	return rc;
}

int
node_user_passwd(struct node *n, const struct reqctx *c, const char *username,
    const char *password, struct err *e)
{
	struct login_row l;
	struct store *w;
	char h[crypto_pwhash_STRBYTES];
	int rc = -1;

	if (!is_admin_ctx(c)) {
		err_set(e, 403, "", "only an admin may set passwords");
		return -1;
	}
	if (password_check(password, e) == -1 || pw_hash(password, h, e) == -1)
		return -1;
	if (node_write_begin(n, e) == -1 || (w = node_writer(n)) == NULL)
		goto wipe;
	if (store_login_get(w, username ? username : "", &l, NULL) != 0) {
		err_set(e, 404, "username", "no user %.64s", username ? username : "");
		goto out;
	}
	str_copy(l.pwhash, sizeof(l.pwhash), h);
	l.updated_ms = now_ms();
	if (store_login_put(w, &l, e) == -1 ||
	    store_sessions_revoke(w, l.principal_id, SESSION_LABEL, now_ms()) == -1)
		goto out;
	{
		json_t *d = json_pack("{s:s}", "username", l.username);
		rc = node_audit_write(n, c, "user.passwd", l.principal_id, "ok", d, e);
		json_decref(d);
	}
out:
	rc = node_write_end(n, rc, e);
	sodium_memzero(l.pwhash, sizeof(l.pwhash));
wipe:
	sodium_memzero(h, sizeof(h));
	return rc;
}

/* Mint the session for principal p and audit the sign-in. */
static int
session_mint(struct node *n, const struct reqctx *c, const struct principal *p, const char *method,
    const char *username, char *out, size_t sz, int64_t *expires_ms, struct err *e)
{
	struct reqctx as = { .p = p, .purpose = c ? c->purpose : NULL, .case_ref = c ? c->case_ref : NULL,
		.client = c ? c->client : NULL };
	struct store *w;
	int64_t until = now_ms() + SIMPUL_SESSION_TTL_MS;
	int rc = -1;

	if (node_write_begin(n, e) == -1 || (w = node_writer(n)) == NULL)
		return -1;
	if (node_token_mint(w, p->id, SESSION_LABEL, until, out, sz, e) == 0) {
		char tid[SIMPUL_ID_LEN + 1];
		json_t *d;

		memcpy(tid, out + strlen(TOKEN_PREFIX), SIMPUL_ID_LEN);
		tid[SIMPUL_ID_LEN] = '\0';
		d = json_pack("{s:s}", "method", method);
		if (username)
			json_object_set_new(d, "username", json_string(username));
		if (as.client && *as.client)
			json_object_set_new(d, "client", json_string(as.client));
		rc = node_audit_write(n, &as, "session.create", tid, "ok", d, e);
		json_decref(d);
	}
	rc = node_write_end(n, rc, e);
	if (rc == 0 && expires_ms)
		*expires_ms = until;
	if (rc != 0)
		sodium_memzero(out, sz);
	return rc;
}

static const struct principal anonymous = { .id = "anonymous", .role = ROLE_PUBLIC };

static void
refuse_signin(struct node *n, const struct reqctx *c, const char *object, struct err *e)
{
	struct reqctx a = { .p = &anonymous, .client = c ? c->client : NULL };

	node_count_auth_failure(n);
	err_set(e, 401, "credentials", "wrong user name or password, or an unknown, revoked or expired token");
	node_audit_refusal(n, &a, "session.create", object, 401, "sign-in refused");
}

int
node_session_password(struct node *n, const struct reqctx *c, const char *username,
    const char *password, char *session_out, size_t sz, struct principal *p,
    int64_t *expires_ms, struct err *e)
{
	struct login_row l;
	struct store *st;
	bool found, ok;
	int r;

	if (username == NULL || strlen(username) > SIMPUL_MAX_USERNAME || !utf8_valid(username, strlen(username))) {
		err_set(e, 400, "username", "a user name is at most %d bytes of text", SIMPUL_MAX_USERNAME);
		return -1;
	}
	if (password == NULL || strlen(password) > SIMPUL_MAX_PASSWORD) {
		err_set(e, 400, "password", "a password is at most %d bytes", SIMPUL_MAX_PASSWORD);
		return -1;
	}
	if ((st = node_reader(n, e)) == NULL)
		return -1;
	r = username_valid(username) ? store_login_get(st, username, &l, p) : 1;
	if (r == -1) {
		err_set(e, 500, "", "could not read the user list");
		return -1;
	}
	found = r == 0;
	if (pw_enter(e) == -1)
		return -1;
	/* An unknown user costs one argon2id verification too. */
	ok = crypto_pwhash_str_verify(found ? l.pwhash : dummy_hash, password, strlen(password)) == 0;
	pw_leave();
	if (found)
		sodium_memzero(l.pwhash, sizeof(l.pwhash));
	if (!found || !ok) {
		refuse_signin(n, c, username_valid(username) ? username : NULL, e);
		return -1;
	}
	return session_mint(n, c, p, "password", username, session_out, sz, expires_ms, e);
}

int
node_session_token(struct node *n, const struct reqctx *c, const char *token,
    char *session_out, size_t sz, struct principal *p, int64_t *expires_ms, struct err *e)
{
	struct err ae = {0};

	if (token == NULL || node_authenticate(n, token, p, &ae) == -1) {
		refuse_signin(n, c, NULL, e);
		return -1;
	}
	return session_mint(n, c, p, "token", NULL, session_out, sz, expires_ms, e);
}

int
node_session_end(struct node *n, const struct reqctx *c, const char *session, struct err *e)
{
	struct token_row t;
	struct store *w;
	char tid[SIMPUL_ID_LEN + 1];
	int rc = -1;

	if (session == NULL || strlen(session) < strlen(TOKEN_PREFIX) + SIMPUL_ID_LEN) {
		err_set(e, 400, "session", "no web session to end (this request was not signed in with the session cookie)");
		return -1;
	}
	memcpy(tid, session + strlen(TOKEN_PREFIX), SIMPUL_ID_LEN);
	tid[SIMPUL_ID_LEN] = '\0';
	if (node_write_begin(n, e) == -1 || (w = node_writer(n)) == NULL)
		return -1;
	if (store_token_get(w, tid, &t, NULL) != 0 || strcmp(t.principal_id, c->p->id) != 0 ||
	    strcmp(t.label, SESSION_LABEL) != 0) {
		err_set(e, 400, "session", "this request was not signed in with a web session");
		goto out;
	}
	if (store_token_revoke(w, tid, now_ms()) != 0) {
		err_set(e, 500, "", "could not end the session");
		goto out;
	}
	rc = node_audit_write(n, c, "session.end", tid, "ok", NULL, e);
out:
	rc = node_write_end(n, rc, e);
	node_token_forget(n, tid);
	return rc;
}

static void
csrf_raw(const char *session, unsigned char out[32])
{
	static const char ctx[] = "simpul csrf v1";
	size_t n = strlen(session);

	/* The key is the whole session token (its secret half makes it
	 * unguessable); BLAKE2b takes keys of 16-64 bytes. */
	if (n > crypto_generichash_KEYBYTES_MAX)
		n = crypto_generichash_KEYBYTES_MAX;
	crypto_generichash(out, 32, (const unsigned char *)ctx, sizeof(ctx) - 1,
	    (const unsigned char *)session, n < crypto_generichash_KEYBYTES_MIN ? 0 : n);
}

void
session_csrf(const char *session, char out[SESSION_CSRF_LEN + 1])
{
	unsigned char raw[32];

	csrf_raw(session, raw);
	sodium_bin2base64(out, SESSION_CSRF_LEN + 1, raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

bool
session_csrf_ok(const char *session, const char *csrf)
{
	char want[SESSION_CSRF_LEN + 1];
	bool ok;

	if (session == NULL || csrf == NULL || strlen(csrf) != SESSION_CSRF_LEN)
		return false;
	session_csrf(session, want);
	ok = sodium_memcmp(want, csrf, SESSION_CSRF_LEN) == 0;
	sodium_memzero(want, sizeof(want));
	return ok;
}
