/* store_sqlite_fmt.h - the SQLite backend's tables of the exchange formats
 * (issue 5): TAXII status resources. Private to the SQLite backend. */
#ifndef SIMPUL_STORE_SQLITE_FMT_H
#define SIMPUL_STORE_SQLITE_FMT_H

#include "store.h"

int sqf_taxii_status_put(void *be, const struct taxii_status_row *r, int64_t prune_before_ms, struct err *e);
int sqf_taxii_status_get(void *be, const char *id, struct taxii_status_row *out);

#endif
