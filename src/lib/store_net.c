/* store_net.c - store_net.h dispatched through the backend's `net` table. */
#include "store_net.h"

#include "store_int.h"

#define NET(st, state) (store_backend_of((st), &(state))->net)

int
store_net_since(struct store *st, int64_t after_rid, int limit, store_net_cb cb, void *ctx)
{
	void *s;
	return NET(st, s)->since(s, after_rid, limit, cb, ctx);
}

int
store_net_retract(struct store *st, const char *report_id, const char *agency_id,
    const char *principal_id, int64_t now_ms, int64_t *rid, struct err *e)
{
	void *s;
	return NET(st, s)->retract(s, report_id, agency_id, principal_id, now_ms, rid, e);
}

int
store_net_retractions(struct store *st, int64_t after_seq, store_retraction_cb cb, void *ctx)
{
	void *s;
	return NET(st, s)->retractions(s, after_seq, cb, ctx);
}

int
store_net_override_put(struct store *st, const struct override_row *o, struct err *e)
{
	void *s;
	return NET(st, s)->override_put(s, o, e);
}

int
store_net_override_del(struct store *st, const char *key, struct err *e)
{
	void *s;
	return NET(st, s)->override_del(s, key, e);
}

int
store_net_overrides(struct store *st, store_override_cb cb, void *ctx)
{
	void *s;
	return NET(st, s)->overrides(s, cb, ctx);
}

int
store_net_wl_put(struct store *st, const char *name, const char *body, const char *principal_id,
    int64_t now_ms, struct err *e)
{
	void *s;
	return NET(st, s)->wl_put(s, name, body, principal_id, now_ms, e);
}

int
store_net_wl_list(struct store *st, store_wl_cb cb, void *ctx)
{
	void *s;
	return NET(st, s)->wl_list(s, cb, ctx);
}

int
store_net_watch_put(struct store *st, const struct watch_row *w, struct err *e)
{
	void *s;
	return NET(st, s)->watch_put(s, w, e);
}

int
store_net_watch_del(struct store *st, const char *id, const char *principal_id, struct err *e)
{
	void *s;
	return NET(st, s)->watch_del(s, id, principal_id, e);
}

int
store_net_watches(struct store *st, store_watch_cb cb, void *ctx)
{
	void *s;
	return NET(st, s)->watches(s, cb, ctx);
}

int
store_net_webhook_put(struct store *st, const struct webhook_row *w, struct err *e)
{
	void *s;
	return NET(st, s)->webhook_put(s, w, e);
}

int
store_net_webhook_del(struct store *st, const char *id, const char *agency_id, struct err *e)
{
	void *s;
	return NET(st, s)->webhook_del(s, id, agency_id, e);
}

int
store_net_webhooks(struct store *st, store_webhook_cb cb, void *ctx)
{
	void *s;
	return NET(st, s)->webhooks(s, cb, ctx);
}

int
store_net_webhook_cursor(struct store *st, const char *id, int64_t cursor, struct err *e)
{
	void *s;
	return NET(st, s)->webhook_cursor(s, id, cursor, e);
}

int
store_net_dead_put(struct store *st, const struct dead_row *d, struct err *e)
{
	void *s;
	return NET(st, s)->dead_put(s, d, e);
}

int
store_net_dead_list(struct store *st, const char *agency_id, int64_t limit, store_dead_cb cb, void *ctx)
{
	void *s;
	return NET(st, s)->dead_list(s, agency_id, limit, cb, ctx);
}

int
store_net_alerts_last(struct store *st, const char *agency_id, const char *principal_id, int64_t *seq)
{
	void *s;
	return NET(st, s)->alerts_last(s, agency_id, principal_id, seq);
}

int
store_net_snap_head(struct store *st, struct net_snap_head *h)
{
	void *s;
	return NET(st, s)->snap_head(s, h);
}

int
store_net_snap_part_put(struct store *st, int64_t gen, int part, const void *data, size_t len, struct err *e)
{
	void *s;
	return NET(st, s)->snap_part_put(s, gen, part, data, len, e);
}

int
store_net_snap_parts(struct store *st, int64_t gen, int (*cb)(void *, int, const void *, size_t), void *ctx)
{
	void *s;
	return NET(st, s)->snap_parts(s, gen, cb, ctx);
}

int
store_net_snap_commit(struct store *st, const struct net_snap_head *h, struct err *e)
{
	void *s;
	return NET(st, s)->snap_commit(s, h, e);
}

int
store_net_xrecords_last(struct store *st, int64_t *rid)
{
	void *s;
	return NET(st, s)->xrecords_last(s, rid);
}

int
store_net_dead_redrive(struct store *st, const char *agency_id, const char *id, struct err *e)
{
	void *s;
	return NET(st, s)->dead_redrive(s, agency_id, id, e);
}

int
store_net_dead_pending(struct store *st, store_dead_cb cb, void *ctx)
{
	void *s;
	return NET(st, s)->dead_pending(s, cb, ctx);
}

int
store_net_dead_settle(struct store *st, const char *id, const char *error, struct err *e)
{
	void *s;
	return NET(st, s)->dead_settle(s, id, error, e);
}
