/* main.c - `simpul`: dispatch to one function per command. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} commands[] = {
	{ "init",      cmd_init,      "create a node database and its first admin token" },
	{ "agency",    cmd_agency,    "add or list agencies" },
	{ "token",     cmd_token,     "create or revoke API tokens" },
	{ "serve",     cmd_serve,     "run the HTTP API daemon" },
	{ "run",       cmd_run,       "start the demo node (seeded database, tokens printed)" },
	{ "import",    cmd_import,    "bulk-import reports (JSON lines)" },
	{ "check",     cmd_check,     "check selectors against the database as an agency" },
	{ "normalize", cmd_normalize, "print the canonical key of a selector (or --batch)" },
	{ "audit",     cmd_audit,     "verify or export the audit trail" },
	{ "screen",    cmd_screen,    "screen a file of accounts, numbers or URLs (CSV or JSON lines)" },
	{ "person",    cmd_person,    "search persons by name across scripts (or --batch)" },
	{ "export",    cmd_export,    "export reports as STIX 2.1 (policy-checked, audited)" },
	{ "user",      cmd_user,      "add web users (user name + password) or set a password" },
	{ "generic",   cmd_generic,   "generic-value rules, warning lists and overrides (audited)" },
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: simpul COMMAND [options]   (simpul COMMAND --help for details)\n\n"
	    "Simpul: shared crime-intelligence database for Anti-Scam Centres and police.\n\n"
	    "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].help);
}

bool
cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	}
	return false;
}

int
cli_fail(int code, const char *fmt, ...)
{
	va_list ap;

	fputs("simpul: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

void
progress_start(struct progress *p, const char *label, uint64_t total)
{
	memset(p, 0, sizeof(*p));
	p->label = label;
	p->total = total;
	p->start_us = p->last_us = mono_us();
	p->tty = isatty(STDERR_FILENO) && getenv("SIMPUL_NO_PROGRESS") == NULL;
}

static void
progress_draw(struct progress *p, bool final)
{
	double secs = (double)(mono_us() - p->start_us) / 1e6;
	double rate = secs > 0 ? (double)p->done / secs : 0;

	if (p->total) {
		double frac = (double)p->done / (double)p->total;
		int width = 30, fill = (int)(frac * width);
		double eta = rate > 0 ? (double)(p->total - p->done) / rate : 0;
		char bar[32];
		if (frac > 1)
			frac = 1;
		if (fill > width)
			fill = width;
		memset(bar, '#', (size_t)fill);
		memset(bar + fill, '.', (size_t)(width - fill));
		bar[width] = '\0';
		fprintf(stderr, "\r%s [%s] %3.0f%% %.0f/s ETA %.0fs ", p->label, bar, frac * 100, rate,
		    final ? 0.0 : eta);
	} else {
		fprintf(stderr, "\r%s %llu (%.0f/s) ", p->label, (unsigned long long)p->done, rate);
	}
	if (final)
		fputc('\n', stderr);
	fflush(stderr);
}

void
progress_update(struct progress *p, uint64_t done)
{
	int64_t now = mono_us();

	p->done = done;
	if (!p->tty || now - p->last_us < 100000)
		return;
	p->last_us = now;
	progress_draw(p, false);
}

void
progress_end(struct progress *p)
{
	if (p->tty)
		progress_draw(p, true);
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("simpul 0.1.0");
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "simpul: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
