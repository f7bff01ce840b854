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
	/* Or the detail already written as canonical JSON (sorted keys,
	 * compact, sbuf_json_canon_str strings): a check's thousand keys are
	 * written once, not built as objects and dumped. Borrowed; wins over
	 * detail. */
	const char             *detail_json;
};

/* The "previous hash" of the first link. */
#define AUDIT_ZERO_HASH \
	"0000000000000000000000000000000000000000000000000000000000000000"

/* The entry's canonical text without seq and ts and without its closing
 * brace (caller frees); audit_append_prefix completes and appends it. This
 * lets request threads do the JSON work and the committer only the chain. */
char *audit_entry_prefix(const struct audit_event *ev, struct err *e);
int   audit_append_prefix(struct audit *a, struct store *st, const char *prefix, int64_t ts_ms, struct err *e);

/* Load the chain head from the store. Call it again after the caller's
 * transaction rolled back past a successful audit_append: the head in
 * struct audit has moved on, the store has not. */
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
/* Export as JSON lines {"seq","ts","prev","hash","entry":"<text>"} and a
 * final trailer {"entries":N,"head":"hex"} (see below). *n: entries written. */
int audit_export(struct store *st, FILE *out, int64_t *n, struct err *e);
/* Verify an exported JSON lines file offline: the same checks as
 * audit_verify_store, plus the trailer (a missing trailer or one that does
 * not match the entries read means the log was cut short). */
int audit_verify_log(FILE *in, int64_t *checked, struct err *e);

/* The canonical entry text of ev as entry seq at ts_ms: compact JSON with
 * sorted keys {"action","agency","case","detail"?,"object","outcome",
 * "principal","purpose","role","seq","ts"}; "principal" is "system" and
 * "agency"/"role" are null when ev->who is NULL. Caller frees. NULL with e
 * set on failure. */
char *audit_entry_text(const struct audit_event *ev, int64_t seq, int64_t ts_ms, struct err *e);

/* What a verification found. */
struct audit_check {
	int64_t checked;   /* entries verified before the first bad one (all when intact) */
	int64_t bad_seq;   /* seq of the first bad entry; 0 when intact or not known */
	int64_t bad_line;  /* log only: line of the first problem; 0 when intact */
	char    head[65];  /* hash of the last verified link (AUDIT_ZERO_HASH if none) */
};
/* As audit_verify_store / audit_verify_log, with the head and the bad entry. */
int audit_verify_store_ex(struct store *st, struct audit_check *c, struct err *e);
int audit_verify_log_ex(FILE *in, struct audit_check *c, struct err *e);

/* The export format, line by line (docs/internals/audit.md):
 *   {"seq":N,"ts":"ISO","prev":"hex","hash":"hex","entry":"<exact entry text>"}
 *   ...
 *   {"entries":N,"head":"hex"}                     (the trailer, always last)
 * The entry is carried as a JSON string holding the exact bytes that were
 * hashed, so an offline verifier need not re-create the canonical form. */
int audit_export_row(FILE *out, const struct audit_row *r, struct err *e);
int audit_export_trailer(FILE *out, int64_t n, const char head[65], struct err *e);

#endif
