/* model.h - the concepts of DESIGN.md §2: agencies, principals, markings,
 * selectors and reports, with their parsing from and rendering to JSON. */
#ifndef SIMPUL_MODEL_H
#define SIMPUL_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "simpul_limits.h"
#include "util.h"

enum agency_kind {
	AK_POLICE, AK_ASC, AK_REGULATOR, AK_SECRETARIAT, AK_PARTNER_LE,
	AK_BANK, AK_TELCO, AK_PLATFORM, AK_PUBLIC, AK__N
};
enum role {
	ROLE_ADMIN, ROLE_ANALYST, ROLE_INVESTIGATOR, ROLE_SUPERVISOR,
	ROLE_PARTNER, ROLE_AUDITOR, ROLE_PUBLIC, ROLE__N
};
enum tlp { TLP_CLEAR, TLP_GREEN, TLP_AMBER, TLP_AMBER_STRICT, TLP_RED, TLP__N };
enum disclosure { DISC_HIT, DISC_SILENT, DISC__N };

const char *agency_kind_name(enum agency_kind k);
int         agency_kind_parse(const char *s);   /* -1 if unknown */
const char *role_name(enum role r);
int         role_parse(const char *s);
const char *tlp_name(enum tlp t);
int         tlp_parse(const char *s);           /* accepts "AMBER+STRICT" */
const char *disclosure_name(enum disclosure d);
int         disclosure_parse(const char *s);

bool kind_is_le(enum agency_kind k);       /* police asc regulator secretariat partner_le */
bool kind_is_private(enum agency_kind k);  /* bank telco platform */
bool country_is_member(const char *cc);    /* BN KH ID LA MY MM PH SG TH VN */
bool country_valid(const char *cc);        /* two upper-case letters, ISO 3166-1 alpha-2 */
/* A role is valid for an agency kind: analyst/investigator/supervisor for
 * law enforcement, partner for banks/telcos/platforms, public for public;
 * admin and auditor for every kind but public. */
bool role_valid_for_kind(enum role r, enum agency_kind k);
/* Agency ids: 3..64 of [A-Za-z0-9._-], starting with a letter or digit.
 * Two-letter strings are country codes, so agency ids are longer. */
bool agency_id_valid(const char *s);

struct agency {
	char             id[SIMPUL_MAX_AGENCY_ID + 1];
	char             country[3];
	enum agency_kind kind;
	char             name[SIMPUL_MAX_NAME + 1];
};

struct principal {
	char          id[SIMPUL_ID_LEN + 1];
	struct agency agency;
	enum role     role;
	char          name[SIMPUL_MAX_NAME + 1];
};

/* Audience entries in releasable_to. */
#define AUD_MEMBERS "MEMBERS"
#define AUD_ALL_LE  "ALL_LE"
#define AUD_PRIVATE "PRIVATE"

struct markings {
	enum tlp        tlp;
	enum disclosure disclosure;
	bool            orcon;
	int             naud;
	char            aud[SIMPUL_MAX_AUDIENCE][SIMPUL_MAX_AGENCY_ID + 1];
	char            grading[16];   /* e.g. "B2" admiralty, may be empty */
	char            handling[8];   /* e.g. "H2" or UK 3x5x2 code, may be empty */
	int64_t         review_at_ms;  /* 0 = none */
};
/* Parse {"tlp","releasable_to","disclosure","orcon","grading","handling","review_at"}.
 * Missing object: defaults (AMBER, [] = originator only, hit, orcon false).
 * Errors name the field as "markings.tlp" etc. */
int     markings_parse(const json_t *j, struct markings *m, struct err *e);
json_t *markings_json(const struct markings *m);
/* Audience list as compact JSON text, and back (for storage). */
char   *markings_aud_text(const struct markings *m);
int     markings_aud_from_text(struct markings *m, const char *text);

/* One selector of a report after normalisation. */
struct rsel {
	char  type[16];
	char  key[SIMPUL_MAX_KEY_LEN + 1];
	bool  valid;
	char  role[48];
	char  flag[64];        /* why invalid, empty when valid */
	int   nderived;
	char  derived[SIMPUL_MAX_DERIVED][SIMPUL_MAX_KEY_LEN + 1];
};

/* A report as stored. `body` is the report's content as JSON (reference,
 * dates, scam_type, loss, victim_country, narrative, status, selectors with
 * their given values, victim); the columns beside it are what the store
 * indexes and what the policy gate needs. */
struct report {
	char            id[SIMPUL_ID_LEN + 1];
	char            agency_id[SIMPUL_MAX_AGENCY_ID + 1];
	char            contact_ref[SIMPUL_ID_LEN + 1];
	char            reference[SIMPUL_MAX_SHORT + 1];
	int64_t         version;
	int64_t         created_ms, updated_ms;
	struct markings m;
	size_t          nsel;
	struct rsel    *sel;       /* owned, calloc'd */
	json_t         *body;      /* owned reference */
	char           *body_text; /* owned; set by report_freeze, then body is NULL */
	char           *sels_text; /* owned; set by report_freeze */
};
void report_free(struct report *r);
/* The selectors as the store keeps them: [{"type","key","valid","role",
 * "flag"?,"derived"?}]. NULL when out of memory; caller frees. */
char *report_sels_text(const struct report *r);
/* Serialise what the store keeps as text (the content body and the
 * selectors) and drop the JSON tree, so that a writer thread only binds
 * strings (the import does this on its reader thread). -1 out of memory. */
int   report_freeze(struct report *r);

/* Parse a posted report (DESIGN §2 / issue 2 shape). `default_country` is the
 * posting agency's country, used for national-format phones. Normalises each
 * selector. On error returns -1 with the field named ("selectors[3].type"). */
int report_parse(const json_t *in, const char *default_country, struct report *r, struct err *e);

#endif
