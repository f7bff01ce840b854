/* persons.h - the regional police-database half of the node (issue 3):
 * persons with names in any script, stolen and lost travel documents, and
 * notices. Same markings, the same policy gate and the same audit path as
 * reports (core_int.h); name search through the index of names.h. */
#ifndef SIMPUL_PERSONS_H
#define SIMPUL_PERSONS_H

#include <jansson.h>
#include <stdio.h>

#include "core.h"
#include "names.h"

#define PERSON_MAX_NAMES     64    /* names (primary + aliases) per person */
#define PERSON_MAX_DOCS      NIDX_MAX_DOCS
#define PERSON_MAX_LINKS     200   /* linked reports + selectors */
#define PERSON_SEARCH_LIMIT  100   /* results per query */
#define PERSON_MAX_BATCH     1000  /* queries per search request */
#define DOC_NUMBER_MAX       20    /* document number characters (A-Z 0-9) */
#define DOC_REVIEW_YEARS     10    /* a document is deleted after its review date */

/* Parse and validate a person ({"ref","names",...}); *out is the normalised
 * body to store; m the markings (a victim of trafficking defaults to RED,
 * silent, originator only, orcon). -1 with e naming the field. */
int person_parse(const json_t *in, json_t **out, struct markings *m, struct err *e);

/* POST /api/v1/persons. *out = {"id","ref"}. */
int node_person_create(struct node *n, const struct reqctx *c, const json_t *body,
    json_t **out, struct err *e);
/* PUT /api/v1/persons/{id}: the whole person again, "version"? the one
 * read (409 when it moved on). Only the originating agency (403 for others
 * that may see it, 404 for those that may not); markings kept unless given.
 * *out = {"id","ref","version","markings"}. */
int node_person_update(struct node *n, const struct reqctx *c, const char *id, const json_t *body,
    json_t **out, struct err *e);
/* GET /api/v1/persons/{id}: full, hit-only, or 404. */
int node_person_get(struct node *n, const struct reqctx *c, const char *id, json_t **out,
    struct err *e);

/* One query: {"name","dob"?,"nationality"?,"documents"?}. */
int person_query_parse(const json_t *q, struct nidx_query *out, struct err *e);
/* POST /api/v1/persons/search: {"queries":[...], "limit"?} or one query
 * object. *out = {"results":[...],"threshold":T} for one query, or
 * {"answers":[...]} for a batch. One audit entry per call.
 * c->p NULL is the node operator at the console (the CLI without --agency):
 * it holds the database file and sees every record; audited as "system". */
int node_person_search(struct node *n, const struct reqctx *c, const json_t *body,
    json_t **out, struct err *e);
/* The same for an array of query objects; answers[i] for queries[i]. */
int node_person_search_many(struct node *n, const struct reqctx *c, const json_t *queries,
    int limit, json_t **answers, struct err *e);

/* Import persons as agency_id: format "persons-jsonl", "ofac-csv" (file is
 * sdn.csv; alt is alt.csv or NULL) or "un-xml". Commits every 1000. */
struct person_import_stats { uint64_t lines, persons, names; };
int node_import_persons(struct node *n, const char *agency_id, const char *format, FILE *in,
    FILE *alt, struct person_import_stats *st, struct err *e);

/* Persons stored after row after_rid that the node's name index scores at
 * or above min for q (the index as a search sees it, rare tokens weighed
 * above common ones): cb(ctx, id, score) for each, best first. No policy
 * decision and no audit: the caller (person watches, node_net.c) decides
 * per record for its principal. */
int node_persons_match_since(struct node *n, const struct nidx_query *q, double min, int64_t after_rid,
    int (*cb)(void *ctx, const char *id, double score), void *ctx, struct err *e);

/* The name index (built on first use, then followed incrementally). */
int node_persons_index_stats(struct node *n, json_t **out, struct err *e);

/* Travel documents. */
int node_document_create(struct node *n, const struct reqctx *c, const json_t *body,
    json_t **out, struct err *e);
int node_documents_check(struct node *n, const struct reqctx *c, const json_t *body,
    json_t **out, struct err *e);
/* Delete documents past their review date, each deletion audited. */
int node_documents_expire(struct node *n, int64_t now, int *deleted, struct err *e);

/* Notices. */
int node_notice_create(struct node *n, const struct reqctx *c, const json_t *body,
    json_t **out, struct err *e);
int node_notices_list(struct node *n, const struct reqctx *c, json_t **out, struct err *e);
int node_notice_ack(struct node *n, const struct reqctx *c, const char *id, json_t **out,
    struct err *e);

/* ICAO 9303 machine-readable zone: TD1 (3 x 30), TD2 (2 x 36), TD3 (2 x 44).
 * Check digits are verified, never corrected. */
struct mrz {
	int  format;                  /* 1, 2, 3; 0 when unreadable */
	bool valid;                   /* every check digit right */
	char doc_type[3];
	char issuing[4];
	char number[16];
	char nationality[4];
	char birth[7], expiry[7];     /* YYMMDD */
	char names[96];
	int  nerrors;
	char errors[6][48];           /* "document_number check digit", ... */
};
int mrz_parse(const char *text, size_t len, struct mrz *out);

#endif
