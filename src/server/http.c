/* http.c - libmicrohttpd plumbing: one request = one bounded body buffer,
 * handed to api_handle() once complete. Over-size bodies, unknown routes
 * and bad tokens are answered before the body is read. */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node_net.h"
#include "server.h"
#include "simpul_limits.h"

/* An authenticated body refused as too large, up to this size, is still
 * read (and dropped) so that the client reads the 413; before
 * authentication only SIMPUL_MAX_BODY_UNAUTH is read. */
#define DISCARD_MAX (64u * 1024u * 1024u)

struct conn_state {
	struct sbuf body;
	bool        refused;    /* an early answer was queued */
	bool        discard;    /* over-size: read and drop the body, then answer early */
	uint64_t    dropped;
	struct api_resp early;
	char        client[64];

	/* A deferred answer: held until its audit entry is committed. The
	 * connection is suspended meanwhile, so no thread waits on it. */
	pthread_mutex_t         mu;
	struct api_resp         resp;
	bool                    have_resp, committed, suspended;
	int                     commit_rc;
	struct MHD_Connection  *conn;
};

struct srv {
	struct node *n;
	bool         secure;
};

/* Behind TLS (serve --secure-cookies): one setting for the process. */
static bool secure_cookies;

static const char *
query_arg(void *conn, const char *name)
{
	return MHD_lookup_connection_value((struct MHD_Connection *)conn, MHD_GET_ARGUMENT_KIND, name);
}

static void
client_addr(struct MHD_Connection *c, char *out, size_t outsz)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	out[0] = '\0';
	if (ci == NULL || ci->client_addr == NULL)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((struct sockaddr_in *)ci->client_addr)->sin_addr, out, (socklen_t)outsz);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out, (socklen_t)outsz);
}

/* ---- event streams (api_net.c): a content reader that parks the
 * connection while there is nothing to send ---- */

static ssize_t
stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct api_stream *s = cls;
	ssize_t n = node_events_read(s->sub, buf, max);

	if (n < 0)
		return MHD_CONTENT_READER_END_OF_STREAM;
	if (n > 0)
		return n;
	pthread_mutex_lock(&s->mu);
	if (s->wake) {
		/* Woken between the read and now: read again at once. */
		s->wake = false;
		pthread_mutex_unlock(&s->mu);
		return 0;
	}
	s->suspended = true;
	MHD_suspend_connection(s->conn);
	pthread_mutex_unlock(&s->mu);
	return 0;
}

static void
stream_free(void *cls)
{
	api_stream_free(cls);
}

/* From the node's upkeep thread: something may be readable. */
void
api_stream_notify(void *ctx)
{
	struct api_stream *s = ctx;

	pthread_mutex_lock(&s->mu);
	if (s->suspended) {
		s->suspended = false;
		MHD_resume_connection(s->conn);
	} else {
		s->wake = true;
	}
	pthread_mutex_unlock(&s->mu);
}

static enum MHD_Result
send_resp(struct MHD_Connection *c, struct api_resp *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	if (r->stream) {
		struct api_stream *st = r->stream;
		r->stream = NULL;
		st->conn = c;
		resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, stream_read, st, stream_free);
		if (resp == NULL) {
			api_stream_free(st);
			return MHD_NO;
		}
		MHD_add_response_header(resp, "Content-Type", "text/event-stream; charset=utf-8");
		MHD_add_response_header(resp, "Cache-Control", "no-store");
		MHD_add_response_header(resp, "X-Accel-Buffering", "no");
		MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
		ret = MHD_queue_response(c, 200, resp);
		MHD_destroy_response(resp);
		return ret;
	}
	resp = MHD_create_response_from_buffer(r->len, r->body, MHD_RESPMEM_MUST_FREE);
	if (resp == NULL) {
		free(r->body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, "Content-Type", r->content_type ? r->content_type : "application/json");
	MHD_add_response_header(resp, "Cache-Control", r->cache ? "public, max-age=300" : "no-store");
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "Content-Security-Policy",
	    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(resp, "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
	if (r->set_cookie[0])
		MHD_add_response_header(resp, "Set-Cookie", r->set_cookie);
	if (secure_cookies)
		MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
	if (r->status == 401)
		MHD_add_response_header(resp, "WWW-Authenticate", "Bearer realm=\"simpul\"");
	if (r->retry_after > 0) {
		char ra[24];
		snprintf(ra, sizeof(ra), "%d", r->retry_after);
		MHD_add_response_header(resp, "Retry-After", ra);
	}
	for (int i = 0; i < 2; i++)
		if (r->xname[i] != NULL)
			MHD_add_response_header(resp, r->xname[i], r->xval[i]);
	ret = MHD_queue_response(c, (unsigned)r->status, resp);
	MHD_destroy_response(resp);
	return ret;
}

/* From the audit committer. Touches cs only under mu; resumes after, since
 * once resumed the request may complete and free cs. */
static void
on_committed(void *ctx, int rc)
{
	struct conn_state *cs = ctx;
	struct MHD_Connection *c;
	bool suspended;

	pthread_mutex_lock(&cs->mu);
	cs->committed = true;
	cs->commit_rc = rc;
	suspended = cs->suspended;
	c = cs->conn;
	pthread_mutex_unlock(&cs->mu);
	if (suspended)
		MHD_resume_connection(c);
}

static enum MHD_Result
send_held(struct MHD_Connection *c, struct conn_state *cs)
{
	struct api_resp resp = cs->resp;

	cs->have_resp = false;
	memset(&cs->resp, 0, sizeof(cs->resp));
	if (cs->commit_rc != 0) {
		api_stream_free(resp.stream);
		free(resp.body);
		memset(&resp, 0, sizeof(resp));
		api_problem(&resp, 500, NULL, "the audit trail could not be written; nothing is returned without it");
	}
	return send_resp(c, &resp);
}

static void
fill_req(struct api_req *ar, struct srv *s, struct MHD_Connection *c, const char *url,
    const char *method, struct conn_state *cs)
{
	memset(ar, 0, sizeof(*ar));
	ar->n = s->n;
	ar->method = method;
	ar->path = url;
	ar->auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	ar->purpose = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Simpul-Purpose");
	ar->case_ref = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Simpul-Case");
	ar->accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
	ar->client = cs->client;
	ar->arg = query_arg;
	ar->conn = c;
	ar->last_event_id = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Last-Event-ID");
	ar->session = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, SESSION_COOKIE);
	ar->csrf = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-CSRF-Token");
	ar->secure = s->secure;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
    const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct srv *s = cls;
	struct conn_state *cs = *con_cls;
	struct api_req ar;
	struct api_resp resp;

	if (cs == NULL) {
		const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
		size_t len = 0;
		int64_t v;

		if ((cs = calloc(1, sizeof(*cs))) == NULL)
			return MHD_NO;
		pthread_mutex_init(&cs->mu, NULL);
		sbuf_init(&cs->body, SIMPUL_MAX_BODY);
		client_addr(c, cs->client, sizeof(cs->client));
		*con_cls = cs;
		if (cl && parse_i64(cl, strlen(cl), &v) == 0 && v > 0)
			len = (size_t)v;
		fill_req(&ar, s, c, url, method, cs);
		memset(&resp, 0, sizeof(resp));
		if (api_early(&ar, len, &resp)) {
			/* A client still sending its body would miss an answer sent
			 * now and followed by a close: a body of sane size is read
			 * and dropped first, then answered. */
			if (len > 0 && len <= (resp.status == 413 ? DISCARD_MAX : SIMPUL_MAX_BODY_UNAUTH)) {
				cs->discard = true;
				cs->early = resp;
				return MHD_YES;
			}
			cs->refused = true;
			return send_resp(c, &resp);
		}
		return MHD_YES;
	}
	if (*upload_size) {
		if (cs->discard) {
			cs->dropped += *upload_size;
			*upload_size = 0;
			return MHD_YES;
		}
		if (!cs->refused && sbuf_add(&cs->body, upload_data, *upload_size) == -1) {
			/* No Content-Length (chunked) and over the limit. */
			cs->discard = true;
			memset(&cs->early, 0, sizeof(cs->early));
			api_problem(&cs->early, 413, "body", "the request body is larger than the limit");
			sbuf_free(&cs->body);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (cs->discard) {
		resp = cs->early;
		memset(&cs->early, 0, sizeof(cs->early));
		cs->discard = false;
		cs->refused = true;
		return send_resp(c, &resp);
	}
	if (cs->refused)
		return MHD_YES;
	if (cs->have_resp)      /* resumed: the audit entry is committed */
		return send_held(c, cs);
	{
		struct node_defer d = { .done = on_committed, .ctx = cs };

		fill_req(&ar, s, c, url, method, cs);
		ar.body = cs->body.ptr ? cs->body.ptr : "";
		ar.body_len = cs->body.len;
		ar.defer = &d;
		memset(&resp, 0, sizeof(resp));
		api_handle(&ar, &resp);
		if (!d.used)
			return send_resp(c, &resp);
		pthread_mutex_lock(&cs->mu);
		cs->resp = resp;
		cs->have_resp = true;
		if (!cs->committed) {
			cs->suspended = true;
			cs->conn = c;
			MHD_suspend_connection(c);
			pthread_mutex_unlock(&cs->mu);
			return MHD_YES;
		}
		pthread_mutex_unlock(&cs->mu);
		return send_held(c, cs);
	}
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe)
{
	struct conn_state *cs = *con_cls;

	if (cs) {
		sbuf_free(&cs->body);
		api_stream_free(cs->resp.stream);
		free(cs->resp.body);
		free(cs->early.body);
		pthread_mutex_destroy(&cs->mu);
		free(cs);
		*con_cls = NULL;
	}
}

static int
parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sl, char *host, struct err *e)
{
	const char *colon, *port;
	int64_t p;

	memset(ss, 0, sizeof(*ss));
	if (listen[0] == '[') {
		const char *rb = strchr(listen, ']');
		if (rb == NULL || rb[1] != ':' || (size_t)(rb - listen - 1) >= 128)
			goto bad;
		memcpy(host, listen + 1, (size_t)(rb - listen - 1));
		host[rb - listen - 1] = '\0';
		port = rb + 2;
	} else {
		if ((colon = strrchr(listen, ':')) == NULL || (size_t)(colon - listen) >= 128)
			goto bad;
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
		port = colon + 1;
	}
	if (parse_i64(port, strlen(port), &p) == -1 || p < 0 || p > 65535)
		goto bad;
	if (strcmp(host, "localhost") == 0)
		str_copy(host, 128, "127.0.0.1");
	{
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		if (inet_pton(AF_INET, host, &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons((uint16_t)p);
			*sl = sizeof(*s4);
			return 0;
		}
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons((uint16_t)p);
			*sl = sizeof(*s6);
			return 0;
		}
	}
bad:
	err_set(e, 400, "listen", "--listen %s: expected ADDRESS:PORT such as 127.0.0.1:8080 or [::1]:8080", listen);
	return -1;
}

int
server_run(struct node *n, const struct server_opts *o, struct err *e)
{
	struct srv s = { .n = n, .secure = o->secure_cookies };
	struct sockaddr_storage ss;
	socklen_t sl;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *di;
	/* TURBO: optimistic non-blocking reads and fewer shutdown() calls; the
	 * API suite (early 413s, drained bodies, SIGKILL) runs with it. */
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME |
	    MHD_USE_TURBO;
	int threads = o->threads > 0 ? o->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	sigset_t set;
	int sig, port;

	char host[128];

	if (parse_listen(o->listen, &ss, &sl, host, e) == -1)
		return -1;
	secure_cookies = o->secure_cookies;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (MHD_is_feature_supported(MHD_FEATURE_EPOLL) == MHD_YES)
		flags |= MHD_USE_EPOLL;
	if (threads < 1)
		threads = 1;
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)threads,
	    MHD_OPTION_CONNECTION_LIMIT, (unsigned)4096,
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
	    /* Headers and one read buffer; bodies go to our own bounded
	     * buffer. MHD clears this pool on every keep-alive request. */
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
	    MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1,
	    MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
	    MHD_OPTION_END);
	if (d == NULL) {
		err_set(e, 500, "listen", "cannot listen on %s (address in use or not permitted)", o->listen);
		return -1;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	port = di ? di->port : 0;
	if (!o->quiet) {
		printf("simpul: listening on http://%s%s%s:%d/\n", ss.ss_family == AF_INET6 ? "[" : "",
		    host, ss.ss_family == AF_INET6 ? "]" : "", port);
		fflush(stdout);
	}
	/* Networks, watchlists and webhook delivery run in the daemon. */
	node_networks_start(n);
	if (o->on_ready)
		o->on_ready(o->ready_ctx, port);
	sigwait(&set, &sig);
	if (!o->quiet)
		fprintf(stderr, "simpul: %s, stopping\n", sig == SIGINT ? "interrupted" : "terminated");
	/* No connection may stay suspended when the daemon stops. */
	node_events_shutdown(n);
	MHD_stop_daemon(d);
	return 0;
}
