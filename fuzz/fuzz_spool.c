/* fuzz_spool - the audit spool's record reader (spool_decode). The first
 * byte picks the mode: 0, the input is a spool region as read from disk;
 * otherwise it is one record's payload, wrapped here in a valid record head
 * (a real BLAKE2b), so that the payload parser itself is explored. Either
 * way, what the reader accepts must encode back to exactly the bytes it
 * consumed: the format has one spelling. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "spool.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
reencode(void *ctx, const struct spool_entry *en)
{
	return spool_encode(ctx, en, 1) == 0 ? 0 : -1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sbuf in, out;
	int64_t used;

	if (size < 1 || size > SPOOL_MAX_RECORD)
		return 0;
	sbuf_init(&in, size + SPOOL_REC_HEAD + 16);
	sbuf_init(&out, 2 * size + 4096);
	if (data[0] == 0) {
		sbuf_add(&in, data + 1, size - 1);
	} else {
		unsigned char h[SPOOL_REC_HEAD];
		uint32_t plen = (uint32_t)(size - 1);

		h[0] = 'S'; h[1] = 'P'; h[2] = 'R'; h[3] = '1';
		for (int i = 0; i < 4; i++)
			h[4 + i] = (unsigned char)(plen >> (8 * i));
		crypto_generichash(h + 8, 16, data + 1, plen, NULL, 0);
		sbuf_add(&in, h, sizeof(h));
		sbuf_add(&in, data + 1, plen);
	}
	{
		/* An exact-size copy, so ASan sees any read past the end. */
		char *exact = malloc(in.len ? in.len : 1);

		if (exact == NULL)
			abort();
		memcpy(exact, in.ptr ? in.ptr : "", in.len);
		used = spool_decode(exact, in.len, reencode, &out);
		if (used >= 0) {
			if ((size_t)used > in.len || out.len != (size_t)used ||
			    (used > 0 && memcmp(out.ptr, exact, (size_t)used) != 0))
				abort();
		}
		free(exact);
	}
	sbuf_free(&in);
	sbuf_free(&out);
	return 0;
}
