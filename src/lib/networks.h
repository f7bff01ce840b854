/* networks.h - scam networks: connected components of reports and strong
 * selectors (DESIGN.md §3), kept in memory and up to date incrementally.
 *
 * The index is global: every stored, non-silent, non-retracted report is a
 * member of exactly one component (union-find over reports; two reports are
 * joined when they share a selector that links). What a principal sees is
 * computed per request by the policy gate (docs/internals/networks.md):
 * records it may not see neither count nor link, records it may only know
 * exist (`hit`) appear as "+N records held by other agencies", and a
 * `silent` record never joins a component at all.
 *
 * A selector links when the edge is strong (a valid selector in a role
 * other than a victim's), it is on no warning list, and it is not generic by
 * degree (named by more than max_reports reports coming from at least
 * min_agencies agencies); a supervisor's override wins over both rules.
 *
 * Thread-safe: one writer (net_add, net_remove, rule changes) at a time
 * beside any number of readers (views). */
#ifndef SIMPUL_NETWORKS_H
#define SIMPUL_NETWORKS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "model.h"

struct net;

/* One report as the index needs it. Strings are copied. */
struct net_report_in {
	int64_t                rid;              /* the store's row: arrival order */
	const char            *id;
	const char            *agency_id;
	const char            *agency_country;   /* "" when unknown */
	const struct markings *m;
	int64_t                seen_ms;          /* occurred_at, else created */
	const char            *scam_type;        /* may be NULL */
	const char            *victim_country;   /* may be NULL */
	const char            *currency;         /* NULL: no loss */
	int64_t                loss;             /* minor units */
	size_t                 nkeys;
	const char *const     *keys;
	const bool            *strong;           /* per key: may this edge link? */
};

/* Why a key does not link (or does, by override). */
enum net_override { NET_OVR_NONE = 0, NET_OVR_LINK = 1, NET_OVR_GENERIC = 2 };

/* Is key on a warning list? Fills `list` with the list's name when it is. */
typedef bool (*net_listed_fn)(void *ctx, const char *key, char *list, size_t listsz);

struct net *net_new(void);
void        net_free(struct net *nt);

/* Add a report. 0 added, 1 already present (or retracted), -1 out of memory. */
int  net_add(struct net *nt, const struct net_report_in *r);
/* Remove a report (retraction): its component is recomputed and may
 * split. 0 removed, 1 unknown. */
int  net_remove(struct net *nt, const char *report_id);

/* Degree rule; components are recomputed where a selector changes state. */
void net_set_rules(struct net *nt, int max_reports, int min_agencies);
void net_get_rules(struct net *nt, int *max_reports, int *min_agencies);
/* Warning lists: fn is asked once per selector (again for every selector
 * when this is called). fn may be NULL (no list). */
void net_set_listed(struct net *nt, net_listed_fn fn, void *ctx);
/* A supervisor's decision on one key (NET_OVR_NONE clears it). */
int  net_override(struct net *nt, const char *key, enum net_override mode);
/* The state of a key: 1 links, 0 does not, -1 unknown key. `why` names
 * the rule: "override:link", "override:generic", "warning_list:NAME",
 * "degree", "" (links). */
int  net_key_status(struct net *nt, const char *key, char *why, size_t whysz);

/* May p know of at least one report naming key (FULL or HIT)? */
bool net_key_visible(struct net *nt, const struct principal *p, const char *key);

/* Counts for metrics and benchmarks. */
struct net_stats { uint64_t reports, selectors, components, largest, edges; };
void net_stats(struct net *nt, struct net_stats *s);
/* Is report_id in the index (not silent, not retracted)? Component root
 * as an opaque number for tests (equal numbers: same global component). */
int64_t net_component(struct net *nt, const char *report_id);

/* ---- views: every one passes policy_decide for p ---- */

/* With key: {"networks":[summary, ...],"total":N}, the pieces of p's view
 * holding a report p reads that names key, largest first. Without key: a
 * page of every network p sees, in the order of their earliest reports
 * from cursor `after` (0 = start): {"networks":[...],"more":bool,"next"?}
 * (a page ends after `limit` networks or 20,000 components examined). */
int  net_list(struct net *nt, const struct principal *p, const char *key, int64_t after, int limit,
    json_t **out);
/* One network by id: 0 and *out, or 1 when p sees no network of that id. */
int  net_get(struct net *nt, const struct principal *p, const char *id, json_t **out);
/* Nodes and edges around a selector, to depth, at most max_nodes nodes.
 * 1 when p sees no report naming key. */
int  net_graph(struct net *nt, const struct principal *p, const char *key, int depth, int max_nodes,
    json_t **out);
/* The id of the network holding report_id in p's view, into out (32
 * bytes); 1 when p does not see it in any network of two or more. */
int  net_network_of(struct net *nt, const struct principal *p, const char *report_id, char out[32]);
/* The earliest report of network id in p's view (its anchor), or 1. */
int  net_anchor(struct net *nt, const struct principal *p, const char *id, char report_id[SIMPUL_ID_LEN + 1]);

/* ---- snapshot (a restart without a rebuild) ---- */

#define NET_SNAP_FORMAT 2
/* Serialise the whole index: out(ctx, bytes, n) is called with consecutive
 * pieces (under the read lock; out must not call back into nt). 0, or -1
 * when out failed. */
int  net_snapshot_write(struct net *nt, int (*out)(void *ctx, const void *p, size_t n), void *ctx);
/* Load a snapshot into an empty index. -1 when the bytes are not a
 * snapshot of this build's format (the index is left empty). The warning
 * list function is unset: call net_set_listed, net_set_rules and
 * net_overrides_set after it, so that rules changed since the snapshot
 * apply (each recomputes exactly the components that change). */
int  net_snapshot_load(struct net *nt, const void *buf, size_t len);
/* Replace every override by this set (keys[i] with modes[i]). */
int  net_overrides_set(struct net *nt, const char *const *keys, const enum net_override *modes, size_t n);

/* Is this key's edge strong for a selector of this type, validity and
 * role? (victim roles, invalid values and ip/phone_raw never link). */
bool net_edge_strong(const char *type, bool valid, const char *role);

#endif
