/* cmd_serve.c - serve (the daemon) and run (the demo node). */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <jansson.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "core.h"
#include "ppp.h"
#include "ratelimit.h"
#include "server.h"
#include "session.h"
#include "simpul_limits.h"

static void block_stop_signals(void);

int
cmd_serve(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' }, { "fast", no_argument, NULL, 'F' },
		{ "rate-limit", required_argument, NULL, 'R' }, { "quota", required_argument, NULL, 'Q' },
		{ "sla", required_argument, NULL, 'S' }, { "escalate-after", required_argument, NULL, 'E' },
		{ "secure-cookies", no_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *db = NULL;
	int64_t factor;
	struct server_opts so = { .listen = "127.0.0.1:8080" };
	struct node *n;
	struct err e = {0};
	int64_t threads = 0;
	int ch, rc, flags = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'l': so.listen = optarg; break;
		case 't':
			if (parse_i64(optarg, strlen(optarg), &threads) == -1 || threads < 1 || threads > 256)
				return cli_fail(2, "--threads must be between 1 and 256");
			break;
		case 'F': flags |= NODE_SYNC_FAST; break;
		case 'R':
			if (rl_rate_parse(optarg, &e) == -1)
				return cli_fail(2, "%s", e.msg);
			break;
		case 'Q':
			if (rl_quota_parse(optarg, &e) == -1)
				return cli_fail(2, "%s", e.msg);
			break;
		case 'S':
			if (ppp_sla_parse(optarg, &e) == -1)
				return cli_fail(2, "%s", e.msg);
			break;
		case 'E':
			if (parse_i64(optarg, strlen(optarg), &factor) == -1 || factor < 1 || factor > 100)
				return cli_fail(2, "--escalate-after must be a whole number of SLAs between 1 and 100");
			ppp_set_escalation_factor((int)factor);
			break;
		case 'C': so.secure_cookies = true; break;
		case 'h':
			puts("usage: simpul serve --db FILE [--listen ADDR:PORT] [--threads N] [--fast] [--secure-cookies]\n"
			    "                    [--rate-limit SCOPE=RATE[/s|/m|/h][:BURST]]... [--quota SCOPE=N/d]...\n"
			    "                    [--sla ACTION=DURATION]... [--escalate-after N]\n\n"
			    "Serves the HTTP JSON API (see docs/api.md) on ADDR:PORT (default\n"
			    "127.0.0.1:8080; port 0 picks a free port, printed on start). Stops cleanly\n"
			    "on SIGINT or SIGTERM. Every acknowledged write is committed (synchronous=FULL)\n"
			    "before its answer is sent.\n"
			    "  --threads N  worker threads (default: one per CPU)\n"
			    "  --fast       synchronous=NORMAL: survives a crash of the process, not of the machine\n"
			    "  --rate-limit SCOPE=RATE[:BURST]  token bucket; SCOPE principal, agency, public (per\n"
			    "               client address; default public=10/s:20), principal:ID or agency:ID.\n"
			    "               Over it: 429 with Retry-After. RATE 0 lifts a default.\n"
			    "  --quota SCOPE=N/d  requests a UTC day (same scopes)\n"
			    "  --sla ACTION=DURATION  SLA of partner requests: freeze (default 15m), block (1h),\n"
			    "               takedown (4h), info (3d); e.g. --sla freeze=10m\n"
			    "  --escalate-after N  escalate an open request at N times its SLA (default 2)\n"
			    "  --secure-cookies  the node is reached over HTTPS (a TLS proxy in front):\n"
			    "               web session cookies get Secure, answers carry HSTS");
			return 0;
		default: return 2;
		}
	}
	if (db == NULL)
		return cli_fail(2, "serve needs --db FILE (create one with `simpul init`)");
	if (access(db, F_OK) != 0)
		return cli_fail(1, "%s: no such database (create it with `simpul init --db %s`)", db, db);
	so.threads = (int)threads;
	/* Keep freed memory: request buffers come and go at a high rate and
	 * returning them to the kernel each time costs page faults. */
	mallopt(M_TRIM_THRESHOLD, 128 * 1024 * 1024);
	mallopt(M_TOP_PAD, 16 * 1024 * 1024);
	block_stop_signals();
	if (node_open(db, flags | NODE_SPOOL, &n, &e) == -1)
		return cli_fail(1, "%s: %s", db, e.msg);
	if (ppp_sweeper_start(n, &e) == -1) {
		node_close(n);
		return cli_fail(1, "%s", e.msg);
	}
	{
		struct sbuf lim;
		sbuf_init(&lim, 16384);
		rl_describe(&lim);
		fprintf(stderr, "simpul: rate limits: %s; SLAs: freeze %llds, block %llds, takedown %llds, info %llds\n",
		    lim.ptr ? lim.ptr : "none", (long long)ppp_sla(PA_FREEZE), (long long)ppp_sla(PA_BLOCK),
		    (long long)ppp_sla(PA_TAKEDOWN), (long long)ppp_sla(PA_INFO));
		sbuf_free(&lim);
	}
	rc = server_run(n, &so, &e);
	ppp_sweeper_stop();
	api_ppp_shutdown();
	node_close(n);
	if (rc == -1)
		return cli_fail(1, "%s", e.msg);
	return 0;
}

/* SIGINT and SIGTERM are taken by server_run's sigwait; block them before
 * node_open starts threads, which inherit the mask, so that no other thread
 * can be chosen to die of them. */
static void
block_stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
}

/* ---- the demo node ------------------------------------------------------ */

/* A web user for agency id with role: user name "<id in lower case>.<role>",
 * a random password; both go to the demo tokens file as "user NAME". */
static int
demo_user(struct node *n, json_t *tokens, const char *id, const char *role)
{
	unsigned char raw[12];
	char pw[32], user[SIMPUL_MAX_USERNAME + 1], label[SIMPUL_MAX_USERNAME + 8];
	struct err e = {0};
	size_t i;

	snprintf(user, sizeof(user), "%s.%s", id, role);
	for (i = 0; user[i]; i++)
		user[i] = (char)tolower((unsigned char)user[i]);
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(pw, sizeof(pw), raw, sizeof(raw), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (node_user_add(n, NULL, id, role, user, NULL, pw, NULL, &e) == -1) {
		cli_fail(1, "user %s: %s", user, e.msg);
		return -1;
	}
	snprintf(label, sizeof(label), "user %s", user);
	json_object_set_new(tokens, label, json_string(pw));
	return 0;
}

static int
seed(const char *db, const char *dir, const char *tokens_path)
{
	char path[4096], token[128];
	json_t *agencies, *a, *tokens = json_object();
	json_error_t je;
	struct node *n = NULL;
	struct err e = {0};
	size_t i;
	int rc = 1;

	snprintf(path, sizeof(path), "%s/agencies.json", dir);
	if ((agencies = json_load_file(path, 0, &je)) == NULL || !json_is_array(agencies)) {
		cli_fail(1, "%s: %s (generate it with scripts/demo_data.py)", path, je.text);
		goto out;
	}
	if (node_open(db, NODE_CREATE, &n, &e) == -1 ||
	    node_init(n, "NODE-ADMIN", "ZZ", token, sizeof(token), &e) == -1) {
		cli_fail(1, "%s: %s", db, e.msg);
		goto out;
	}
	json_object_set_new(tokens, "NODE-ADMIN/admin", json_string(token));
	if (node_token_create(n, NULL, "NODE-ADMIN", "auditor", "auditor", token, sizeof(token), NULL, &e) == -1) {
		cli_fail(1, "auditor token: %s", e.msg);
		goto out;
	}
	json_object_set_new(tokens, "NODE-ADMIN/auditor", json_string(token));
	json_array_foreach(agencies, i, a) {
		struct agency ag;
		struct principal p;
		const char *id = json_string_value(json_object_get(a, "id"));
		const char *cc = json_string_value(json_object_get(a, "country"));
		const char *kind = json_string_value(json_object_get(a, "kind"));
		const char *name = json_string_value(json_object_get(a, "name"));
		int k = agency_kind_parse(kind);
		char label[200];

		memset(&ag, 0, sizeof(ag));
		if (id == NULL || cc == NULL || k < 0) {
			cli_fail(1, "%s: agency %zu: id, country and kind are required", path, i);
			goto out;
		}
		str_copy(ag.id, sizeof(ag.id), id);
		str_copy(ag.country, sizeof(ag.country), cc);
		ag.kind = (enum agency_kind)k;
		str_copy(ag.name, sizeof(ag.name), name ? name : id);
		if (node_agency_add(n, NULL, &ag, &e) == -1) {
			cli_fail(1, "agency %s: %s", id, e.msg);
			goto out;
		}
		const char *role = kind_is_private(ag.kind) ? "partner" : ag.kind == AK_PUBLIC ? "public" : "analyst";
		if (node_token_create(n, NULL, id, role, role, token, sizeof(token), &p, &e) == -1) {
			cli_fail(1, "token for %s: %s", id, e.msg);
			goto out;
		}
		snprintf(label, sizeof(label), "%s/%s", id, role);
		json_object_set_new(tokens, label, json_string(token));
		if (ag.kind != AK_PUBLIC && demo_user(n, tokens, id, role) == -1)
			goto out;
	}
	if (demo_user(n, tokens, "NODE-ADMIN", "admin") == -1 ||
	    demo_user(n, tokens, "NODE-ADMIN", "auditor") == -1)
		goto out;
	json_array_foreach(agencies, i, a) {
		const char *id = json_string_value(json_object_get(a, "id"));
		struct import_stats st;
		FILE *f;

		snprintf(path, sizeof(path), "%s/reports/%s.jsonl", dir, id);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		rc = node_import_reports(n, id, f, 0, NULL, NULL, &st, &e);
		fclose(f);
		if (rc == -1) {
			cli_fail(1, "%s: %s (%s)", path, e.msg, e.field);
			rc = 1;
			goto out;
		}
		printf("seeded %-14s %4llu reports\n", id, (unsigned long long)st.reports);
	}
	{
		int fd = open(tokens_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		char *s = json_dumps(tokens, JSON_INDENT(2));
		if (fd == -1 || s == NULL || write(fd, s, strlen(s)) < 0) {
			cli_fail(1, "%s: cannot write the demo tokens", tokens_path);
			if (fd != -1)
				close(fd);
			free(s);
			goto out;
		}
		close(fd);
		free(s);
	}
	rc = 0;
out:
	json_decref(agencies);
	json_decref(tokens);
	node_close(n);
	if (rc != 0)
		unlink(db);
	return rc;
}

struct run_ctx {
	const char *tokens_path;
};

static void
run_ready(void *ctx, int port)
{
	struct run_ctx *rc = ctx;
	json_t *t = json_load_file(rc->tokens_path, 0, NULL);
	const char *k;
	json_t *v;

	printf("\nSimpul demo node: http://127.0.0.1:%d/   API docs: http://127.0.0.1:%d/docs/api.md\n", port, port);
	printf("demo tokens and web sign-in passwords (\"user NAME\"; also in %s):\n", rc->tokens_path);
	json_object_foreach(t, k, v)
		printf("  %-26s %s\n", k, json_string_value(v));
	printf("\ntry (the mule account in 3 Thai reports and 1 Singapore one, see docs/demo.md):\n"
	    "  curl -s -H \"Authorization: Bearer <MY-NSRC token>\" \\\n"
	    "    -d '{\"selectors\":[{\"type\":\"bank_account\",\"value\":\"5140 2217 8863\",\"country\":\"MY\",\"bank\":\"MBBEMYKL\"}]}' \\\n"
	    "    http://127.0.0.1:%d/api/v1/check\n"
	    "stop with Ctrl-C\n", port);
	fflush(stdout);
	json_decref(t);
}

int
cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "db", required_argument, NULL, 'd' }, { "listen", required_argument, NULL, 'l' },
		{ "seed", required_argument, NULL, 's' }, { "fresh", no_argument, NULL, 'f' },
		{ "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 } };
	const char *db = "demo/simpul.db", *seed_dir = "demo/seed";
	struct server_opts so = { .listen = "127.0.0.1:8080", .on_ready = run_ready };
	struct run_ctx rctx;
	char tokens_path[4096];
	bool fresh = false;
	struct node *n;
	struct err e = {0};
	int ch, rc;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'd': db = optarg; break;
		case 'l': so.listen = optarg; break;
		case 's': seed_dir = optarg; break;
		case 'f': fresh = true; break;
		case 'h':
			puts("usage: simpul run [--db demo/simpul.db] [--seed demo/seed] [--listen 127.0.0.1:8080] [--fresh]\n\n"
			    "Starts the demo node: on first start (or with --fresh) creates the database,\n"
			    "adds the agencies in SEED/agencies.json with one token each, imports\n"
			    "SEED/reports/<agency>.jsonl, then serves and prints the URL and tokens.\n"
			    "`make run` generates the seed with scripts/demo_data.py and calls this.");
			return 0;
		default: return 2;
		}
	}
	snprintf(tokens_path, sizeof(tokens_path), "%s.tokens.json", db);
	if (fresh) {
		char p[4200];
		unlink(db);
		snprintf(p, sizeof(p), "%s-wal", db); unlink(p);
		snprintf(p, sizeof(p), "%s-shm", db); unlink(p);
	}
	if (access(db, F_OK) != 0 && (rc = seed(db, seed_dir, tokens_path)) != 0)
		return rc;
	rctx.tokens_path = tokens_path;
	so.ready_ctx = &rctx;
	block_stop_signals();
	if (node_open(db, NODE_SPOOL, &n, &e) == -1)
		return cli_fail(1, "%s: %s", db, e.msg);
	if (ppp_sweeper_start(n, &e) == -1) {
		node_close(n);
		return cli_fail(1, "%s", e.msg);
	}
	rc = server_run(n, &so, &e);
	ppp_sweeper_stop();
	api_ppp_shutdown();
	node_close(n);
	return rc == -1 ? cli_fail(1, "%s", e.msg) : 0;
}
