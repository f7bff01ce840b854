/* limits.h - every bound on untrusted input, in one place (SQLite's sqliteLimit.h).
 * Handlers and parsers refer to these names; tests exercise each one. */
#ifndef SIMPUL_LIMITS_H
#define SIMPUL_LIMITS_H

#define SIMPUL_MAX_BODY            (4u * 1024u * 1024u) /* request body, bytes, authenticated */
#define SIMPUL_MAX_BODY_UNAUTH     (16u * 1024u)        /* body before authentication */
#define SIMPUL_MAX_JSON_DEPTH      16    /* nesting of objects/arrays in a body */
#define SIMPUL_MAX_SELECTORS       200   /* selectors in one report */
#define SIMPUL_MAX_BATCH           1000  /* selectors in one check request */
#define SIMPUL_MAX_VALUE_LEN       512   /* one selector value, bytes */
#define SIMPUL_MAX_KEY_LEN         600   /* canonical key, bytes */
#define SIMPUL_MAX_DERIVED         4     /* derived keys per selector */
#define SIMPUL_MAX_TEXT            65536 /* narrative and other free text, bytes */
#define SIMPUL_MAX_SHORT           256   /* reference, scam type, status, role... */
#define SIMPUL_MAX_AUDIENCE        32    /* entries in releasable_to */
#define SIMPUL_MAX_AGENCY_ID       64
#define SIMPUL_MAX_NAME            200   /* agency or principal display name */
#define SIMPUL_MAX_PURPOSE         200   /* X-Simpul-Purpose header */
#define SIMPUL_MAX_CASE_REF        100   /* X-Simpul-Case header */
#define SIMPUL_MAX_IMPORT_LINE     (1024u * 1024u)
#define SIMPUL_MAX_MATCHES_RETURNED 1000 /* matches returned with one write */
#define SIMPUL_MAX_RECORDS_PER_KEY 100   /* records listed per key in a check answer */
#define SIMPUL_MAX_ALERTS_PAGE     500
#define SIMPUL_ID_LEN              26    /* ULID text */
#define SIMPUL_TOKEN_BYTES         32    /* 256-bit API tokens */

/* Partner requests and screening (ppp.c, issue 7). */
#define SIMPUL_MAX_REQ_SELECTORS   50    /* selectors in one partner request */
#define SIMPUL_MAX_REQ_REPORTS     50    /* reports referenced by one request */
#define SIMPUL_MAX_NOTE            4096  /* a request's or an answer's note, bytes */
#define SIMPUL_MAX_AMOUNT          1000000000000000LL /* minor units (10^15) */
#define SIMPUL_MAX_REQ_LIST        1000  /* requests listed in one answer */
#define SIMPUL_MAX_SCREEN_LINE     4096  /* one line of a screening file, bytes */
#define SIMPUL_MAX_SCREEN_BODY     (16u * 1024u * 1024u) /* a screening upload over HTTP */
#define SIMPUL_MAX_SCREEN_JOBS     16    /* screening jobs kept in memory per node */
#define SIMPUL_MAX_SCREEN_JOBS_AGENCY 4  /* ... of which one agency's */
#define SIMPUL_MAX_LIMIT_RULES     64    /* rate-limit and quota rules */
#define SIMPUL_MAX_PUBLIC_BATCH    100   /* selectors in one public check */

#endif
