/* stats.h - report statistics for the dashboard, through the policy gate. */
#ifndef SIMPUL_STATS_H
#define SIMPUL_STATS_H

#include "core.h"

/* Reports and losses by month (of occurrence, else of filing), by scam
 * type, by victim country and by the filing agency's country, over the
 * newest SIMPUL_STATS_SCAN reports. Only reports the caller may read in
 * full count (policy_decide FULL); losses and victim countries only where
 * the field filter shows them (FIELD_NARRATIVE). Hit-only and hidden
 * records change nothing, and the answer does not say how many reports
 * were read. Audited (stats.reports). */
int node_stats_reports(struct node *n, const struct reqctx *c, json_t **out, struct err *e);

#endif
