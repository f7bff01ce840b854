/* cmd_audit.c - `simpul audit verify|export`: parse, call audit.c, render.
 * Exit codes: 0 intact / exported, 1 broken chain or a failure, 2 usage. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "cli.h"
#include "spool.h"
#include "store.h"
#include "util.h"

static const char usage_audit[] =
    "usage: simpul audit verify --db F [--json]\n"
    "       simpul audit verify --log FILE [--json]\n"
    "       simpul audit export --db F [--out FILE] [--json]\n"
    "\n"
    "The audit trail is a hash chain: each entry carries the BLAKE2b hash of the\n"
    "previous one. verify checks every link and names the first bad entry;\n"
    "export writes the chain as JSON lines that verify --log checks offline.\n"
    "Run `simpul audit verify --help` or `simpul audit export --help` for more.\n";

static const char usage_verify[] =
    "usage: simpul audit verify (--db F | --log FILE) [--json]\n"
    "\n"
    "Check the audit hash chain of a database (opened read-only) or of a log\n"
    "written by `simpul audit export` (\"-\" reads standard input). Every link's\n"
    "seq, prev hash, hash and entry text are checked in order; the first entry\n"
    "that does not fit is named. A log must end with export's trailer line, so\n"
    "a log cut short is detected.\n"
    "\n"
    "  --db F       the database (PATH or sqlite:PATH)\n"
    "  --log FILE   an exported log\n"
    "  --json       print {\"ok\":true,\"entries\":N,\"head\":\"...\"} or\n"
    "               {\"ok\":false,\"entries\":N,\"bad_entry\":S,\"error\":\"...\"}\n"
    "\n"
    "Exit status: 0 intact, 1 broken or unreadable, 2 usage.\n";

static const char usage_export[] =
    "usage: simpul audit export --db F [--out FILE] [--json]\n"
    "\n"
    "Write the audit chain as JSON lines, one per entry,\n"
    "  {\"seq\":N,\"ts\":\"...\",\"prev\":\"hex\",\"hash\":\"hex\",\"entry\":\"<entry text>\"}\n"
    "then a trailer {\"entries\":N,\"head\":\"hex\"}. The entry is the exact text\n"
    "that was hashed, as a JSON string (jq: .entry | fromjson). The chain is\n"
    "copied as stored, even when broken; check it with `simpul audit verify`.\n"
    "\n"
    "  --db F       the database (PATH or sqlite:PATH), opened read-only\n"
    "  --out FILE   write to FILE (created mode 0600, replaced atomically);\n"
    "               standard output by default\n"
    "  --json       with --out: print {\"entries\":N,\"out\":\"FILE\"}\n";

/* "--name VALUE" or "--name=VALUE". 1 = matched (value in *out), 0 = not
 * this option, -1 = the value is missing. */
/* A running daemon answers once a read's entry is in its audit spool and
 * folds it into the database a few ms later: give it up to two seconds, so
 * that what is read here includes everything answered before it started. */
static void
spool_wait(const char *db, struct store *st)
{
	int64_t left = -1;

	for (int i = 0; i < 200; i++) {
		if ((left = spool_pending(db, st)) <= 0)
			return;
		usleep(10000);
	}
	fprintf(stderr, "simpul audit: note: %" PRId64 " bytes of read audits are still in %s-spool; "
	    "the daemon adds them to the chain (or the next start does, if it is stopped)\n", left, db);
}

static int
opt_value(int argc, char **argv, int *i, const char *name, const char **out)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return 0;
	if (argv[*i][n] == '=') {
		*out = argv[*i] + n + 1;
		return **out != '\0' ? 1 : -1;
	}
	if (argv[*i][n] != '\0')
		return 0;
	if (*i + 1 >= argc)
		return -1;
	*out = argv[++*i];
	return 1;
}

static void
print_json(json_t *o)
{
	if (o != NULL) {
		json_dumpf(o, stdout, JSON_COMPACT | JSON_PRESERVE_ORDER);
		putchar('\n');
		json_decref(o);
	}
}

static int
verify_main(int argc, char **argv)
{
	struct audit_check c;
	struct store *st = NULL;
	struct err e;
	const char *db = NULL, *log = NULL, *what;
	FILE *in = NULL;
	json_t *o;
	bool json = false;
	int i, r, rc;

	err_clear(&e);
	for (i = 1; i < argc; i++) {
		if ((r = opt_value(argc, argv, &i, "--db", &db)) == 0 &&
		    (r = opt_value(argc, argv, &i, "--log", &log)) == 0) {
			if (strcmp(argv[i], "--json") == 0) {
				json = true;
				continue;
			}
			return cli_fail(2, "audit verify: unknown argument '%s' (see --help)", argv[i]);
		}
		if (r < 0)
			return cli_fail(2, "audit verify: %s needs a value", argv[i]);
	}
	if ((db == NULL) == (log == NULL))
		return cli_fail(2, "audit verify: give one of --db F or --log FILE (see --help)");

	if (db != NULL) {
		what = "chain";
		if (store_open(db, STORE_READONLY, &st, &e) != 0)
			return cli_fail(1, "audit verify: cannot open %s: %s", db, e.msg);
		spool_wait(db, st);
		rc = audit_verify_store_ex(st, &c, &e);
		store_close(st);
	} else {
		what = "log";
		in = strcmp(log, "-") == 0 ? stdin : fopen(log, "r");
		if (in == NULL)
			return cli_fail(1, "audit verify: cannot open %s: %s", log, strerror(errno));
		rc = audit_verify_log_ex(in, &c, &e);
		if (in != stdin)
			fclose(in);
	}

	if (json) {
		if (rc == 0)
			o = json_pack("{s:b,s:I,s:s}", "ok", 1, "entries", (json_int_t)c.checked,
			    "head", c.head);
		else {
			o = json_pack("{s:b,s:I,s:o,s:s}", "ok", 0, "entries", (json_int_t)c.checked,
			    "bad_entry", c.bad_seq > 0 ? json_integer(c.bad_seq) : json_null(),
			    "error", e.msg);
			if (o != NULL && log != NULL && c.bad_line > 0)
				json_object_set_new(o, "line", json_integer(c.bad_line));
		}
		print_json(o);
		return rc == 0 ? 0 : 1;
	}
	if (rc == 0) {
		printf("audit %s intact: %" PRId64 " entries, head %s\n", what, c.checked, c.head);
		return 0;
	}
	return cli_fail(1, "audit %s broken: %s; %" PRId64 " entries verified before it",
	    what, e.msg, c.checked);
}

static int
export_main(int argc, char **argv)
{
	struct store *st = NULL;
	struct sbuf tmp;
	struct err e;
	const char *db = NULL, *outpath = NULL;
	FILE *out = stdout;
	int64_t n = 0;
	bool json = false;
	int i, r, fd = -1, rc = 1;

	err_clear(&e);
	sbuf_init(&tmp, 8192);
	for (i = 1; i < argc; i++) {
		if ((r = opt_value(argc, argv, &i, "--db", &db)) == 0 &&
		    (r = opt_value(argc, argv, &i, "--out", &outpath)) == 0) {
			if (strcmp(argv[i], "--json") == 0) {
				json = true;
				continue;
			}
			rc = cli_fail(2, "audit export: unknown argument '%s' (see --help)", argv[i]);
			goto out;
		}
		if (r < 0) {
			rc = cli_fail(2, "audit export: %s needs a value", argv[i]);
			goto out;
		}
	}
	if (db == NULL) {
		rc = cli_fail(2, "audit export: --db F is required (see --help)");
		goto out;
	}
	if (json && outpath == NULL) {
		rc = cli_fail(2, "audit export: --json needs --out (standard output holds the log)");
		goto out;
	}
	if (store_open(db, STORE_READONLY, &st, &e) != 0) {
		rc = cli_fail(1, "audit export: cannot open %s: %s", db, e.msg);
		goto out;
	}
	spool_wait(db, st);
	if (outpath != NULL && strcmp(outpath, "-") != 0) {
		/* Write beside the target and rename: a reader never sees half a
		 * log under the final name. mkstemp creates the file 0600, which
		 * suits who-searched-what. */
		if (sbuf_printf(&tmp, "%s.XXXXXX", outpath) != 0) {
			rc = cli_fail(1, "audit export: output path too long");
			goto out;
		}
		if ((fd = mkstemp(tmp.ptr)) < 0 || (out = fdopen(fd, "w")) == NULL) {
			rc = cli_fail(1, "audit export: cannot create %s: %s", outpath, strerror(errno));
			if (fd >= 0) {
				close(fd);
				unlink(tmp.ptr);
			}
			out = NULL;
			goto out;
		}
	}
	if (audit_export(st, out, &n, &e) != 0) {
		rc = cli_fail(1, "audit export: %s (after %" PRId64 " entries)", e.msg, n);
		goto out;
	}
	if (out != stdout) {
		r = fsync(fileno(out)) != 0 || ferror(out);
		r |= fclose(out) != 0;
		out = NULL;
		if (r || rename(tmp.ptr, outpath) != 0) {
			rc = cli_fail(1, "audit export: cannot write %s: %s", outpath, strerror(errno));
			goto out;
		}
		tmp.len = 0;    /* renamed: nothing to clean up */
		if (json)
			print_json(json_pack("{s:I,s:s}", "entries", (json_int_t)n, "out", outpath));
		else
			fprintf(stderr, "exported %" PRId64 " audit entries to %s\n", n, outpath);
	} else if (fflush(stdout) != 0) {
		rc = cli_fail(1, "audit export: cannot write standard output: %s", strerror(errno));
		goto out;
	}
	rc = 0;
out:
	if (out != NULL && out != stdout)
		fclose(out);
	if (tmp.len > 0)
		unlink(tmp.ptr);
	if (st != NULL)
		store_close(st);
	sbuf_free(&tmp);
	return rc;
}

int
cmd_audit(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_audit, stderr);
		return 2;
	}
	if (strcmp(argv[1], "verify") == 0) {
		if (cli_wants_help(argc - 1, argv + 1)) {
			fputs(usage_verify, stdout);
			return 0;
		}
		return verify_main(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "export") == 0) {
		if (cli_wants_help(argc - 1, argv + 1)) {
			fputs(usage_export, stdout);
			return 0;
		}
		return export_main(argc - 1, argv + 1);
	}
	if (cli_wants_help(argc, argv)) {
		fputs(usage_audit, stdout);
		return 0;
	}
	return cli_fail(2, "audit: unknown command '%s' (verify or export; see --help)", argv[1]);
}
