/* audit.c - the hash-chained audit trail (DESIGN.md §4, docs/internals/audit.md).
 *
 * A link is (seq, ts, prev, hash, entry). `entry` is the canonical JSON text
 * of what happened; hash = BLAKE2b-256(raw(prev) || entry). Verification
 * walks the links in seq order and stops at the first one that does not fit,
 * so the error always names the first bad entry. The store and the offline
 * log share one checker (chain_check) so they cannot drift apart. */
#include "audit.h"

#include <errno.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* The stored entry text, and one exported line. An entry is small (who, what,
 * a short detail); the cap keeps a runaway detail from bloating every
 * export, and bounds what the offline verifier reads from an untrusted file.
 * A line may double the entry (escaped quotes and backslashes). */
#define AUDIT_MAX_ENTRY (1024u * 1024u)
#define AUDIT_MAX_LINE  (2u * AUDIT_MAX_ENTRY + 4096u)

#define ENTRY_FLAGS (JSON_COMPACT | JSON_SORT_KEYS)

/* The running state of a walk: the last good link. */
struct chain {
	int64_t seq;
	char    head[65];
};

static bool
hash_hex_valid(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[64] == '\0';
}

void
audit_link_hash(const char prev_hex[65], const char *entry, size_t len, char out_hex[65])
{
	crypto_generichash_state st;
	unsigned char prev[32], out[32];

	/* A malformed prev cannot come from audit_append (it checks the head)
	 * and is caught by the verifier's prev comparison first; hash it as
	 * zeros rather than reading garbage. */
	if (hex_decode(prev_hex, prev, sizeof(prev)) != 0)
		memset(prev, 0, sizeof(prev));
	crypto_generichash_init(&st, NULL, 0, sizeof(out));
	crypto_generichash_update(&st, prev, sizeof(prev));
	crypto_generichash_update(&st, (const unsigned char *)entry, len);
	crypto_generichash_final(&st, out, sizeof(out));
	hex_encode(out, sizeof(out), out_hex);
}

/* One `,"name":value` member of the canonical text; value NULL is null. */
static int
put_member(struct sbuf *b, const char *name, const char *value)
{
	sbuf_adds(b, name);
	return value != NULL ? sbuf_json_canon_str(b, value) : sbuf_adds(b, "null");
}

/* Every key but seq and ts, canonical (sorted, compact, jansson's escapes),
 * without the closing brace. seq and ts sort after every other key, so
 * prefix + tail is exactly the canonical text of the whole entry; a request
 * thread builds the prefix and the committer only adds what it alone knows.
 * Written directly in key order: the keys are fixed, and building a jansson
 * object to dump it cost a check more than its lookups (test_audit compares
 * the text with jansson's for the same entry). */
char *
audit_entry_prefix(const struct audit_event *ev, struct err *e)
{
	const struct principal *who = ev->who;
	struct sbuf b;
	char *dj = NULL;
	int fail = 0;

	if (ev->detail_json == NULL && ev->detail != NULL &&
	    (dj = json_dumps(ev->detail, ENTRY_FLAGS)) == NULL) {
		err_set(e, 500, "audit", "out of memory building an audit entry");
		return NULL;
	}
	sbuf_init(&b, AUDIT_MAX_ENTRY);
	fail |= put_member(&b, "{\"action\":", ev->action);
	fail |= put_member(&b, ",\"agency\":", who ? who->agency.id : NULL);
	fail |= put_member(&b, ",\"case\":", ev->case_ref);
	if (ev->detail_json != NULL || dj != NULL) {
		sbuf_adds(&b, ",\"detail\":");
		sbuf_adds(&b, ev->detail_json != NULL ? ev->detail_json : dj);
	}
	fail |= put_member(&b, ",\"object\":", ev->object);
	fail |= put_member(&b, ",\"outcome\":", ev->outcome);
	fail |= put_member(&b, ",\"principal\":", who ? who->id : "system");
	fail |= put_member(&b, ",\"purpose\":", ev->purpose);
	fail |= put_member(&b, ",\"role\":", who ? role_name(who->role) : NULL);
	free(dj);
	if (b.oom) {
		err_set(e, 500, "audit", "out of memory building an audit entry");
	} else if (b.toobig) {
		err_set(e, 500, "audit", "audit entry: more than the %u bytes allowed", AUDIT_MAX_ENTRY);
	} else if (fail) {
		err_set(e, 500, "audit", "audit entry: a field is not valid UTF-8");
	} else {
		return sbuf_steal(&b);
	}
	sbuf_free(&b);
	return NULL;
}

static char *
entry_from_prefix(const char *prefix, int64_t seq, int64_t ts_ms, struct err *e)
{
	char ts[32];
	struct sbuf b;

	time_iso(ts_ms, ts);
	sbuf_init(&b, AUDIT_MAX_ENTRY);
	sbuf_adds(&b, prefix);
	sbuf_printf(&b, ",\"seq\":%" PRId64 ",\"ts\":\"%s\"}", seq, ts);
	if (b.toobig || b.oom) {
		sbuf_free(&b);
		err_set(e, 500, "audit", "audit entry %" PRId64 ": more than the %u bytes allowed",
		    seq, AUDIT_MAX_ENTRY);
		return NULL;
	}
	return sbuf_steal(&b);
}

char *
audit_entry_text(const struct audit_event *ev, int64_t seq, int64_t ts_ms, struct err *e)
{
	char *prefix = audit_entry_prefix(ev, e), *text;

	if (prefix == NULL)
		return NULL;
	text = entry_from_prefix(prefix, seq, ts_ms, e);
	free(prefix);
	return text;
}

int
audit_load(struct audit *a, struct store *st, struct err *e)
{
	struct audit_row row;
	int r;

	memset(&row, 0, sizeof(row));
	r = store_audit_last(st, &row, NULL);
	if (r == 1) {
		a->seq = 0;
		memcpy(a->head, AUDIT_ZERO_HASH, sizeof(a->head));
		return 0;
	}
	if (r != 0) {
		err_set(e, 500, "audit", "cannot read the audit chain head from the store");
		return -1;
	}
	if (row.seq < 1 || !hash_hex_valid(row.hash)) {
		err_set(e, 500, "audit", "audit chain head (entry %" PRId64 ") is malformed; "
		    "run simpul audit verify", row.seq);
		return -1;
	}
	a->seq = row.seq;
	memcpy(a->head, row.hash, sizeof(a->head));
	return 0;
}

int
audit_append_prefix(struct audit *a, struct store *st, const char *prefix, int64_t ts_ms, struct err *e)
{
	struct audit_row row;
	char *text = NULL;
	int rc = -1;

	/* A zeroed struct audit is an empty chain; anything else must be a
	 * head that audit_load or a previous append put there. */
	if (a->seq < 0 || a->seq == INT64_MAX ||
	    (a->seq == 0 && a->head[0] != '\0' && strcmp(a->head, AUDIT_ZERO_HASH) != 0) ||
	    (a->seq > 0 && !hash_hex_valid(a->head))) {
		err_set(e, 500, "audit", "audit chain head is not loaded (seq %" PRId64 ")", a->seq);
		goto out;
	}
	if ((text = entry_from_prefix(prefix, a->seq + 1, ts_ms, e)) == NULL)
		goto out;
	memset(&row, 0, sizeof(row));
	row.seq = a->seq + 1;
	row.ts_ms = ts_ms;
	row.entry = text;
	memcpy(row.prev, a->seq == 0 ? AUDIT_ZERO_HASH : a->head, sizeof(row.prev));
	audit_link_hash(row.prev, text, strlen(text), row.hash);
	if (store_audit_append(st, &row, e) != 0) {
		if (e != NULL && e->status == 0)
			err_set(e, 500, "audit", "cannot append audit entry %" PRId64, row.seq);
		goto out;
	}
	/* Only now: on any failure above the head is unchanged. */
	a->seq = row.seq;
	memcpy(a->head, row.hash, sizeof(a->head));
	rc = 0;
out:
	free(text);
	return rc;
}

int
audit_append(struct audit *a, struct store *st, const struct audit_event *ev,
    int64_t ts_ms, struct err *e)
{
	char *prefix = audit_entry_prefix(ev, e);
	int rc;

	if (prefix == NULL)
		return -1;
	rc = audit_append_prefix(a, st, prefix, ts_ms, e);
	free(prefix);
	return rc;
}

/* Check one link against the chain so far and, when it fits, advance the
 * chain. `ts_iso` is the link's own timestamp (outside the hashed text; it
 * must agree with the entry's). Messages name the entry by its seq. */
static int
chain_check(struct chain *ch, int64_t seq, const char *ts_iso, const char *prev,
    const char *hash, const char *entry, size_t len, struct err *e)
{
	json_t *o = NULL, *v;
	json_error_t jerr;
	char want[65];
	int rc = -1;

	if (seq != ch->seq + 1) {
		err_set(e, 422, "audit", "entry %" PRId64 ": expected seq %" PRId64
		    " (an entry was deleted or reordered)", seq, ch->seq + 1);
		goto out;
	}
	if (strcmp(prev, ch->head) != 0) {
		if (seq == 1)
			err_set(e, 422, "audit", "entry 1: prev is not the start of the chain "
			    "(entries before it were removed)");
		else
			err_set(e, 422, "audit", "entry %" PRId64 ": prev does not match the hash "
			    "of entry %" PRId64 " (an entry was changed, deleted or reordered)",
			    seq, seq - 1);
		goto out;
	}
	audit_link_hash(prev, entry, len, want);
	if (strcmp(hash, want) != 0) {
		err_set(e, 422, "audit", "entry %" PRId64 ": hash does not match its content", seq);
		goto out;
	}
	o = json_loadb(entry, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!json_is_object(o)) {
		err_set(e, 422, "audit", "entry %" PRId64 ": entry text is not a JSON object", seq);
		goto out;
	}
	v = json_object_get(o, "seq");
	if (!json_is_integer(v) || json_integer_value(v) != seq) {
		err_set(e, 422, "audit", "entry %" PRId64 ": entry text does not carry seq %" PRId64,
		    seq, seq);
		goto out;
	}
	v = json_object_get(o, "ts");
	if (!json_is_string(v) || (ts_iso != NULL && strcmp(json_string_value(v), ts_iso) != 0)) {
		err_set(e, 422, "audit", "entry %" PRId64 ": timestamp %s does not match the entry's",
		    seq, ts_iso ? ts_iso : "(none)");
		goto out;
	}
	ch->seq = seq;
	memcpy(ch->head, hash, sizeof(ch->head));
	rc = 0;
out:
	json_decref(o);
	return rc;
}

static void
check_init(struct audit_check *c, struct chain *ch)
{
	memset(c, 0, sizeof(*c));
	memcpy(c->head, AUDIT_ZERO_HASH, sizeof(c->head));
	ch->seq = 0;
	memcpy(ch->head, AUDIT_ZERO_HASH, sizeof(ch->head));
}

/* ---- the store ---- */

struct store_walk {
	struct chain        ch;
	struct audit_check *c;
	struct err         *e;
	bool                bad;
};

static int
store_walk_cb(void *ctx, const struct audit_row *r)
{
	struct store_walk *w = ctx;
	char ts[32];

	time_iso(r->ts_ms, ts);
	if (r->entry == NULL ||
	    chain_check(&w->ch, r->seq, ts, r->prev, r->hash, r->entry, strlen(r->entry), w->e) != 0) {
		if (r->entry == NULL)
			err_set(w->e, 422, "audit", "entry %" PRId64 ": no entry text", r->seq);
		w->c->bad_seq = r->seq;
		w->bad = true;
		return 1;
	}
	w->c->checked++;
	memcpy(w->c->head, w->ch.head, sizeof(w->c->head));
	return 0;
}

int
audit_verify_store_ex(struct store *st, struct audit_check *c, struct err *e)
{
	struct store_walk w;
	int r;

	memset(&w, 0, sizeof(w));
	check_init(c, &w.ch);
	w.c = c;
	w.e = e;
	r = store_audit_iter(st, 1, store_walk_cb, &w);
	if (w.bad)
		return -1;
	if (r < 0) {
		if (e != NULL && e->status == 0)
			err_set(e, 500, "audit", "cannot read the audit chain after entry %" PRId64,
			    c->checked);
		return -1;
	}
	return 0;
}

int
audit_verify_store(struct store *st, int64_t *checked, struct err *e)
{
	struct audit_check c;
	int rc;

	rc = audit_verify_store_ex(st, &c, e);
	if (checked != NULL)
		*checked = c.checked;
	return rc;
}

/* ---- export ---- */

static int
write_json_line(FILE *out, json_t *o, struct err *e)
{
	char *s;
	int rc = -1;

	if (o == NULL || (s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)) == NULL) {
		err_set(e, 500, "audit", "out of memory writing the audit log");
		return -1;
	}
	if (fputs(s, out) == EOF || putc('\n', out) == EOF)
		err_set(e, 500, "audit", "cannot write the audit log: %s", strerror(errno));
	else
		rc = 0;
	free(s);
	return rc;
}

int
audit_export_row(FILE *out, const struct audit_row *r, struct err *e)
{
	json_t *o = NULL, *text;
	char ts[32];
	int rc = -1;

	time_iso(r->ts_ms, ts);
	/* The entry travels as a string holding the exact hashed bytes: a
	 * verifier in any language checks it without re-creating jansson's
	 * canonical form (real numbers, escapes, a future jansson). */
	text = r->entry ? json_stringn(r->entry, strlen(r->entry)) : NULL;
	if (text == NULL) {
		err_set(e, 422, "audit", "entry %" PRId64 ": entry text is missing or not UTF-8; "
		    "cannot export it (run simpul audit verify)", r->seq);
		goto out;
	}
	if ((o = json_object()) == NULL ||
	    json_object_set_new(o, "seq", json_integer(r->seq)) != 0 ||
	    json_object_set_new(o, "ts", json_string(ts)) != 0 ||
	    json_object_set_new(o, "prev", json_stringn(r->prev, strnlen(r->prev, 64))) != 0 ||
	    json_object_set_new(o, "hash", json_stringn(r->hash, strnlen(r->hash, 64))) != 0) {
		json_decref(text);
		err_set(e, 500, "audit", "entry %" PRId64 ": cannot build its log line", r->seq);
		goto out;
	}
	if (json_object_set_new(o, "entry", text) != 0) {
		err_set(e, 500, "audit", "entry %" PRId64 ": cannot build its log line", r->seq);
		goto out;
	}
	rc = write_json_line(out, o, e);
out:
	json_decref(o);
	return rc;
}

int
audit_export_trailer(FILE *out, int64_t n, const char head[65], struct err *e)
{
	json_t *o;
	int rc;

	o = json_pack("{s:I,s:s#}", "entries", (json_int_t)n, "head", head, (int)strnlen(head, 64));
	rc = write_json_line(out, o, e);
	json_decref(o);
	return rc;
}

struct export_walk {
	FILE       *out;
	struct err *e;
	int64_t     n;
	char        head[65];
	bool        bad;
};

static int
export_cb(void *ctx, const struct audit_row *r)
{
	struct export_walk *w = ctx;

	if (audit_export_row(w->out, r, w->e) != 0) {
		w->bad = true;
		return 1;
	}
	w->n++;
	str_copy(w->head, sizeof(w->head), r->hash);
	return 0;
}

int
audit_export(struct store *st, FILE *out, int64_t *n, struct err *e)
{
	struct export_walk w;
	int r, rc = -1;

	/* Export copies the chain as stored, broken or not (it is evidence);
	 * audit verify --log then says where it breaks. */
	memset(&w, 0, sizeof(w));
	w.out = out;
	w.e = e;
	memcpy(w.head, AUDIT_ZERO_HASH, sizeof(w.head));
	r = store_audit_iter(st, 1, export_cb, &w);
	if (w.bad)
		goto out;
	if (r < 0) {
		if (e != NULL && e->status == 0)
			err_set(e, 500, "audit", "cannot read the audit chain after entry %" PRId64, w.n);
		goto out;
	}
	if (audit_export_trailer(out, w.n, w.head, e) != 0)
		goto out;
	if (fflush(out) == EOF || ferror(out)) {
		err_set(e, 500, "audit", "cannot write the audit log: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (n != NULL)
		*n = w.n;
	return rc;
}

/* ---- the offline log ---- */

/* Read one line (without its newline) into b, at most AUDIT_MAX_LINE bytes.
 * 1 = a line, 0 = end of file, -1 = too long or read error. */
static int
read_line(FILE *in, struct sbuf *b)
{
	int ch;

	sbuf_reset(b);
	while ((ch = getc_unlocked(in)) != EOF) {
		if (ch == '\n')
			return 1;
		if (sbuf_addc(b, (char)ch) != 0)
			return -1;
	}
	if (ferror(in))
		return -1;
	return b->len > 0 ? 1 : 0;
}

static const char *
get_str(json_t *o, const char *k, size_t *len)
{
	json_t *v = json_object_get(o, k);

	if (!json_is_string(v))
		return NULL;
	if (len != NULL)
		*len = json_string_length(v);
	return json_string_value(v);
}

int
audit_verify_log_ex(FILE *in, struct audit_check *c, struct err *e)
{
	struct chain ch;
	struct sbuf line;
	json_t *o = NULL, *v;
	json_error_t jerr;
	const char *entry, *prev, *hash, *ts, *head;
	size_t elen = 0;
	int64_t lineno = 0, seq;
	bool trailer = false;
	int r, rc = -1;

	check_init(c, &ch);
	sbuf_init(&line, AUDIT_MAX_LINE);
	while ((r = read_line(in, &line)) == 1) {
		lineno++;
		json_decref(o);
		o = NULL;
		c->bad_line = lineno;
		c->bad_seq = ch.seq + 1;    /* the entry we expected here */
		if (trailer) {
			err_set(e, 422, "audit", "line %" PRId64 ": data after the trailer line", lineno);
			goto out;
		}
		o = json_loadb(line.ptr, line.len, JSON_REJECT_DUPLICATES, &jerr);
		if (!json_is_object(o)) {
			err_set(e, 422, "audit", "line %" PRId64 " (after entry %" PRId64 "): "
			    "not a JSON object: %s", lineno, ch.seq, jerr.text);
			goto out;
		}
		if (json_object_get(o, "head") != NULL) {
			/* The trailer: export's own count and head. A log cut
			 * short (lines dropped from the end) no longer agrees. */
			v = json_object_get(o, "entries");
			head = get_str(o, "head", NULL);
			if (!json_is_integer(v) || head == NULL) {
				err_set(e, 422, "audit", "line %" PRId64 ": malformed trailer", lineno);
				goto out;
			}
			if (json_integer_value(v) != ch.seq) {
				c->bad_seq = json_integer_value(v) > ch.seq ? ch.seq + 1 :
				    json_integer_value(v) + 1;
				err_set(e, 422, "audit", "trailer (line %" PRId64 "): the log holds %" PRId64
				    " entries but was exported with %" PRId64 " (entries were cut from "
				    "the end)", lineno, ch.seq, (int64_t)json_integer_value(v));
				goto out;
			}
			if (strcmp(head, ch.head) != 0) {
				c->bad_seq = 0;
				err_set(e, 422, "audit", "trailer (line %" PRId64 "): head does not match "
				    "the hash of entry %" PRId64, lineno, ch.seq);
				goto out;
			}
			trailer = true;
			continue;
		}
		v = json_object_get(o, "seq");
		ts = get_str(o, "ts", NULL);
		prev = get_str(o, "prev", NULL);
		hash = get_str(o, "hash", NULL);
		entry = get_str(o, "entry", &elen);
		if (!json_is_integer(v) || ts == NULL || prev == NULL || hash == NULL || entry == NULL) {
			err_set(e, 422, "audit", "line %" PRId64 " (after entry %" PRId64 "): not an "
			    "audit log line (needs seq, ts, prev, hash, entry as a string)",
			    lineno, ch.seq);
			goto out;
		}
		seq = json_integer_value(v);
		c->bad_seq = seq;
		if (chain_check(&ch, seq, ts, prev, hash, entry, elen, e) != 0)
			goto out;
		c->checked++;
		memcpy(c->head, ch.head, sizeof(c->head));
	}
	if (r < 0) {
		c->bad_line = lineno + 1;
		c->bad_seq = ch.seq + 1;
		if (line.toobig)
			err_set(e, 422, "audit", "line %" PRId64 ": longer than %u bytes",
			    lineno + 1, AUDIT_MAX_LINE);
		else
			err_set(e, 500, "audit", "cannot read the audit log: %s", strerror(errno));
		goto out;
	}
	if (!trailer) {
		c->bad_line = lineno + 1;
		c->bad_seq = ch.seq + 1;
		err_set(e, 422, "audit", "the log ends after entry %" PRId64 " without its trailer "
		    "line (the log was cut short)", ch.seq);
		goto out;
	}
	c->bad_line = 0;
	c->bad_seq = 0;
	rc = 0;
out:
	json_decref(o);
	sbuf_free(&line);
	return rc;
}

int
audit_verify_log(FILE *in, int64_t *checked, struct err *e)
{
	struct audit_check c;
	int rc;

	rc = audit_verify_log_ex(in, &c, e);
	if (checked != NULL)
		*checked = c.checked;
	return rc;
}
