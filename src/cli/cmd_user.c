/* cmd_user.c - user add|passwd: people who sign in to the web application
 * with a user name and password (argon2id). Like the other administration
 * commands, whoever can open the database file acts as the system, and
 * every action is audited. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "core.h"
#include "session.h"
#include "simpul_limits.h"

/* The password: from FILE ("-" = standard input), first line; or typed at
 * a terminal without echo. Never from the command line (ps would show it). */
static int
read_password(const char *file, char *out, size_t outsz)
{
	FILE *f = NULL;
	struct termios old, quiet;
	bool tty = false;
	size_t n;

	if (file != NULL) {
		if ((f = strcmp(file, "-") == 0 ? stdin : fopen(file, "r")) == NULL)
			return cli_fail(1, "%s: cannot read the password file", file);
	} else if (isatty(STDIN_FILENO)) {
		f = stdin;
		tty = true;
		fputs("password: ", stderr);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	} else {
		return cli_fail(2, "give the password with --password-file FILE (or - for standard input)");
	}
	if (fgets(out, (int)outsz, f) == NULL)
		out[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (f != stdin)
		fclose(f);
	n = strlen(out);
	while (n > 0 && (out[n - 1] == '\n' || out[n - 1] == '\r'))
		out[--n] = '\0';
	return 0;
}

int
cmd_user(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "agency", required_argument, NULL, 'a' },
		{ "role", required_argument, NULL, 'r' }, { "username", required_argument, NULL, 'u' },
		{ "name", required_argument, NULL, 'n' }, { "password-file", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' }, { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *db = NULL, *agency = NULL, *role = NULL, *username = NULL, *name = NULL, *pwfile = NULL, *sub;
	char pw[SIMPUL_MAX_PASSWORD + 2];
	bool json = false;
	struct node *n;
	struct principal p;
	struct err e = {0};
	int ch, rc;

	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		puts("usage: simpul user add --db FILE --agency ID --role ROLE --username NAME\n"
		    "                       [--name DISPLAY] [--password-file FILE|-] [--json]\n"
		    "       simpul user passwd --db FILE --username NAME [--password-file FILE|-]\n\n"
		    "Users sign in to the web application (http://NODE/) with a user name and\n"
		    "password; the node keeps an argon2id hash only. The password (10 to 1024\n"
		    "bytes) is read from FILE's first line, from standard input with -, or\n"
		    "typed at the terminal; never from the command line. `passwd` also ends\n"
		    "the user's web sessions. User names: 3-64 of a-z 0-9 . _ - @.\n"
		    "ROLE as for tokens: analyst, investigator, supervisor (law enforcement),\n"
		    "partner (bank, telco, platform), auditor, admin.");
		return argc < 2 ? 2 : 0;
	}
	sub = argv[1];
	optind = 2;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'a': agency = optarg; break;
		case 'r': role = optarg; break;
		case 'u': username = optarg; break;
		case 'n': name = optarg; break;
		case 'p': pwfile = optarg; break;
		case 'j': json = true; break;
		case 'h': return cmd_user(2, (char *[]){ "user", "--help", NULL });
		default: return 2;
		}
	}
	if (strcmp(sub, "add") != 0 && strcmp(sub, "passwd") != 0)
		return cli_fail(2, "user %s: unknown (add or passwd; see simpul user --help)", sub);
	if (db == NULL || username == NULL)
		return cli_fail(2, "user %s needs --db FILE and --username NAME", sub);
	if (strcmp(sub, "add") == 0 && (agency == NULL || role == NULL))
		return cli_fail(2, "user add needs --agency ID and --role ROLE");
	if (access(db, F_OK) != 0)
		return cli_fail(1, "%s: no such database (create it with `simpul init --db %s`)", db, db);
	if ((rc = read_password(pwfile, pw, sizeof(pw))) != 0)
		return rc;
	if (node_open(db, 0, &n, &e) == -1)
		return cli_fail(1, "%s: %s", db, e.msg);
	if (strcmp(sub, "add") == 0)
		rc = node_user_add(n, NULL, agency, role, username, name, pw, &p, &e);
	else
		rc = node_user_passwd(n, NULL, username, pw, &e);
	memset(pw, 0, sizeof(pw));
	node_close(n);
	if (rc == -1)
		return cli_fail(1, "%s%s%s", e.field[0] ? e.field : "", e.field[0] ? ": " : "", e.msg);
	if (json) {
		json_t *j = strcmp(sub, "add") == 0
		    ? json_pack("{s:s, s:s, s:s, s:s}", "username", username, "principal", p.id, "agency", p.agency.id, "role", role_name(p.role))
		    : json_pack("{s:s, s:b}", "username", username, "changed", 1);
		char *s = json_dumps(j, JSON_COMPACT);
		puts(s ? s : "{}");
		free(s);
		json_decref(j);
	} else if (strcmp(sub, "add") == 0) {
		printf("user %s added: principal %s, %s at %s\n", username, p.id, role_name(p.role), p.agency.id);
	} else {
		printf("password of %s changed; its web sessions are ended\n", username);
	}
	return 0;
}
