/* fuzz_netsnap - the network index's snapshot reader (net_snapshot_load)
 * and its round trip. Input starting with 'S': the rest is read as a
 * snapshot; it must be refused or loaded, never crash, and a loaded index
 * must answer queries, take a new report and a removal, and write itself
 * again. Any other input is a list of operations (add a report naming up to
 * three of 16 keys, remove one) on an index; its snapshot, loaded into a
 * fresh index, must put every pair of reports in the same component iff
 * the original does. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "networks.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct buf {
	unsigned char *p;
	size_t         n;
};

static int
put(void *ctx, const void *p, size_t n)
{
	struct buf *b = ctx;
	unsigned char *np = realloc(b->p, b->n + n);

	if (np == NULL)
		return -1;
	memcpy(np + b->n, p, n);
	b->p = np;
	b->n += n;
	return 0;
}

static void
add(struct net *nt, int64_t rid, const char *id, const char **keys, size_t nk, bool silent)
{
	struct markings m;
	bool strong[3] = { true, true, true };
	struct net_report_in in;

	memset(&m, 0, sizeof(m));
	m.tlp = TLP_GREEN;
	m.disclosure = silent ? DISC_SILENT : DISC_HIT;
	memset(&in, 0, sizeof(in));
	in.rid = rid;
	in.id = id;
	in.agency_id = rid % 2 ? "AG-1" : "AG-2";
	in.agency_country = "MY";
	in.m = &m;
	in.nkeys = nk;
	in.keys = keys;
	in.strong = strong;
	net_add(nt, &in);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct net *a = net_new(), *b = net_new();
	struct buf out = { NULL, 0 };
	char ids[64][8], keys[16][16];

	for (int i = 0; i < 64; i++)
		snprintf(ids[i], sizeof(ids[i]), "R%02d", i);
	for (int i = 0; i < 16; i++)
		snprintf(keys[i], sizeof(keys[i]), "phone:+60%02d", i);
	if (size > 0 && data[0] == 'S') {
		if (net_snapshot_load(b, data + 1, size - 1) == 0) {
			struct net_stats st;
			const char *k[1] = { keys[0] };
			net_stats(b, &st);
			for (int i = 0; i < 64; i++)
				net_component(b, ids[i]);
			net_set_rules(b, 2, 1);
			add(b, 1000, "NEW", k, 1, false);
			net_remove(b, ids[0]);
			net_snapshot_write(b, put, &out);
		}
	} else {
		int64_t rid = 1;
		for (size_t i = 0; i + 2 < size; i += 3) {
			int r = data[i] & 63;
			if (data[i] & 0x80) {
				net_remove(a, ids[r]);
			} else {
				const char *k[3] = { keys[data[i + 1] & 15], keys[data[i + 1] >> 4], keys[data[i + 2] & 15] };
				add(a, rid++, ids[r], k, 1 + (data[i + 2] >> 6) % 3, (data[i + 2] & 0x30) == 0x30);
			}
			if (data[i] & 0x40)
				net_set_rules(a, 1 + (data[i + 2] & 7), 1);
		}
		if (net_snapshot_write(a, put, &out) != 0 || net_snapshot_load(b, out.p, out.n) != 0)
			abort();
		net_set_listed(b, NULL, NULL);
		for (int i = 0; i < 64; i++)
			for (int j = i + 1; j < 64; j++) {
				int64_t ai = net_component(a, ids[i]), aj = net_component(a, ids[j]);
				int64_t bi = net_component(b, ids[i]), bj = net_component(b, ids[j]);
				if ((ai == -1) != (bi == -1) || (ai != -1 && aj != -1 && (ai == aj) != (bi == bj)))
					abort();
			}
	}
	free(out.p);
	net_free(a);
	net_free(b);
	return 0;
}
