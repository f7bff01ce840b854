/* fuzz_normalise.c - one libFuzzer target per selector type; meson builds
 * this file once per type with FUZZ_TYPE defined.
 *
 * Input: the value, then optional lines with the country and the companion
 * (bank, provider, chain or platform). Checked invariants, beyond the
 * sanitizers: every key normalise() returns passes normalise_key_check(), an
 * invalid value always carries a flag, and for the types whose key value is
 * itself a valid input, normalising the canonical form again is a fixed
 * point. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "normalise.h"

#ifndef FUZZ_TYPE
#error "FUZZ_TYPE must name a selector type"
#endif

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	if (normalise_init() == -1)
		abort();
	return 0;
}

static bool
fixed_point_type(const char *t)
{
	return strcmp(t, "domain") == 0 || strcmp(t, "ip") == 0 ||
	    strcmp(t, "iban") == 0 || strcmp(t, "url") == 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct norm_out out, again;
	char buf[2048], *parts[3] = { NULL, NULL, NULL }, *p;
	struct norm_in in = {0};
	struct err e;
	int np = 0;

	if (size >= sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (p = buf; np < 3; np++) {
		parts[np] = p;
		if ((p = strchr(p, '\n')) == NULL)
			break;
		*p++ = '\0';
	}
	in.type = FUZZ_TYPE;
	in.value = parts[0];
	in.country = parts[1];
	in.bank = in.provider = in.chain = in.platform = parts[2];
	if (normalise(&in, &out, &e) == -1) {
		if (e.field[0] == '\0')
			abort();
		return 0;
	}
	if (normalise_key_check(out.key, strlen(out.key), &e) != 0) {
		fprintf(stderr, "key check refused own key '%s': %s\n", out.key, e.msg);
		abort();
	}
	for (int i = 0; i < out.nderived; i++)
		if (normalise_key_check(out.derived[i], strlen(out.derived[i]), &e) != 0)
			abort();
	if (!out.valid && out.flag[0] == '\0')
		abort();
	/* (A canonical form may outgrow the input limit: %-escapes.) */
	if (out.valid && fixed_point_type(FUZZ_TYPE) &&
	    strlen(strchr(out.key, ':') + 1) <= SIMPUL_MAX_VALUE_LEN) {
		in.value = strchr(out.key, ':') + 1;
		if (normalise(&in, &again, &e) != 0 || strcmp(again.key, out.key) != 0 ||
		    !again.valid) {
			fprintf(stderr, "not a fixed point: '%s' -> '%s' (%s)\n", out.key,
			    again.key, again.valid ? "valid" : again.flag);
			abort();
		}
	}
	return 0;
}
