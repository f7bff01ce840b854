/* ratelimit.h - token-bucket rate limits and daily quotas per principal,
 * per agency and (for the endpoints without a token) per client address.
 *
 * Built for the check path (tens of thousands of requests a second): one
 * fixed table of buckets in memory, 65,536 slots, each with its own tiny
 * spinlock (a sharded table: two requests contend only when they hash to
 * the same slot); no allocation, no database, no global lock per request.
 * Keys are SipHash-2-4 of the scope and id under a random per-process key,
 * so nobody can aim their traffic at someone else's bucket.
 *
 * Configuration is process-wide (the daemon's flags); with none, only the
 * public endpoints are limited (RL_DEFAULT_PUBLIC). Counts live in memory:
 * a restart refills every bucket and starts the day's quotas again. */
#ifndef SIMPUL_RATELIMIT_H
#define SIMPUL_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

#include "model.h"
#include "util.h"

#define RL_DEFAULT_PUBLIC_RATE  10.0   /* requests a second per client address */
#define RL_DEFAULT_PUBLIC_BURST 20

/* Add a rule from its text (the --rate-limit and --quota flags):
 *   rate:  SCOPE=RATE[/s|/m|/h][:BURST]   e.g. principal=50/s:100, public=5/s
 *   quota: SCOPE=N/d                       e.g. agency:MY-BANK1=100000/d
 * SCOPE is principal, agency or public (the default for each), or
 * principal:ID / agency:ID (one principal or agency; overrides the
 * default). RATE 0 removes a default limit. 0, or -1 with e. */
int  rl_rate_parse(const char *spec, struct err *e);
int  rl_quota_parse(const char *spec, struct err *e);
/* Forget every rule and bucket (tests); the public default comes back. */
void rl_reset(void);

/* Take one request. 0: admitted. 1: refused; *retry_after is the number
 * of seconds (>= 1) after which it would be admitted, *why names the
 * limit ("principal rate", "agency quota", "client rate"). p may be NULL
 * (public endpoints: client is then the scope). now_us: mono_us(). */
int  rl_admit(const struct principal *p, const char *client, int64_t now_us, int64_t wall_ms,
    int *retry_after, const char **why);

/* Requests refused since the process started (for /metrics). */
uint64_t rl_refused_total(void);
/* Human summary of the active rules (for serve's start-up line). */
void rl_describe(struct sbuf *b);

#endif
