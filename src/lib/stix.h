/* stix.h - STIX 2.1: reports to bundles and bundles to reports.
 *
 * Pure conversions, no I/O and no policy: the export side takes what
 * node_export_reports() (core.h) rendered for a principal, after the
 * policy gate and the field filter, so nothing reaches a bundle that the
 * principal could not read and share onward. docs/internals/formats.md
 * describes the mapping, the extension definitions and the markings. */
#ifndef SIMPUL_STIX_H
#define SIMPUL_STIX_H

#include <jansson.h>

#include "core.h"
#include "util.h"

/* FIRST TLP 2.0 (OASIS cti-stix-common-objects, tlp-2.0). */
#define STIX_TLP2_EXTENSION "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* A bundle under construction: objects are kept once by id, in the order
 * first added. Adding a kind of record (persons, networks, notices) is one
 * more stix_add_* function over the same helpers. */
struct stix_out;
struct stix_out *stix_out_new(void);
void    stix_out_free(struct stix_out *b);
/* reports: as rendered by node_export_reports; agencies: its agency map. */
int     stix_add_reports(struct stix_out *b, const json_t *reports, const json_t *agencies, struct err *e);
/* persons: as rendered for export (formats_node.c: id, agency, created,
 * updated, version, names, ..., markings): an identity (identity_class
 * individual) each, Simpul's person fields in the Simpul properties
 * extension ("record": "person"), linked selectors as observables with a
 * related-to relationship. */
int     stix_add_persons(struct stix_out *b, const json_t *persons, const json_t *agencies, struct err *e);
/* notices ({id, agency, created, updated, version, kind, title, text,
 * subjects, markings}): a report each (report_types threat-actor for a
 * wanted person, attack-pattern for a modus operandi, threat-report for a
 * warning; "record": "notice" in the extension). Add the persons first: a
 * person subject is referred to only when the bundle carries it. */
int     stix_add_notices(struct stix_out *b, const json_t *notices, const json_t *agencies, struct err *e);
/* A network: its reports (as stix_add_reports) and a report of their
 * report objects (report_types campaign, "record": "network": a grouping
 * cannot validate against the official bundle schema), by the exporting
 * agency, marked with the most restrictive of its reports' markings. */
int     stix_add_network(struct stix_out *b, const char *net_id, const json_t *reports, const json_t *agencies,
    const char *exporter, struct err *e);
/* The bundle ({"type":"bundle","id",...,"objects"}); b keeps nothing. */
json_t *stix_bundle(struct stix_out *b);

/* Simpul's extension-definition objects (and the identity that authored
 * them), as an array: they are not put in bundles (see stix.c). */
json_t *stix_extension_definitions(void);

/* "type--uuid" for a name in Simpul's namespace (UUIDv5): the same record
 * gets the same STIX id on every export. */
void stix_id(const char *type, const char *name, char out[128]);

/* STIX 2.1 bundle to reports in the shape of POST /api/v1/reports (an
 * array), for the import pipeline. Indicators with simple patterns
 * ([type:prop = 'v'] joined by AND) and observables become selectors;
 * report/grouping objects group them (a report each; objects no report
 * refers to go into one report of their own); TLP 2.0 marking-definitions
 * and Simpul's marking extension become markings. Errors name the object
 * ("objects[3].pattern") and say why; nothing is returned on error.
 * *reports_out = {"reports": [report + "stix_id", "stix_modified" (strip
 * both before report_parse; they identify the source object)], "skipped":
 * [{"object", "reason"}] (valid STIX with no Simpul meaning: other pattern
 * forms, other observables)}. */
int stix_to_reports(const json_t *bundle, json_t **reports_out, struct err *e);

/* An import source (core.h) over stix_to_reports()'s "reports": each
 * report's digest is its source object's id and modified time, so the same
 * bundle imported again changes nothing. */
struct stix_src {
	const json_t *reports;
	size_t        i;
};
void stix_source(struct stix_src *s, const json_t *reports, struct import_source *src);

#endif
