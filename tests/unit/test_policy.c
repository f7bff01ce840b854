/* test_policy.c - the policy gate against an independent oracle.
 *
 * Two parts:
 *  - an exhaustive sweep over role x agency kind x TLP x releasable_to x
 *    disclosure x orcon x member/non-member country x own/other record x
 *    read/onward use, each compared with oracle_decide(), written here from
 *    the rules in docs/internals/policy.md with literal fact tables and
 *    if-chains (it calls nothing from policy.c or model.c);
 *  - one named test per refusal, readable on its own.
 * A TAP diagnostic reports how many combinations and refusals were checked,
 * and how many nanoseconds a decision takes (printed, never asserted). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "model.h"
#include "policy.h"
#include "util.h"

/* ---- the oracle's own facts ----------------------------------------- */

/* Per agency kind, straight from DESIGN.md §2. */
static const struct kind_fact {
	enum agency_kind kind;
	const char      *name;
	int              le;        /* police asc regulator secretariat partner_le */
	int              member_kind; /* counts for MEMBERS when its country is a member */
	int              private_sector; /* bank telco platform */
	int              public_kind;
} KINDS[] = {
	{ AK_POLICE,      "police",      1, 1, 0, 0 },
	{ AK_ASC,         "asc",         1, 1, 0, 0 },
	{ AK_REGULATOR,   "regulator",   1, 1, 0, 0 },
	{ AK_SECRETARIAT, "secretariat", 1, 1, 0, 0 },
	{ AK_PARTNER_LE,  "partner_le",  1, 0, 0, 0 },
	{ AK_BANK,        "bank",        0, 0, 1, 0 },
	{ AK_TELCO,       "telco",       0, 0, 1, 0 },
	{ AK_PLATFORM,    "platform",    0, 0, 1, 0 },
	{ AK_PUBLIC,      "public",      0, 0, 0, 1 },
};
#define NKINDS (sizeof(KINDS) / sizeof(KINDS[0]))

/* Per role. `valid` lists, in KINDS order, the kinds the role exists for
 * (P A R S L = police asc regulator secretariat partner_le, B T F = bank
 * telco platform, U = public). */
static const struct role_fact {
	enum role   role;
	const char *name;
	const char *valid;       /* "PARSLBTFU" positions, '1' = valid */
	int         le_reader;   /* may be told of a hit when its kind is LE */
	int         may_write;   /* on a kind where it is valid */
	int         may_audit;
} ROLES[] = {
	{ ROLE_ADMIN,        "admin",        "111111110", 1, 1, 1 },
	{ ROLE_ANALYST,      "analyst",      "111110000", 1, 1, 0 },
	{ ROLE_INVESTIGATOR, "investigator", "111110000", 1, 1, 0 },
	{ ROLE_SUPERVISOR,   "supervisor",   "111110000", 1, 1, 0 },
	{ ROLE_PARTNER,      "partner",      "000001110", 0, 1, 0 },
	{ ROLE_AUDITOR,      "auditor",      "111111110", 0, 0, 1 },
	{ ROLE_PUBLIC,       "public",       "000000001", 0, 0, 0 },
};
#define NROLES (sizeof(ROLES) / sizeof(ROLES[0]))

static const char *const MEMBER_COUNTRIES[] = {
	"BN", "KH", "ID", "LA", "MY", "MM", "PH", "SG", "TH", "VN", NULL
};

static const char *const TLP_NAMES[] = { "CLEAR", "GREEN", "AMBER", "AMBER+STRICT", "RED" };

#define SELF   "PRIN-AGENCY"     /* the principal's agency */
#define ORIG   "ORIG-AGENCY"     /* another agency that wrote the record */
#define THIRD  "THIRD-AGENCY"    /* an agency that is neither */
#define OWNCC  "@cc"             /* placeholder: the principal's country */

/* releasable_to audiences of the sweep; SELF and OWNCC are substituted. */
static const char *const AUDIENCES[][6] = {
	{ NULL },
	{ "MEMBERS", NULL },
	{ "ALL_LE", NULL },
	{ "PRIVATE", NULL },
	{ OWNCC, NULL },
	{ "MY", NULL },                  /* another member country */
	{ "US", NULL },                  /* another non-member country */
	{ SELF, NULL },
	{ THIRD, NULL },
	{ ORIG, NULL },                  /* the originator names itself */
	{ "MEMBERS", "PRIVATE", NULL },
	{ THIRD, "MEMBERS", "ALL_LE", NULL },
	{ "PRIVATE", OWNCC, NULL },
	{ "US", "MY", THIRD, NULL },
	{ "ALL_LE", SELF, NULL },
	{ "MEMBERS", "ALL_LE", "PRIVATE", OWNCC, SELF, NULL },
};
#define NAUD (sizeof(AUDIENCES) / sizeof(AUDIENCES[0]))

static const char *const COUNTRIES[] = { "TH", "GB" };   /* member, non-member */

static int
o_member_country(const char *cc)
{
	for (int i = 0; MEMBER_COUNTRIES[i]; i++)
		if (strcmp(MEMBER_COUNTRIES[i], cc) == 0)
			return 1;
	return 0;
}

/* Does one releasable_to entry admit the agency (kind k, country cc, id)?
 * `ids_only`: only an entry spelling out the agency id admits. */
static int
o_entry_admits(const char *entry, const struct kind_fact *k, const char *cc,
    const char *id, int ids_only)
{
	int is_group = strcmp(entry, "MEMBERS") == 0 || strcmp(entry, "ALL_LE") == 0 ||
	    strcmp(entry, "PRIVATE") == 0;
	int is_country = strlen(entry) == 2;

	if (!is_group && !is_country)
		return strcmp(entry, id) == 0;
	if (ids_only)
		return 0;
	if (strcmp(entry, "MEMBERS") == 0)
		return k->member_kind && o_member_country(cc);
	if (strcmp(entry, "ALL_LE") == 0)
		return k->le;
	if (strcmp(entry, "PRIVATE") == 0)
		return k->private_sector;
	return k->le && strcmp(entry, cc) == 0;
}

static int
o_in_audience(const char *const *aud, int naud, const struct kind_fact *k,
    const char *cc, const char *id, int ids_only)
{
	int admitted = 0;

	for (int i = 0; i < naud; i++)
		if (o_entry_admits(aud[i], k, cc, id, ids_only))
			admitted = 1;
	return admitted;
}

struct o_case {
	const struct role_fact *r;
	const struct kind_fact *k;
	int                     kidx;
	const char             *cc;
	const char             *rec_agency;
	enum tlp                tlp;
	enum disclosure         disc;
	int                     orcon;
	const char *const      *aud;
	int                     naud;
	int                     onward;
};

/* The expected decision, from the rules as written. */
static enum decision
oracle_decide(const struct o_case *c)
{
	int valid = c->r->valid[c->kidx] == '1';
	int own = strcmp(c->rec_agency, SELF) == 0;
	int in;

	/* 1: no such principal. 2: the public sees counts elsewhere, never here. */
	if (!valid)
		return POLICY_NONE;
	if (c->r->role == ROLE_PUBLIC || c->k->public_kind)
		return POLICY_NONE;
	/* 3: auditors see their own agency's records only. */
	if (c->r->role == ROLE_AUDITOR) {
		if (own)
			return POLICY_FULL;
		return POLICY_NONE;
	}
	/* 4: own records, whatever the markings and the use. */
	if (own)
		return POLICY_FULL;
	/* 9: orcon stops onward sharing at the originator. */
	if (c->onward && c->orcon)
		return POLICY_NONE;
	/* 6, 5. */
	if (c->tlp == TLP_CLEAR)
		in = 1;
	else if (c->tlp == TLP_GREEN || c->tlp == TLP_AMBER)
		in = o_in_audience(c->aud, c->naud, c->k, c->cc, SELF, 0);
	else if (c->tlp == TLP_AMBER_STRICT)
		in = o_in_audience(c->aud, c->naud, c->k, c->cc, SELF, 1);
	else
		in = !c->k->private_sector &&
		    o_in_audience(c->aud, c->naud, c->k, c->cc, SELF, 1);
	/* 7. */
	if (in)
		return POLICY_FULL;
	/* 8, and 9: no hit-only contacts for onward use. */
	if (c->onward)
		return POLICY_NONE;
	if (c->disc == DISC_SILENT)
		return POLICY_NONE;
	if (c->k->le && c->r->le_reader)
		return POLICY_HIT;
	return POLICY_NONE;
}

static unsigned
oracle_fields(const struct o_case *c, enum decision read_decision)
{
	if (read_decision != POLICY_FULL)
		return 0;
	if (strcmp(c->rec_agency, SELF) == 0)
		return 0x0f;
	if (c->k->le && c->r->le_reader)
		return 0x07;
	if (c->k->private_sector && (c->r->role == ROLE_PARTNER || c->r->role == ROLE_ADMIN))
		return 0x03;
	return 0;
}

/* ---- helpers ---------------------------------------------------------- */

static void
mk_principal(struct principal *p, const char *agency, const char *cc,
    enum agency_kind kind, enum role role)
{
	memset(p, 0, sizeof(*p));
	str_copy(p->id, sizeof(p->id), "01J00000000000000000000000");
	str_copy(p->agency.id, sizeof(p->agency.id), agency);
	str_copy(p->agency.country, sizeof(p->agency.country), cc);
	p->agency.kind = kind;
	p->role = role;
}

/* Markings from a NULL-terminated list of audience entries. */
static void
mk_markings(struct markings *m, enum tlp tlp, enum disclosure disc, bool orcon, ...)
{
	va_list ap;
	const char *s;

	memset(m, 0, sizeof(*m));
	m->tlp = tlp;
	m->disclosure = disc;
	m->orcon = orcon;
	va_start(ap, orcon);
	while ((s = va_arg(ap, const char *)) != NULL && m->naud < SIMPUL_MAX_AUDIENCE)
		str_copy(m->aud[m->naud++], sizeof(m->aud[0]), s);
	va_end(ap);
}

static const char *
dname(enum decision d)
{
	return d == POLICY_FULL ? "FULL" : d == POLICY_HIT ? "HIT" : "NONE";
}

/* ---- the exhaustive sweep ----------------------------------------------- */

static void
test_sweep(void **state)
{
	long combos = 0, refusals = 0, hits = 0, fulls = 0, fields_checked = 0;
	long aud_checked = 0;

	(void)state;
	for (size_t ri = 0; ri < NROLES; ri++)
	for (size_t ki = 0; ki < NKINDS; ki++)
	for (size_t ci = 0; ci < 2; ci++)
	for (size_t ai = 0; ai < NAUD; ai++) {
		const char *cc = COUNTRIES[ci];
		const char *aud[8];
		int naud = 0;
		struct principal p;
		struct markings m;

		for (int j = 0; AUDIENCES[ai][j]; j++)
			aud[naud++] = strcmp(AUDIENCES[ai][j], OWNCC) == 0 ? cc : AUDIENCES[ai][j];
		mk_principal(&p, SELF, cc, KINDS[ki].kind, ROLES[ri].role);

		/* releasable_to alone, without TLP or role. */
		memset(&m, 0, sizeof(m));
		for (int j = 0; j < naud; j++)
			str_copy(m.aud[m.naud++], sizeof(m.aud[0]), aud[j]);
		if (policy_in_audience(&p.agency, &m) !=
		    (bool)o_in_audience(aud, naud, &KINDS[ki], cc, SELF, 0)) {
			print_message("in_audience mismatch: %s/%s audience #%zu\n",
			    KINDS[ki].name, cc, ai);
			fail();
		}
		aud_checked++;

		for (int tlp = 0; tlp < 5; tlp++)
		for (int disc = 0; disc < 2; disc++)
		for (int orcon = 0; orcon < 2; orcon++)
		for (int own = 0; own < 2; own++)
		for (int onward = 0; onward < 2; onward++) {
			struct o_case c = {
				.r = &ROLES[ri], .k = &KINDS[ki], .kidx = (int)ki,
				.cc = cc, .rec_agency = own ? SELF : ORIG,
				.tlp = (enum tlp)tlp, .disc = (enum disclosure)disc,
				.orcon = orcon, .aud = aud, .naud = naud, .onward = onward,
			};
			struct record_meta rec = { c.rec_agency, &m };
			enum decision want, got;

			m.tlp = c.tlp;
			m.disclosure = c.disc;
			m.orcon = orcon;
			want = oracle_decide(&c);
			got = policy_decide(&p, &rec, onward ? USE_ONWARD : USE_READ);
			if (got != want) {
				print_message("decision mismatch: role=%s kind=%s cc=%s "
				    "record=%s tlp=%s disc=%s orcon=%d audience=#%zu use=%s: "
				    "got %s, want %s\n", ROLES[ri].name, KINDS[ki].name, cc,
				    c.rec_agency, TLP_NAMES[tlp], disc ? "silent" : "hit",
				    orcon, ai, onward ? "onward" : "read", dname(got), dname(want));
				fail();
			}
			combos++;
			if (want == POLICY_NONE)
				refusals++;
			else if (want == POLICY_HIT)
				hits++;
			else
				fulls++;
			if (!onward) {
				unsigned fw = oracle_fields(&c, want);
				unsigned fg = policy_fields(&p, &rec);
				if (fg != fw) {
					print_message("fields mismatch: role=%s kind=%s cc=%s "
					    "record=%s tlp=%s audience=#%zu: got %#x, want %#x\n",
					    ROLES[ri].name, KINDS[ki].name, cc, c.rec_agency,
					    TLP_NAMES[tlp], ai, fg, fw);
					fail();
				}
				fields_checked++;
			}
		}
	}
	/* The sweep is the product it claims to be. */
	assert_int_equal(combos, (long)(NROLES * NKINDS * 2 * NAUD * 5 * 2 * 2 * 2 * 2));
	assert_true(refusals > 0 && hits > 0 && fulls > 0);
	printf("# policy sweep: %ld combinations (7 roles x 9 kinds x 2 countries x "
	    "%zu audiences x 5 tlp x 2 disclosures x 2 orcon x own/other x read/onward)\n",
	    combos, NAUD);
	printf("# policy sweep: %ld refusals (NONE) asserted, %ld HIT, %ld FULL; "
	    "%ld field sets, %ld audience memberships checked\n",
	    refusals, hits, fulls, fields_checked, aud_checked);
}

static void
test_may_write_audit_table(void **state)
{
	struct principal p;
	int checked = 0;

	(void)state;
	for (size_t ri = 0; ri < NROLES; ri++)
	for (size_t ki = 0; ki < NKINDS; ki++) {
		int valid = ROLES[ri].valid[ki] == '1';
		int w = valid && ROLES[ri].may_write &&
		    ((KINDS[ki].le && ROLES[ri].le_reader) ||
		     (KINDS[ki].private_sector && ROLES[ri].role == ROLE_PARTNER));
		int a = valid && ROLES[ri].may_audit;

		mk_principal(&p, SELF, "TH", KINDS[ki].kind, ROLES[ri].role);
		if (policy_may_write(&p) != (bool)w || policy_may_audit(&p) != (bool)a) {
			print_message("may_write/may_audit mismatch: %s at %s\n",
			    ROLES[ri].name, KINDS[ki].name);
			fail();
		}
		checked++;
	}
	printf("# policy may_write/may_audit: %d role x kind pairs checked\n", checked);
}

/* ---- named cases, one per refusal -------------------------------------- */

static struct principal th_police, sg_asc, my_asc, th_bank, th_telco, my_platform,
    uk_nca, public_user, th_auditor, bank_admin;

static void
setup_named(void)
{
	mk_principal(&th_police, "TH-RTP", "TH", AK_POLICE, ROLE_ANALYST);
	mk_principal(&sg_asc, "SG-ASCOM", "SG", AK_ASC, ROLE_INVESTIGATOR);
	mk_principal(&my_asc, "MY-NSRC", "MY", AK_ASC, ROLE_ANALYST);
	mk_principal(&th_bank, "TH-KBANK", "TH", AK_BANK, ROLE_PARTNER);
	mk_principal(&th_telco, "TH-AIS", "TH", AK_TELCO, ROLE_PARTNER);
	mk_principal(&my_platform, "MY-SHOPEE", "MY", AK_PLATFORM, ROLE_PARTNER);
	mk_principal(&uk_nca, "UK-NCA", "GB", AK_PARTNER_LE, ROLE_INVESTIGATOR);
	mk_principal(&public_user, "PUBLIC", "MY", AK_PUBLIC, ROLE_PUBLIC);
	mk_principal(&th_auditor, "TH-RTP", "TH", AK_POLICE, ROLE_AUDITOR);
	mk_principal(&bank_admin, "TH-KBANK", "TH", AK_BANK, ROLE_ADMIN);
}

static enum decision
rd(const struct principal *p, const char *orig, const struct markings *m)
{
	struct record_meta r = { orig, m };
	return policy_decide(p, &r, USE_READ);
}

static enum decision
onward(const struct principal *p, const char *orig, const struct markings *m)
{
	struct record_meta r = { orig, m };
	return policy_decide(p, &r, USE_ONWARD);
}

static unsigned
fields(const struct principal *p, const char *orig, const struct markings *m)
{
	struct record_meta r = { orig, m };
	return policy_fields(p, &r);
}

static void
test_bank_never_gets_hit(void **state)
{
	struct markings m;

	(void)state;
	/* A Singapore-only record with hit disclosure: Thai police learn it
	 * exists, Thai banks, telcos and platforms learn nothing. */
	mk_markings(&m, TLP_AMBER, DISC_HIT, false, "SG", NULL);
	assert_int_equal(rd(&th_police, "SG-ASCOM", &m), POLICY_HIT);
	assert_int_equal(rd(&th_bank, "SG-ASCOM", &m), POLICY_NONE);
	assert_int_equal(rd(&bank_admin, "SG-ASCOM", &m), POLICY_NONE);
	assert_int_equal(rd(&th_telco, "SG-ASCOM", &m), POLICY_NONE);
	assert_int_equal(rd(&my_platform, "SG-ASCOM", &m), POLICY_NONE);
	/* Not even when the record is marked for everyone in law enforcement. */
	mk_markings(&m, TLP_GREEN, DISC_HIT, false, "ALL_LE", "MEMBERS", NULL);
	assert_int_equal(rd(&th_bank, "SG-ASCOM", &m), POLICY_NONE);
}

static void
test_public_never_gets_anything(void **state)
{
	struct markings m;

	(void)state;
	for (int t = 0; t < TLP__N; t++) {
		mk_markings(&m, (enum tlp)t, DISC_HIT, false, "MEMBERS", "ALL_LE",
		    "PRIVATE", "MY", "PUBLIC", NULL);
		assert_int_equal(rd(&public_user, "MY-NSRC", &m), POLICY_NONE);
		/* Its own filed report is not readable back through the gate. */
		assert_int_equal(rd(&public_user, "PUBLIC", &m), POLICY_NONE);
		assert_int_equal(fields(&public_user, "PUBLIC", &m), 0);
	}
	assert_false(policy_may_write(&public_user));
	assert_false(policy_may_audit(&public_user));
}

static void
test_silent_never_hit_to_outsiders(void **state)
{
	struct markings m;

	(void)state;
	mk_markings(&m, TLP_AMBER, DISC_SILENT, false, "SG", NULL);
	assert_int_equal(rd(&th_police, "SG-ASCOM", &m), POLICY_NONE);
	assert_int_equal(rd(&uk_nca, "SG-ASCOM", &m), POLICY_NONE);
	/* The audience still reads it; silence is about outsiders. */
	assert_int_equal(rd(&sg_asc, "SG-OTHER", &m), POLICY_FULL);
	m.disclosure = DISC_HIT;
	assert_int_equal(rd(&th_police, "SG-ASCOM", &m), POLICY_HIT);
}

static void
test_red_not_via_members(void **state)
{
	struct markings m;

	(void)state;
	mk_markings(&m, TLP_RED, DISC_SILENT, false, "MEMBERS", "ALL_LE", "TH", NULL);
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_NONE);
	m.disclosure = DISC_HIT;
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_HIT);
	/* The same groups under AMBER admit. */
	m.tlp = TLP_AMBER;
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_FULL);
	/* Named by id, RED admits law enforcement. */
	mk_markings(&m, TLP_RED, DISC_HIT, false, "TH-RTP", NULL);
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_FULL);
}

static void
test_red_never_full_to_private_even_named(void **state)
{
	struct markings m;

	(void)state;
	mk_markings(&m, TLP_RED, DISC_HIT, false, "TH-KBANK", "TH-AIS", "MY-SHOPEE", NULL);
	assert_int_equal(rd(&th_bank, "TH-RTP", &m), POLICY_NONE);
	assert_int_equal(rd(&bank_admin, "TH-RTP", &m), POLICY_NONE);
	assert_int_equal(rd(&th_telco, "TH-RTP", &m), POLICY_NONE);
	assert_int_equal(rd(&my_platform, "TH-RTP", &m), POLICY_NONE);
	assert_int_equal(fields(&th_bank, "TH-RTP", &m), 0);
	/* One step down, AMBER+STRICT, the named bank reads it. */
	m.tlp = TLP_AMBER_STRICT;
	assert_int_equal(rd(&th_bank, "TH-RTP", &m), POLICY_FULL);
}

static void
test_amber_strict_only_named_agencies(void **state)
{
	struct markings m;

	(void)state;
	mk_markings(&m, TLP_AMBER_STRICT, DISC_SILENT, false, "MEMBERS", "ALL_LE",
	    "PRIVATE", "TH", "MY", "SG-ASCOM", NULL);
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_NONE);
	assert_int_equal(rd(&uk_nca, "MY-NSRC", &m), POLICY_NONE);
	assert_int_equal(rd(&th_bank, "MY-NSRC", &m), POLICY_NONE);
	assert_int_equal(rd(&sg_asc, "MY-NSRC", &m), POLICY_FULL);
	/* Outside, law enforcement gets a hit when the originator allows it. */
	m.disclosure = DISC_HIT;
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_HIT);
	assert_int_equal(rd(&th_bank, "MY-NSRC", &m), POLICY_NONE);
}

static void
test_partner_le_in_all_le_not_members(void **state)
{
	struct markings m;

	(void)state;
	assert_false(policy_in_audience(&uk_nca.agency, &(struct markings){ .naud = 1,
	    .aud = { "MEMBERS" } }));
	assert_true(policy_in_audience(&uk_nca.agency, &(struct markings){ .naud = 1,
	    .aud = { "ALL_LE" } }));
	mk_markings(&m, TLP_AMBER, DISC_SILENT, false, "MEMBERS", NULL);
	assert_int_equal(rd(&uk_nca, "MY-NSRC", &m), POLICY_NONE);
	m.disclosure = DISC_HIT;
	assert_int_equal(rd(&uk_nca, "MY-NSRC", &m), POLICY_HIT);
	mk_markings(&m, TLP_AMBER, DISC_SILENT, false, "ALL_LE", NULL);
	assert_int_equal(rd(&uk_nca, "MY-NSRC", &m), POLICY_FULL);
	assert_int_equal(fields(&uk_nca, "MY-NSRC", &m),
	    FIELD_CORE | FIELD_SELECTORS | FIELD_NARRATIVE);
	/* A partner stationed in a member country is still not MEMBERS. */
	struct principal afp_bkk;
	mk_principal(&afp_bkk, "AU-AFP-BKK", "TH", AK_PARTNER_LE, ROLE_ANALYST);
	mk_markings(&m, TLP_AMBER, DISC_SILENT, false, "MEMBERS", NULL);
	assert_false(policy_in_audience(&afp_bkk.agency, &m));
	assert_int_equal(rd(&afp_bkk, "MY-NSRC", &m), POLICY_NONE);
	/* A member-kind agency outside the member countries is not MEMBERS. */
	struct principal us_police;
	mk_principal(&us_police, "US-FBI", "US", AK_POLICE, ROLE_ANALYST);
	mk_markings(&m, TLP_AMBER, DISC_SILENT, false, "MEMBERS", NULL);
	assert_int_equal(rd(&us_police, "MY-NSRC", &m), POLICY_NONE);
}

static void
test_country_audience_is_law_enforcement_only(void **state)
{
	struct markings m;

	(void)state;
	mk_markings(&m, TLP_AMBER, DISC_HIT, false, "TH", NULL);
	assert_true(policy_in_audience(&th_police.agency, &m));
	assert_false(policy_in_audience(&th_bank.agency, &m));
	assert_false(policy_in_audience(&th_telco.agency, &m));
	assert_false(policy_in_audience(&my_asc.agency, &m));
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_FULL);
	assert_int_equal(rd(&th_bank, "MY-NSRC", &m), POLICY_NONE);
	assert_int_equal(rd(&my_asc, "MY-OTHER", &m), POLICY_HIT);
}

static void
test_orcon_refused_for_onward_use(void **state)
{
	struct markings m;

	(void)state;
	mk_markings(&m, TLP_GREEN, DISC_HIT, true, "MEMBERS", "ALL_LE", NULL);
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_FULL);
	assert_int_equal(onward(&th_police, "MY-NSRC", &m), POLICY_NONE);
	assert_int_equal(onward(&uk_nca, "MY-NSRC", &m), POLICY_NONE);
	/* Even a CLEAR orcon record is not exported by others. */
	m.tlp = TLP_CLEAR;
	assert_int_equal(onward(&th_police, "MY-NSRC", &m), POLICY_NONE);
	/* The originator exports its own. */
	assert_int_equal(onward(&my_asc, "MY-NSRC", &m), POLICY_FULL);
	/* Without orcon the audience may export. */
	m.orcon = false;
	m.tlp = TLP_GREEN;
	assert_int_equal(onward(&th_police, "MY-NSRC", &m), POLICY_FULL);
	/* An unknown use is held to the onward rules. */
	m.orcon = true;
	struct record_meta r = { "MY-NSRC", &m };
	assert_int_equal(policy_decide(&th_police, &r, (enum policy_use)7), POLICY_NONE);
}

static void
test_hit_never_exported(void **state)
{
	struct markings m;

	(void)state;
	mk_markings(&m, TLP_AMBER, DISC_HIT, false, "SG", NULL);
	assert_int_equal(rd(&th_police, "SG-ASCOM", &m), POLICY_HIT);
	assert_int_equal(onward(&th_police, "SG-ASCOM", &m), POLICY_NONE);
}

static void
test_victim_field_only_to_originator(void **state)
{
	struct markings m;

	(void)state;
	mk_markings(&m, TLP_GREEN, DISC_HIT, false, "MEMBERS", "ALL_LE", "PRIVATE", NULL);
	assert_int_equal(fields(&th_police, "TH-RTP", &m),
	    FIELD_CORE | FIELD_SELECTORS | FIELD_NARRATIVE | FIELD_VICTIM);
	assert_int_equal(fields(&my_asc, "TH-RTP", &m) & FIELD_VICTIM, 0);
	assert_int_equal(fields(&uk_nca, "TH-RTP", &m) & FIELD_VICTIM, 0);
	assert_int_equal(fields(&th_bank, "TH-RTP", &m), FIELD_CORE | FIELD_SELECTORS);
	assert_int_equal(fields(&bank_admin, "TH-RTP", &m), FIELD_CORE | FIELD_SELECTORS);
	/* A hit carries no fields at all. */
	mk_markings(&m, TLP_AMBER, DISC_HIT, false, "SG", NULL);
	assert_int_equal(rd(&th_police, "SG-ASCOM", &m), POLICY_HIT);
	assert_int_equal(fields(&th_police, "SG-ASCOM", &m), 0);
}

static void
test_clear_is_public_content_through_the_field_filter(void **state)
{
	struct markings m;

	(void)state;
	mk_markings(&m, TLP_CLEAR, DISC_SILENT, false, NULL);
	assert_int_equal(rd(&th_bank, "MY-NSRC", &m), POLICY_FULL);
	assert_int_equal(fields(&th_bank, "MY-NSRC", &m), FIELD_CORE | FIELD_SELECTORS);
	assert_int_equal(rd(&uk_nca, "MY-NSRC", &m), POLICY_FULL);
	assert_int_equal(rd(&public_user, "MY-NSRC", &m), POLICY_NONE);
	assert_int_equal(rd(&th_auditor, "MY-NSRC", &m), POLICY_NONE);
}

static void
test_role_kind_mismatch_gets_nothing(void **state)
{
	static const struct { enum agency_kind k; enum role r; } bad[] = {
		{ AK_BANK, ROLE_ANALYST }, { AK_TELCO, ROLE_INVESTIGATOR },
		{ AK_PLATFORM, ROLE_SUPERVISOR }, { AK_POLICE, ROLE_PARTNER },
		{ AK_PARTNER_LE, ROLE_PARTNER }, { AK_POLICE, ROLE_PUBLIC },
		{ AK_PUBLIC, ROLE_ADMIN }, { AK_PUBLIC, ROLE_AUDITOR },
		{ AK_PUBLIC, ROLE_ANALYST },
	};
	struct markings m;
	struct principal p;

	(void)state;
	mk_markings(&m, TLP_CLEAR, DISC_HIT, false, "MEMBERS", "ALL_LE", "PRIVATE", NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		mk_principal(&p, "TH-X01", "TH", bad[i].k, bad[i].r);
		assert_int_equal(rd(&p, "TH-X01", &m), POLICY_NONE);   /* even its own */
		assert_int_equal(rd(&p, "MY-NSRC", &m), POLICY_NONE);
		assert_int_equal(fields(&p, "TH-X01", &m), 0);
		assert_false(policy_may_write(&p));
		assert_false(policy_may_audit(&p));
	}
}

static void
test_auditor_own_agency_only(void **state)
{
	struct markings m;

	(void)state;
	mk_markings(&m, TLP_RED, DISC_SILENT, true, NULL);
	assert_int_equal(rd(&th_auditor, "TH-RTP", &m), POLICY_FULL);
	mk_markings(&m, TLP_GREEN, DISC_HIT, false, "MEMBERS", "ALL_LE", "TH-RTP", NULL);
	assert_int_equal(rd(&th_auditor, "MY-NSRC", &m), POLICY_NONE);
	assert_true(policy_may_audit(&th_auditor));
	assert_false(policy_may_write(&th_auditor));
	assert_false(policy_may_audit(&th_police));
}

static void
test_empty_audience_is_originator_only(void **state)
{
	struct markings m;

	(void)state;
	mk_markings(&m, TLP_GREEN, DISC_SILENT, false, NULL);
	assert_false(policy_in_audience(&my_asc.agency, &m));
	assert_int_equal(rd(&my_asc, "MY-NSRC", &m), POLICY_FULL);
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_NONE);
	assert_int_equal(rd(&th_bank, "MY-NSRC", &m), POLICY_NONE);
}

static void
test_agency_id_exact_match(void **state)
{
	struct markings m;

	(void)state;
	/* Case, prefixes and suffixes do not match. */
	mk_markings(&m, TLP_AMBER, DISC_SILENT, false, "th-rtp", "TH-RT", "TH-RTP2", NULL);
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_NONE);
	/* Reserved words are groups, never ids: an agency spelt "MEMBERS"
	 * outside the member groups is not named by it. */
	struct principal odd;
	mk_principal(&odd, "MEMBERS", "GB", AK_PARTNER_LE, ROLE_ANALYST);
	mk_markings(&m, TLP_AMBER_STRICT, DISC_SILENT, false, "MEMBERS", NULL);
	assert_int_equal(rd(&odd, "MY-NSRC", &m), POLICY_NONE);
}

static void
test_corrupt_input_refused(void **state)
{
	struct markings m;
	struct principal p;
	struct record_meta r = { "MY-NSRC", &m };

	(void)state;
	mk_markings(&m, TLP_CLEAR, DISC_HIT, false, "MEMBERS", NULL);
	assert_int_equal(policy_decide(NULL, &r, USE_READ), POLICY_NONE);
	assert_int_equal(policy_decide(&th_police, NULL, USE_READ), POLICY_NONE);
	r.m = NULL;
	assert_int_equal(policy_decide(&th_police, &r, USE_READ), POLICY_NONE);
	assert_int_equal(policy_fields(&th_police, &r), 0);
	assert_false(policy_in_audience(NULL, &m));
	assert_false(policy_in_audience(&th_police.agency, NULL));
	assert_false(policy_may_write(NULL));
	assert_false(policy_may_audit(NULL));
	r.m = &m;

	/* Unknown TLP: nobody but the originator. */
	m.tlp = (enum tlp)TLP__N;
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_NONE);
	assert_int_equal(rd(&my_asc, "MY-NSRC", &m), POLICY_FULL);
	/* Unknown disclosure is silent. */
	mk_markings(&m, TLP_AMBER, (enum disclosure)5, false, "SG", NULL);
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_NONE);
	/* A corrupt audience count is an empty audience. */
	mk_markings(&m, TLP_AMBER, DISC_SILENT, false, "MEMBERS", NULL);
	m.naud = -1;
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_NONE);
	m.naud = SIMPUL_MAX_AUDIENCE + 1;
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_NONE);
	/* An unterminated entry names nobody. */
	mk_markings(&m, TLP_AMBER, DISC_SILENT, false, NULL);
	memset(m.aud[0], 'A', sizeof(m.aud[0]));
	m.naud = 1;
	mk_principal(&p, "AAAA", "TH", AK_POLICE, ROLE_ANALYST);
	memset(p.agency.id, 'A', sizeof(p.agency.id) - 1);
	assert_int_equal(rd(&p, "MY-NSRC", &m), POLICY_NONE);
	/* Empty agency ids are nobody's. */
	mk_markings(&m, TLP_AMBER, DISC_SILENT, false, NULL);
	mk_principal(&p, "", "TH", AK_POLICE, ROLE_ANALYST);
	assert_int_equal(rd(&p, "", &m), POLICY_NONE);
	assert_false(policy_may_write(&p));
	assert_int_equal(rd(&th_police, "", &m), POLICY_NONE);
	assert_int_equal(rd(&th_police, NULL, &m), POLICY_NONE);
	/* Out-of-range role or kind. */
	mk_principal(&p, "TH-RTP", "TH", (enum agency_kind)AK__N, ROLE_ADMIN);
	assert_int_equal(rd(&p, "TH-RTP", &m), POLICY_NONE);
	mk_principal(&p, "TH-RTP", "TH", AK_POLICE, (enum role)ROLE__N);
	assert_int_equal(rd(&p, "TH-RTP", &m), POLICY_NONE);
	assert_false(policy_may_write(&p));
	/* A country code in the wrong case or a bad country never matches. */
	mk_markings(&m, TLP_AMBER, DISC_SILENT, false, "th", NULL);
	assert_int_equal(rd(&th_police, "MY-NSRC", &m), POLICY_NONE);
	mk_principal(&p, "TH-X02", "T", AK_POLICE, ROLE_ANALYST);
	mk_markings(&m, TLP_AMBER, DISC_SILENT, false, "MEMBERS", "T", NULL);
	assert_int_equal(rd(&p, "MY-NSRC", &m), POLICY_NONE);
}

/* ---- speed ------------------------------------------------------------ */

static void
test_speed(void **state)
{
	enum { NP = 8, NM = 8, ITER = 2000000 };
	struct principal ps[NP];
	struct markings ms[NM];
	struct record_meta rs[NM];
	const char *orig[NM] = { "MY-NSRC", "TH-RTP", "SG-ASCOM", "MY-NSRC",
	    "VN-MPS", "TH-RTP", "UK-NCA", "PH-PNP" };
	volatile unsigned sink = 0;
	struct timespec t0, t1;
	double ns;

	(void)state;
	setup_named();
	ps[0] = th_police; ps[1] = sg_asc; ps[2] = my_asc; ps[3] = th_bank;
	ps[4] = uk_nca; ps[5] = my_platform; ps[6] = th_telco; ps[7] = bank_admin;
	mk_markings(&ms[0], TLP_AMBER, DISC_HIT, false, "MEMBERS", NULL);
	mk_markings(&ms[1], TLP_GREEN, DISC_HIT, false, "TH", "PRIVATE", NULL);
	mk_markings(&ms[2], TLP_AMBER_STRICT, DISC_SILENT, true, "MY-NSRC", "TH-RTP", NULL);
	mk_markings(&ms[3], TLP_RED, DISC_HIT, false, "MEMBERS", "TH-KBANK", NULL);
	mk_markings(&ms[4], TLP_AMBER, DISC_HIT, false, "VN", "KH", "LA", "MM", "TH-AOC", NULL);
	mk_markings(&ms[5], TLP_CLEAR, DISC_HIT, false, NULL);
	mk_markings(&ms[6], TLP_AMBER, DISC_SILENT, false, "ALL_LE", NULL);
	mk_markings(&ms[7], TLP_GREEN, DISC_HIT, false, NULL);
	for (int i = 0; i < NM; i++) {
		rs[i].agency_id = orig[i];
		rs[i].m = &ms[i];
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < ITER; i++)
		sink += (unsigned)policy_decide(&ps[i % NP], &rs[(i / NP) % NM], USE_READ);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / ITER;
	printf("# policy_decide: %.1f ns per decision (%d calls over %d principals x "
	    "%d markings; not asserted)\n", ns, ITER, NP, NM);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int i = 0; i < ITER; i++)
		sink += policy_fields(&ps[i % NP], &rs[(i / NP) % NM]);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) / ITER;
	printf("# policy_fields: %.1f ns per call\n", ns);
	assert_true(sink > 0);
}

static int
group_setup(void **state)
{
	(void)state;
	setup_named();
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sweep),
		cmocka_unit_test(test_may_write_audit_table),
		cmocka_unit_test(test_bank_never_gets_hit),
		cmocka_unit_test(test_public_never_gets_anything),
		cmocka_unit_test(test_silent_never_hit_to_outsiders),
		cmocka_unit_test(test_red_not_via_members),
		cmocka_unit_test(test_red_never_full_to_private_even_named),
		cmocka_unit_test(test_amber_strict_only_named_agencies),
		cmocka_unit_test(test_partner_le_in_all_le_not_members),
		cmocka_unit_test(test_country_audience_is_law_enforcement_only),
		cmocka_unit_test(test_orcon_refused_for_onward_use),
		cmocka_unit_test(test_hit_never_exported),
		cmocka_unit_test(test_victim_field_only_to_originator),
		cmocka_unit_test(test_clear_is_public_content_through_the_field_filter),
		cmocka_unit_test(test_role_kind_mismatch_gets_nothing),
		cmocka_unit_test(test_auditor_own_agency_only),
		cmocka_unit_test(test_empty_audience_is_originator_only),
		cmocka_unit_test(test_agency_id_exact_match),
		cmocka_unit_test(test_corrupt_input_refused),
		cmocka_unit_test(test_speed),
	};

	return cmocka_run_group_tests_name("policy", tests, group_setup, NULL);
}
