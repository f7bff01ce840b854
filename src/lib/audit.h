/* audit.h - the append-only, hash-chained audit trail (DESIGN.md §4).
 * Every write, read, search or check, export and refused access appends an
 * entry. Each link stores BLAKE2b-256(prev_hash || entry_text); changing,
 * deleting or reordering any entry breaks the chain at that entry.
 *
 * The chain head lives in struct audit; appends must be serialised by the
 * caller (the writer lock) and happen inside the caller's write transaction,
 * so an entry commits with the write it describes. */
#ifndef SIMPUL_AUDIT_H
#define SIMPUL_AUDIT_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "store.h"

struct audit {
	int64_t seq;        /* last appended seq (0 = empty chain) */
	char    head[65];   /* hex hash of the last link ("0"*64 when empty) */
};

/* What one entry says. Strings may be NULL. */
struct audit_event {
	const struct principal *who;      /* NULL for the system (startup, retention) */
	const char             *action;   /* "report.create", "report.read", "check", "refused", ... */
	const char             *purpose;  /* as declared by the caller */
	const char             *case_ref;
	const char             *object;   /* record id, key, ... */
	const char             *outcome;  /* "ok", "hit", "404", "403", ... */
	json_t                 *detail;   /* borrowed; may be NULL */
};

/* Load the chain head from the store. */
int audit_load(struct audit *a, struct store *st, struct err *e);
/* Append one entry (inside the caller's write transaction). On failure the
 * head is unchanged. */
int audit_append(struct audit *a, struct store *st, const struct audit_event *ev, int64_t ts_ms, struct err *e);
/* The link hash: hex BLAKE2b-256 over the 32 bytes of prev and the entry text. */
void audit_link_hash(const char prev_hex[65], const char *entry, size_t len, char out_hex[65]);

/* Verify the whole chain in the store. Returns 0 when intact; -1 with
 * e->msg naming the first bad seq ("entry 42: hash mismatch"); *checked is
 * the number of entries verified. */
int audit_verify_store(struct store *st, int64_t *checked, struct err *e);
/* Export as JSON lines {"seq","ts","prev","hash","entry":{...}}. */
int audit_export(struct store *st, FILE *out, int64_t *n, struct err *e);
/* Verify an exported JSON lines file offline. */
int audit_verify_log(FILE *in, int64_t *checked, struct err *e);

#endif
