/* checkscan.h - the fast path for check request bodies.
 *
 * A check body is JSON {"selectors":[{"key":"..."}, {"type":"...","value":"..."}, ...]}
 * with up to 1,000 items. Parsing it with a general JSON library allocates
 * an object per item and dominated the batch check. checkscan() reads the
 * common well-formed shape in one pass without allocating per item; for
 * anything else - another shape, a non-string value, an unknown or repeated
 * field, a control character, \u0000, invalid UTF-8, too many items - it
 * declines, and the caller parses with jansson, which gives the precise
 * error. So the fast path only has to be right about what it accepts. */
#ifndef SIMPUL_CHECKSCAN_H
#define SIMPUL_CHECKSCAN_H

#include <stddef.h>

#include "util.h"

enum cfield {
	CF_KEY, CF_TYPE, CF_VALUE, CF_COUNTRY, CF_BANK, CF_PROVIDER, CF_CHAIN, CF_PLATFORM,
	CF_ROLE, CF__N
};
extern const char *const cfield_names[CF__N];

/* One item: each field's decoded value (NUL-terminated) or NULL. */
struct citem {
	const char *f[CF__N];
};

/* 1: accepted, *items (calloc'd, caller frees) point into arena (caller
 * frees with sbuf_free); 0: declined (use the general parser). */
int checkscan(const char *body, size_t len, size_t max_items, struct sbuf *arena,
    struct citem **items, size_t *nitems);

#endif
