/* ppp.h - the public-private partnership (issue 7, DESIGN §1): disruption
 * requests from Anti-Scam Centres to banks, telcos and platforms (freeze an
 * account, block a number, take down a URL or handle, provide information)
 * with a timestamped, audited state machine and SLA targets; the figures
 * ASCs publish (time report → request → freeze, amounts frozen and
 * recovered); the public check (counts over TLP:CLEAR records only); bulk
 * screening of a partner's file through the check path.
 *
 * Every function here reads through the policy gate or the request's own
 * parties, and appends its audit entry through the core (core.h hooks). */
#ifndef SIMPUL_PPP_H
#define SIMPUL_PPP_H

#include <jansson.h>
#include <stdio.h>

#include "core.h"

enum ppp_action { PA_FREEZE, PA_BLOCK, PA_TAKEDOWN, PA_INFO, PA__N };
enum ppp_status { PS_SENT, PS_ACCEPTED, PS_REJECTED, PS_COMPLETED, PS_WITHDRAWN, PS__N };
/* Who moves a request: the partner it was sent to, or the agency that sent it. */
enum ppp_party { PARTY_PARTNER, PARTY_SENDER };

const char *ppp_action_name(enum ppp_action a);
int         ppp_action_parse(const char *s);      /* -1 if unknown */
const char *ppp_status_name(enum ppp_status s);
int         ppp_status_parse(const char *s);      /* -1 if unknown */

/* The state machine. The partner: sent → accepted | rejected | completed,
 * accepted → rejected | completed. The sender: sent | accepted → withdrawn.
 * Rejected, completed and withdrawn are final. Nothing else is allowed. */
bool ppp_transition_ok(enum ppp_status from, enum ppp_status to, enum ppp_party by);
/* May an agency of this kind receive this action? freeze: bank; block:
 * telco, platform; takedown: platform, telco; info: bank, telco, platform. */
bool ppp_action_fits(enum ppp_action a, enum agency_kind partner_kind);

/* SLA targets in seconds (process-wide; defaults: freeze 900, block 3600,
 * takedown 14400, info 259200). A request not answered by created + SLA is
 * overdue (alert to both parties); one still open at created + SLA ×
 * escalation factor (default 2) is escalated (alert to both, timeline). */
int64_t ppp_sla(enum ppp_action a);
void    ppp_set_sla(enum ppp_action a, int64_t seconds);
void    ppp_set_escalation_factor(int factor);
/* "freeze=600" (seconds; suffixes s, m, h, d accepted). 0 or -1 with e. */
int     ppp_sla_parse(const char *spec, struct err *e);

/* POST /api/v1/requests. *out = the request as the sender sees it. */
int ppp_request_create(struct node *n, const struct reqctx *c, const json_t *body,
    json_t **out, struct err *e);
/* GET /api/v1/requests/{id}: for the sender's or the partner's agency only
 * (everyone else: 404, as for an unknown id). The partner's view carries
 * what the request carries, never the reports behind it. */
int ppp_request_get(struct node *n, const struct reqctx *c, const char *id,
    json_t **out, struct err *e);
/* GET /api/v1/requests: sent or received by the caller's agency, newest
 * first; status filters (NULL: all). */
int ppp_request_list(struct node *n, const struct reqctx *c, const char *status,
    json_t **out, struct err *e);
/* POST /api/v1/requests/{id}/answer. */
int ppp_request_answer(struct node *n, const struct reqctx *c, const char *id,
    const json_t *body, json_t **out, struct err *e);
/* Raise overdue and escalation alerts for open requests as of now_ms.
 * Returns the number of requests changed, or -1. */
int ppp_sweep(struct node *n, int64_t now_ms, struct err *e);
/* A thread running ppp_sweep every second (the daemon). */
int  ppp_sweeper_start(struct node *n, struct err *e);
void ppp_sweeper_stop(void);

/* GET /api/v1/stats?period=day|month|year. */
int ppp_stats(struct node *n, const struct reqctx *c, const char *period,
    json_t **out, struct err *e);
/* Lines for /metrics (appended to out). */
int ppp_metrics(struct node *n, struct sbuf *out);

/* POST /api/v1/public/check: the check API's body, answered with counts
 * over TLP:CLEAR records only (never content). c->p is "anonymous". */
int ppp_public_check(struct node *n, const struct reqctx *c, const char *body, size_t len,
    struct sbuf *out, struct err *e);

/* Bulk screening: read accounts from in (CSV with a header naming type,
 * value and optionally country, bank, provider, chain, platform, key; or
 * JSON lines of check items), check them in batches of 1,000 through the
 * check path as c->p, write one result per input line to out (the same
 * format). progress(ctx, stats) after each batch; a non-zero return stops
 * the screening (503, "stopped"). */
enum screen_fmt { SCREEN_CSV, SCREEN_JSONL };
struct screen_stats { uint64_t lines, checked, flagged, bytes; };
int ppp_screen(struct node *n, const struct reqctx *c, FILE *in, enum screen_fmt fmt,
    FILE *out, int (*progress)(void *ctx, const struct screen_stats *s), void *pctx,
    struct screen_stats *st, struct err *e);
/* Parse one input line into check-item JSON ({"type","value",...} or
 * {"key"}); header holds the CSV columns (NULL for JSON lines). NULL with
 * e naming the field when the line cannot be read. Used by the fuzzer. */
json_t *ppp_screen_line(const char *line, size_t len, enum screen_fmt fmt,
    const json_t *header, struct err *e);
/* Parse a CSV header line into a JSON array of column names. */
json_t *ppp_screen_header(const char *line, size_t len, struct err *e);

#endif
