/* api_ppp.c - the HTTP side of the public-private partnership (issue 7):
 * partner requests, figures, the public check, bulk screening jobs, and
 * the rate-limit hook. Handlers parse, call ppp.c, render (api.c's style). */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"
#include "ppp.h"
#include "policy.h"
#include "ratelimit.h"
#include "server.h"
#include "simpul_limits.h"

static const struct principal anonymous = { .id = "anonymous", .role = ROLE_PUBLIC };

/* ---- limits ------------------------------------------------------------- */

bool
api_limited(const struct api_req *r, const struct principal *p, struct api_resp *resp)
{
	struct reqctx c = { .p = p ? p : &anonymous, .client = r->client };
	const char *why;
	char msg[160];
	int retry;

	if (rl_admit(p, r->client, mono_us(), now_ms(), &retry, &why) == 0)
		return false;
	snprintf(msg, sizeof(msg), "over the %s limit: retry after %d s", why, retry);
	node_audit_refusal(r->n, &c, "ratelimit", r->path, 429, msg);
	api_problem(resp, 429, NULL, msg);
	resp->retry_after = retry;
	return true;
}

/* ---- requests ----------------------------------------------------------- */

void
api_requests_post(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *in, *out = NULL;

	if ((in = api_body_json(r, resp)) == NULL) {
		node_audit_refusal(r->n, c, "request.create", NULL, resp->status, "malformed body");
		return;
	}
	if (ppp_request_create(r->n, c, in, &out, &e) == -1)
		api_problem_err(resp, &e);
	else
		api_reply_json(resp, 201, out);
	json_decref(in);
	json_decref(out);
}

void
api_requests_list(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *out = NULL;

	if (ppp_request_list(r->n, c, r->arg(r->conn, "status"), &out, &e) == -1)
		api_problem_err(resp, &e);
	else
		api_reply_json(resp, 200, out);
	json_decref(out);
}

void
api_request_get(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *out = NULL;

	if (ppp_request_get(r->n, c, tail, &out, &e) == -1)
		api_problem_err(resp, &e);
	else
		api_reply_json(resp, 200, out);
	json_decref(out);
}

/* POST /api/v1/requests/{id}/answer */
void
api_request_post(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *in, *out = NULL;
	const char *slash = strchr(tail, '/');
	char id[SIMPUL_ID_LEN + 1];

	if (slash == NULL || strcmp(slash, "/answer") != 0 || (size_t)(slash - tail) != SIMPUL_ID_LEN) {
		api_problem(resp, 404, NULL, "no such endpoint (POST /api/v1/requests/{id}/answer)");
		return;
	}
	memcpy(id, tail, SIMPUL_ID_LEN);
	id[SIMPUL_ID_LEN] = '\0';
	if ((in = api_body_json(r, resp)) == NULL) {
		node_audit_refusal(r->n, c, "request.answer", id, resp->status, "malformed body");
		return;
	}
	if (ppp_request_answer(r->n, c, id, in, &out, &e) == -1)
		api_problem_err(resp, &e);
	else
		api_reply_json(resp, 200, out);
	json_decref(in);
	json_decref(out);
}

void
api_stats(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	struct err e = {0};
	json_t *out = NULL;

	if (ppp_stats(r->n, c, r->arg(r->conn, "period"), &out, &e) == -1)
		api_problem_err(resp, &e);
	else
		api_reply_json(resp, 200, out);
	json_decref(out);
}

/* ---- the public check --------------------------------------------------- */

void
api_public_check(const struct api_req *r, const struct reqctx *c0, const char *tail, struct api_resp *resp)
{
	struct reqctx c = { .p = &anonymous, .purpose = NULL, .case_ref = NULL, .client = r->client,
		.defer = r->defer };
	struct err e = {0};
	struct sbuf out;

	if (r->body_len == 0) {
		api_problem(resp, 400, "body", "a JSON body is required");
		node_audit_refusal(r->n, &c, "public.check", NULL, 400, "empty body");
		return;
	}
	sbuf_init(&out, 1024u * 1024u);
	if (ppp_public_check(r->n, &c, r->body, r->body_len, &out, &e) == -1) {
		api_problem_err(resp, &e);
		sbuf_free(&out);
		return;
	}
	resp->status = 200;
	resp->content_type = "application/json";
	resp->len = out.len;
	resp->body = sbuf_steal(&out);
}

/* ---- bulk screening jobs ------------------------------------------------ */

struct job {
	char             id[SIMPUL_ID_LEN + 1];
	struct principal p;
	char             purpose[SIMPUL_MAX_PURPOSE + 1], case_ref[SIMPUL_MAX_CASE_REF + 1];
	bool             has_purpose, has_case;
	enum screen_fmt  fmt;
	char            *in;
	size_t           inlen;
	char            *out;
	size_t           outlen;
	struct node     *n;
	pthread_t        th;
	bool             done, failed;
	struct err       e;
	struct screen_stats st;
	int64_t          created_ms, finished_ms;
};

static pthread_mutex_t jmu = PTHREAD_MUTEX_INITIALIZER;
static struct job *jobs[SIMPUL_MAX_SCREEN_JOBS];
static bool jstop;

static int
job_progress(void *ctx, const struct screen_stats *s)
{
	struct job *j = ctx;
	bool stop;

	pthread_mutex_lock(&jmu);
	j->st = *s;
	stop = jstop;
	pthread_mutex_unlock(&jmu);
	return stop ? 1 : 0;
}

static void *
job_main(void *arg)
{
	struct job *j = arg;
	struct reqctx c = { .p = &j->p, .purpose = j->has_purpose ? j->purpose : "bulk screening",
		.case_ref = j->has_case ? j->case_ref : NULL };
	struct screen_stats st;
	struct err e = {0};
	char *out = NULL;
	size_t outlen = 0;
	FILE *in = fmemopen(j->in, j->inlen, "r"), *o = open_memstream(&out, &outlen);
	int rc = -1;

	if (in == NULL || o == NULL)
		err_set(&e, 500, "", "out of memory");
	else
		rc = ppp_screen(j->n, &c, in, j->fmt, o, job_progress, j, &st, &e);
	if (in)
		fclose(in);
	if (o)
		fclose(o);
	pthread_mutex_lock(&jmu);
	if (rc == 0)
		j->st = st;
	j->failed = rc != 0;
	j->e = e;
	j->out = out;
	j->outlen = outlen;
	free(j->in);
	j->in = NULL;
	j->finished_ms = now_ms();
	j->done = true;
	pthread_mutex_unlock(&jmu);
	return NULL;
}

static void
job_free(struct job *j)
{
	free(j->in);
	free(j->out);
	free(j);
}

static json_t *
job_json(const struct job *j)
{
	char t[32], res[80];
	json_t *o;

	time_iso(j->created_ms, t);
	snprintf(res, sizeof(res), "/api/v1/screenings/%s/results", j->id);
	o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:f}", "id", j->id,
	    "status", !j->done ? "running" : j->failed ? "failed" : "done",
	    "format", j->fmt == SCREEN_CSV ? "csv" : "jsonl", "created", t,
	    "bytes", (json_int_t)j->inlen, "bytes_read", (json_int_t)j->st.bytes,
	    "lines", (json_int_t)j->st.lines, "checked", (json_int_t)j->st.checked,
	    "flagged", (json_int_t)j->st.flagged,
	    "progress", j->done ? 1.0 : j->inlen ? (double)j->st.bytes / (double)j->inlen : 0.0);
	if (j->done && !j->failed)
		json_object_set_new(o, "results", json_string(res));
	if (j->failed)
		json_object_set_new(o, "error", json_pack("{s:i, s:s, s:s}", "status", j->e.status,
		    "field", j->e.field, "detail", j->e.msg));
	return o;
}

static bool
may_screen(const struct principal *p)
{
	return p->role != ROLE_PUBLIC && p->role != ROLE_AUDITOR && role_valid_for_kind(p->role, p->agency.kind);
}

void
api_screening_post(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	const char *fmt = r->arg(r->conn, "format");
	struct job *j;
	json_t *out;
	int slot = -1, oldest = -1, mine = 0, mine_oldest = -1;

	if (!may_screen(c->p)) {
		node_audit_refusal(r->n, c, "screening.create", NULL, 403, "role may not run checks");
		api_problem(resp, 403, NULL, "this role may not run checks");
		return;
	}
	if (fmt && strcmp(fmt, "csv") != 0 && strcmp(fmt, "jsonl") != 0) {
		node_audit_refusal(r->n, c, "screening.create", "format", 400, "bad format");
		api_problem(resp, 400, "format", "format must be csv or jsonl");
		return;
	}
	if (r->body_len == 0) {
		node_audit_refusal(r->n, c, "screening.create", "body", 400, "empty body");
		api_problem(resp, 400, "body", "send the file to screen as the body (CSV with a header line, or JSON lines)");
		return;
	}
	if ((j = calloc(1, sizeof(*j))) == NULL || (j->in = malloc(r->body_len)) == NULL) {
		free(j);
		api_problem(resp, 500, NULL, "out of memory");
		return;
	}
	memcpy(j->in, r->body, r->body_len);
	j->inlen = r->body_len;
	j->fmt = fmt ? (strcmp(fmt, "csv") == 0 ? SCREEN_CSV : SCREEN_JSONL) :
	    (r->body[0] == '{' ? SCREEN_JSONL : SCREEN_CSV);
	j->p = *c->p;
	j->n = r->n;
	j->created_ms = now_ms();
	if (c->purpose)
		j->has_purpose = str_copy(j->purpose, sizeof(j->purpose), c->purpose) == 0;
	if (c->case_ref)
		j->has_case = str_copy(j->case_ref, sizeof(j->case_ref), c->case_ref) == 0;
	id_new(j->id);
	pthread_mutex_lock(&jmu);
	/* Memory is bounded: at most SIMPUL_MAX_SCREEN_JOBS_AGENCY jobs (input
	 * and results) per agency and SIMPUL_MAX_SCREEN_JOBS in all; a new job
	 * replaces the oldest finished one, the agency's own first. */
	for (int i = 0; i < SIMPUL_MAX_SCREEN_JOBS; i++) {
		if (jobs[i] == NULL) {
			if (slot < 0)
				slot = i;
			continue;
		}
		if (strcmp(jobs[i]->p.agency.id, c->p->agency.id) == 0) {
			mine++;
			if (jobs[i]->done && (mine_oldest < 0 || jobs[i]->finished_ms < jobs[mine_oldest]->finished_ms))
				mine_oldest = i;
		}
		if (jobs[i]->done && (oldest < 0 || jobs[i]->finished_ms < jobs[oldest]->finished_ms))
			oldest = i;
	}
	if (mine >= SIMPUL_MAX_SCREEN_JOBS_AGENCY) {
		/* Over the agency's share: only its own finished job may go. */
		slot = -1;
		oldest = mine_oldest;
	}
	if (slot < 0 && oldest >= 0) {
		pthread_join(jobs[oldest]->th, NULL);
		job_free(jobs[oldest]);
		jobs[oldest] = NULL;
		slot = oldest;
	}
	if (slot < 0 || jstop || pthread_create(&j->th, NULL, job_main, j) != 0) {
		pthread_mutex_unlock(&jmu);
		job_free(j);
		node_audit_refusal(r->n, c, "screening.create", NULL, 503, "all screening slots busy");
		api_problem(resp, 503, NULL, "all screening slots are busy (at most 4 running per agency); retry later");
		resp->retry_after = 5;
		return;
	}
	jobs[slot] = j;
	out = job_json(j);
	pthread_mutex_unlock(&jmu);
	{
		json_t *d = json_pack("{s:I, s:s}", "bytes", (json_int_t)r->body_len,
		    "format", j->fmt == SCREEN_CSV ? "csv" : "jsonl");
		/* The job's checks are audited one entry per batch, as checks. */
		if (node_audit_read(r->n, c, "screening.create", j->id, "ok", d, NULL, 0) == -1)
			api_problem(resp, 500, NULL, "the audit trail could not be written");
		else
			api_reply_json(resp, 202, out);
		json_decref(d);
	}
	json_decref(out);
}

/* GET /api/v1/screenings/{id} and /api/v1/screenings/{id}/results */
void
api_screening_get(const struct api_req *r, const struct reqctx *c, const char *tail, struct api_resp *resp)
{
	const char *slash = strchr(tail, '/');
	size_t idlen = slash ? (size_t)(slash - tail) : strlen(tail);
	bool results = slash && strcmp(slash, "/results") == 0;
	char id[SIMPUL_ID_LEN + 1] = "";
	struct job *j = NULL;

	if ((slash && !results) || idlen != SIMPUL_ID_LEN) {
		api_problem(resp, 404, "id", "no such screening");
		return;
	}
	memcpy(id, tail, SIMPUL_ID_LEN);
	pthread_mutex_lock(&jmu);
	for (int i = 0; i < SIMPUL_MAX_SCREEN_JOBS && j == NULL; i++)
		if (jobs[i] && strcmp(jobs[i]->id, id) == 0 && strcmp(jobs[i]->p.agency.id, c->p->agency.id) == 0)
			j = jobs[i];
	if (j == NULL) {
		pthread_mutex_unlock(&jmu);
		node_audit_refusal(r->n, c, results ? "screening.results" : "screening.read", id, 404, "no such screening");
		api_problem(resp, 404, "id", "no screening with this id for your agency (results are kept in memory until the node restarts)");
		return;
	}
	if (!results) {
		json_t *o = job_json(j);
		pthread_mutex_unlock(&jmu);
		if (node_audit_read(r->n, c, "screening.read", id, "ok", NULL, NULL, 0) == -1)
			api_problem(resp, 500, NULL, "the audit trail could not be written");
		else
			api_reply_json(resp, 200, o);
		json_decref(o);
		return;
	}
	if (!j->done || j->failed) {
		bool running = !j->done;
		pthread_mutex_unlock(&jmu);
		node_audit_refusal(r->n, c, "screening.results", id, 409, running ? "still running" : "failed");
		api_problem(resp, 409, "id", running ? "the screening is still running: poll GET /api/v1/screenings/{id}" :
		    "the screening failed: see GET /api/v1/screenings/{id}");
		if (running)
			resp->retry_after = 1;
		return;
	}
	resp->body = malloc(j->outlen ? j->outlen : 1);
	if (resp->body)
		memcpy(resp->body, j->out, j->outlen);
	resp->len = j->outlen;
	resp->content_type = j->fmt == SCREEN_CSV ? "text/csv; charset=utf-8" : "application/x-ndjson";
	pthread_mutex_unlock(&jmu);
	if (resp->body == NULL) {
		api_problem(resp, 500, NULL, "out of memory");
		return;
	}
	resp->status = 200;
	if (node_audit_read(r->n, c, "screening.results", id, "ok", NULL, NULL, 0) == -1) {
		free(resp->body);
		resp->body = NULL;
		api_problem(resp, 500, NULL, "the audit trail could not be written");
	}
}

void
api_ppp_shutdown(void)
{
	pthread_mutex_lock(&jmu);
	jstop = true;
	pthread_mutex_unlock(&jmu);
	for (int i = 0; i < SIMPUL_MAX_SCREEN_JOBS; i++) {
		if (jobs[i] == NULL)
			continue;
		pthread_join(jobs[i]->th, NULL);
		job_free(jobs[i]);
		jobs[i] = NULL;
	}
}
