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
#define SIMPUL_MAX_GRAPH_NODES     500   /* nodes in one graph answer */
#define SIMPUL_MAX_GRAPH_DEPTH     4
#define SIMPUL_MAX_NETWORKS_PAGE   500
#define SIMPUL_MAX_WATCHES         1000  /* per principal */
#define SIMPUL_MAX_WEBHOOKS        20    /* per agency */
#define SIMPUL_MAX_STREAMS         256   /* open event streams per node */
#define SIMPUL_MAX_REASON          500   /* reason given for an override or retraction */

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
#define SIMPUL_MAX_PUBLIC_SELECTORS 20   /* selectors in one public report */

/* formats (csvimport.c, stix.c) */
#define SIMPUL_MAX_CSV_COLUMNS     1024  /* cells in one CSV record */
#define SIMPUL_MAX_CSV_ISSUES      1000  /* bad rows listed in a dry-run report */
#define SIMPUL_MAX_MAPPING         (256u * 1024u) /* a column-mapping file, bytes */
#define SIMPUL_MAX_MAP_SELECTORS   64    /* selector columns in a mapping */
#define SIMPUL_MAX_EXPORT_REPORTS  100   /* reports in one export request */
#define SIMPUL_MAX_STIX_OBJECTS    10000 /* objects in one imported bundle */
#define SIMPUL_MAX_FEED_SCAN       5000  /* reports a TAXII page looks at */
#define SIMPUL_MAX_TAXII_PAGE      1000  /* objects in one TAXII page */
#define SIMPUL_MAX_STIX_BYTES      (64u * 1024u * 1024u) /* an imported STIX or MISP file */
#define SIMPUL_MAX_EXPORT_NETWORK  1000  /* reports of one network in an export (net_get's report_ids) */
#define SIMPUL_MAX_STIX_RECORDS    1000  /* persons + notices in one imported bundle */
#define SIMPUL_TAXII_STATUS_DAYS   30    /* a TAXII status resource is kept this long */

/* web sign-in, sessions, audit search, dashboard (session.c, audit_search.c, stats.c) */
#define SIMPUL_MAX_USERNAME        64    /* web sign-in user name, bytes */
#define SIMPUL_MIN_PASSWORD        10    /* web sign-in password, bytes */
#define SIMPUL_MAX_PASSWORD        1024
#define SIMPUL_SESSION_TTL_MS      (12LL * 3600 * 1000) /* a web session lives 12 hours */
#define SIMPUL_PWHASH_CONCURRENCY  2     /* argon2id hashes at once (64 MiB each) */
#define SIMPUL_MAX_NORMALIZE       50    /* selectors in one POST /api/v1/normalize */
#define SIMPUL_AUDIT_SCAN          100000 /* audit entries one search request reads at most */
#define SIMPUL_MAX_AUDIT_PAGE      200   /* audit entries returned per page */
#define SIMPUL_STATS_SCAN          1000000 /* newest reports one dashboard request aggregates */

#endif
