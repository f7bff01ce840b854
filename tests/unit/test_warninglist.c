/* test_warninglist.c - MISP warning lists (warninglist.c): the hostname,
 * string and cidr match rules, refusals, replacement of a list by name, the
 * lists shipped with Simpul, and the MISP lists of ../shared/data read in
 * place (skipped, with the reason, when the folder is absent). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "warninglist.h"

static int
add(struct wlset *w, const char *json, struct err *e)
{
	char name[WL_MAX_NAME + 1];

	err_clear(e);
	return wl_add_json(w, json, strlen(json), name, sizeof(name), e);
}

static bool
m(struct wlset *w, const char *key)
{
	char list[80];

	return wl_match(w, key, list, sizeof(list));
}

static void
test_hostname_rule(void **state)
{
	struct wlset *w = wl_new();
	struct err e;

	assert_int_equal(add(w, "{\"name\":\"h\",\"type\":\"hostname\",\"list\":[\"Example.COM.\",\".bank.my\"]}", &e), 0);
	assert_true(m(w, "domain:example.com"));
	assert_true(m(w, "domain:www.example.com"));       /* a parent is listed */
	assert_true(m(w, "domain:a.b.bank.my"));           /* dots trimmed */
	assert_false(m(w, "domain:notexample.com"));
	assert_false(m(w, "domain:com"));
	assert_true(m(w, "url:https://www.example.com/"));  /* home page */
	assert_true(m(w, "url:https://www.example.com"));
	assert_true(m(w, "url:https://www.example.com:8443/"));
	assert_false(m(w, "url:https://www.example.com/login/x"));  /* a path is specific */
	assert_false(m(w, "phone:+60123456789"));
	wl_free(w);
}

static void
test_string_rule(void **state)
{
	struct wlset *w = wl_new();
	struct err e;

	assert_int_equal(add(w, "{\"name\":\"s\",\"type\":\"string\",\"list\":[\"abc.xyz\",\".google.com\",\"1.2.3.4\"]}", &e), 0);
	assert_true(m(w, "domain:abc.xyz"));
	assert_false(m(w, "domain:www.abc.xyz"));   /* exact */
	assert_true(m(w, "domain:google.com"));     /* leading dot: the name ... */
	assert_true(m(w, "domain:mail.google.com"));/* ... and every subdomain */
	assert_false(m(w, "domain:notgoogle.com"));
	assert_true(m(w, "ip:1.2.3.4"));
	assert_false(m(w, "ip:1.2.3.5"));
	wl_free(w);
}

static void
test_cidr_rule(void **state)
{
	struct wlset *w = wl_new();
	struct err e;

	assert_int_equal(add(w, "{\"name\":\"c\",\"type\":\"cidr\",\"list\":[\"10.0.0.0/8\",\"192.168.1.7\",\"fc00::/7\",\"bad/99\"]}", &e), 0);
	assert_true(m(w, "ip:10.200.3.4"));
	assert_false(m(w, "ip:11.0.0.1"));
	assert_true(m(w, "ip:192.168.1.7"));
	assert_false(m(w, "ip:192.168.1.8"));
	assert_true(m(w, "ip:fd12::1"));
	assert_false(m(w, "ip:2001:db8::1"));
	assert_false(m(w, "domain:10.0.0.1"));
	wl_free(w);
}

static void
test_refusals_and_replacement(void **state)
{
	struct wlset *w = wl_new();
	struct err e;
	json_t *d;

	assert_int_equal(add(w, "{", &e), -1);
	assert_int_equal(e.status, 400);
	assert_int_equal(add(w, "[]", &e), -1);
	assert_int_equal(add(w, "{\"name\":\"r\",\"type\":\"regex\",\"list\":[\"a\"]}", &e), -1);
	assert_string_equal(e.field, "type");
	assert_int_equal(add(w, "{\"type\":\"string\",\"list\":[]}", &e), -1);
	assert_string_equal(e.field, "name");
	assert_int_equal(add(w, "{\"name\":\"x\",\"type\":\"string\",\"list\":[\"a\",2]}", &e), -1);
	assert_string_equal(e.field, "list[1]");
	assert_int_equal(add(w, "{\"name\":\"x\",\"type\":\"string\",\"list\":\"a\"}", &e), -1);
	assert_string_equal(e.field, "list");
	assert_int_equal(add(w, "{\"name\":\"x\",\"type\":\"string\",\"list\":[\"a\"],\"name\":\"y\"}", &e), -1);
	/* Nothing was added by the refusals. */
	d = wl_describe(w);
	assert_int_equal(json_array_size(d), 0);
	json_decref(d);
	/* A list of the same name replaces the old one. */
	assert_int_equal(add(w, "{\"name\":\"x\",\"type\":\"string\",\"list\":[\"old.com\"]}", &e), 0);
	assert_true(m(w, "domain:old.com"));
	assert_int_equal(add(w, "{\"name\":\"x\",\"type\":\"string\",\"list\":[\"new.com\"]}", &e), 0);
	assert_false(m(w, "domain:old.com"));
	assert_true(m(w, "domain:new.com"));
	d = wl_describe(w);
	assert_int_equal(json_array_size(d), 1);
	json_decref(d);
	wl_free(w);
}

static void
test_builtin_lists(void **state)
{
	struct wlset *w = wl_new();
	struct err e;
	char name[WL_MAX_NAME + 1];
	int n = 0;

	for (int i = 0; wl_builtin[i]; i++, n++)
		assert_int_equal(wl_add_json(w, wl_builtin[i], wl_builtin_len[i], name, sizeof(name), &e), 0);
	assert_int_equal(n, 2);
	assert_true(m(w, "domain:t.me"));
	assert_true(m(w, "domain:shopee.com.my"));
	assert_true(m(w, "url:https://www.facebook.com/"));
	assert_false(m(w, "url:https://www.facebook.com/some.scammer.page"));
	assert_true(m(w, "ip:192.168.0.1"));
	assert_true(m(w, "ip:8.8.8.8"));
	assert_true(m(w, "ip:::1"));
	assert_false(m(w, "ip:203.0.114.1"));
	assert_false(m(w, "domain:maybank2u-secure-login.com"));
	wl_free(w);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void
test_misp_lists_in_place(void **state)
{
	static const char *const lists[] = { "bank-website", "google", "microsoft", "tranco10k", "url-shortener" };
	const char *dir = getenv("SIMPUL_DATA");
	struct wlset *w = wl_new();
	struct err e;
	char path[512], name[WL_MAX_NAME + 1];
	json_t *d, *x;
	size_t i;

	if (dir == NULL) {
		print_message("# skip: SIMPUL_DATA is not set (../shared/data)\n");
		skip();
	}
	for (i = 0; i < 5; i++) {
		size_t len = 0;
		char *buf;
		snprintf(path, sizeof(path), "%s/warninglists/%s/list.json", dir, lists[i]);
		if ((buf = slurp(path, &len)) == NULL) {
			print_message("# skip: %s is absent\n", path);
			wl_free(w);
			skip();
		}
		assert_int_equal(wl_add_json(w, buf, len, name, sizeof(name), &e), 0);
		free(buf);
	}
	d = wl_describe(w);
	assert_int_equal(json_array_size(d), 5);
	json_array_foreach(d, i, x)
		print_message("# %s (%s): %lld entries\n", json_string_value(json_object_get(x, "name")),
		    json_string_value(json_object_get(x, "type")),
		    (long long)json_integer_value(json_object_get(x, "entries")));
	json_decref(d);
	/* bank-website writes every entry with a leading dot: hostname rule. */
	assert_true(m(w, "domain:02bancorp.com"));
	assert_true(m(w, "domain:www.02bancorp.com"));
	/* tranco: hostname rule, parents. */
	assert_true(m(w, "domain:10086.cn"));
	assert_true(m(w, "domain:shop.10086.cn"));
	/* google (string): leading dot = suffix; bare = exact. */
	assert_true(m(w, "domain:www.google.co.th"));
	assert_true(m(w, "domain:abc.xyz"));
	/* url-shortener: the host, but not a shortened link with a path. */
	assert_true(m(w, "url:https://2ly.link/"));
	assert_false(m(w, "url:https://2ly.link/Abc123"));
	assert_false(m(w, "domain:simpul-unlisted-example.test"));
	wl_free(w);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostname_rule),
		cmocka_unit_test(test_string_rule),
		cmocka_unit_test(test_cidr_rule),
		cmocka_unit_test(test_refusals_and_replacement),
		cmocka_unit_test(test_builtin_lists),
		cmocka_unit_test(test_misp_lists_in_place),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
