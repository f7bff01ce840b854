/* names.h - person names across scripts: normalisation and a fuzzy,
 * explainable name index (DESIGN.md §3 "Persons").
 *
 * name_normalise(): UTF-8 in any script -> lower-case ASCII tokens. Thai
 * (RTGS-like), Lao and Khmer go through our own rules (ICU 72 has no Khmer
 * or Lao transform and gives ISO 11940 for Thai); everything else through
 * ICU "Any-Latin; Latin-ASCII". Honorifics are dropped, spelling variants
 * folded (Muhammad/Mohammed/Mohd ...), and patronymic connectors (bin,
 * binti, bte, b., A/L, ibn ...) split a name into the person's own part
 * (side 0) and the father's part (side 1).
 *
 * struct nidx: an in-memory index of persons and their names. Candidates
 * come from several blocking keys at once (tokens, phonetic skeletons,
 * character trigrams of the vocabulary, whole-name skeletons, document
 * numbers); each is then scored by an IDF-weighted, order-free token
 * alignment plus date of birth, nationality and documents, and the score
 * is explained. Not thread-safe: the caller serialises writers against
 * readers (a rwlock); searches may run in parallel with each other. */
#ifndef SIMPUL_NAMES_H
#define SIMPUL_NAMES_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "util.h"

#define NAME_MAX_BYTES   512   /* one name as given, bytes */
#define NAME_MAX_TOKENS  16    /* tokens kept per name */
#define NAME_TOK_LEN     40    /* bytes per token (longer ones are cut) */

struct name_tok {
	char    s[NAME_TOK_LEN + 1];     /* canonical ASCII form */
	char    skel[NAME_TOK_LEN + 1];  /* phonetic skeleton */
	uint8_t side;                    /* 0 own name, 1 after a patronymic connector */
};

struct name_norm {
	int             ntok;
	bool            patronym;       /* a connector split the name */
	struct name_tok t[NAME_MAX_TOKENS];
	char            script[12];     /* "latin", "arabic", "cyrillic", "thai", "han", ... */
};

/* Normalise a name. -1 with e (400, field "name") on invalid UTF-8,
 * control or bidirectional control characters, over-long input, or a name
 * with no letters left. */
int  name_normalise(const char *in, size_t len, struct name_norm *out, struct err *e);
/* The transliteration alone (lower-case ASCII), for tests and explanations. */
int  name_latin(const char *in, size_t len, char *out, size_t outsz, struct err *e);
/* Phonetic skeleton of one ASCII token. */
void name_skeleton(const char *tok, char *out, size_t outsz);

/* Partial date of birth: y (0 unknown), m and d (0 unknown). */
struct name_dob { int16_t y; int8_t m, d; };
/* Parse YYYY, YYYY-MM or YYYY-MM-DD; -1 when malformed or absurd
 * (before 1850 or after this year). */
int  name_dob_parse(const char *s, struct name_dob *out);

struct nidx;
struct nidx *nidx_new(void);
void nidx_free(struct nidx *x);

/* Add a person (id is the record id, rid its store row). Returns the
 * person's index, or -1 when out of memory. Adding an id already present
 * retires the earlier entry (an update). */
#define NIDX_MAX_DOB  8
#define NIDX_MAX_NAT  6
#define NIDX_MAX_DOCS 8
struct nidx_person {
	const char     *id;
	int64_t         rid;
	int             ndob, nnat, ndoc;
	struct name_dob dob[NIDX_MAX_DOB];
	char            nat[NIDX_MAX_NAT][3];
	const char     *doc[NIDX_MAX_DOCS];    /* document numbers as given */
};
int  nidx_add_person(struct nidx *x, const struct nidx_person *p);
/* Add one of the person's names (name_no: its position in the record). */
int  nidx_add_name(struct nidx *x, int person, int name_no, bool weak, const struct name_norm *nn);
/* Retire a person (deleted record). */
void nidx_remove(struct nidx *x, const char *id);
size_t nidx_persons(const struct nidx *x);
size_t nidx_names(const struct nidx *x);
size_t nidx_memory(const struct nidx *x);
int64_t nidx_last_rid(const struct nidx *x);

struct nidx_query {
	struct name_norm nn;
	bool             has_dob;
	struct name_dob  dob;
	int              nnat;
	char             nat[NIDX_MAX_NAT][3];
	int              ndoc;
	const char      *doc[NIDX_MAX_DOCS];
};

struct nidx_hit {
	char    id[32];
	int64_t rid;
	double  score;
	int     name_no;          /* which of the person's names matched best */
	json_t *explain;          /* owned by the caller after nidx_search */
};

/* The operating threshold: a score at or above it is an alert. */
#define NIDX_THRESHOLD 0.81

/* Best `want` persons for q, best first (ties by id). Returns the number
 * written to hits (each with an explanation), or -1 when out of memory.
 * min_score drops weaker candidates before explanations are built. */
int  nidx_search(struct nidx *x, const struct nidx_query *q, double min_score,
    struct nidx_hit *hits, int want);
void nidx_hits_free(struct nidx_hit *hits, int n);

/* Score one query against one name alone (no index, IDF 1): tests and
 * the fuzz target. */
double name_pair_score(const struct name_norm *a, const struct name_norm *b);

#endif
