/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Snapshots of the counters as rows (key, count, latencies) and the
 * difference of two: pure logic, no maps, unit-tested.
 */
#ifndef HS_ROWS_H
#define HS_ROWS_H

#include <stddef.h>
#include <linux/types.h>
#include "hcallscope.h"

struct hs_row {
	struct hs_key key;
	__s64 count;	/* total, or delta in an interval */
	struct hs_hist lat;	/* latencies (id unused), when histograms are on */
};

struct hs_snapshot {
	struct hs_row *rows;
	size_t n, cap;
	__u64 drops, hist_drops;
};

/* a zeroed row at the end; NULL when out of memory */
struct hs_row *hs_new_row(struct hs_snapshot *s);
void hs_free_snapshot(struct hs_snapshot *s);

int hs_cmp_key(const void *a, const void *b);
/* by count, descending; ties by key */
int hs_cmp_count(const void *a, const void *b);

/*
 * Rows of cur minus prev (both sorted by key) into out (room for cur->n):
 * the rows whose count or latency count changed.  Returns how many.
 */
size_t hs_diff(const struct hs_snapshot *cur, const struct hs_snapshot *prev,
	       struct hs_row *out);

/*
 * --aggregate: labels summed away, so that a dashboard of many VMs gets
 * few series.  The fields of an aggregated label are zeroed in the key
 * (the outputs leave the label out) and rows left equal are merged.
 */
#define HS_AGG_LIST(X) X(VM, "vm") X(VCPU, "vcpu") X(ARG, "arg")
#define HS_AGG_BIT(sym, name) HS_AGG_##sym##_SHIFT,
enum { HS_AGG_LIST(HS_AGG_BIT) HS_AGG_NR };
#undef HS_AGG_BIT
#define HS_AGG_VM	(1u << HS_AGG_VM_SHIFT)
#define HS_AGG_VCPU	(1u << HS_AGG_VCPU_SHIFT)
#define HS_AGG_ARG	(1u << HS_AGG_ARG_SHIFT)

/* "vm", "vcpu", "arg" for bit i < HS_AGG_NR */
const char *hs_agg_name(int i);
/* "vcpu,arg" etc. to a mask; -1 for an unknown or empty label */
int hs_parse_agg(const char *list);
/* Sum the rows of s (any order) over the labels in agg; s sorted by key after. */
void hs_aggregate(struct hs_snapshot *s, unsigned agg);

#endif
