/* test_networks.c - the component index (networks.c): merges, splits on
 * retraction, the generic-value rules and overrides, and what each
 * principal's view shows and hides. A randomised test compares the index,
 * after every insert and retraction, with a from-scratch BFS oracle written
 * here. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "networks.h"
#include "util.h"

static int64_t next_rid = 1;

static void
mk_markings(struct markings *m, enum tlp t, enum disclosure d, const char *aud)
{
	memset(m, 0, sizeof(*m));
	m->tlp = t;
	m->disclosure = d;
	if (aud) {
		str_copy(m->aud[0], sizeof(m->aud[0]), aud);
		m->naud = 1;
	}
}

/* Add a report with keys given as "k1,k2,..." (a leading '~' makes the edge weak). */
static void
add(struct net *nt, const char *id, const char *agency, const char *country, const struct markings *m,
    const char *keys, const char *cur, int64_t loss, const char *vc)
{
	const char *kv[32];
	bool strong[32];
	char buf[512], *save = NULL, *t;
	size_t n = 0;
	struct net_report_in in = { 0 };

	str_copy(buf, sizeof(buf), keys);
	for (t = strtok_r(buf, ",", &save); t && n < 32; t = strtok_r(NULL, ",", &save)) {
		strong[n] = t[0] != '~';
		kv[n++] = t[0] == '~' ? t + 1 : t;
	}
	in.rid = next_rid++;
	in.id = id;
	in.agency_id = agency;
	in.agency_country = country;
	in.m = m;
	in.seen_ms = 1700000000000 + in.rid * 1000;
	in.scam_type = "investment";
	in.victim_country = vc;
	in.currency = cur;
	in.loss = loss;
	in.nkeys = n;
	in.keys = kv;
	in.strong = strong;
	assert_int_equal(net_add(nt, &in), 0);
}

static void
principal(struct principal *p, const char *agency, const char *country, enum agency_kind k, enum role r)
{
	memset(p, 0, sizeof(*p));
	str_copy(p->id, sizeof(p->id), "P0000000000000000000000000");
	str_copy(p->agency.id, sizeof(p->agency.id), agency);
	str_copy(p->agency.country, sizeof(p->agency.country), country);
	p->agency.kind = k;
	p->role = r;
}

/* Pad "A1" to a 26-character report id. */
static const char *
rid(const char *s)
{
	static char bufs[64][27];
	static int i;
	char *b = bufs[i++ % 64];

	snprintf(b, 27, "%26s", s);
	for (char *q = b; *q; q++)
		if (*q == ' ')
			*q = '0';
	return b;
}

static void
test_merge_and_split(void **state)
{
	struct net *nt = net_new();
	struct markings m;

	mk_markings(&m, TLP_GREEN, DISC_HIT, "MEMBERS");
	add(nt, rid("R1"), "MY-PDRM", "MY", &m, "phone:+601,bank_account:MY:X:1", NULL, 0, NULL);
	add(nt, rid("R2"), "TH-POL", "TH", &m, "phone:+602,bank_account:MY:X:2", NULL, 0, NULL);
	assert_int_not_equal(net_component(nt, rid("R1")), net_component(nt, rid("R2")));
	/* R3 names a selector of each: the two components merge. */
	add(nt, rid("R3"), "SG-SPF", "SG", &m, "phone:+601,phone:+602", NULL, 0, NULL);
	assert_int_equal(net_component(nt, rid("R1")), net_component(nt, rid("R2")));
	assert_int_equal(net_component(nt, rid("R1")), net_component(nt, rid("R3")));
	/* A fourth hangs off R2 only. */
	add(nt, rid("R4"), "TH-POL", "TH", &m, "bank_account:MY:X:2", NULL, 0, NULL);
	assert_int_equal(net_component(nt, rid("R4")), net_component(nt, rid("R1")));
	/* Retracting the bridge splits it: {R1} and {R2, R4}. */
	assert_int_equal(net_remove(nt, rid("R3")), 0);
	assert_int_equal(net_component(nt, rid("R3")), -1);
	assert_int_not_equal(net_component(nt, rid("R1")), net_component(nt, rid("R2")));
	assert_int_equal(net_component(nt, rid("R2")), net_component(nt, rid("R4")));
	assert_int_equal(net_remove(nt, rid("R3")), 1);   /* gone already */
	/* Retracting a leaf leaves the rest. */
	assert_int_equal(net_remove(nt, rid("R4")), 0);
	{
		struct net_stats s;
		net_stats(nt, &s);
		assert_int_equal(s.reports, 2);
		assert_int_equal(s.components, 2);
	}
	net_free(nt);
}

static void
test_weak_edges_do_not_link(void **state)
{
	struct net *nt = net_new();
	struct markings m;

	mk_markings(&m, TLP_GREEN, DISC_HIT, "MEMBERS");
	add(nt, rid("W1"), "MY-PDRM", "MY", &m, "~phone:+60999", NULL, 0, NULL);
	add(nt, rid("W2"), "MY-PDRM", "MY", &m, "phone:+60999", NULL, 0, NULL);
	assert_int_not_equal(net_component(nt, rid("W1")), net_component(nt, rid("W2")));
	assert_false(net_edge_strong("phone", false, "scammer_contact"));
	assert_false(net_edge_strong("phone", true, "victim_account"));
	assert_false(net_edge_strong("phone_raw", true, "scammer_contact"));
	assert_true(net_edge_strong("bank_account", true, "mule_account"));
	net_free(nt);
}

static void
test_silent_never_joins(void **state)
{
	struct net *nt = net_new();
	struct markings m, ms;
	struct principal mine, other;
	json_t *out = NULL;

	mk_markings(&m, TLP_GREEN, DISC_HIT, "MEMBERS");
	mk_markings(&ms, TLP_AMBER, DISC_SILENT, NULL);
	add(nt, rid("S1"), "MY-PDRM", "MY", &m, "phone:+6011", "MYR", 100, "MY");
	add(nt, rid("S2"), "TH-POL", "TH", &ms, "phone:+6011,phone:+6622", "THB", 999, "TH");
	add(nt, rid("S3"), "MY-PDRM", "MY", &m, "phone:+6622", "MYR", 50, "MY");
	/* The silent report bridges nothing: S1 and S3 stay apart. */
	assert_int_equal(net_component(nt, rid("S2")), -1);
	assert_int_not_equal(net_component(nt, rid("S1")), net_component(nt, rid("S3")));
	/* Nobody sees a network of it, not even through counts. */
	principal(&other, "MY-PDRM", "MY", AK_POLICE, ROLE_ANALYST);
	assert_int_equal(net_list(nt, &other, NULL, 0, 50, &out), 0);
	assert_int_equal(json_array_size(json_object_get(out, "networks")), 0);
	json_decref(out);
	/* Its originator neither: silent records stay out of networks. */
	principal(&mine, "TH-POL", "TH", AK_POLICE, ROLE_ANALYST);
	assert_int_equal(net_list(nt, &mine, "phone:+6011", 0, 50, &out), 0);
	assert_int_equal(json_array_size(json_object_get(out, "networks")), 0);
	json_decref(out);
	/* The silent report does not count towards generic degree either. */
	net_set_rules(nt, 1, 1);
	{
		char why[80];
		assert_int_equal(net_key_status(nt, "phone:+6011", why, sizeof(why)), 1);
	}
	net_free(nt);
}

static void
test_generic_by_degree_splits(void **state)
{
	struct net *nt = net_new();
	struct markings m;
	char why[80];

	net_set_rules(nt, 3, 2);
	mk_markings(&m, TLP_GREEN, DISC_HIT, "MEMBERS");
	/* A bank's real hotline named by everybody, plus one true mule link. */
	add(nt, rid("G1"), "MY-PDRM", "MY", &m, "phone:+601300,bank_account:MY:M:1", NULL, 0, NULL);
	add(nt, rid("G2"), "TH-POL", "TH", &m, "phone:+601300", NULL, 0, NULL);
	add(nt, rid("G3"), "SG-SPF", "SG", &m, "phone:+601300,bank_account:MY:M:1", NULL, 0, NULL);
	assert_int_equal(net_component(nt, rid("G1")), net_component(nt, rid("G2")));
	assert_int_equal(net_key_status(nt, "phone:+601300", why, sizeof(why)), 1);
	/* The fourth report (more than 3, from 2+ agencies): it stops linking
	 * and the component splits; the mule account still links G1 and G3. */
	add(nt, rid("G4"), "TH-POL", "TH", &m, "phone:+601300", NULL, 0, NULL);
	assert_int_equal(net_key_status(nt, "phone:+601300", why, sizeof(why)), 0);
	assert_string_equal(why, "degree");
	assert_int_not_equal(net_component(nt, rid("G1")), net_component(nt, rid("G2")));
	assert_int_not_equal(net_component(nt, rid("G2")), net_component(nt, rid("G4")));
	assert_int_equal(net_component(nt, rid("G1")), net_component(nt, rid("G3")));
	/* A supervisor's override makes it link again; clearing it splits. */
	assert_int_equal(net_override(nt, "phone:+601300", NET_OVR_LINK), 0);
	assert_int_equal(net_key_status(nt, "phone:+601300", why, sizeof(why)), 1);
	assert_string_equal(why, "override:link");
	assert_int_equal(net_component(nt, rid("G2")), net_component(nt, rid("G4")));
	assert_int_equal(net_component(nt, rid("G1")), net_component(nt, rid("G4")));
	assert_int_equal(net_override(nt, "phone:+601300", NET_OVR_NONE), 0);
	assert_int_not_equal(net_component(nt, rid("G2")), net_component(nt, rid("G4")));
	/* Retracting one report brings it back under the threshold: it links. */
	assert_int_equal(net_remove(nt, rid("G4")), 0);
	assert_int_equal(net_key_status(nt, "phone:+601300", why, sizeof(why)), 1);
	assert_int_equal(net_component(nt, rid("G1")), net_component(nt, rid("G2")));
	net_free(nt);
}

static void
test_one_agency_many_reports_still_links(void **state)
{
	struct net *nt = net_new();
	struct markings m;
	char why[80], id[8];

	net_set_rules(nt, 3, 2);
	mk_markings(&m, TLP_GREEN, DISC_HIT, "MEMBERS");
	for (int i = 0; i < 10; i++) {
		snprintf(id, sizeof(id), "O%d", i);
		add(nt, rid(id), "TH-POL", "TH", &m, "bank_account:TH:K:77", NULL, 0, NULL);
	}
	/* Ten reports, one agency: not unrelated agencies, so it links. */
	assert_int_equal(net_key_status(nt, "bank_account:TH:K:77", why, sizeof(why)), 1);
	assert_int_equal(net_component(nt, rid("O0")), net_component(nt, rid("O9")));
	net_free(nt);
}

static bool
listed_google(void *ctx, const char *key, char *list, size_t listsz)
{
	if (strcmp(key, "domain:google.com") == 0) {
		str_copy(list, listsz, "test-list");
		return true;
	}
	return false;
}

static void
test_warning_list(void **state)
{
	struct net *nt = net_new();
	struct markings m;
	char why[80];

	mk_markings(&m, TLP_GREEN, DISC_HIT, "MEMBERS");
	add(nt, rid("L1"), "MY-PDRM", "MY", &m, "domain:google.com", NULL, 0, NULL);
	add(nt, rid("L2"), "TH-POL", "TH", &m, "domain:google.com", NULL, 0, NULL);
	assert_int_equal(net_component(nt, rid("L1")), net_component(nt, rid("L2")));
	/* Loading the list splits what the listed value joined. */
	net_set_listed(nt, listed_google, NULL);
	assert_int_not_equal(net_component(nt, rid("L1")), net_component(nt, rid("L2")));
	assert_int_equal(net_key_status(nt, "domain:google.com", why, sizeof(why)), 0);
	assert_string_equal(why, "warning_list:test-list");
	/* A new report naming it joins nothing. */
	add(nt, rid("L3"), "TH-POL", "TH", &m, "domain:google.com", NULL, 0, NULL);
	assert_int_not_equal(net_component(nt, rid("L3")), net_component(nt, rid("L2")));
	/* The supervisor may say it links after all. */
	net_override(nt, "domain:google.com", NET_OVR_LINK);
	assert_int_equal(net_component(nt, rid("L3")), net_component(nt, rid("L1")));
	/* And may say an unlisted value is generic. */
	add(nt, rid("L4"), "TH-POL", "TH", &m, "email:x@ex.com", NULL, 0, NULL);
	add(nt, rid("L5"), "MY-PDRM", "MY", &m, "email:x@ex.com", NULL, 0, NULL);
	assert_int_equal(net_component(nt, rid("L4")), net_component(nt, rid("L5")));
	net_override(nt, "email:x@ex.com", NET_OVR_GENERIC);
	assert_int_not_equal(net_component(nt, rid("L4")), net_component(nt, rid("L5")));
	net_free(nt);
}

/* A: MY police GREEN to MEMBERS; B: TH police AMBER to nobody, hit;
 * C: SG police RED to nobody, silent; D: MY police GREEN, linked via B only.
 * A - B - D chain (B is the bridge). */
static void
test_views_policy(void **state)
{
	struct net *nt = net_new();
	struct markings green, amber_hit, red_silent;
	struct principal my, th, bank, gb, pub;
	json_t *out = NULL, *n0;
	char netid[32];

	mk_markings(&green, TLP_GREEN, DISC_HIT, "MEMBERS");
	mk_markings(&amber_hit, TLP_AMBER, DISC_HIT, NULL);
	mk_markings(&red_silent, TLP_RED, DISC_SILENT, NULL);
	add(nt, rid("VA"), "MY-PDRM", "MY", &green, "phone:+6011,bank_account:MY:A:1", "MYR", 1000, "MY");
	add(nt, rid("VB"), "TH-POL", "TH", &amber_hit, "phone:+6011,crypto:tron:T1", "THB", 5000, "TH");
	add(nt, rid("VC"), "SG-SPF", "SG", &red_silent, "crypto:tron:T1,phone:+6011", "SGD", 7777, "SG");
	add(nt, rid("VD"), "MY-PDRM", "MY", &green, "crypto:tron:T1", "MYR", 250, "ID");

	/* MY analyst: A and D readable, B a hit (hidden, counted), C nowhere. */
	principal(&my, "MY-PDRM", "MY", AK_POLICE, ROLE_ANALYST);
	assert_int_equal(net_list(nt, &my, NULL, 0, 50, &out), 0);
	assert_int_equal(json_array_size(json_object_get(out, "networks")), 1);
	n0 = json_array_get(json_object_get(out, "networks"), 0);
	assert_int_equal(json_integer_value(json_object_get(n0, "reports")), 2);
	assert_int_equal(json_integer_value(json_object_get(n0, "hidden_records")), 1);
	assert_string_equal(json_string_value(json_object_get(n0, "hidden_note")),
	    "+1 records held by other agencies");
	/* Loss and countries only from what MY reads: no THB, no SGD, no TH/SG. */
	assert_int_equal(json_integer_value(json_object_get(json_object_get(n0, "loss"), "MYR")), 1250);
	assert_null(json_object_get(json_object_get(n0, "loss"), "THB"));
	assert_null(json_object_get(json_object_get(n0, "loss"), "SGD"));
	assert_int_equal(json_array_size(json_object_get(n0, "countries")), 1);
	assert_string_equal(json_string_value(json_array_get(json_object_get(n0, "countries"), 0)), "MY");
	assert_int_equal(json_array_size(json_object_get(n0, "victim_countries")), 2);
	str_copy(netid, sizeof(netid), json_string_value(json_object_get(n0, "id")));
	json_decref(out);
	/* The detail answers the same, and lists only readable report ids. */
	assert_int_equal(net_get(nt, &my, netid, &out), 0);
	assert_int_equal(json_array_size(json_object_get(out, "report_ids")), 2);
	{
		char *txt = json_dumps(out, 0);
		assert_null(strstr(txt, rid("VB")));
		assert_null(strstr(txt, rid("VC")));
		assert_null(strstr(txt, "SG"));
		free(txt);
	}
	json_decref(out);

	/* A bank never gets hits: B hides and does not link, so A and D are
	 * two singletons and no network is shown (GREEN to MEMBERS: the bank
	 * reads nothing at all here). */
	principal(&bank, "MY-BANK", "MY", AK_BANK, ROLE_PARTNER);
	assert_int_equal(net_list(nt, &bank, NULL, 0, 50, &out), 0);
	assert_int_equal(json_array_size(json_object_get(out, "networks")), 0);
	json_decref(out);
	assert_int_equal(net_get(nt, &bank, netid, &out), 1);

	/* UK partner (not MEMBERS): A, B and D are hits only: nothing it may
	 * read, so no network is shown (only hit-only nodes in a graph). */
	principal(&gb, "GB-NCA", "GB", AK_PARTNER_LE, ROLE_ANALYST);
	assert_int_equal(net_list(nt, &gb, NULL, 0, 50, &out), 0);
	assert_int_equal(json_array_size(json_object_get(out, "networks")), 0);
	json_decref(out);
	assert_int_equal(net_get(nt, &gb, netid, &out), 1);

	/* The public: nothing. */
	principal(&pub, "PUBLIC", "MY", AK_PUBLIC, ROLE_PUBLIC);
	assert_int_equal(net_list(nt, &pub, NULL, 0, 50, &out), 0);
	assert_int_equal(json_array_size(json_object_get(out, "networks")), 0);
	json_decref(out);

	/* TH sees its own B in full and A, D (GREEN to MEMBERS): 3 reports. */
	principal(&th, "TH-POL", "TH", AK_POLICE, ROLE_ANALYST);
	assert_int_equal(net_list(nt, &th, "crypto:tron:T1", 0, 50, &out), 0);
	n0 = json_array_get(json_object_get(out, "networks"), 0);
	assert_non_null(n0);
	assert_int_equal(json_integer_value(json_object_get(n0, "reports")), 3);
	assert_int_equal(json_integer_value(json_object_get(n0, "hidden_records")), 0);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(n0, "loss"), "THB")), 5000);
	json_decref(out);

	/* Graph for MY from the phone: B appears as a hit node without its
	 * selectors; C not at all. */
	assert_int_equal(net_graph(nt, &my, "phone:+6011", 2, 100, &out), 0);
	{
		char *txt = json_dumps(out, 0);
		assert_non_null(strstr(txt, rid("VA")));
		assert_non_null(strstr(txt, rid("VB")));
		assert_null(strstr(txt, rid("VC")));
		/* T1 is reachable only through B's selectors (hidden) at depth 2. */
		assert_null(strstr(txt, "crypto:tron:T1"));
		free(txt);
	}
	json_decref(out);
	/* Who may know of a report naming a key. */
	assert_true(net_key_visible(nt, &my, "crypto:tron:T1"));
	assert_true(net_key_visible(nt, &gb, "phone:+6011"));     /* hits count: it may know */
	assert_false(net_key_visible(nt, &bank, "phone:+6011"));
	assert_false(net_key_visible(nt, &my, "phone:+000"));
	/* Unknown key, or a key only hidden records name: 1. */
	assert_int_equal(net_graph(nt, &bank, "bank_account:MY:A:1", 2, 100, &out), 1);
	assert_int_equal(net_graph(nt, &gb, "bank_account:MY:A:1", 2, 100, &out), 0);
	{
		json_t *nd;
		size_t i;
		json_array_foreach(json_object_get(out, "nodes"), i, nd)
			if (strcmp(json_string_value(json_object_get(nd, "type")), "report") == 0)
				assert_string_equal(json_string_value(json_object_get(nd, "visibility")), "hit");
		/* A hit is not expanded: only the selector asked for and its report. */
		assert_int_equal(json_array_size(json_object_get(out, "nodes")), 2);
	}
	json_decref(out);
	assert_int_equal(net_graph(nt, &my, "phone:+000", 2, 100, &out), 1);
	net_free(nt);
}

/* A NONE record (for the viewer) must not link two pieces it can see. */
static void
test_hidden_none_record_does_not_link(void **state)
{
	struct net *nt = net_new();
	struct markings green, red;
	struct principal bank;
	json_t *out = NULL;

	mk_markings(&green, TLP_GREEN, DISC_HIT, "PRIVATE");
	mk_markings(&red, TLP_RED, DISC_HIT, NULL);
	add(nt, rid("N1"), "MY-PDRM", "MY", &green, "phone:+6071", NULL, 0, NULL);
	add(nt, rid("N2"), "MY-PDRM", "MY", &green, "phone:+6071", NULL, 0, NULL);
	add(nt, rid("N3"), "TH-POL", "TH", &red, "phone:+6071,phone:+6072", NULL, 0, NULL);
	add(nt, rid("N4"), "MY-PDRM", "MY", &green, "phone:+6072", NULL, 0, NULL);
	add(nt, rid("N5"), "MY-PDRM", "MY", &green, "phone:+6072", NULL, 0, NULL);
	assert_int_equal(net_component(nt, rid("N1")), net_component(nt, rid("N5")));
	principal(&bank, "MY-BANK", "MY", AK_BANK, ROLE_PARTNER);
	assert_int_equal(net_list(nt, &bank, NULL, 0, 50, &out), 0);
	/* Two networks of two, not one of four, and no "+N" for the bank. */
	assert_int_equal(json_array_size(json_object_get(out, "networks")), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *n = json_array_get(json_object_get(out, "networks"), i);
		assert_int_equal(json_integer_value(json_object_get(n, "reports")), 2);
		assert_int_equal(json_integer_value(json_object_get(n, "hidden_records")), 0);
		/* A bank reads CORE and SELECTORS: no loss, no victim countries. */
		assert_int_equal(json_object_size(json_object_get(n, "loss")), 0);
	}
	json_decref(out);
	net_free(nt);
}

/* The unfiltered list pages through every network once, with a cursor. */
static void
test_list_pages(void **state)
{
	struct net *nt = net_new();
	struct markings m;
	struct principal my;
	char id[16], keys[64];
	json_t *out = NULL, *seen = json_object();
	int64_t after = 0;
	int pages = 0;

	mk_markings(&m, TLP_GREEN, DISC_HIT, "MEMBERS");
	for (int i = 0; i < 25; i++) {   /* 25 networks of two */
		for (int j = 0; j < 2; j++) {
			snprintf(id, sizeof(id), "P%d-%d", i, j);
			snprintf(keys, sizeof(keys), "phone:+60%d", i);
			add(nt, rid(id), "MY-PDRM", "MY", &m, keys, NULL, 0, NULL);
		}
		snprintf(id, sizeof(id), "Q%d", i);     /* and singletons between them */
		snprintf(keys, sizeof(keys), "phone:+61%d", i);
		add(nt, rid(id), "MY-PDRM", "MY", &m, keys, NULL, 0, NULL);
	}
	principal(&my, "MY-PDRM", "MY", AK_POLICE, ROLE_ANALYST);
	for (;;) {
		json_t *n;
		size_t i;
		assert_int_equal(net_list(nt, &my, NULL, after, 4, &out), 0);
		assert_true(json_array_size(json_object_get(out, "networks")) <= 4);
		json_array_foreach(json_object_get(out, "networks"), i, n) {
			const char *nid = json_string_value(json_object_get(n, "id"));
			assert_null(json_object_get(seen, nid));   /* no network twice */
			json_object_set_new(seen, nid, json_true());
		}
		pages++;
		if (!json_is_true(json_object_get(out, "more"))) {
			json_decref(out);
			break;
		}
		assert_true(json_integer_value(json_object_get(out, "next")) > after);
		after = json_integer_value(json_object_get(out, "next"));
		json_decref(out);
		assert_true(pages < 20);
	}
	assert_int_equal(json_object_size(seen), 25);
	assert_int_equal(pages, 7);
	json_decref(seen);
	net_free(nt);
}

/* ---- randomised: the index against a BFS oracle ---------------------- */

#define RN 300
#define RK 120

struct oracle {
	bool live[RN];
	int  keys[RN][3];
	int  nkeys[RN];
};

static void
oracle_components(const struct oracle *o, int max_reports, int comp[RN])
{
	int deg[RK] = { 0 }, stack[RN], sp;
	for (int i = 0; i < RN; i++)
		if (o->live[i])
			for (int k = 0; k < o->nkeys[i]; k++)
				deg[o->keys[i][k]]++;
	for (int i = 0; i < RN; i++)
		comp[i] = -1;
	for (int i = 0; i < RN; i++) {
		if (!o->live[i] || comp[i] != -1)
			continue;
		comp[i] = i;
		sp = 0;
		stack[sp++] = i;
		while (sp) {
			int a = stack[--sp];
			for (int k = 0; k < o->nkeys[a]; k++) {
				int key = o->keys[a][k];
				if (deg[key] > max_reports)   /* one agency per report here: always unrelated */
					continue;
				for (int b = 0; b < RN; b++) {
					if (!o->live[b] || comp[b] != -1)
						continue;
					for (int q = 0; q < o->nkeys[b]; q++)
						if (o->keys[b][q] == key) {
							comp[b] = i;
							stack[sp++] = b;
							break;
						}
				}
			}
		}
	}
}

static void
check_against_oracle(struct net *nt, const struct oracle *o, int max_reports)
{
	int comp[RN];
	char id[16];
	int64_t c[RN];

	oracle_components(o, max_reports, comp);
	for (int i = 0; i < RN; i++) {
		snprintf(id, sizeof(id), "X%d", i);
		c[i] = o->live[i] ? net_component(nt, rid(id)) : -1;
		if (!o->live[i])
			assert_int_equal(net_component(nt, rid(id)), -1);
	}
	for (int i = 0; i < RN; i++)
		for (int j = i + 1; j < RN; j++)
			if (o->live[i] && o->live[j])
				assert_int_equal(comp[i] == comp[j], c[i] == c[j]);
}

static void
test_random_against_oracle(void **state)
{
	struct net *nt = net_new();
	struct oracle o;
	struct markings m;
	unsigned seed = 12345;
	int steps = 0;

	memset(&o, 0, sizeof(o));
	mk_markings(&m, TLP_GREEN, DISC_HIT, "MEMBERS");
	net_set_rules(nt, 6, 2);
	for (int i = 0; i < RN; i++) {
		char id[16], keys[128], agency[16];
		size_t off = 0;
		seed = seed * 1103515245u + 12345u;
		o.nkeys[i] = 1 + (int)((seed >> 16) % 3);
		keys[0] = '\0';
		for (int k = 0; k < o.nkeys[i]; k++) {
			seed = seed * 1103515245u + 12345u;
			/* A skewed choice so some keys go over the degree threshold. */
			o.keys[i][k] = (int)((seed >> 16) % 7 == 0 ? (seed >> 8) % 4 : (seed >> 16) % RK);
			off += (size_t)snprintf(keys + off, sizeof(keys) - off, "%sphone:+%d", k ? "," : "", o.keys[i][k]);
		}
		/* Duplicate keys inside one report count once. */
		for (int k = 1; k < o.nkeys[i]; k++)
			for (int q = 0; q < k; q++)
				if (o.keys[i][q] == o.keys[i][k]) {
					o.keys[i][k] = o.keys[i][--o.nkeys[i]];
					k--;
					break;
				}
		snprintf(id, sizeof(id), "X%d", i);
		snprintf(agency, sizeof(agency), "AG-%d", i);  /* every report its own agency */
		add(nt, rid(id), agency, "MY", &m, keys, NULL, 0, NULL);
		o.live[i] = true;
		if (i % 25 == 24) {
			check_against_oracle(nt, &o, 6);
			steps++;
		}
		/* Retract now and then. */
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 5 == 0 && i > 10) {
			int victim = (int)((seed >> 4) % (unsigned)i);
			if (o.live[victim]) {
				snprintf(id, sizeof(id), "X%d", victim);
				assert_int_equal(net_remove(nt, rid(id)), 0);
				o.live[victim] = false;
			}
		}
	}
	check_against_oracle(nt, &o, 6);
	/* Changing the rule recomputes: compare again. */
	net_set_rules(nt, 3, 2);
	check_against_oracle(nt, &o, 3);
	net_set_rules(nt, 1000, 2);
	check_against_oracle(nt, &o, 1000);
	print_message("# randomised: %d checkpoints of %d reports against the oracle\n", steps + 3, RN);
	net_free(nt);
}

/* ---- snapshot + tail against the same oracle ------------------------------ */

struct membuf {
	unsigned char *p;
	size_t         n, cap;
};

static int
membuf_put(void *ctx, const void *p, size_t n)
{
	struct membuf *b = ctx;

	if (b->n + n > b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 4096;
		while (nc < b->n + n)
			nc *= 2;
		b->p = realloc(b->p, nc);
		assert_non_null(b->p);
		b->cap = nc;
	}
	memcpy(b->p + b->n, p, n);
	b->n += n;
	return 0;
}

/* The index as a restarted node gets it: the snapshot loaded, then the
 * node's current rules, lists and overrides applied. */
static struct net *
reload(struct net *nt, int max_reports, const char *const *ovk, const enum net_override *ovm, size_t novr)
{
	struct membuf b = { 0 };
	struct net *nt2 = net_new();

	assert_int_equal(net_snapshot_write(nt, membuf_put, &b), 0);
	assert_int_equal(net_snapshot_load(nt2, b.p, b.n), 0);
	net_set_listed(nt2, NULL, NULL);
	net_set_rules(nt2, max_reports, 2);
	assert_int_equal(net_overrides_set(nt2, ovk, ovm, novr), 0);
	free(b.p);
	return nt2;
}

/* A snapshot taken at random points, loaded into a fresh index, and the
 * operations after it (the tail) applied to both: after every 25
 * operations the original and every reloaded index agree with the BFS
 * oracle, i.e. snapshot + tail gives the components of a rebuild. Rules
 * changed between the snapshot and the load apply on load. */
static void
test_snapshot_plus_tail_against_oracle(void **state)
{
	struct net *nets[4] = { net_new(), NULL, NULL, NULL };
	int nnets = 1, steps = 0;
	struct oracle o;
	struct markings m;
	unsigned seed = 777;

	memset(&o, 0, sizeof(o));
	mk_markings(&m, TLP_GREEN, DISC_HIT, "MEMBERS");
	net_set_rules(nets[0], 6, 2);
	for (int i = 0; i < RN; i++) {
		char id[16], keys[128], agency[16];
		size_t off = 0;
		seed = seed * 1103515245u + 12345u;
		o.nkeys[i] = 1 + (int)((seed >> 16) % 3);
		keys[0] = '\0';
		for (int k = 0; k < o.nkeys[i]; k++) {
			seed = seed * 1103515245u + 12345u;
			o.keys[i][k] = (int)((seed >> 16) % 7 == 0 ? (seed >> 8) % 4 : (seed >> 16) % RK);
		}
		for (int k = 1; k < o.nkeys[i]; k++)
			for (int q = 0; q < k; q++)
				if (o.keys[i][q] == o.keys[i][k]) {
					o.keys[i][k] = o.keys[i][--o.nkeys[i]];
					k--;
					break;
				}
		for (int k = 0; k < o.nkeys[i]; k++)
			off += (size_t)snprintf(keys + off, sizeof(keys) - off, "%sphone:+%d", k ? "," : "", o.keys[i][k]);
		snprintf(id, sizeof(id), "X%d", i);
		snprintf(agency, sizeof(agency), "AG-%d", i);
		for (int t = 0; t < nnets; t++) {
			next_rid -= t ? 1 : 0;   /* the same row number in every copy */
			add(nets[t], rid(id), agency, "MY", &m, keys, NULL, 0, NULL);
		}
		o.live[i] = true;
		seed = seed * 1103515245u + 12345u;
		if ((seed >> 16) % 5 == 0 && i > 10) {
			int victim = (int)((seed >> 4) % (unsigned)i);
			if (o.live[victim]) {
				snprintf(id, sizeof(id), "X%d", victim);
				for (int t = 0; t < nnets; t++)
					assert_int_equal(net_remove(nets[t], rid(id)), 0);
				o.live[victim] = false;
			}
		}
		if (i == 60 || i == 150 || i == 240) {
			/* Snapshot of the newest copy (a snapshot of a reloaded index
			 * must be as good as one of the original). */
			nets[nnets] = reload(nets[nnets - 1], 6, NULL, NULL, 0);
			nnets++;
		}
		if (i % 25 == 24) {
			for (int t = 0; t < nnets; t++)
				check_against_oracle(nets[t], &o, 6);
			steps++;
		}
	}
	/* Rules changed while the node was down: the load applies them. */
	{
		struct net *later = reload(nets[nnets - 1], 3, NULL, NULL, 0);
		check_against_oracle(later, &o, 3);
		net_free(later);
	}
	/* Overrides: one set before the snapshot and dropped before the load,
	 * one made while the node was down. Each reloaded copy must equal the
	 * original given the same overrides. */
	{
		const char *k1[] = { "phone:+1" };
		const enum net_override m1[] = { NET_OVR_GENERIC };
		const char *k2[] = { "phone:+2" };
		const enum net_override m2[] = { NET_OVR_GENERIC };
		struct net *a, *b;
		char id[16];

		assert_int_equal(net_overrides_set(nets[0], k1, m1, 1), 0);
		a = reload(nets[0], 6, k2, m2, 1);      /* +1 cleared, +2 set */
		assert_int_equal(net_overrides_set(nets[0], k2, m2, 1), 0);
		for (int i = 0; i < RN; i++)
			for (int j = i + 1; j < RN; j++) {
				char jd[16];
				if (!o.live[i] || !o.live[j])
					continue;
				snprintf(id, sizeof(id), "X%d", i);
				snprintf(jd, sizeof(jd), "X%d", j);
				assert_int_equal(net_component(nets[0], rid(id)) == net_component(nets[0], rid(jd)),
				    net_component(a, rid(id)) == net_component(a, rid(jd)));
			}
		/* And with no overrides at all, both are the oracle again. */
		assert_int_equal(net_overrides_set(nets[0], NULL, NULL, 0), 0);
		b = reload(a, 6, NULL, NULL, 0);
		check_against_oracle(nets[0], &o, 6);
		check_against_oracle(b, &o, 6);
		net_free(a);
		net_free(b);
	}
	print_message("# snapshot + tail: %d checkpoints, %d indexes (1 original, %d reloaded)\n", steps,
	    nnets, nnets - 1);
	for (int t = 0; t < nnets; t++)
		net_free(nets[t]);
}

/* A damaged snapshot is refused and leaves the index empty (the node then
 * rebuilds from the store): truncated, a byte changed in the header, an
 * edge pointing outside, another format number. */
static void
test_snapshot_damaged_is_refused(void **state)
{
	struct net *nt = net_new(), *x;
	struct membuf b = { 0 };
	struct markings m;
	struct net_stats st;

	mk_markings(&m, TLP_GREEN, DISC_HIT, "MEMBERS");
	add(nt, rid("D1"), "AG-1", "MY", &m, "phone:+601,bank_account:MY:1", NULL, 0, NULL);
	add(nt, rid("D2"), "AG-2", "TH", &m, "phone:+601", "THB", 100, "TH");
	assert_int_equal(net_snapshot_write(nt, membuf_put, &b), 0);
	x = net_new();
	assert_int_equal(net_snapshot_load(x, b.p, b.n), 0);
	assert_int_equal(net_component(x, rid("D1")), net_component(x, rid("D2")));
	assert_int_equal(net_snapshot_load(x, b.p, b.n), -1);   /* not empty */
	net_free(x);
	for (size_t cut = 0; cut < b.n; cut += b.n / 7 + 1) {
		x = net_new();
		assert_int_equal(net_snapshot_load(x, b.p, cut), -1);
		net_stats(x, &st);
		assert_int_equal(st.reports, 0);
		assert_int_equal(st.selectors, 0);
		net_free(x);
	}
	b.p[8] ^= 0x7f;   /* the format number */
	x = net_new();
	assert_int_equal(net_snapshot_load(x, b.p, b.n), -1);
	net_free(x);
	b.p[8] ^= 0x7f;
	/* The last 4 bytes are the last selector's last report edge. */
	b.p[b.n - 1] = 0x7f;
	x = net_new();
	assert_int_equal(net_snapshot_load(x, b.p, b.n), -1);
	net_free(x);
	free(b.p);
	net_free(nt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_and_split),
		cmocka_unit_test(test_weak_edges_do_not_link),
		cmocka_unit_test(test_silent_never_joins),
		cmocka_unit_test(test_generic_by_degree_splits),
		cmocka_unit_test(test_one_agency_many_reports_still_links),
		cmocka_unit_test(test_warning_list),
		cmocka_unit_test(test_views_policy),
		cmocka_unit_test(test_hidden_none_record_does_not_link),
		cmocka_unit_test(test_list_pages),
		cmocka_unit_test(test_random_against_oracle),
		cmocka_unit_test(test_snapshot_plus_tail_against_oracle),
		cmocka_unit_test(test_snapshot_damaged_is_refused),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
