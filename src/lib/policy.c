/* policy.c - the one gate (DESIGN.md §2 markings, §4 "one policy choke
 * point"). The rules, their order and every choice made where the brief was
 * silent are in docs/internals/policy.md; tests/unit/test_policy.c checks
 * them against an independent oracle over the whole input product.
 *
 * This runs once per posting on the check path, so it is pure, allocation
 * free and branchy rather than clever. Every input is treated as possibly
 * corrupt: an out-of-range enum, an unterminated audience entry or a missing
 * agency id makes the gate refuse, never guess. */
#include "policy.h"

#include <stddef.h>
#include <string.h>

/* Both an audience entry and an agency id are SIMPUL_MAX_AGENCY_ID + 1 bytes. */
#define ID_SZ	(SIMPUL_MAX_AGENCY_ID + 1)

/*
 * Bounded equality of a fixed-size field `fixed` (ID_SZ bytes, possibly not
 * NUL-terminated if corrupt) with a NUL-terminated string `s`. An
 * unterminated field equals nothing. Never reads `s` past its terminator.
 */
static bool
id_eq(const char *fixed, const char *s)
{
	size_t i;

	for (i = 0; i < ID_SZ; i++) {
		if (fixed[i] != s[i])
			return false;
		if (fixed[i] == '\0')
			return true;
	}
	return false;
}

/* A fixed-size field holds a terminated, non-empty string. */
static bool
id_present(const char *fixed)
{
	return fixed[0] != '\0' && memchr(fixed, '\0', ID_SZ) != NULL;
}

/*
 * The principal is one the gate can reason about: enums in range, an agency
 * id, and a role that exists for its agency kind (rule 1). Anything else gets
 * nothing.
 */
static bool
principal_valid(const struct principal *p)
{
	if (p == NULL)
		return false;
	if ((unsigned)p->role >= ROLE__N || (unsigned)p->agency.kind >= AK__N)
		return false;
	if (!id_present(p->agency.id))
		return false;
	return role_valid_for_kind(p->role, p->agency.kind);
}

/* Law-enforcement roles that may read and may be told of a hit (rule 8). */
static bool
role_is_le_reader(enum role r)
{
	return r == ROLE_ADMIN || r == ROLE_ANALYST || r == ROLE_INVESTIGATOR ||
	    r == ROLE_SUPERVISOR;
}

/* The principal's agency originated the record (rule 4). A record with no
 * originator is nobody's own; an empty one cannot equal a valid principal's
 * agency id, which principal_valid() requires to be non-empty. */
static bool
is_originator(const struct principal *p, const struct record_meta *r)
{
	return r->agency_id != NULL && id_eq(p->agency.id, r->agency_id);
}

/* MEMBERS: police, asc, regulator or secretariat of a member country.
 * partner_le is law enforcement but not a member. */
static bool
in_members(const struct agency *a)
{
	return kind_is_le(a->kind) && a->kind != AK_PARTNER_LE &&
	    country_is_member(a->country);
}

/*
 * releasable_to membership. With `ids_only` (AMBER+STRICT, RED) the group
 * audiences MEMBERS, ALL_LE, PRIVATE and country codes are ignored and only
 * entries naming the agency by id count. The reserved words and two-letter
 * strings are never agency ids (agency_id_valid() wants three characters).
 */
static bool
audience_match(const struct agency *a, const struct markings *m, bool ids_only)
{
	int i, n = m->naud;

	/* A corrupt count is an empty audience: the originator only. */
	if (n <= 0 || n > SIMPUL_MAX_AUDIENCE)
		return false;
	for (i = 0; i < n; i++) {
		const char *e = m->aud[i];

		if (!id_present(e))
			continue;
		if (strcmp(e, AUD_MEMBERS) == 0) {
			if (!ids_only && in_members(a))
				return true;
		} else if (strcmp(e, AUD_ALL_LE) == 0) {
			if (!ids_only && kind_is_le(a->kind))
				return true;
		} else if (strcmp(e, AUD_PRIVATE) == 0) {
			if (!ids_only && kind_is_private(a->kind))
				return true;
		} else if (e[1] != '\0' && e[2] == '\0') {
			/* Two characters: a country code or nothing. */
			if (!ids_only && country_valid(e) && kind_is_le(a->kind) &&
			    a->country[0] == e[0] && a->country[1] == e[1] &&
			    a->country[2] == '\0')
				return true;
		} else if (e[1] != '\0') {
			if (id_present(a->id) && id_eq(e, a->id))
				return true;
		}
		/* One character: matches nothing. */
	}
	return false;
}

bool
policy_in_audience(const struct agency *a, const struct markings *m)
{
	if (a == NULL || m == NULL || (unsigned)a->kind >= AK__N)
		return false;
	return audience_match(a, m, false);
}

enum decision
policy_decide(const struct principal *p, const struct record_meta *r, enum policy_use use)
{
	const struct markings *m;
	const struct agency *a;
	bool onward, in;

	if (r == NULL || r->m == NULL || !principal_valid(p))
		return POLICY_NONE;				/* rule 1 */
	a = &p->agency;
	m = r->m;
	/* Anything but an explicit local read is held to the onward rules. */
	onward = use != USE_READ;

	if (p->role == ROLE_PUBLIC || a->kind == AK_PUBLIC)
		return POLICY_NONE;				/* rule 2 */
	if (p->role == ROLE_AUDITOR)				/* rule 3 */
		return is_originator(p, r) ? POLICY_FULL : POLICY_NONE;
	if (is_originator(p, r))
		return POLICY_FULL;				/* rule 4 */
	if (onward && m->orcon)
		return POLICY_NONE;				/* rule 9 */

	switch (m->tlp) {					/* rules 5, 6 */
	case TLP_CLEAR:
		return POLICY_FULL;
	case TLP_GREEN:
	case TLP_AMBER:
		in = audience_match(a, m, false);
		break;
	case TLP_AMBER_STRICT:
		in = audience_match(a, m, true);
		break;
	case TLP_RED:
		in = !kind_is_private(a->kind) && audience_match(a, m, true);
		break;
	default:
		return POLICY_NONE;	/* unknown TLP: nobody but the originator */
	}
	if (in)
		return POLICY_FULL;				/* rule 7 */

	/* Rule 8: hit-only, to law enforcement, when the originator allows it;
	 * never for onward use (rule 9). An unknown disclosure is silent. */
	if (!onward && m->disclosure == DISC_HIT && kind_is_le(a->kind) &&
	    role_is_le_reader(p->role))
		return POLICY_HIT;
	return POLICY_NONE;
}

unsigned
policy_fields(const struct principal *p, const struct record_meta *r)
{
	if (policy_decide(p, r, USE_READ) != POLICY_FULL)
		return 0;
	if (is_originator(p, r))
		return FIELD_CORE | FIELD_SELECTORS | FIELD_NARRATIVE | FIELD_VICTIM;
	if (kind_is_le(p->agency.kind) && role_is_le_reader(p->role))
		return FIELD_CORE | FIELD_SELECTORS | FIELD_NARRATIVE;
	if (kind_is_private(p->agency.kind) &&
	    (p->role == ROLE_PARTNER || p->role == ROLE_ADMIN))
		return FIELD_CORE | FIELD_SELECTORS;
	return 0;
}

bool
policy_may_audit(const struct principal *p)
{
	return principal_valid(p) &&
	    (p->role == ROLE_AUDITOR || p->role == ROLE_ADMIN);
}

bool
policy_may_write(const struct principal *p)
{
	if (!principal_valid(p))
		return false;
	if (kind_is_le(p->agency.kind))
		return role_is_le_reader(p->role);
	if (kind_is_private(p->agency.kind))
		return p->role == ROLE_PARTNER;
	return false;
}
