/* fuzz_ppp - the partner request bodies and the public check body, through
 * the node on a real SQLite file (in $TMPDIR, made once). The first byte
 * picks: a request body (ppp_request_create as an ASC analyst), an answer
 * body (ppp_request_answer on a fixed open request, as the bank) or a
 * public check body. A refusal must carry a 4xx status and a field. */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"
#include "ppp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static struct node *n;
static struct principal asc, bank;
static char rid[SIMPUL_ID_LEN + 1];
static char dir[] = "/tmp/simpul-fuzz-ppp-XXXXXX";

/* The node's files go with the process (the node stays open until then). */
static void
cleanup(void)
{
	const char *sfx[] = { "node.db", "node.db-wal", "node.db-shm", NULL };
	char p[96];

	for (int i = 0; sfx[i]; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, sfx[i]);
		unlink(p);
	}
	rmdir(dir);
}

static void
who(const char *agency, const char *role, struct principal *p)
{
	char tok[128];
	struct err e = {0};

	if (node_token_create(n, NULL, agency, role, "f", tok, sizeof(tok), NULL, &e) != 0 ||
	    node_authenticate(n, tok, p, &e) != 0)
		abort();
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char path[64], tok[128];
	struct agency a;
	struct err e = {0};
	json_t *body, *out = NULL;
	struct reqctx c = { .p = &asc };

	(void)argc;
	(void)argv;
	if (mkdtemp(dir) == NULL)
		abort();
	atexit(cleanup);
	snprintf(path, sizeof(path), "%s/node.db", dir);
	if (node_open(path, NODE_CREATE | NODE_SYNC_FAST, &n, &e) != 0 ||
	    node_init(n, "NODE-ADMIN", "SG", tok, sizeof(tok), &e) != 0)
		abort();
	const char *ids[] = { "MY-NSRC", "MY-BANK1", "TH-TELCO1" };
	const enum agency_kind kinds[] = { AK_ASC, AK_BANK, AK_TELCO };
	for (int i = 0; i < 3; i++) {
		memset(&a, 0, sizeof(a));
		str_copy(a.id, sizeof(a.id), ids[i]);
		str_copy(a.country, sizeof(a.country), i == 2 ? "TH" : "MY");
		a.kind = kinds[i];
		if (node_agency_add(n, NULL, &a, &e) != 0)
			abort();
	}
	who("MY-NSRC", "analyst", &asc);
	who("MY-BANK1", "partner", &bank);
	body = json_loads("{\"partner\":\"MY-BANK1\",\"action\":\"freeze\",\"selectors\":[{\"key\":\"phone:+60123456789\"}]}", 0, NULL);
	if (ppp_request_create(n, &c, body, &out, &e) != 0)
		abort();
	str_copy(rid, sizeof(rid), json_string_value(json_object_get(out, "id")));
	json_decref(body);
	json_decref(out);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct err e = {0};
	json_t *body, *out = NULL;
	int rc;

	if (size < 1)
		return 0;
	if (data[0] % 3 == 2) {
		static const struct principal anon = { .id = "anonymous", .role = ROLE_PUBLIC };
		struct reqctx c = { .p = &anon };
		struct sbuf sb;
		sbuf_init(&sb, 1 << 20);
		rc = ppp_public_check(n, &c, (const char *)data + 1, size - 1, &sb, &e);
		if (rc == 0) {
			json_t *j = json_loadb(sb.ptr, sb.len, 0, NULL);
			if (!json_is_array(json_object_get(j, "results")))
				abort();
			json_decref(j);
		}
		if (rc == -1 && (e.status < 400 || e.status >= 500 || e.field[0] == '\0'))
			abort();
		sbuf_free(&sb);
		return 0;
	}
	if ((body = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, NULL)) == NULL ||
	    !json_is_object(body)) {
		json_decref(body);
		return 0;
	}
	if (data[0] % 3 == 0) {
		struct reqctx c = { .p = &asc };
		rc = ppp_request_create(n, &c, body, &out, &e);
	} else {
		struct reqctx c = { .p = &bank };
		rc = ppp_request_answer(n, &c, rid, body, &out, &e);
	}
	if (rc == -1 && (e.status < 400 || e.status >= 500))
		abort();
	if (rc == 0 && !json_is_object(out))
		abort();
	json_decref(out);
	json_decref(body);
	return 0;
}
