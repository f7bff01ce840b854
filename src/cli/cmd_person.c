/* cmd_person.c - persons from the shell: import of persons-jsonl and of the
 * published sanctions lists, and name search (one query or --batch). */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core.h"
#include "persons.h"

/* simpul import --format persons-jsonl|ofac-csv|un-xml (called by cmd_import). */
int
cmd_import_persons(const char *db, const char *agency, const char *format, const char *file,
    const char *alt, bool json, int flags)
{
	struct person_import_stats st;
	struct node *n = NULL;
	struct err e = {0};
	FILE *in, *af = NULL;
	int rc;

	if (strcmp(file, "-") == 0)
		in = stdin;
	else if ((in = fopen(file, "rb")) == NULL)
		return cli_fail(1, "%s: cannot open", file);
	if (alt && (af = fopen(alt, "rb")) == NULL) {
		rc = cli_fail(1, "%s: cannot open", alt);
		goto out;
	}
	if (access(db, F_OK) != 0) {
		rc = cli_fail(1, "%s: no such database (create it with `simpul init --db %s`)", db, db);
		goto out;
	}
	if (node_open(db, flags, &n, &e) == -1) {
		rc = cli_fail(1, "%s: %s", db, e.msg);
		goto out;
	}
	if (node_import_persons(n, agency, format, in, af, &st, &e) == -1) {
		rc = cli_fail(1, "%s%s%s (%llu persons committed before it)", e.msg, e.field[0] ? "; field " : "",
		    e.field, (unsigned long long)(st.persons - st.persons % 1000));
		goto out;
	}
	if (json)
		printf("{\"lines\":%llu,\"persons\":%llu,\"names\":%llu}\n", (unsigned long long)st.lines,
		    (unsigned long long)st.persons, (unsigned long long)st.names);
	else
		printf("imported %llu persons (%llu names) for %s\n", (unsigned long long)st.persons,
		    (unsigned long long)st.names, agency);
	rc = 0;
out:
	node_close(n);
	if (in && in != stdin)
		fclose(in);
	if (af)
		fclose(af);
	return rc;
}

static int
set_principal(struct node *n, const char *agency, struct principal *p)
{
	memset(p, 0, sizeof(*p));
	if (node_agency_get(n, agency, &p->agency) != 0)
		return -1;
	str_copy(p->id, sizeof(p->id), "cli");
	p->role = kind_is_private(p->agency.kind) ? ROLE_PARTNER :
	    p->agency.kind == AK_PUBLIC ? ROLE_PUBLIC : ROLE_ANALYST;
	return 0;
}

static void
print_json(json_t *j, bool pretty)
{
	char *s = json_dumps(j, (pretty ? JSON_INDENT(2) : JSON_COMPACT) | JSON_REAL_PRECISION(6));
	puts(s ? s : "{}");
	free(s);
}

#define BATCH_CHUNK 500

static int
run_batch(struct node *n, const struct reqctx *c, int limit)
{
	json_t *chunk = json_array(), *answers = NULL;
	struct err e = {0};
	char *line = malloc(1u << 20);
	unsigned long long lineno = 0;
	int rc = 0;

	if (line == NULL)
		return cli_fail(1, "out of memory");
	for (;;) {
		bool eof = fgets(line, 1u << 20, stdin) == NULL;
		if (!eof) {
			json_error_t je;
			json_t *q;
			size_t l = strlen(line);
			lineno++;
			while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
				line[--l] = 0;
			if (l == 0)
				continue;
			if ((q = json_loadb(line, l, JSON_REJECT_DUPLICATES, &je)) == NULL || !json_is_object(q)) {
				json_decref(q);
				rc = cli_fail(1, "line %llu: not a JSON object", lineno);
				break;
			}
			json_array_append_new(chunk, q);
		}
		if (json_array_size(chunk) == BATCH_CHUNK || (eof && json_array_size(chunk))) {
			size_t i;
			json_t *a;
			if (node_person_search_many(n, c, chunk, limit, &answers, &e) == -1) {
				rc = cli_fail(1, "%s%s%s (the batch chunk ending at line %llu)", e.field,
				    e.field[0] ? ": " : "", e.msg, lineno);
				break;
			}
			json_array_foreach(answers, i, a)
				print_json(a, false);
			json_decref(answers);
			answers = NULL;
			json_array_clear(chunk);
			fflush(stdout);
		}
		if (eof)
			break;
	}
	json_decref(chunk);
	free(line);
	return rc;
}

/* simpul person normalise: how the matcher reads a name (tokens, phonetic
 * skeletons, the father's side), for analysts and the quality bench. */
static json_t *
normalise_one(const char *name, struct err *e)
{
	struct name_norm nn;
	char lat[4 * NAME_MAX_BYTES];
	json_t *toks, *sk, *sides;

	if (name_normalise(name, strlen(name), &nn, e) == -1 ||
	    name_latin(name, strlen(name), lat, sizeof(lat), e) == -1)
		return NULL;
	toks = json_array();
	sk = json_array();
	sides = json_array();
	for (int i = 0; i < nn.ntok; i++) {
		json_array_append_new(toks, json_string(nn.t[i].s));
		json_array_append_new(sk, json_string(nn.t[i].skel));
		json_array_append_new(sides, json_integer(nn.t[i].side));
	}
	return json_pack("{s:s, s:s, s:s, s:b, s:o, s:o, s:o}", "name", name, "latin", lat,
	    "script", nn.script, "patronym", nn.patronym, "tokens", toks, "skeletons", sk, "sides", sides);
}

static int
cmd_person_normalise(int argc, char **argv)
{
	struct err e = {0};
	json_t *o;

	if (cli_wants_help(argc, argv)) {
		puts("usage: simpul person normalise NAME\n"
		    "       simpul person normalise --batch < names.txt\n\n"
		    "Prints how the name matcher reads a name: its transliteration, script,\n"
		    "canonical tokens, phonetic skeletons and sides (1 = after a patronymic\n"
		    "connector such as bin or A/L), as one JSON object. --batch reads one name\n"
		    "a line and writes one line each, in order; a refused name gets\n"
		    "{\"name\",\"error\",\"field\"} and the batch goes on.");
		return 0;
	}
	if (argc == 3 && strcmp(argv[2], "--batch") == 0) {
		char *line = malloc(1u << 16);
		if (line == NULL)
			return cli_fail(1, "out of memory");
		while (fgets(line, 1u << 16, stdin) != NULL) {
			size_t l = strlen(line);
			while (l && (line[l - 1] == '\n' || line[l - 1] == '\r'))
				line[--l] = 0;
			if ((o = normalise_one(line, &e)) == NULL)
				o = json_pack("{s:s%, s:s, s:s}", "name", line, l, "error", e.msg, "field", e.field);
			print_json(o, false);
			json_decref(o);
		}
		free(line);
		return 0;
	}
	if (argc != 3)
		return cli_fail(2, "usage: simpul person normalise NAME | --batch");
	if ((o = normalise_one(argv[2], &e)) == NULL)
		return cli_fail(1, "%s: %s", e.field, e.msg);
	print_json(o, true);
	json_decref(o);
	return 0;
}

int
cmd_person(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "agency", required_argument, NULL, 'a' },
		{ "limit", required_argument, NULL, 'l' }, { "dob", required_argument, NULL, 'b' },
		{ "nationality", required_argument, NULL, 'n' }, { "batch", no_argument, NULL, 'B' },
		{ "pretty", no_argument, NULL, 'p' }, { "json", no_argument, NULL, 'j' },
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *db = NULL, *agency = NULL, *dob = NULL, *nat = NULL;
	int64_t limit = 10;
	bool batch = false, pretty = false, stats = false;
	struct principal p;
	struct reqctx c = { .p = NULL, .purpose = "cli person search" };
	struct node *n = NULL;
	struct err e = {0};
	int ch, rc = 1;

	if (argc >= 2 && (strcmp(argv[1], "normalise") == 0 || strcmp(argv[1], "normalize") == 0))
		return cmd_person_normalise(argc, argv);
	if (argc < 2 || (strcmp(argv[1], "search") != 0 && !cli_wants_help(argc, argv)))
		return cli_fail(2, "usage: simpul person search --db FILE [--limit K] NAME [--dob D] [--nationality CC] | --batch");
	optind = 2;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'a': agency = optarg; break;
		case 'l':
			if (parse_i64(optarg, strlen(optarg), &limit) == -1 || limit < 1 || limit > PERSON_SEARCH_LIMIT)
				return cli_fail(2, "--limit must be between 1 and %d", PERSON_SEARCH_LIMIT);
			break;
		case 'b': dob = optarg; break;
		case 'n': nat = optarg; break;
		case 'B': batch = true; break;
		case 'p': pretty = true; break;
		case 'j': break;
		case 's': stats = true; break;
		case 'h':
			puts("usage: simpul person search --db FILE [--agency ID] [--limit K] NAME [--dob D] [--nationality CC]\n"
			    "       simpul person search --db FILE [--agency ID] [--limit K] --batch < queries.jsonl\n"
			    "       simpul person search --db FILE --stats\n\n"
			    "Searches persons by name across scripts and spellings (DESIGN §3). Prints\n"
			    "{\"results\":[{\"ref\",\"id\",\"score\",\"explain\"}],\"threshold\":T}, best first; a\n"
			    "score at or above T is an alert. --batch reads JSON lines {\"name\",\"dob\"?,\n"
			    "\"nationality\"?} and writes one answer line per query, in order.\n"
			    "Without --agency the search runs as the node operator at the console (sees\n"
			    "every record; audited as system); with --agency as that agency's analyst,\n"
			    "through the policy gate. Every search is audited.\n"
			    "  --dob D          YYYY, YYYY-MM or YYYY-MM-DD\n"
			    "  --nationality CC ISO 3166-1 alpha-2\n"
			    "  --stats          build the name index and print its size and build time");
			return 0;
		default: return 2;
		}
	}
	if (db == NULL)
		return cli_fail(2, "person search needs --db FILE");
	if (!batch && !stats && optind != argc - 1)
		return cli_fail(2, "person search needs one NAME (or --batch)");
	if (access(db, F_OK) != 0)
		return cli_fail(1, "%s: no such database", db);
	if (node_open(db, 0, &n, &e) == -1)
		return cli_fail(1, "%s: %s", db, e.msg);
	if (agency) {
		if (set_principal(n, agency, &p) == -1) {
			rc = cli_fail(1, "no agency %s", agency);
			goto out;
		}
		c.p = &p;
	}
	if (stats) {
		json_t *o;
		if (node_persons_index_stats(n, &o, &e) == -1) {
			rc = cli_fail(1, "%s", e.msg);
			goto out;
		}
		print_json(o, pretty);
		json_decref(o);
		rc = 0;
	} else if (batch) {
		rc = run_batch(n, &c, (int)limit);
	} else {
		json_t *q = json_pack("{s:s, s:I}", "name", argv[optind], "limit", (json_int_t)limit), *out = NULL;
		if (dob) json_object_set_new(q, "dob", json_string(dob));
		if (nat) json_object_set_new(q, "nationality", json_string(nat));
		if (node_person_search(n, &c, q, &out, &e) == -1)
			rc = cli_fail(1, "%s%s%s", e.field, e.field[0] ? ": " : "", e.msg);
		else {
			print_json(out, pretty);
			rc = 0;
		}
		json_decref(q);
		json_decref(out);
	}
out:
	node_close(n);
	return rc;
}
