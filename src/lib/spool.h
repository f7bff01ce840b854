/* spool.h - the audit spool: read audits appended to a plain file before
 * the answer leaves, and folded into the database's hash chain just after.
 *
 * A check must not wait for SQLite: its audit entry used to commit to the
 * database before the answer, so every WAL checkpoint tail (writes held off
 * for a few ms) stalled every answer, and every audit commit reset every
 * reader connection's page cache (SQLite drops it when the database
 * changed). The spool is `<db>-spool` beside the database: the committer
 * appends each batch of entries with one write() (like a WAL commit at
 * synchronous=NORMAL: it survives a crash of the process; fdatasync within a
 * second), answers, and the ingester moves the records into the `audit` and
 * `alerts` tables in larger transactions, chaining them there. The database
 * remembers how far it has ingested (meta `audit_spool` = "<id>:<offset>" in
 * the same transaction), so a record is ingested exactly once whatever
 * crashes when; any process that can lock the spool ingests what a crashed
 * daemon left before it writes anything else.
 *
 * File: a 24-byte header ("SIMPULSPOOL1", 4 zero bytes, a random 64-bit id),
 * then records: u32 magic, u32 payload length, 16-byte BLAKE2b of the
 * payload, payload. A torn or damaged record ends the file: what follows it
 * was never answered. */
#ifndef SIMPUL_SPOOL_H
#define SIMPUL_SPOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "util.h"

#define SPOOL_HEADER 24u
#define SPOOL_REC_HEAD 24u
#define SPOOL_MAX_RECORD (8u * 1024u * 1024u)

struct spool;

/* One spooled entry: an audit prefix (audit_entry_prefix), its time, and
 * the alerts it causes. */
struct spool_entry {
	int64_t                 ts_ms;
	const char             *prefix;
	size_t                  prefix_len;
	const struct alert_row *alerts;
	size_t                  nalerts;
};

/* Open and lock `<db>-spool` (created when `create`). 0 ok; 1 another
 * process holds it (the caller commits its audits directly); 2 there is
 * none and create was false; -1 error. */
int  spool_open(const char *db, bool create, struct spool **out, struct err *e);
void spool_close(struct spool *sp);
uint64_t spool_id(const struct spool *sp);
uint64_t spool_end(const struct spool *sp);      /* offset after the last record */

/* Serialise entries into buf (appended; one record each). */
int  spool_encode(struct sbuf *buf, const struct spool_entry *en, size_t n);
/* Append encoded records with one write; on failure the file is cut back
 * and nothing was appended. */
int  spool_append(struct spool *sp, const char *buf, size_t len, struct err *e);
int  spool_sync(struct spool *sp);

/* Decode the records of buf[0..len): cb per entry (its strings point into
 * buf). Returns the bytes of whole, intact records consumed; stops at the
 * first torn or damaged one. cb returning -1 stops with -1. */
typedef int (*spool_cb)(void *ctx, const struct spool_entry *en);
int64_t spool_decode(const char *buf, size_t len, spool_cb cb, void *ctx);

/* Read [from, to) into a malloc'd buffer. */
int  spool_read(struct spool *sp, uint64_t from, uint64_t to, char **out, struct err *e);
/* Copy [from, end) to `<db>-spool.damaged` (appended): bytes recovery could
 * not read as records are kept for a person to look at, not destroyed. */
int  spool_keep_damaged(struct spool *sp, uint64_t from, struct err *e);
/* Start the file over with a new id, once everything in it is ingested
 * (a damaged tail goes with it: it was never answered). */
int  spool_restart(struct spool *sp, struct err *e);

/* Where ingesting resumes, as st's database notes it (meta audit_spool,
 * this spool's id and an offset; the first record otherwise), and that
 * note, written inside st's open write transaction with the entries. */
uint64_t spool_resume_at(struct spool *sp, struct store *st);
int  spool_note_ingested(struct spool *sp, struct store *st, uint64_t off, struct err *e);

/* Bytes of records in `<db>-spool` that st's database has not ingested
 * yet (0: none, or no spool), without taking the lock: for the CLI, which
 * reads the trail beside a running daemon. -1 if it cannot tell. */
int64_t spool_pending(const char *db, struct store *st);

#endif
