// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of tools/lib/export.c: bucket bounds, percentiles, metrics. */
#include <math.h>
#include <stdlib.h>
#include "assert.h"
#include "rows.h"
#include "export.h"

#define ASSERT_NEAR(got, want, name)						\
	CHECK(fabs((got) - (want)) < 1e-6, name, "expected %.6f, got %.6f",	\
	      (double)(want), (double)(got))

static const struct hs_scale log2s = { .kind = HS_HIST_LOG2 };
static const struct hs_scale lins = { .kind = HS_HIST_LINEAR, .min = 100, .step = 50 };

static void test_bounds(void)
{
	__u64 lo, hi;

	hs_bucket_bounds(&log2s, 0, &lo, &hi);
	ASSERT_EQ(lo == 0 && hi == 2, 1, "log2 bucket 0 is [0, 2)");
	hs_bucket_bounds(&log2s, 1, &lo, &hi);
	ASSERT_EQ(lo == 2 && hi == 4, 1, "log2 bucket 1 is [2, 4)");
	hs_bucket_bounds(&log2s, 10, &lo, &hi);
	ASSERT_EQ(lo == 1024 && hi == 2048, 1, "log2 bucket 10 is [1024, 2048)");
	hs_bucket_bounds(&log2s, HS_HIST_SLOTS - 1, &lo, &hi);
	ASSERT_EQ(lo == 1ull << 31 && hi == HS_OPEN_BOUND, 1, "log2 last bucket is open");
	hs_bucket_bounds(&lins, 0, &lo, &hi);
	ASSERT_EQ(lo == 0 && hi == 100, 1, "linear bucket 0 is below MIN");
	hs_bucket_bounds(&lins, 1, &lo, &hi);
	ASSERT_EQ(lo == 100 && hi == 150, 1, "linear bucket 1 is [MIN, MIN+STEP)");
	hs_bucket_bounds(&lins, 30, &lo, &hi);
	ASSERT_EQ(lo == 1550 && hi == 1600, 1, "linear bucket 30 is [MIN+29 STEP, MIN+30 STEP)");
	hs_bucket_bounds(&lins, HS_HIST_SLOTS - 1, &lo, &hi);
	ASSERT_EQ(lo == 1600 && hi == HS_OPEN_BOUND, 1, "linear last bucket from MIN+30 STEP on");
}

static void test_percentiles(void)
{
	struct hs_hist h = {};

	ASSERT_NEAR(hs_percentile(&log2s, &h, 50), 0, "no latency: percentile 0");
	h.slots[3] = 10;	/* [8, 16) */
	h.timed = 10;
	ASSERT_NEAR(hs_percentile(&log2s, &h, 50), 12, "p50 interpolated in the middle of [8, 16)");
	ASSERT_NEAR(hs_percentile(&log2s, &h, 100), 16, "p100 at the bucket's upper bound");
	ASSERT_NEAR(hs_percentile(&log2s, &h, 10), 8.8, "p10 a tenth into the bucket");

	memset(&h, 0, sizeof(h));
	h.slots[1] = 1;		/* [2, 4) */
	h.slots[4] = 3;		/* [16, 32) */
	h.timed = 4;
	ASSERT_NEAR(hs_percentile(&log2s, &h, 25), 4, "p25: the whole first bucket");
	ASSERT_NEAR(hs_percentile(&log2s, &h, 50), 16 + 16.0 / 3, "p50: one third into the second");
	ASSERT_NEAR(hs_percentile(&log2s, &h, 99), 16 + 16 * 2.96 / 3, "p99");

	memset(&h, 0, sizeof(h));
	h.slots[HS_HIST_SLOTS - 1] = 2;
	h.timed = 2;
	ASSERT_NEAR(hs_percentile(&log2s, &h, 99), (double)(1ull << 31),
		    "open bucket: its lower bound");

	memset(&h, 0, sizeof(h));
	h.slots[0] = 4;		/* below 100 ns */
	h.slots[2] = 4;		/* [150, 200) */
	h.timed = 8;
	ASSERT_NEAR(hs_percentile(&lins, &h, 75), 175, "linear p75 halfway into [150, 200)");
	ASSERT_NEAR(hs_percentile(&lins, &h, 25), 50, "linear p25 in the bucket below MIN");
}

static void test_fmt(void)
{
	char b[16];

	hs_fmt_ns(850, b, sizeof(b));
	ASSERT_STREQ(b, "850ns", "format ns");
	hs_fmt_ns(12345, b, sizeof(b));
	ASSERT_STREQ(b, "12.3us", "format us");
	hs_fmt_ns(4.56e6, b, sizeof(b));
	ASSERT_STREQ(b, "4.56ms", "format ms");
	hs_fmt_ns(1.23e9, b, sizeof(b));
	ASSERT_STREQ(b, "1.23s", "format s");
}

static char *text;

static const char *metrics_agg(const struct hs_series *v, size_t n,
			       const struct hs_scale *s, __u64 drops, unsigned agg, int om)
{
	size_t len;
	FILE *f;

	free(text);
	text = NULL;
	f = open_memstream(&text, &len);
	hs_write_metrics(f, v, n, s, drops, agg, om);
	fclose(f);
	return text;
}

static const char *metrics(const struct hs_series *v, size_t n, const struct hs_scale *s,
			   __u64 drops, int om)
{
	return metrics_agg(v, n, s, drops, 0, om);
}

static int count_lines(const char *s, const char *prefix)
{
	int n = 0;

	for (const char *p = s; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		n += !strncmp(p, prefix, strlen(prefix));
	return n;
}

#define LABELS "{vm=\"42\",vcpu=\"0\",kind=\"pio\",request=\"pio-out\",arg=\"port=0x500\",path=\"userspace\""

static void test_metrics(void)
{
	static const struct hs_scale off = { .kind = HS_HIST_OFF };
	struct hs_series v[2] = {
		{ .key = { .pid = 42, .vcpu = 0, .kind = HS_KIND_PIO, .path = HS_PATH_USERSPACE,
			   .code = HS_DIR_WRITE, .arg = 0x500 }, .count = 7 },
		{ .key = { .pid = 42, .vcpu = HS_VCPU_UNKNOWN, .kind = HS_KIND_EXIT,
			   .path = HS_PATH_USERSPACE, .code = 5 }, .count = -1 },
	};
	struct hs_hist h = {};
	const char *t;

	ASSERT_STREQ(metrics(v, 2, &off, 3, 0),
		"# TYPE hcallscope_requests_total counter\n"
		"# HELP hcallscope_requests_total Guest requests completed, by VM, vCPU, request and path.\n"
		"hcallscope_requests_total" LABELS "} 7\n"
		"hcallscope_requests_total{vm=\"42\",vcpu=\"unknown\",kind=\"exit\",request=\"exit:HLT\",arg=\"\",path=\"userspace\"} 0\n"
		"# TYPE hcallscope_dropped_events_total counter\n"
		"# HELP hcallscope_dropped_events_total Events not counted because a map was full.\n"
		"hcallscope_dropped_events_total 3\n",
		"text format: counters (a negative one as 0), unknown vCPU, drops");

	t = metrics(v, 0, &off, 0, 1);
	ASSERT_STREQ(t,
		"# TYPE hcallscope_requests counter\n"
		"# HELP hcallscope_requests Guest requests completed, by VM, vCPU, request and path.\n"
		"# TYPE hcallscope_dropped_events counter\n"
		"# HELP hcallscope_dropped_events Events not counted because a map was full.\n"
		"hcallscope_dropped_events_total 0\n"
		"# EOF\n",
		"OpenMetrics, no series: families without _total, # EOF");

	h.slots[3] = 2;		/* [8, 16) ns */
	h.slots[5] = 1;		/* [32, 64) ns */
	h.timed = 3;
	h.sum_ns = 60;
	v[0].lat = &h;
	t = metrics(v, 1, &log2s, 0, 1);
	ASSERT_EQ(count_lines(t, "hcallscope_request_latency_seconds_bucket" LABELS), HS_HIST_SLOTS,
		  "histogram: 31 bounded buckets and +Inf");
	CHECK(strstr(t, "hcallscope_request_latency_seconds_bucket" LABELS ",le=\"7e-09\"} 0\n") &&
	      strstr(t, "hcallscope_request_latency_seconds_bucket" LABELS ",le=\"1.5e-08\"} 2\n") &&
	      strstr(t, "hcallscope_request_latency_seconds_bucket" LABELS ",le=\"3.1e-08\"} 2\n") &&
	      strstr(t, "hcallscope_request_latency_seconds_bucket" LABELS ",le=\"6.3e-08\"} 3\n"),
	      "histogram: cumulative buckets, le = upper bound - 1 ns in s", "%s", t);
	CHECK(strstr(t, "hcallscope_request_latency_seconds_bucket" LABELS ",le=\"+Inf\"} 3\n"
		     "hcallscope_request_latency_seconds_count" LABELS "} 3\n"
		     "hcallscope_request_latency_seconds_sum" LABELS "} 0.000000060\n"),
	      "histogram: +Inf, count and sum", "%s", t);
	CHECK(strstr(t, "# TYPE hcallscope_request_latency_seconds histogram\n"
		     "# HELP hcallscope_request_latency_seconds Time to complete a request on its path.\n"
		     "# UNIT hcallscope_request_latency_seconds seconds\n"),
	      "histogram family with its unit (OpenMetrics)", "%s", t);
	ASSERT_EQ(count_lines(metrics(v, 1, &log2s, 0, 0), "# UNIT"), 0, "no # UNIT in the text format");
	h.timed = 0;
	ASSERT_EQ(count_lines(metrics(v, 1, &log2s, 0, 1), "hcallscope_request_latency_seconds_"), 0,
		  "an untimed series has no histogram");
}

/* --aggregate: the summed-away labels are left out, the rest keep their order */
static void test_metrics_aggregated(void)
{
	struct hs_series v = { .key = { .kind = HS_KIND_PIO, .path = HS_PATH_KERNEL,
					.code = HS_DIR_WRITE, .arg = 0x501 }, .count = 9 };
	struct hs_hist h = { .timed = 1, .sum_ns = 5 };
	const char *t;

	h.slots[2] = 1;
	ASSERT_EQ(count_lines(metrics_agg(&v, 1, &log2s, 0, HS_AGG_VM | HS_AGG_VCPU, 0),
			      "hcallscope_requests_total{kind=\"pio\",request=\"pio-out\","
			      "arg=\"port=0x501\",path=\"kernel\"} 9"), 1,
		  "vm and vcpu aggregated: no vm or vcpu label");
	v.lat = &h;
	t = metrics_agg(&v, 1, &log2s, 0, HS_AGG_VM | HS_AGG_VCPU | HS_AGG_ARG, 1);
	ASSERT_EQ(count_lines(t, "hcallscope_requests_total{kind=\"pio\",request=\"pio-out\","
				 "path=\"kernel\"} 9"), 1, "all three aggregated: no vm, vcpu, arg");
	ASSERT_EQ(count_lines(t, "hcallscope_request_latency_seconds_bucket{kind=\"pio\","
				 "request=\"pio-out\",path=\"kernel\",le="), HS_HIST_SLOTS,
		  "histogram series without the aggregated labels");
	CHECK(!strstr(t, "vm=") && !strstr(t, "vcpu=") && !strstr(t, "arg="),
	      "no aggregated label anywhere", "%s", t);
	ASSERT_EQ(count_lines(metrics_agg(&v, 1, &log2s, 0, HS_AGG_ARG, 0),
			      "hcallscope_requests_total{vm=\"0\",vcpu=\"0\",kind=\"pio\","
			      "request=\"pio-out\",path=\"kernel\"} 9"), 1,
		  "arg aggregated only: vm and vcpu kept");
}

int main(void)
{
	test_bounds();
	test_percentiles();
	test_fmt();
	test_metrics();
	test_metrics_aggregated();
	free(text);
	return hs_failed ? 1 : 0;
}
