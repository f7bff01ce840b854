/* person_import.h - readers of published lists into person objects in the
 * persons-jsonl shape ({"ref","names":[...],"dob"?,"nationality"?,
 * "documents"?}): the OFAC SDN CSV (+ alt.csv) and the UN Security Council
 * consolidated list XML. Pure parsers: no store, no node. */
#ifndef SIMPUL_PERSON_IMPORT_H
#define SIMPUL_PERSON_IMPORT_H

#include <jansson.h>
#include <stddef.h>

#include "util.h"

/* Called once per individual with a new reference; the callback takes the
 * reference (it must json_decref it). Non-zero stops the reader. */
typedef int (*person_cb)(void *ctx, json_t *person);

/* OFAC: sdn.csv and (optionally, NULL) alt.csv, both whole files in memory.
 * Only rows of type "individual" become persons; remarks give DOB,
 * nationality, citizenship, gender and passports. ref = "OFAC-<ent_num>". */
int ofac_read(const char *sdn, size_t sdnlen, const char *alt, size_t altlen,
    person_cb cb, void *ctx, struct err *e);

/* UN consolidated XML: every INDIVIDUAL; aliases of quality "Low" are weak;
 * NAME_ORIGINAL_SCRIPT is one more name. ref = "UN-<REFERENCE_NUMBER>". */
int unxml_read(const char *xml, size_t len, person_cb cb, void *ctx, struct err *e);

/* One CSV record starting at *pos (RFC 4180 quotes; CRLF; a 0x1A byte ends
 * the file). Fields are written NUL-terminated into buf, pointers into
 * fields. Returns the number of fields, 0 at the end, -1 when malformed. */
int csv_record(const char *s, size_t len, size_t *pos, char *buf, size_t bufsz,
    char **fields, int maxf);

/* ISO 3166-1 alpha-2 code of an English country name ("Syrian Arab
 * Republic", "Iran (Islamic Republic of)", "Viet Nam"), or NULL. */
const char *country_code_of(const char *name);

#endif
