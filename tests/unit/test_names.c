/* test_names.c - name normalisation across scripts, the matcher's rules,
 * the index, the MRZ parser and the list readers (issue 3). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "names.h"
#include "person_import.h"
#include "persons.h"

static struct name_norm
norm(const char *s)
{
	struct name_norm nn;
	struct err e = {0};

	if (name_normalise(s, strlen(s), &nn, &e) != 0)
		fail_msg("name_normalise(%s): %s", s, e.msg);
	return nn;
}

static const char *
joined(const struct name_norm *nn, char *buf, size_t n)
{
	size_t o = 0;
	buf[0] = 0;
	for (int i = 0; i < nn->ntok; i++)
		o += (size_t)snprintf(buf + o, n - o, "%s%s%s", i ? " " : "", nn->t[i].side ? ">" : "", nn->t[i].s);
	return buf;
}

static void
expect_norm(const char *in, const char *want)
{
	char buf[512];
	struct name_norm nn = norm(in);
	assert_string_equal(joined(&nn, buf, sizeof(buf)), want);
}

static double
pair(const char *a, const char *b)
{
	struct name_norm x = norm(a), y = norm(b);
	return name_pair_score(&x, &y);
}

static void
test_latin_folding_and_equivalences(void **s)
{
	expect_norm("Mohd. Faizal", "muhammad faizal");
	expect_norm("MOHAMMED al-Hussein", "muhammad husayn");
	expect_norm("Nguyễn Thị Hồng", "nguyen thi hong");
	expect_norm("Haji Abdul Satar", "abdul satar");
	expect_norm("Datuk Seri Haji Kamarul", "kamarul");
	expect_norm("U Aung Kyaw", "aung kyaw");
	expect_norm("Daw Khin Mar", "khin mar");
	expect_norm("Tan Sri Tan Wei", "tan wei");   /* the honorific, not the surname */
	expect_norm("Tan Wei Ming", "tan wei ming");
}

static void
test_patronymic_connectors(void **s)
{
	expect_norm("Muhammad bin Salman", "muhammad >salman");
	expect_norm("Siti binti Ismail", "siti >ismail");
	expect_norm("Ahmad bte Yusof", "ahmad >yusuf");
	expect_norm("Ahmad b. Yusof", "ahmad >yusuf");
	expect_norm("Ravi Kumar A/L Subramaniam", "ravi kumar >subramaniam");
	expect_norm("Ravi Kumar s/o Subramaniam", "ravi kumar >subramaniam");
	/* "bin" at the end is a name (Li Bin), not a connector */
	expect_norm("Li Bin", "li bin");
}

static void
test_thai_rtgs_lao_khmer(void **s)
{
	char out[256];
	struct err e = {0};

	assert_int_equal(name_latin("สมชาย", strlen("สมชาย"), out, sizeof(out), &e), 0);
	assert_string_equal(out, "somchai");
	assert_int_equal(name_latin("ใจดี", strlen("ใจดี"), out, sizeof(out), &e), 0);
	assert_string_equal(out, "chaidi");
	assert_int_equal(name_latin("ประยุทธ์", strlen("ประยุทธ์"), out, sizeof(out), &e), 0);
	assert_string_equal(out, "prayut");
	assert_int_equal(name_latin("แก้ว", strlen("แก้ว"), out, sizeof(out), &e), 0);
	assert_string_equal(out, "kaeo");
	/* Lao and Khmer: ICU 72 has no transform; ours gives Latin letters */
	assert_int_equal(name_latin("ສົມພອນ", strlen("ສົມພອນ"), out, sizeof(out), &e), 0);
	assert_true(strlen(out) >= 4 && strspn(out, "abcdefghijklmnopqrstuvwxyz") == strlen(out));
	assert_int_equal(strncmp(out, "som", 3), 0);
	assert_int_equal(name_latin("ហ៊ុន សែន", strlen("ហ៊ុន សែន"), out, sizeof(out), &e), 0);
	assert_string_equal(out, "hun saen");
	/* a Thai name against its RTGS spelling, in any order */
	assert_true(pair("สมชาย ใจดี", "Chaidi Somchai") > 0.95);
	struct name_norm t = norm("สมชาย ใจดี");
	assert_string_equal(t.script, "thai");
}

static void
test_other_scripts(void **s)
{
	expect_norm("Владимир Путин", "vladimir putin");
	expect_norm("建宏 張", "jianhong zhang");      /* a Han given name is one token */
	assert_true(pair("عبدالخالق الحوثي", "Abd al-Khaliq al-Huthi") >= NIDX_THRESHOLD);
	struct name_norm a = norm("عبد الله");
	assert_string_equal(a.script, "arabic");
}

static void
test_refusals(void **s)
{
	struct name_norm nn;
	struct err e = {0};
	char big[NAME_MAX_BYTES + 10];

	assert_int_equal(name_normalise("Ali \xe2\x80\xae" "evil", 11, &nn, &e), -1);   /* U+202E */
	assert_int_equal(e.status, 400);
	assert_string_equal(e.field, "name");
	assert_int_equal(name_normalise("\xff\xfe", 2, &nn, &e), -1);
	assert_int_equal(name_normalise("a\x01" "b", 3, &nn, &e), -1);
	assert_int_equal(name_normalise("...", 3, &nn, &e), -1);
	memset(big, 'a', sizeof(big));
	assert_int_equal(name_normalise(big, sizeof(big), &nn, &e), -1);
	struct name_dob d;
	assert_int_equal(name_dob_parse("1984-05-14", &d), 0);
	assert_int_equal(d.y * 10000 + d.m * 100 + d.d, 19840514);
	assert_int_equal(name_dob_parse("1984", &d), 0);
	assert_int_equal(name_dob_parse("1700-01-01", &d), -1);
	assert_int_equal(name_dob_parse("2999", &d), -1);
	assert_int_equal(name_dob_parse("1984-02-30", &d), -1);
	assert_int_equal(name_dob_parse("84-05-14", &d), -1);
}

static void
test_scoring_rules(void **s)
{
	/* order does not matter; an equivalent spelling is the same */
	assert_true(pair("Nguyen Van Thanh", "Thanh Nguyen Van") > 0.99);
	assert_true(pair("Mohd Faizal bin Abdul Rahman", "Muhammad Faizal b. Abd Rahman") > 0.99);
	/* swapped patronymics are not the same name */
	assert_true(pair("Muhammad bin Salman", "Salman bin Muhammad") < NIDX_THRESHOLD);
	assert_true(pair("Muhammad bin Salman", "Salman Muhammad") < NIDX_THRESHOLD);
	assert_true(pair("Muhammad bin Salman", "Muhammad Salman") >= NIDX_THRESHOLD);
	/* another given name or father's name: a substitution costs more than an omission */
	assert_true(pair("Ahmad Zaki bin Yusof", "Ahmad Zaki bin Osman") < NIDX_THRESHOLD);
	assert_true(pair("Rafael Bastardo", "Rafael Enrique Bastardo Mendoza") >
	    pair("Rafael Bastardo", "Javier Bastardo"));
	/* spelling and phonetic variants */
	assert_true(pair("Hafez Makhlouf", "Hafiz Makhluf") >= NIDX_THRESHOLD);
	assert_true(pair("Abdulrahman", "Abdul Rahman") >= NIDX_THRESHOLD);
	/* unrelated names */
	assert_true(pair("Kelly Moore", "Umar Kecil") < 0.5);
}

static void
test_transliteration_variants(void **s)
{
	(void)s;
	/* romanisations of one name: vowels, kh/h, j/y, doubled letters */
	assert_true(pair("Takhir Yuldashev", "Tohir Yuldashev") >= NIDX_THRESHOLD);
	assert_true(pair("Mohamed Abdullah Al Ameen", "Muhammad 'Abdallah al-Amin") >= NIDX_THRESHOLD);
	assert_true(pair("Aleksej Aleksandrovich Dikij", "Aleksey Aleksandrovich Dikiy") >= NIDX_THRESHOLD);
	/* a glued article, and glued or split tokens */
	assert_true(pair("Abou Oubida Khairy Hafiz el Agha", "Abu Obaidah Khairy Hafiz Alagha") >= NIDX_THRESHOLD);
	assert_true(pair("Obaidullah Akhund", "Obaid Ullah Akhund") >= NIDX_THRESHOLD);
	assert_true(pair("Mohammadhassan Toulai", "Mohammad Hassan Toulai") >= NIDX_THRESHOLD);
	/* a name against itself is 1, even when a token is two others glued */
	assert_true(pair("Abdul Rahman Abdulrahman", "Abdul Rahman Abdulrahman") > 0.999);
	assert_true(pair("av fikadusata avfikadusata", "av fikadusata avfikadusata") > 0.999);
	/* initials stand for a name, weakly */
	assert_true(pair("V. Boyarkin", "Victor Boyarkin") > pair("Petr Boyarkin", "Victor Boyarkin"));
	/* names the tables know apart do not become variants of each other */
	assert_true(pair("Hasan Tabari", "Husayn Tabari") < NIDX_THRESHOLD);
	/* cheap edits are not free: other names stay apart */
	assert_true(pair("Jean Harris", "Eric Chan") < 0.5);
	assert_true(pair("Tahir Yuldashev", "Tariq Yuldashev") < NIDX_THRESHOLD);
}

struct fixture { struct nidx *x; };

static void
add(struct nidx *x, const char *id, const char *dob, const char *nat, const char *doc, const char *n1, const char *n2)
{
	struct nidx_person p = { .id = id, .rid = 1 };
	int pi;
	if (dob) { assert_int_equal(name_dob_parse(dob, &p.dob[0]), 0); p.ndob = 1; }
	if (nat) { memcpy(p.nat[0], nat, 3); p.nnat = 1; }
	if (doc) { p.doc[0] = doc; p.ndoc = 1; }
	pi = nidx_add_person(x, &p);
	assert_true(pi >= 0);
	struct name_norm a = norm(n1);
	assert_int_equal(nidx_add_name(x, pi, 0, false, &a), 0);
	if (n2) {
		struct name_norm b = norm(n2);
		assert_int_equal(nidx_add_name(x, pi, 1, true, &b), 0);
	}
}

static int
search(struct nidx *x, const char *name, const char *dob, const char *doc, struct nidx_hit *h, int want)
{
	struct nidx_query q;
	memset(&q, 0, sizeof(q));
	q.nn = norm(name);
	if (dob) { q.has_dob = true; assert_int_equal(name_dob_parse(dob, &q.dob), 0); }
	if (doc) { q.doc[0] = doc; q.ndoc = 1; }
	return nidx_search(x, &q, 0.0, h, want);
}

static void
test_index_search_idf_dob_docs_explain(void **s)
{
	struct nidx *x = nidx_new();
	struct nidx_hit h[10];
	char id[32];
	int n;

	assert_non_null(x);
	/* many Nguyens: the common family name weighs little */
	for (int i = 0; i < 300; i++) {
		static const char *const given[] = { "An", "Binh", "Cuong", "Dung", "Hai", "Hung", "Lan", "Mai", "Nam", "Phuong" };
		char nm[64];
		snprintf(id, sizeof(id), "N%03d", i);
		snprintf(nm, sizeof(nm), "Nguyen Van %s%d", given[i % 10], i);
		add(x, id, NULL, "VN", NULL, nm, NULL);
	}
	add(x, "P1", "1980-03-02", "VN", "C1234567", "Nguyễn Văn Thành", "Thanh Nguyen");
	add(x, "P2", "1975", "MY", NULL, "Muhammad bin Salman", NULL);
	assert_int_equal(nidx_persons(x), 302);
	n = search(x, "Thanh Nguyen Van", "1980-03-02", NULL, h, 5);
	assert_true(n >= 1);
	assert_string_equal(h[0].id, "P1");
	assert_true(h[0].score >= NIDX_THRESHOLD && h[0].score <= 1.0);
	assert_string_equal(json_string_value(json_object_get(h[0].explain, "dob")), "same_date");
	assert_true(json_array_size(json_object_get(h[0].explain, "tokens")) >= 2);
	/* a different given name among Nguyens does not alert */
	for (int i = 1; i < n; i++)
		assert_true(h[i].score < NIDX_THRESHOLD);
	nidx_hits_free(h, n);
	/* the same name, born 30 years apart: below the threshold */
	n = search(x, "Nguyen Van Thanh", "1950-01-01", NULL, h, 5);
	assert_true(n >= 1 && strcmp(h[0].id, "P1") == 0 && h[0].score < NIDX_THRESHOLD);
	nidx_hits_free(h, n);
	/* a document number finds the person whatever the name */
	n = search(x, "T. N.", NULL, "c 123-4567", h, 5);
	assert_true(n >= 1);
	assert_string_equal(h[0].id, "P1");
	assert_string_equal(json_string_value(json_object_get(h[0].explain, "document")), "same number");
	nidx_hits_free(h, n);
	/* swapped patronymic: explained, not alerted */
	n = search(x, "Salman bin Muhammad", NULL, NULL, h, 5);
	for (int i = 0; i < n; i++)
		if (strcmp(h[i].id, "P2") == 0)
			assert_true(h[i].score < NIDX_THRESHOLD);
	nidx_hits_free(h, n);
	/* a misspelt rare token is found through the trigram and skeleton keys */
	n = search(x, "Mohamad bin Salmaan", NULL, NULL, h, 5);
	assert_true(n >= 1);
	assert_string_equal(h[0].id, "P2");
	nidx_hits_free(h, n);
	/* an update retires the old entry; a removal hides it */
	add(x, "P2", "1975", "MY", NULL, "Salman Rushdi", NULL);
	n = search(x, "Muhammad bin Salman", NULL, NULL, h, 5);
	for (int i = 0; i < n; i++)
		assert_true(strcmp(h[i].id, "P2") != 0 || h[i].score < 0.6);
	nidx_hits_free(h, n);
	nidx_remove(x, "P1");
	n = search(x, "Nguyen Van Thanh", NULL, NULL, h, 5);
	for (int i = 0; i < n; i++)
		assert_string_not_equal(h[i].id, "P1");
	nidx_hits_free(h, n);
	nidx_free(x);
}

static void
test_mrz(void **s)
{
	struct mrz m;
	const char *td3 = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<\nL898902C36UTO7408122F1204159ZE184226B<<<<<10";
	const char *td1 = "I<UTOD231458907<<<<<<<<<<<<<<<\n7408122F1204159UTO<<<<<<<<<<<6\nERIKSSON<<ANNA<MARIA<<<<<<<<<<";
	char bad[128];

	assert_int_equal(mrz_parse(td3, strlen(td3), &m), 0);
	assert_int_equal(m.format, 3);
	assert_true(m.valid);
	assert_string_equal(m.number, "L898902C3");
	assert_string_equal(m.issuing, "UTO");
	assert_string_equal(m.birth, "740812");
	assert_int_equal(mrz_parse(td1, strlen(td1), &m), 0);
	assert_int_equal(m.format, 1);
	assert_true(m.valid);
	assert_string_equal(m.number, "D23145890");
	/* one wrong check digit: reported by field, never corrected */
	str_copy(bad, sizeof(bad), td3);
	bad[45 + 9] = '7';
	assert_int_equal(mrz_parse(bad, strlen(bad), &m), 0);
	assert_false(m.valid);
	assert_string_equal(m.number, "L898902C3");
	assert_int_equal(m.nerrors >= 1, 1);
	assert_string_equal(m.errors[0], "document_number check digit");
	assert_int_equal(mrz_parse("garbage", 7, &m), -1);
	assert_false(m.valid);
	assert_int_equal(m.format, 0);
	assert_int_equal(mrz_parse("P<UTO\n", 6, &m), -1);
}

static void
test_csv_and_countries(void **s)
{
	const char *csv = "1,\"A, B\",\"x\"\"y\",-0- \r\n2,c\r\n\x1a";
	char buf[256], *f[8];
	size_t pos = 0;

	assert_int_equal(csv_record(csv, strlen(csv), &pos, buf, sizeof(buf), f, 8), 4);
	assert_string_equal(f[1], "A, B");
	assert_string_equal(f[2], "x\"y");
	assert_int_equal(csv_record(csv, strlen(csv), &pos, buf, sizeof(buf), f, 8), 2);
	assert_int_equal(csv_record(csv, strlen(csv), &pos, buf, sizeof(buf), f, 8), 0);
	pos = 0;
	assert_int_equal(csv_record("\"open", 5, &pos, buf, sizeof(buf), f, 8), -1);
	assert_string_equal(country_code_of("Syrian Arab Republic"), "SY");
	assert_string_equal(country_code_of("Iran (Islamic Republic of)"), "IR");
	assert_string_equal(country_code_of("Democratic People's Republic of Korea"), "KP");
	assert_string_equal(country_code_of("Malaysia"), "MY");
	assert_string_equal(country_code_of("Viet Nam"), "VN");
	assert_null(country_code_of("Atlantis"));
}

static int
count_cb(void *ctx, json_t *p)
{
	int *n = ctx;
	(*n)++;
	assert_true(json_array_size(json_object_get(p, "names")) >= 1);
	json_decref(p);
	return 0;
}

/* A synthetic SDN row (not list data): strong aliases come from alt.csv,
 * weak ones from the remarks' a.k.a.s. */
static int
weak_cb(void *ctx, json_t *p)
{
	json_t **out = ctx;
	*out = p;
	return 0;
}

static void
test_ofac_weak_aliases(void **s)
{
	const char *sdn = "9,\"DOE, John\",\"individual\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"
	    "\"DOB 01 Jan 1970; a.k.a. 'JD'; a.k.a. 'SMITH, Johnny'.\"\r\n";
	const char *alt = "9,1,\"aka\",\"DOE, Jon\",-0- \r\n";
	json_t *p = NULL, *names;
	struct err e;

	(void)s;
	assert_int_equal(ofac_read(sdn, strlen(sdn), alt, strlen(alt), weak_cb, &p, &e), 0);
	assert_non_null(p);
	names = json_object_get(p, "names");
	assert_int_equal(json_array_size(names), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(names, 1), "name")), "Jon DOE");
	assert_string_equal(json_string_value(json_object_get(json_array_get(names, 1), "strength")), "strong");
	assert_string_equal(json_string_value(json_object_get(json_array_get(names, 2), "name")), "JD");
	assert_string_equal(json_string_value(json_object_get(json_array_get(names, 2), "strength")), "weak");
	assert_string_equal(json_string_value(json_object_get(json_array_get(names, 3), "name")), "Johnny SMITH");
	assert_string_equal(json_string_value(json_object_get(json_array_get(names, 3), "strength")), "weak");
	json_decref(p);
	/* the UN list sometimes packs several aliases into one ALIAS_NAME */
	const char *un = "<CONSOLIDATED_LIST><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>"
	    "<FIRST_NAME>JOHN</FIRST_NAME><SECOND_NAME>DOE</SECOND_NAME><REFERENCE_NUMBER>XXi.001</REFERENCE_NUMBER>"
	    "<INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Jon Doe; Jon\n   Do;</ALIAS_NAME></INDIVIDUAL_ALIAS>"
	    "<INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>JD</ALIAS_NAME></INDIVIDUAL_ALIAS>"
	    "</INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>";
	p = NULL;
	assert_int_equal(unxml_read(un, strlen(un), weak_cb, &p, &e), 0);
	assert_non_null(p);
	names = json_object_get(p, "names");
	assert_int_equal(json_array_size(names), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(names, 1), "name")), "Jon Doe");
	assert_string_equal(json_string_value(json_object_get(json_array_get(names, 2), "name")), "Jon Do");
	assert_string_equal(json_string_value(json_object_get(json_array_get(names, 3), "strength")), "weak");
	json_decref(p);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct stat sb;
	char *b;
	if (f == NULL || fstat(fileno(f), &sb) != 0) {
		if (f) fclose(f);
		return NULL;
	}
	b = malloc((size_t)sb.st_size + 1);
	*len = fread(b, 1, (size_t)sb.st_size, f);
	fclose(f);
	return b;
}

static void
test_readers_on_dev_lists(void **s)
{
	const char *d = getenv("SIMPUL_DATA");
	char p1[512], p2[512], p3[512];
	size_t l1, l2, l3;
	char *sdn, *alt, *un;
	struct err e = {0};
	int n = 0;

	if (d == NULL)
		d = "../shared/data";
	snprintf(p1, sizeof(p1), "%s/sanctions/dev/ofac_sdn_2021.csv", d);
	snprintf(p2, sizeof(p2), "%s/sanctions/dev/ofac_alt_2021.csv", d);
	snprintf(p3, sizeof(p3), "%s/sanctions/dev/un_consolidated_2018.xml", d);
	if ((sdn = slurp(p1, &l1)) == NULL) {
		skip();   /* no data: reported as skipped, not passed */
		return;
	}
	alt = slurp(p2, &l2);
	un = slurp(p3, &l3);
	assert_non_null(alt);
	assert_non_null(un);
	assert_int_equal(ofac_read(sdn, l1, alt, l2, count_cb, &n, &e), 0);
	assert_int_equal(n, 4566);      /* individuals in the 2021 file (README) */
	n = 0;
	assert_int_equal(unxml_read(un, l3, count_cb, &n, &e), 0);
	assert_int_equal(n, 703);
	assert_int_equal(unxml_read("<x/>", 4, count_cb, &n, &e), -1);
	assert_int_equal(e.status, 400);
	assert_int_equal(unxml_read("<<<", 3, count_cb, &n, &e), -1);
	free(sdn);
	free(alt);
	free(un);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_latin_folding_and_equivalences),
		cmocka_unit_test(test_patronymic_connectors),
		cmocka_unit_test(test_thai_rtgs_lao_khmer),
		cmocka_unit_test(test_other_scripts),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_scoring_rules),
		cmocka_unit_test(test_transliteration_variants),
		cmocka_unit_test(test_index_search_idf_dob_docs_explain),
		cmocka_unit_test(test_mrz),
		cmocka_unit_test(test_csv_and_countries),
		cmocka_unit_test(test_readers_on_dev_lists),
		cmocka_unit_test(test_ofac_weak_aliases),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
