/* session.h - web sign-in: users with argon2id passwords, and sessions.
 *
 * A session is a token (the same table, hash and check as API tokens,
 * labelled SESSION_LABEL, expiring after SIMPUL_SESSION_TTL_MS) that the
 * daemon keeps in an HttpOnly cookie. A request carrying the cookie is
 * authenticated by node_authenticate() exactly like a Bearer token; the
 * only addition is CSRF: a state-changing request authenticated by the
 * cookie must carry session_csrf(token) in X-CSRF-Token. */
#ifndef SIMPUL_SESSION_H
#define SIMPUL_SESSION_H

#include <stdbool.h>

#include "core.h"

#define SESSION_LABEL    "web session"
#define SESSION_CSRF_LEN 43   /* base64url of 32 bytes */

/* Create a principal with role in agency, signing in as username with
 * password (admin or the CLI: c NULL). Audited as user.add. */
int node_user_add(struct node *n, const struct reqctx *c, const char *agency_id, const char *role,
    const char *username, const char *name, const char *password, struct principal *out,
    struct err *e);
/* Set a user's password (admin or the CLI); ends the user's web sessions.
 * Audited as user.passwd. */
int node_user_passwd(struct node *n, const struct reqctx *c, const char *username,
    const char *password, struct err *e);

/* Sign in with a user name and password, or with an API token. On success
 * session_out holds the new session token (for the cookie only), *p its
 * principal, *expires_ms its end. A refusal is 401 with the same message
 * whether the user exists or not, audited as session.create refused:401. */
int node_session_password(struct node *n, const struct reqctx *c, const char *username,
    const char *password, char *session_out, size_t sz, struct principal *p,
    int64_t *expires_ms, struct err *e);
int node_session_token(struct node *n, const struct reqctx *c, const char *token,
    char *session_out, size_t sz, struct principal *p, int64_t *expires_ms, struct err *e);
/* Sign out: revoke the session token (it must be c->p's own session). */
int node_session_end(struct node *n, const struct reqctx *c, const char *session, struct err *e);

/* The CSRF token of a session: BLAKE2b keyed with the session's secret,
 * so it cannot be derived without the cookie and needs no storage. */
void session_csrf(const char *session, char out[SESSION_CSRF_LEN + 1]);
bool session_csrf_ok(const char *session, const char *csrf);

/* Valid user names: 3-64 of a-z 0-9 . _ - @, starting with a letter or digit. */
bool username_valid(const char *s);

#endif
