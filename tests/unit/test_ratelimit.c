/* test_ratelimit.c - the token buckets and quotas (src/lib/ratelimit.c):
 * rule parsing, refill arithmetic with injected clocks, scopes and
 * overrides, daily quotas, per-address public limits, a table under
 * pressure (never looser), and exact counts under threads. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "ratelimit.h"

#define SEC 1000000LL            /* µs */
#define DAY_MS 86400000LL
#define T0_MS (20000LL * DAY_MS + 3600000LL)   /* a day, 01:00 UTC */

static struct principal
who(const char *pid, const char *agency)
{
	struct principal p;

	memset(&p, 0, sizeof(p));
	str_copy(p.id, sizeof(p.id), pid);
	str_copy(p.agency.id, sizeof(p.agency.id), agency);
	p.agency.kind = AK_BANK;
	p.role = ROLE_PARTNER;
	return p;
}

static int
reset(void **state)
{
	(void)state;
	rl_reset();
	return 0;
}

static int
take(const struct principal *p, const char *client, int64_t t_us, int64_t wall_ms, int *retry)
{
	const char *why;
	int r;

	return rl_admit(p, client, t_us, wall_ms, retry ? retry : &r, &why);
}

static void
parse_rules(void **state)
{
	struct err e = {0};
	const char *good[] = { "principal=50/s:100", "agency=200/s", "public=5/m:10", "agency:MY-BANK1=1000/h:20",
		"principal:01M8G64KT2F3KAQAYCZ0JVX4VH=1.5/s:3", "agency=0", NULL };
	const char *bad[] = { "", "=1/s", "galaxy=1/s", "agency", "agency=", "agency=fast", "agency=1/w",
		"agency=1/s:0", "agency=1/s:x", "agency:x=1/s", "public:1.2.3.4=1/s", "principal:short=1/s",
		"agency=-1/s", "agency=1/ss", "agency=1e3/s", NULL };
	const char *qgood[] = { "agency=100/d", "principal:01M8G64KT2F3KAQAYCZ0JVX4VH=5/d", "public=1000/d", NULL };
	const char *qbad[] = { "agency=100", "agency=100/h", "agency=0/d", "agency=1.5/d", "agency=x/d", NULL };

	(void)state;
	for (int i = 0; good[i]; i++) {
		err_clear(&e);
		if (rl_rate_parse(good[i], &e) != 0)
			fail_msg("refused %s: %s", good[i], e.msg);
	}
	for (int i = 0; bad[i]; i++) {
		err_clear(&e);
		if (rl_rate_parse(bad[i], &e) != -1)
			fail_msg("accepted %s", bad[i]);
		assert_int_equal(e.status, 400);
		assert_string_equal(e.field, "--rate-limit");
	}
	for (int i = 0; qgood[i]; i++)
		assert_int_equal(rl_quota_parse(qgood[i], &e), 0);
	for (int i = 0; qbad[i]; i++) {
		err_clear(&e);
		if (rl_quota_parse(qbad[i], &e) != -1)
			fail_msg("accepted quota %s", qbad[i]);
		assert_string_equal(e.field, "--quota");
	}
}

static void
bucket_refill_and_retry_after(void **state)
{
	struct principal p = who("01M8G64KT2F3KAQAYCZ0JVX4VA", "MY-BANK1");
	struct err e = {0};
	int retry = 0;
	int64_t t = 1000 * SEC;

	(void)state;
	assert_int_equal(rl_rate_parse("principal=1/s:3", &e), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(take(&p, NULL, t, T0_MS, NULL), 0);
	assert_int_equal(take(&p, NULL, t, T0_MS, &retry), 1);
	assert_int_equal(retry, 1);
	/* Half a second later: half a token, still refused, one second to wait. */
	assert_int_equal(take(&p, NULL, t + SEC / 2, T0_MS, &retry), 1);
	assert_int_equal(retry, 1);
	assert_int_equal(take(&p, NULL, t + SEC, T0_MS, NULL), 0);
	assert_int_equal(take(&p, NULL, t + SEC, T0_MS, NULL), 1);
	/* A long pause refills to the burst, not beyond. */
	t += 100 * SEC;
	for (int i = 0; i < 3; i++)
		assert_int_equal(take(&p, NULL, t, T0_MS, NULL), 0);
	assert_int_equal(take(&p, NULL, t, T0_MS, NULL), 1);
	/* A slow rate gives a long Retry-After. */
	rl_reset();
	assert_int_equal(rl_rate_parse("principal=1/m:1", &e), 0);
	assert_int_equal(take(&p, NULL, t, T0_MS, NULL), 0);
	assert_int_equal(take(&p, NULL, t, T0_MS, &retry), 1);
	assert_int_equal(retry, 60);
	assert_int_equal(take(&p, NULL, t + 30 * SEC, T0_MS, &retry), 1);
	assert_int_equal(retry, 30);
}

static void
scopes_defaults_and_overrides(void **state)
{
	struct principal a1 = who("01M8G64KT2F3KAQAYCZ0JVX4V1", "MY-BANK1");
	struct principal a2 = who("01M8G64KT2F3KAQAYCZ0JVX4V2", "MY-BANK1");
	struct principal b1 = who("01M8G64KT2F3KAQAYCZ0JVX4V3", "MY-BANK2");
	struct err e = {0};
	const char *why;
	int retry, admitted = 0;
	int64_t t = 5000 * SEC;

	(void)state;
	/* Agency default 2, MY-BANK2 overridden to 5; principals unlimited. */
	assert_int_equal(rl_rate_parse("agency=1/h:2", &e), 0);
	assert_int_equal(rl_rate_parse("agency:MY-BANK2=1/h:5", &e), 0);
	assert_int_equal(take(&a1, NULL, t, T0_MS, NULL), 0);
	assert_int_equal(take(&a2, NULL, t, T0_MS, NULL), 0);   /* same agency bucket */
	assert_int_equal(rl_admit(&a1, NULL, t, T0_MS, &retry, &why), 1);
	assert_string_equal(why, "agency rate");
	assert_int_equal(take(&a2, NULL, t, T0_MS, NULL), 1);
	for (int i = 0; i < 10; i++)
		admitted += take(&b1, NULL, t, T0_MS, NULL) == 0;
	assert_int_equal(admitted, 5);
	/* A principal limit stops one principal, not its colleague. */
	rl_reset();
	assert_int_equal(rl_rate_parse("principal:01M8G64KT2F3KAQAYCZ0JVX4V1=1/h:1", &e), 0);
	assert_int_equal(take(&a1, NULL, t, T0_MS, NULL), 0);
	assert_int_equal(rl_admit(&a1, NULL, t, T0_MS, &retry, &why), 1);
	assert_string_equal(why, "principal rate");
	for (int i = 0; i < 100; i++)
		assert_int_equal(take(&a2, NULL, t, T0_MS, NULL), 0);
	/* Rate 0 lifts a default. */
	rl_reset();
	assert_int_equal(rl_rate_parse("agency=1/h:1", &e), 0);
	assert_int_equal(rl_rate_parse("agency:MY-BANK2=0", &e), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(take(&b1, NULL, t, T0_MS, NULL), 0);
}

static void
quotas_per_utc_day(void **state)
{
	struct principal p = who("01M8G64KT2F3KAQAYCZ0JVX4V4", "TH-TELCO1");
	struct err e = {0};
	const char *why;
	int retry;

	(void)state;
	assert_int_equal(rl_quota_parse("agency:TH-TELCO1=3/d", &e), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(take(&p, NULL, 1, T0_MS + i, NULL), 0);
	assert_int_equal(rl_admit(&p, NULL, 1, T0_MS + 10, &retry, &why), 1);
	assert_string_equal(why, "agency quota");
	/* 01:00:00.010 UTC: 23 h until midnight, rounded up to whole seconds. */
	assert_int_equal(retry, 23 * 3600);
	/* The next UTC day starts again. */
	for (int i = 0; i < 3; i++)
		assert_int_equal(take(&p, NULL, 1, T0_MS + DAY_MS, NULL), 0);
	assert_int_equal(take(&p, NULL, 1, T0_MS + DAY_MS, NULL), 1);
	assert_int_equal(rl_refused_total() >= 2, true);
}

static void
public_per_client_address(void **state)
{
	struct err e = {0};
	const char *why;
	int retry;

	(void)state;
	/* The default: 10/s, burst 20, per address. */
	for (int i = 0; i < 20; i++)
		assert_int_equal(take(NULL, "203.0.113.7", 1, T0_MS, NULL), 0);
	assert_int_equal(rl_admit(NULL, "203.0.113.7", 1, T0_MS, &retry, &why), 1);
	assert_string_equal(why, "client address rate");
	assert_int_equal(take(NULL, "203.0.113.8", 1, T0_MS, NULL), 0);
	assert_int_equal(take(NULL, "2001:db8::1", 1, T0_MS, NULL), 0);
	/* Authenticated callers are not charged to their address. */
	{
		struct principal p = who("01M8G64KT2F3KAQAYCZ0JVX4V5", "MY-BANK1");
		assert_int_equal(take(&p, "203.0.113.7", 1, T0_MS, NULL), 0);
	}
	assert_int_equal(rl_rate_parse("public=0", &e), 0);
	for (int i = 0; i < 100; i++)
		assert_int_equal(take(NULL, "203.0.113.7", 1, T0_MS, NULL), 0);
}

/* 300,000 other addresses pass by (far more than the 65,536 slots): an
 * address that used up its bucket stays refused. */
static void
table_pressure_never_looser(void **state)
{
	struct err e = {0};
	char addr[64];
	int admitted = 0;

	(void)state;
	assert_int_equal(rl_rate_parse("public=1/h:1", &e), 0);
	assert_int_equal(take(NULL, "198.51.100.1", 1, T0_MS, NULL), 0);
	for (int i = 0; i < 300000; i++) {
		snprintf(addr, sizeof(addr), "10.%d.%d.%d", (i >> 16) & 255, (i >> 8) & 255, i & 255);
		admitted += take(NULL, addr, 2, T0_MS, NULL) == 0;
		if (i % 50000 == 0)
			assert_int_equal(take(NULL, "198.51.100.1", 3, T0_MS, NULL), 1);
	}
	assert_int_equal(take(NULL, "198.51.100.1", 4, T0_MS, NULL), 1);
	/* Most newcomers still got their first request. */
	print_message("# table pressure: %d of 300000 new addresses admitted at once\n", admitted);
	assert_true(admitted > 65536 / 2);
}

struct tharg {
	struct principal p;
	int              admitted;
};

static void *
hammer(void *arg)
{
	struct tharg *a = arg;

	for (int i = 0; i < 20000; i++)
		a->admitted += take(&a->p, NULL, 7, T0_MS, NULL) == 0;
	return NULL;
}

/* Four threads on one agency bucket of 1,000: exactly 1,000 admitted. */
static void
threads_exact(void **state)
{
	struct err e = {0};
	struct tharg a[4];
	pthread_t th[4];
	int total = 0;

	(void)state;
	assert_int_equal(rl_rate_parse("agency=1/h:1000", &e), 0);
	for (int i = 0; i < 4; i++) {
		char pid[27];
		snprintf(pid, sizeof(pid), "01M8G64KT2F3KAQAYCZ0JVX4T%d", i);
		a[i].p = who(pid, "MY-BANK9");
		a[i].admitted = 0;
		assert_int_equal(pthread_create(&th[i], NULL, hammer, &a[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		total += a[i].admitted;
	}
	assert_int_equal(total, 1000);
}

/* Cost per admission (printed, not asserted), beside two baselines from
 * the same run: rl_admit with no principal or agency rule (the daemon's
 * default), and the floor of the keyed hashing alone (2 SipHash calls:
 * one per id). */
static void
speed(void **state)
{
	struct principal p = who("01M8G64KT2F3KAQAYCZ0JVX4V6", "MY-BANK1");
	struct err e = {0};
	unsigned char key[crypto_shorthash_KEYBYTES] = {0}, out[8];
	volatile unsigned char sink = 0;
	int64_t t0, n = 1000000;
	double none, all, floor_ns;

	(void)state;
	t0 = mono_us();
	for (int64_t i = 0; i < n; i++)
		take(&p, NULL, 1 + i, T0_MS, NULL);
	none = (double)(mono_us() - t0) * 1000.0 / (double)n;
	t0 = mono_us();
	for (int64_t i = 0; i < n; i++)
		for (int k = 0; k < 2; k++) {
			crypto_shorthash(out, (const unsigned char *)p.id, 28, key);
			sink ^= out[0];
		}
	floor_ns = (double)(mono_us() - t0) * 1000.0 / (double)n;
	assert_int_equal(rl_rate_parse("principal=1000000/s:1000000", &e), 0);
	assert_int_equal(rl_rate_parse("agency=1000000/s:1000000", &e), 0);
	assert_int_equal(rl_quota_parse("principal=1000000000/d", &e), 0);
	assert_int_equal(rl_quota_parse("agency=1000000000/d", &e), 0);
	t0 = mono_us();
	for (int64_t i = 0; i < n; i++)
		take(&p, NULL, 1 + i, T0_MS, NULL);
	all = (double)(mono_us() - t0) * 1000.0 / (double)n;
	print_message("# rl_admit: %.0f ns with 2 buckets + 2 quotas charged; baselines: %.0f ns with no rule, "
	    "%.0f ns for the 2 SipHash calls alone (%d)\n", all, none, floor_ns, sink & 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(parse_rules, reset),
		cmocka_unit_test_setup(bucket_refill_and_retry_after, reset),
		cmocka_unit_test_setup(scopes_defaults_and_overrides, reset),
		cmocka_unit_test_setup(quotas_per_utc_day, reset),
		cmocka_unit_test_setup(public_per_client_address, reset),
		cmocka_unit_test_setup(table_pressure_never_looser, reset),
		cmocka_unit_test_setup(threads_exact, reset),
		cmocka_unit_test_setup(speed, reset),
	};
	return cmocka_run_group_tests_name("ratelimit", tests, NULL, NULL);
}
