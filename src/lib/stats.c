/* stats.c - the dashboard's report figures. Each report passes the one
 * gate (policy_decide) before it is counted, so a figure never says more
 * than the caller could read record by record. */
#include <string.h>

#include "core_int.h"
#include "policy.h"
#include "simpul_limits.h"
#include "stats.h"
#include "store.h"

struct agg {
	const struct principal *p;
	json_t *months, *scams, *victims, *agencies;   /* name -> {"reports", "loss":{CUR: n}} */
	int64_t counted, scanned, loss_seen;
};

static void
bump(json_t *map, const char *name, const char *currency, int64_t loss)
{
	json_t *o = json_object_get(map, name), *l;

	if (o == NULL) {
		o = json_pack("{s:I, s:{}}", "reports", (json_int_t)0, "loss");
		json_object_set_new(map, name, o);
	}
	json_object_set_new(o, "reports", json_integer(json_integer_value(json_object_get(o, "reports")) + 1));
	if (currency && *currency && loss > 0) {
		l = json_object_get(o, "loss");
		json_object_set_new(l, currency, json_integer(json_integer_value(json_object_get(l, currency)) + loss));
	}
}

static int
fact_cb(void *ctx, const struct report_fact *f)
{
	struct agg *a = ctx;
	struct record_meta rm = { .agency_id = f->agency_id, .m = f->m };
	unsigned fields;
	char month[8];
	bool narrative;

	a->scanned++;
	if (policy_decide(a->p, &rm, USE_READ) != POLICY_FULL)
		return 0;
	fields = policy_fields(a->p, &rm);
	narrative = (fields & FIELD_NARRATIVE) != 0;
	a->counted++;
	if (strlen(f->occurred_at) >= 7 && f->occurred_at[4] == '-') {
		memcpy(month, f->occurred_at, 7);
		month[7] = '\0';
	} else {
		char iso[32];
		time_iso(f->created_ms, iso);
		memcpy(month, iso, 7);
		month[7] = '\0';
	}
	if (narrative && *f->currency)
		a->loss_seen++;
	bump(a->months, month, narrative ? f->currency : NULL, f->loss);
	bump(a->scams, *f->scam_type ? f->scam_type : "unspecified", narrative ? f->currency : NULL, f->loss);
	if (narrative)
		bump(a->victims, *f->victim_country ? f->victim_country : "unknown", f->currency, f->loss);
	bump(a->agencies, *f->agency_country ? f->agency_country : "unknown", NULL, 0);
	return 0;
}

/* {"name": {...}} into [{"<key>": name, "reports", "loss":[{"currency","amount"}]}],
 * sorted by name (months) or by reports, most first. */
static json_t *
rows(json_t *map, const char *key, bool by_name)
{
	json_t *out = json_array(), *v, *row, *loss, *cur;
	const char *k, *c;
	size_t n, i, j;

	json_object_foreach(map, k, v) {
		loss = json_array();
		json_object_foreach(json_object_get(v, "loss"), c, cur)
			json_array_append_new(loss, json_pack("{s:s, s:O}", "currency", c, "amount", cur));
		row = json_pack("{s:s, s:O, s:o}", key, k, "reports", json_object_get(v, "reports"), "loss", loss);
		json_array_append_new(out, row);
	}
	/* Insertion sort: these lists are short (months, scam types, countries). */
	n = json_array_size(out);
	for (i = 1; i < n; i++) {
		for (j = i; j > 0; j--) {
			json_t *x = json_array_get(out, j - 1), *y = json_array_get(out, j);
			bool swap = by_name
			    ? strcmp(json_string_value(json_object_get(x, key)), json_string_value(json_object_get(y, key))) > 0
			    : json_integer_value(json_object_get(x, "reports")) < json_integer_value(json_object_get(y, "reports"));
			if (!swap)
				break;
			json_incref(x);
			json_array_set(out, j - 1, y);
			json_array_set_new(out, j, x);
		}
	}
	return out;
}

int
node_stats_reports(struct node *n, const struct reqctx *c, json_t **out, struct err *e)
{
	struct agg a = { .p = c->p };
	struct store *st;
	json_t *d;
	int rc;

	*out = NULL;
	if (c->p->role == ROLE_PUBLIC) {
		node_audit_refusal(n, c, "stats.reports", NULL, 403, "the public role reads no records");
		err_set(e, 403, "", "report statistics are for agencies' principals");
		return -1;
	}
	if ((st = node_reader(n, e)) == NULL)
		return -1;
	a.months = json_object();
	a.scams = json_object();
	a.victims = json_object();
	a.agencies = json_object();
	if (store_read_begin(st, e) == -1) {
		rc = -1;
	} else {
		rc = store_report_facts(st, SIMPUL_STATS_SCAN, fact_cb, &a);
		store_read_end(st);
	}
	if (rc == -1) {
		err_set(e, 500, "", "could not read the reports");
		goto out;
	}
	/* Only what the caller may read is in the answer: not how many
	 * reports were scanned (that would count hidden and silent ones). */
	*out = json_pack("{s:I, s:I, s:o, s:o, s:o, s:o}",
	    "reports", (json_int_t)a.counted, "with_loss", (json_int_t)a.loss_seen,
	    "months", rows(a.months, "month", true), "scam_types", rows(a.scams, "scam_type", false),
	    "victim_countries", rows(a.victims, "country", false),
	    "agency_countries", rows(a.agencies, "country", false));
	d = json_pack("{s:I}", "reports", (json_int_t)a.counted);
	rc = node_audit_read(n, c, "stats.reports", NULL, "ok", d, NULL, 0);
	json_decref(d);
	if (rc == -1) {
		json_decref(*out);
		*out = NULL;
		err_set(e, 500, "", "the audit trail could not be written; nothing is returned without it");
	}
out:
	json_decref(a.months);
	json_decref(a.scams);
	json_decref(a.victims);
	json_decref(a.agencies);
	return rc;
}
