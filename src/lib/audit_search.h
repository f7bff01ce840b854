/* audit_search.h - search the audit trail (the auditor's page). */
#ifndef SIMPUL_AUDIT_SEARCH_H
#define SIMPUL_AUDIT_SEARCH_H

#include "core.h"

struct audit_query {
	int64_t     before;     /* entries with seq < before; 0 = from the newest */
	int         limit;      /* 1..SIMPUL_MAX_AUDIT_PAGE */
	const char *principal;  /* exact, or NULL */
	const char *agency;     /* exact, or NULL */
	const char *action;     /* prefix ("session." matches session.create), or NULL */
	const char *outcome;    /* prefix ("refused" matches refused:403), or NULL */
	const char *text;       /* substring of the entry's text, or NULL */
};

/* Newest first, at most limit entries, reading at most SIMPUL_AUDIT_SCAN
 * entries per call: *out = {"entries":[{"seq","ts","entry":{...}}],
 * "next_before":N|null,"scanned":N,"last":N,"scope":"all"|"agency"}.
 * Admins, and auditors of the node's administering agency (the object of
 * the chain's first entry, node.init), see every entry; other auditors see
 * the entries of their own agency. Others get 403. Audited (audit.search). */
int node_audit_search(struct node *n, const struct reqctx *c, const struct audit_query *q,
    json_t **out, struct err *e);

#endif
