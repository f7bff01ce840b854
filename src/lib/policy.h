/* policy.h - the one gate that decides every read (DESIGN.md §2 markings,
 * §4 "one policy choke point"). No handler, exporter or sync path reads a
 * record around it. Pure functions: no I/O, no allocation, thread-safe. */
#ifndef SIMPUL_POLICY_H
#define SIMPUL_POLICY_H

#include <stdbool.h>

#include "model.h"

enum decision {
	POLICY_NONE = 0,  /* the caller must not learn the record exists */
	POLICY_HIT  = 1,  /* that it exists, who holds it, and a contact reference */
	POLICY_FULL = 2   /* its content, through the field filter below */
};

/* What a record looks like to the gate. */
struct record_meta {
	const char            *agency_id;  /* originating agency */
	const struct markings *m;
};

/* Why the gate is asked. A local read ignores orcon; onward sharing
 * (export, federation) refuses orcon records to anyone but the originator. */
enum policy_use { USE_READ = 0, USE_ONWARD = 1 };

enum decision policy_decide(const struct principal *p, const struct record_meta *r, enum policy_use use);

/* Is agency `a` in the audience of the markings (releasable_to alone,
 * without TLP or role)? */
bool policy_in_audience(const struct agency *a, const struct markings *m);

/* Field filter for a FULL decision: which parts of a report the principal
 * may see. */
#define FIELD_CORE      0x01  /* id, agency, reference, dates, scam type, status, markings */
#define FIELD_SELECTORS 0x02  /* selectors and their roles */
#define FIELD_NARRATIVE 0x04  /* narrative, loss, victim country */
#define FIELD_VICTIM    0x08  /* victim personal data: the originating agency only */
unsigned policy_fields(const struct principal *p, const struct record_meta *r);

/* May this principal read the audit trail (auditor, admin of the node)? */
bool policy_may_audit(const struct principal *p);
/* May this principal write reports? */
bool policy_may_write(const struct principal *p);

#endif
