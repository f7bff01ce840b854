/* misp.h - MISP event JSON: reports to events and events to reports.
 *
 * Pure conversions like stix.h: the export side takes what
 * node_export_reports() rendered after the policy gate. The mapping of
 * selectors to MISP attributes and objects (bank-account, phone-number,
 * coin-address, person), of TLP tags and distribution levels to markings,
 * and of Simpul's other fields to "simpul:" tags is in
 * docs/internals/formats.md. */
#ifndef SIMPUL_MISP_H
#define SIMPUL_MISP_H

#include <jansson.h>

#include "util.h"

/* One event per report: {"Event": {...}}, or for several reports
 * {"response": [{"Event": ...}, ...]}. */
json_t *misp_events(const json_t *reports, const json_t *agencies);

/* MISP event JSON ({"Event": {...}}, a bare event, or {"response": [...]})
 * to {"reports": [report in the POST shape + "src_key" (the event uuid and
 * timestamp: strip it)], "skipped": [{"object", "reason"}], "persons":
 * [{"person": the POST /api/v1/persons shape with the event's markings,
 * "stix_id": a digest key, "stix_modified"}] (person objects with a name,
 * for node_import_records)}. country: the
 * importing agency's (distribution "this community" maps to it). Errors
 * name the attribute ("Event.Attribute[3].value"); nothing is returned on
 * error. */
int misp_to_reports(const json_t *in, const char *country, json_t **out, struct err *e);

#endif
