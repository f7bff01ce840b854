/* formats_node.h - the exchange formats' side of the node (issue 5): what
 * the STIX/MISP exporters, the STIX importer and the TAXII server read and
 * write beyond reports. Every read passes policy_decide (USE_ONWARD for
 * exports) and appends one audit entry; every write is a transaction with
 * its audit entry. docs/internals/formats.md describes it. */
#ifndef SIMPUL_FORMATS_NODE_H
#define SIMPUL_FORMATS_NODE_H

#include <jansson.h>

#include "core.h"

/* GET /api/v1/export/stix?network=ID. The network as p sees it (its FULL
 * members); of those, the reports p may share onward (USE_ONWARD FULL:
 * orcon records leave only with their originator, hit-only never); of
 * those, the largest part still linked through strong, linking selectors of
 * the exported reports alone (so the bundle asserts no link that rests on a
 * record it does not carry). *reports_out, *agencies_out as for
 * node_export_reports (the exporter's agency included); *info_out =
 * {"network","reports","withheld"} (withheld: readable members left out;
 * for the caller, never put in the bundle). One "network.export" audit
 * entry. 404 (audited) for an unknown network, one p does not see, or one
 * with nothing p may share onward; 403 for the public. */
int node_export_network(struct node *n, const struct reqctx *c, const char *net_id, const char *format,
    json_t **reports_out, json_t **agencies_out, json_t **info_out, struct err *e);

/* GET /api/v1/export/stix?person=ID,... or ?notice=ID,...: kind "person" or
 * "notice"; every record must be FULL to the principal for onward use,
 * else 404 naming it (audited), nothing returned. Persons are for
 * law-enforcement principals (403 otherwise, as every person endpoint).
 * *persons_out: persons rendered for export; *notices_out: notices (kind
 * "notice"), and the persons they name that the principal may export go
 * into *persons_out. One "person.export" or "notice.export" audit entry. */
int node_export_records(struct node *n, const struct reqctx *c, const char *kind, const char *const *ids,
    size_t nids, const char *format, json_t **persons_out, json_t **notices_out, json_t **agencies_out,
    struct err *e);

/* Check persons and notices from stix_to_reports() before any write:
 * problems are appended to errs ({"object","field","reason"}); returns the
 * number of bad ones. */
size_t node_check_records(const json_t *persons, const json_t *notices, json_t *errs);

/* Import persons and notices from stix_to_reports() as c's principal (the
 * TAXII poster, or the CLI's agency principal): each is written through
 * node_person_create / node_notice_create (validation, alerts, audit),
 * unless the agency imported that STIX object (id and modified) before;
 * then its digest is claimed. A notice's person subjects are mapped to the
 * persons imported from the same bundle (or earlier); others are dropped.
 * Stops at the first refused record (e names it). */
struct records_stats { uint64_t persons, notices, duplicates, dropped_subjects; };
int node_import_records(struct node *n, const struct reqctx *c, const json_t *persons, const json_t *notices,
    struct records_stats *st, struct err *e);

/* TAXII status resources: stored with the POST they answer (the
 * "taxii.add" audit entry in the same transaction), read back only by the
 * principal that posted (404 for anyone else, audited), kept
 * SIMPUL_TAXII_STATUS_DAYS. */
int node_taxii_status_put(struct node *n, const struct reqctx *c, const char *collection, const json_t *status,
    struct err *e);
int node_taxii_status_get(struct node *n, const struct reqctx *c, const char *id, json_t **out, struct err *e);

/* A TAXII page of the notices collection: the notices after local row
 * after_rid created after added_after_ms that the principal may share
 * onward (USE_ONWARD FULL), at most limit (each with "rid", its row), and
 * the persons they name that the principal may export (law-enforcement
 * principals). *last_rid: the last row looked at (the next page starts
 * after it); *more when there may be more. One "taxii.objects" audit entry. */
int node_export_notice_feed(struct node *n, const struct reqctx *c, int64_t after_rid, int64_t added_after_ms,
    int limit, json_t **notices_out, json_t **persons_out, json_t **agencies_out, int64_t *last_rid,
    bool *more, struct err *e);

#endif
