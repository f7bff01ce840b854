/* keyset.h - the in-memory filter in front of the selector index.
 *
 * Most checks are no-hits (INTERPOL's SLTD: 0.01 % hits), so the node keeps
 * a set of 64-bit hashes of every key it holds, with two flags: LIVE (some
 * posting is not silent) and SILENT (some posting is silent). A key without
 * LIVE is answered without touching the database; a silent-only key takes
 * exactly the same path as a key nobody holds, so a silent record changes
 * no timing an outsider can measure. A hash collision only costs a database
 * lookup that finds nothing. Thread-safe (readers share a rwlock). */
#ifndef SIMPUL_KEYSET_H
#define SIMPUL_KEYSET_H

#include <stddef.h>
#include <stdint.h>

#define KEY_LIVE   1u
#define KEY_SILENT 2u

struct keyset;

struct keyset *keyset_new(void);
void     keyset_free(struct keyset *ks);
uint64_t keyset_hash(const char *key, size_t len);
/* OR flags into the entry for h. -1 on allocation failure. */
int      keyset_add(struct keyset *ks, uint64_t h, unsigned flags);
/* Flags held for h (0 = no such key). */
unsigned keyset_get(struct keyset *ks, uint64_t h);
/* keyset_get for n hashes at once into flags[]: one lock, and the slots
 * are prefetched a few lookups ahead (a batch check's keys are random, so
 * each lookup is a cache miss; overlapped they cost a fraction). */
void     keyset_get_many(struct keyset *ks, const uint64_t *h, unsigned *flags, size_t n);

#endif
