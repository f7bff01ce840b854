/* fuzz_limits - the rule parsers of the daemon's flags: --rate-limit,
 * --quota (ratelimit.c) and --sla (ppp.c). The first byte picks the
 * parser; the rest is the flag's value. A refused value names its flag; an
 * accepted rate rule is then exercised once. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ppp.h"
#include "ratelimit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = {0};
	struct principal p;
	char *s;
	int rc, retry;
	const char *why;

	if (size < 1 || size > 512)
		return 0;
	if ((s = malloc(size)) == NULL)
		return 0;
	memcpy(s, data + 1, size - 1);
	s[size - 1] = '\0';
	rl_reset();
	switch (data[0] % 3) {
	case 0:
		rc = rl_rate_parse(s, &e);
		if (rc == -1 && strcmp(e.field, "--rate-limit") != 0)
			abort();
		break;
	case 1:
		rc = rl_quota_parse(s, &e);
		if (rc == -1 && strcmp(e.field, "--quota") != 0)
			abort();
		break;
	default:
		rc = ppp_sla_parse(s, &e);
		if (rc == -1 && strcmp(e.field, "sla") != 0)
			abort();
		if (rc == 0)
			for (int a = 0; a < PA__N; a++)
				if (ppp_sla(a) < 1)
					abort();
		break;
	}
	memset(&p, 0, sizeof(p));
	str_copy(p.id, sizeof(p.id), "01M8G64KT2F3KAQAYCZ0JVX4VH");
	str_copy(p.agency.id, sizeof(p.agency.id), "MY-BANK1");
	if (rl_admit(&p, "127.0.0.1", 1, 1, &retry, &why) == 1 && retry < 1)
		abort();
	if (rl_admit(NULL, "127.0.0.1", 1, 1, &retry, &why) == 1 && retry < 1)
		abort();
	free(s);
	return 0;
}
