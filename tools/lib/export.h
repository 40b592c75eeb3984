/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Latency histograms as the tools read them (bucket bounds, percentile
 * estimates) and the OpenMetrics exposition of counters and histograms.
 */
#ifndef HS_EXPORT_H
#define HS_EXPORT_H

#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "hcallscope.h"

#define HS_OPEN_BOUND UINT64_MAX	/* upper bound of the last bucket */

struct hs_scale {
	int kind;		/* enum hs_hist_scale */
	__u64 min, step;	/* ns, HS_HIST_LINEAR */
};

/* Bucket b holds latencies in [*lo, *hi) ns; *hi may be HS_OPEN_BOUND. */
void hs_bucket_bounds(const struct hs_scale *s, int b, __u64 *lo, __u64 *hi);

/*
 * The p-th percentile (0 < p <= 100), interpolated linearly inside the
 * bucket holding it.  The true value lies in the same bucket, so the error
 * is below that bucket's width (log2: below the estimate itself); in the
 * open last bucket the estimate is its lower bound.
 */
double hs_percentile(const struct hs_scale *s, const struct hs_hist *h, double p);

/* "850ns", "12.3us", "4.56ms", "1.23s" */
void hs_fmt_ns(double ns, char *buf, size_t len);

/* One series: a key, its count and, with histograms on, its latencies. */
struct hs_series {
	struct hs_key key;
	__s64 count;
	const struct hs_hist *lat;	/* NULL: no histogram */
};

/*
 * Metrics: hcallscope_requests_total, and with histograms
 * hcallscope_request_latency_seconds_{bucket,count,sum}, labelled vm,
 * vcpu, kind, request, arg, path (less those in agg, HS_AGG_* of rows.h);
 * then hcallscope_dropped_events_total.
 * Totals since start: counters only grow.  om: OpenMetrics 1.0 text, else
 * the Prometheus text format 0.0.4 (node_exporter's textfile collector).
 */
void hs_write_metrics(FILE *f, const struct hs_series *v, size_t n,
		      const struct hs_scale *s, __u64 drops, unsigned agg, int om);

#endif
