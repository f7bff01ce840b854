/* cmd_normalize.c - `simpul normalize`: the canonical key of one selector, or
 * a stream of them (--batch) for scripts and the differential tests. The
 * work is normalise() in the core; this file parses and renders. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "normalise.h"
#include "util.h"

#define BATCH_LINE_MAX (64u * 1024u)

static const char usage_text[] =
    "usage: simpul normalize TYPE VALUE [--country CC] [--bank B] [--provider P]\n"
    "                        [--chain C] [--platform P] [--json]\n"
    "       simpul normalize --batch < selectors.jsonl\n"
    "\n"
    "Prints the canonical key of a selector (DESIGN §2), e.g.\n"
    "  simpul normalize phone '+60 12-345 6789'       ->  phone:+60123456789\n"
    "  simpul normalize url http://x.com              ->  url:http://x.com/\n"
    "\n"
    "TYPE is one of phone, bank_account, iban, ewallet, crypto, url, domain,\n"
    "email, ip, handle, imei, national_id, passport. A value that fails\n"
    "validation is still printed (its key is kept) and its flag goes to stderr;\n"
    "the exit code is 1 only when the value cannot be used at all.\n"
    "\n"
    "  --country CC   default region of a national phone number; the country of\n"
    "                 a bank account, wallet phone or identity document\n"
    "  --bank B       bank code or BIC (shortened to BIC8)\n"
    "  --provider P   e-wallet provider (gcash, grabpay, tng, truemoney, ...)\n"
    "  --chain C      crypto chain (btc, eth, trx, ...; inferred when absent)\n"
    "  --platform P   handle platform (telegram, line, x, ...)\n"
    "  --json         print {\"type\",\"key\",\"valid\",\"flag\"?,\"derived\"}\n"
    "  --batch        read JSON lines {\"type\",\"value\",\"country\"?,...} on stdin,\n"
    "                 write one JSON line per input, in order; a bad line gets\n"
    "                 {\"error\",\"field\"} and the batch goes on\n"
    "  --bench        time normalise() per type in this process (one thread)\n"
    "                 and print ns per value; figures in docs/internals/normalise.md\n";

/* Typical values per type for --bench: what reports actually carry. */
static const struct norm_in bench_in[] = {
	{ "phone", "+60 12-345 6789", NULL, NULL, NULL, NULL, NULL },
	{ "phone", "081 234 5678", "TH", NULL, NULL, NULL, NULL },
	{ "bank_account", "5123 4567 8901", "MY", "MBBEMYKL", NULL, NULL, NULL },
	{ "iban", "GB82 WEST 1234 5698 7654 32", NULL, NULL, NULL, NULL, NULL },
	{ "ewallet", "0917 123 4567", "PH", NULL, "GCash", NULL, NULL },
	{ "crypto", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", NULL, NULL, NULL, NULL, NULL },
	{ "crypto", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", NULL, NULL, NULL, NULL, NULL },
	{ "crypto", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", NULL, NULL, NULL, NULL, NULL },
	{ "crypto", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", NULL, NULL, NULL, NULL, NULL },
	{ "url", "https://www.maybank2u.com.my.secure-login.xyz/login?id=1", NULL, NULL, NULL, NULL, NULL },
	{ "url", "http://bücher.de/", NULL, NULL, NULL, NULL, NULL },
	{ "domain", "login.example.com.my", NULL, NULL, NULL, NULL, NULL },
	{ "email", "John.Doe+scam@GMail.com", NULL, NULL, NULL, NULL, NULL },
	{ "ip", "2001:db8::1", NULL, NULL, NULL, NULL, NULL },
	{ "handle", "@ScamBoss", NULL, NULL, NULL, NULL, "telegram" },
	{ "imei", "49-015420-323751-8", NULL, NULL, NULL, NULL, NULL },
	{ "national_id", "900101-14-5678", "MY", NULL, NULL, NULL, NULL },
	{ "passport", "L898902C36", "UT", NULL, NULL, NULL, NULL },
};

static int
bench(void)
{
	struct norm_out *o;
	struct err e;
	int rc = 1;

	if ((o = malloc(sizeof(*o))) == NULL)
		return cli_fail(1, "out of memory");
	printf("%-13s %-58s %10s\n", "type", "value", "ns/value");
	for (size_t i = 0; i < sizeof(bench_in) / sizeof(bench_in[0]); i++) {
		int64_t t0, n = 0, dt;
		t0 = mono_us();
		do {
			for (int k = 0; k < 1000; k++)
				if (normalise(&bench_in[i], o, &e) == -1)
					goto out;
			n += 1000;
		} while ((dt = mono_us() - t0) < 300000);
		printf("%-13s %-58.58s %10.0f\n", bench_in[i].type, bench_in[i].value,
		    (double)dt * 1000.0 / (double)n);
	}
	rc = 0;
out:
	if (rc != 0)
		cli_fail(1, "normalize --bench: %s", e.msg);
	free(o);
	return rc;
}

static void
render(struct sbuf *b, const struct norm_out *o)
{
	sbuf_adds(b, "{\"type\":");
	sbuf_json_str(b, o->type);
	sbuf_adds(b, ",\"key\":");
	sbuf_json_str(b, o->key);
	sbuf_adds(b, o->valid ? ",\"valid\":true" : ",\"valid\":false,\"flag\":");
	if (!o->valid)
		sbuf_json_str(b, o->flag);
	sbuf_adds(b, ",\"derived\":[");
	for (int i = 0; i < o->nderived; i++) {
		if (i)
			sbuf_addc(b, ',');
		sbuf_json_str(b, o->derived[i]);
	}
	sbuf_adds(b, "]}\n");
}

static void
render_err(struct sbuf *b, const struct err *e)
{
	sbuf_adds(b, "{\"error\":");
	sbuf_json_str(b, e->msg);
	sbuf_adds(b, ",\"field\":");
	sbuf_json_str(b, e->field);
	sbuf_adds(b, "}\n");
}

/* One input line: a JSON object with string members. */
static int
batch_one(const char *line, size_t n, struct norm_out *o, struct err *e)
{
	static const char *const names[] = {
		"type", "value", "country", "bank", "provider", "chain", "platform", NULL
	};
	const char *vals[7] = {0};
	struct norm_in in;
	json_error_t je;
	json_t *j;
	int rc = -1;

	if ((j = json_loadb(line, n, JSON_REJECT_DUPLICATES, &je)) == NULL) {
		err_set(e, 400, "", "not JSON: %s", je.text);
		goto out;
	}
	if (!json_is_object(j)) {
		err_set(e, 400, "", "each line must be a JSON object");
		goto out;
	}
	for (int i = 0; names[i]; i++) {
		json_t *v = json_object_get(j, names[i]);
		if (v == NULL || json_is_null(v))
			continue;
		if (!json_is_string(v)) {
			err_set(e, 400, names[i], "%s must be a string", names[i]);
			goto out;
		}
		vals[i] = json_string_value(v);
	}
	in.type = vals[0];
	in.value = vals[1];
	in.country = vals[2];
	in.bank = vals[3];
	in.provider = vals[4];
	in.chain = vals[5];
	in.platform = vals[6];
	if (in.type == NULL) {
		err_set(e, 400, "type", "type is required");
		goto out;
	}
	rc = normalise(&in, o, e);
out:
	json_decref(j);
	return rc;
}

static int
batch(void)
{
	static char line[BATCH_LINE_MAX + 1];
	struct norm_out *o;
	struct sbuf b;
	struct err e;
	size_t n = 0;
	bool toolong = false, eof = false;
	int ch, rc = 1;

	if ((o = malloc(sizeof(*o))) == NULL)
		return cli_fail(1, "out of memory");
	sbuf_init(&b, 1u << 20);
	setvbuf(stdout, NULL, _IOFBF, 1u << 16);
	while (!eof) {
		ch = getc_unlocked(stdin);
		if (ch == EOF) {
			eof = true;
			if (n == 0 && !toolong)
				break;
		} else if (ch != '\n') {
			if (n < BATCH_LINE_MAX)
				line[n++] = (char)ch;
			else
				toolong = true;
			continue;
		}
		sbuf_reset(&b);
		err_clear(&e);
		if (toolong)
			err_set(&e, 413, "", "line longer than %u bytes", BATCH_LINE_MAX);
		if (toolong || batch_one(line, n, o, &e) == -1)
			render_err(&b, &e);
		else
			render(&b, o);
		if (b.toobig || b.oom || fwrite(b.ptr, 1, b.len, stdout) != b.len)
			goto out;
		n = 0;
		toolong = false;
	}
	if (fflush(stdout) != 0 || ferror(stdin))
		goto out;
	rc = 0;
out:
	if (rc != 0)
		cli_fail(1, "normalize --batch: write or read error");
	sbuf_free(&b);
	free(o);
	return rc;
}

int
cmd_normalize(int argc, char **argv)
{
	struct norm_in in = {0};
	struct norm_out *o = NULL;
	struct sbuf b;
	struct err e = {0};
	const char *pos[2] = {0};
	int npos = 0, rc = 2;
	bool json = false, isbatch = false, isbench = false;

	sbuf_init(&b, 1u << 16);
	if (cli_wants_help(argc, argv)) {
		fputs(usage_text, stdout);
		rc = 0;
		goto out;
	}
	for (int i = 1; i < argc; i++) {
		const char **opt = NULL;
		if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--batch") == 0)
			isbatch = true;
		else if (strcmp(argv[i], "--bench") == 0)
			isbench = true;
		else if (strcmp(argv[i], "--country") == 0)
			opt = &in.country;
		else if (strcmp(argv[i], "--bank") == 0)
			opt = &in.bank;
		else if (strcmp(argv[i], "--provider") == 0)
			opt = &in.provider;
		else if (strcmp(argv[i], "--chain") == 0)
			opt = &in.chain;
		else if (strcmp(argv[i], "--platform") == 0)
			opt = &in.platform;
		else if (strncmp(argv[i], "--", 2) == 0 && argv[i][2] != '\0') {
			rc = cli_fail(2, "normalize: unknown option %s (see --help)", argv[i]);
			goto out;
		} else if (npos < 2)
			pos[npos++] = argv[i];
		else {
			rc = cli_fail(2, "normalize: too many arguments (see --help)");
			goto out;
		}
		if (opt != NULL) {
			if (i + 1 >= argc) {
				rc = cli_fail(2, "normalize: %s needs a value", argv[i]);
				goto out;
			}
			*opt = argv[++i];
		}
	}
	if (normalise_init() == -1) {
		rc = cli_fail(1, "normalize: cannot load the public suffix list or phone metadata");
		goto out;
	}
	if (isbench) {
		rc = bench();
		goto out;
	}
	if (isbatch) {
		if (npos != 0) {
			rc = cli_fail(2, "normalize: --batch reads stdin and takes no TYPE VALUE");
			goto out;
		}
		rc = batch();
		goto out;
	}
	if (npos != 2) {
		rc = cli_fail(2, "normalize: need TYPE and VALUE (see --help)");
		goto out;
	}
	if ((o = malloc(sizeof(*o))) == NULL) {
		rc = cli_fail(1, "out of memory");
		goto out;
	}
	in.type = pos[0];
	in.value = pos[1];
	if (normalise(&in, o, &e) == -1) {
		rc = cli_fail(1, "normalize: %s: %s", e.field, e.msg);
		goto out;
	}
	if (json)
		render(&b, o);
	else {
		sbuf_adds(&b, o->key);
		sbuf_addc(&b, '\n');
	}
	fwrite(b.ptr, 1, b.len, stdout);
	if (!o->valid && !json)
		fprintf(stderr, "simpul: normalize: kept but invalid: %s\n", o->flag);
	rc = fflush(stdout) == 0 ? 0 : 1;
out:
	sbuf_free(&b);
	free(o);
	return rc;
}
