/* cmd_admin.c - init, agency, token: node administration from the shell.
 * Whoever can open the database file administers the node; each action is
 * audited as the system principal. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core.h"
#include "store.h"

static int
open_node(const char *db, int flags, struct node **n)
{
	struct err e = {0};

	if (db == NULL)
		return cli_fail(2, "--db FILE is required");
	if (!(flags & NODE_CREATE) && access(db, F_OK) != 0)
		return cli_fail(1, "%s: no such database (create it with `simpul init --db %s`)", db, db);
	/* Admin commands write a few rows: no selector filter to load. */
	if (node_open(db, flags | NODE_NO_FILTER, n, &e) == -1)
		return cli_fail(1, "%s: %s", db, e.msg);
	return 0;
}

static void
print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT);
	if (s)
		puts(s);
	free(s);
}

int
cmd_init(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "json", no_argument, NULL, 'j' },
		{ "agency", required_argument, NULL, 'a' }, { "country", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *db = NULL, *agency = NULL, *country = NULL;
	bool json = false;
	char token[128];
	struct node *n;
	struct err e = {0};
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'j': json = true; break;
		case 'a': agency = optarg; break;
		case 'c': country = optarg; break;
		case 'h':
			puts("usage: simpul init --db FILE [--agency ID] [--country CC] [--json]\n\n"
			    "Creates the node database FILE (SQLite) and its administering agency\n"
			    "(default NODE-ADMIN, country ZZ), and prints the first admin token.\n"
			    "The token is shown once; only its hash is stored.\n"
			    "  --json  print {\"admin_token\": \"...\"}");
			return 0;
		default: return 2;
		}
	}
	if ((rc = open_node(db, NODE_CREATE, &n)) != 0)
		return rc;
	rc = node_init(n, agency, country, token, sizeof(token), &e);
	node_close(n);
	if (rc == -1)
		return cli_fail(1, "%s", e.msg);
	if (json) {
		json_t *j = json_pack("{s:s}", "admin_token", token);
		print_json(j);
		json_decref(j);
	} else {
		printf("initialised %s\nadmin token (shown once, keep it safe):\n%s\n", db, token);
	}
	return 0;
}

static int
agency_print(void *ctx, const struct agency *a)
{
	bool json = *(bool *)ctx;

	if (json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "id", a->id, "country", a->country,
		    "kind", agency_kind_name(a->kind), "name", a->name);
		print_json(j);
		json_decref(j);
	} else {
		printf("%-20s %s %-12s %s\n", a->id, a->country, agency_kind_name(a->kind), a->name);
	}
	return 0;
}

int
cmd_agency(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "id", required_argument, NULL, 'i' },
		{ "country", required_argument, NULL, 'c' }, { "kind", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *db = NULL, *id = NULL, *country = NULL, *kind = NULL, *name = NULL, *sub;
	bool json = false;
	struct node *n;
	struct err e = {0};
	int ch, rc, k;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		puts("usage: simpul agency add --db FILE --id ID --country CC --kind KIND [--name NAME] [--json]\n"
		    "       simpul agency list --db FILE [--json]\n\n"
		    "KIND is one of police, asc, regulator, secretariat, partner_le, bank, telco,\n"
		    "platform, public. ID is 3-64 characters of A-Z a-z 0-9 . _ - (e.g. MY-NSRC);\n"
		    "CC is the ISO 3166-1 alpha-2 country code.");
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	optind = 2;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'i': id = optarg; break;
		case 'c': country = optarg; break;
		case 'k': kind = optarg; break;
		case 'n': name = optarg; break;
		case 'j': json = true; break;
		case 'h': return cmd_agency(2, (char *[]){ "agency", "--help", NULL });
		default: return 2;
		}
	}
	if (strcmp(sub, "list") == 0) {
		struct store *st;
		if (db == NULL)
			return cli_fail(2, "--db FILE is required");
		if (store_open(db, STORE_READONLY, &st, &e) == -1)
			return cli_fail(1, "%s: %s", db, e.msg);
		rc = store_agency_list(st, agency_print, &json);
		store_close(st);
		return rc == -1 ? 1 : 0;
	}
	if (strcmp(sub, "add") != 0)
		return cli_fail(2, "unknown agency command '%s' (add, list)", sub);
	if (id == NULL || country == NULL || kind == NULL)
		return cli_fail(2, "agency add needs --id, --country and --kind");
	if ((k = agency_kind_parse(kind)) < 0)
		return cli_fail(2, "--kind %s: expected police, asc, regulator, secretariat, partner_le, bank, telco, platform or public", kind);
	struct agency a;
	memset(&a, 0, sizeof(a));
	if (str_copy(a.id, sizeof(a.id), id) == -1)
		return cli_fail(2, "--id: at most %d characters", SIMPUL_MAX_AGENCY_ID);
	str_copy(a.country, sizeof(a.country), strlen(country) == 2 ? country : "");
	a.kind = (enum agency_kind)k;
	str_copy(a.name, sizeof(a.name), name ? name : id);
	if ((rc = open_node(db, 0, &n)) != 0)
		return rc;
	rc = node_agency_add(n, NULL, &a, &e);
	node_close(n);
	if (rc == -1)
		return cli_fail(1, "%s", e.msg);
	if (json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "id", a.id, "country", a.country,
		    "kind", agency_kind_name(a.kind), "name", a.name);
		print_json(j);
		json_decref(j);
	} else {
		printf("added agency %s (%s, %s)\n", a.id, a.country, agency_kind_name(a.kind));
	}
	return 0;
}

int
cmd_token(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "agency", required_argument, NULL, 'a' },
		{ "role", required_argument, NULL, 'r' }, { "name", required_argument, NULL, 'n' },
		{ "id", required_argument, NULL, 'i' }, { "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *db = NULL, *agency = NULL, *role = NULL, *name = NULL, *id = NULL, *sub;
	bool json = false;
	char token[128];
	struct principal p;
	struct node *n;
	struct err e = {0};
	int ch, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		puts("usage: simpul token create --db FILE --agency ID --role ROLE [--name NAME] [--json]\n"
		    "       simpul token revoke --db FILE --id TOKEN_ID\n\n"
		    "ROLE is one of admin, analyst, investigator, supervisor, partner, auditor, public.\n"
		    "analyst/investigator/supervisor are for law-enforcement agencies (partner_le\n"
		    "included), partner for banks, telcos and platforms. The token (256 random bits)\n"
		    "is printed once; only its hash is stored. TOKEN_ID is the part after spl_ up to\n"
		    "the second underscore.\n"
		    "  --json  print {\"token\": \"...\", \"principal\": \"...\"}");
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	optind = 2;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'a': agency = optarg; break;
		case 'r': role = optarg; break;
		case 'n': name = optarg; break;
		case 'i': id = optarg; break;
		case 'j': json = true; break;
		case 'h': return cmd_token(2, (char *[]){ "token", "--help", NULL });
		default: return 2;
		}
	}
	if (strcmp(sub, "create") == 0) {
		if (agency == NULL || role == NULL)
			return cli_fail(2, "token create needs --agency and --role");
		if ((rc = open_node(db, 0, &n)) != 0)
			return rc;
		rc = node_token_create(n, NULL, agency, role, name, token, sizeof(token), &p, &e);
		node_close(n);
		if (rc == -1)
			return cli_fail(1, "%s", e.msg);
		if (json) {
			json_t *j = json_pack("{s:s, s:s, s:s, s:s}", "token", token, "principal", p.id,
			    "agency", p.agency.id, "role", role_name(p.role));
			print_json(j);
			json_decref(j);
		} else {
			printf("token for %s (%s), shown once:\n%s\n", p.agency.id, role_name(p.role), token);
		}
		return 0;
	}
	if (strcmp(sub, "revoke") == 0) {
		if (id == NULL)
			return cli_fail(2, "token revoke needs --id TOKEN_ID");
		if ((rc = open_node(db, 0, &n)) != 0)
			return rc;
		rc = node_token_revoke(n, NULL, id, &e);
		node_close(n);
		if (rc == -1)
			return cli_fail(1, "%s", e.msg);
		printf("revoked %s\n", id);
		return 0;
	}
	return cli_fail(2, "unknown token command '%s' (create, revoke)", sub);
}
