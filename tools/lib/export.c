// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <string.h>
#include "export.h"
#include "names.h"
#include "rows.h"

void hs_bucket_bounds(const struct hs_scale *s, int b, __u64 *lo, __u64 *hi)
{
	if (s->kind == HS_HIST_LINEAR) {
		*lo = b == 0 ? 0 : s->min + (b - 1) * s->step;
		*hi = b == HS_HIST_SLOTS - 1 ? HS_OPEN_BOUND : s->min + b * s->step;
	} else {
		*lo = b == 0 ? 0 : 1ull << b;
		*hi = b == HS_HIST_SLOTS - 1 ? HS_OPEN_BOUND : 1ull << (b + 1);
	}
}

double hs_percentile(const struct hs_scale *s, const struct hs_hist *h, double p)
{
	double rank = p / 100.0 * (double)h->timed, seen = 0;
	__u64 lo, hi;

	if (!h->timed)
		return 0;
	for (int b = 0; b < HS_HIST_SLOTS; b++) {
		double c = (double)h->slots[b];

		if (c > 0 && seen + c >= rank) {
			hs_bucket_bounds(s, b, &lo, &hi);
			if (hi == HS_OPEN_BOUND)
				return (double)lo;
			return lo + (double)(hi - lo) * (rank - seen) / c;
		}
		seen += c;
	}
	return 0;
}

void hs_fmt_ns(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3gus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3gms", ns / 1e6);
	else
		snprintf(buf, len, "%.3gs", ns / 1e9);
}

/*
 * label values are ours (numbers, names from hcalls.def): nothing to
 * escape; the labels in agg (HS_AGG_*) are left out
 */
static void labels(char *buf, size_t len, const struct hs_key *k, unsigned agg)
{
	char req[32], a[32], arg[48] = "", vm[24] = "", vcpu[24] = "";

	hs_request_str(k, req, sizeof(req));
	hs_arg_str(k, a, sizeof(a));
	if (!(agg & HS_AGG_VM))
		snprintf(vm, sizeof(vm), "vm=\"%u\",", k->pid);
	if (!(agg & HS_AGG_VCPU) && k->vcpu == HS_VCPU_UNKNOWN)
		snprintf(vcpu, sizeof(vcpu), "vcpu=\"unknown\",");
	else if (!(agg & HS_AGG_VCPU))
		snprintf(vcpu, sizeof(vcpu), "vcpu=\"%u\",", k->vcpu);
	if (!(agg & HS_AGG_ARG))
		snprintf(arg, sizeof(arg), "arg=\"%s\",", a);
	snprintf(buf, len, "%s%skind=\"%s\",request=\"%s\",%spath=\"%s\"", vm, vcpu,
		 hs_kind_name(k->kind), req, arg, hs_path_name(k->path));
}

/*
 * Counter families are named without "_total" in OpenMetrics and with it
 * in the Prometheus text format; the rest is common to both.
 */
static void family(FILE *f, const char *name, const char *type, const char *help,
		   int om)
{
	const char *sfx = om || strcmp(type, "counter") ? "" : "_total";

	fprintf(f, "# TYPE %s%s %s\n# HELP %s%s %s\n", name, sfx, type, name, sfx, help);
}

void hs_write_metrics(FILE *f, const struct hs_series *v, size_t n,
		      const struct hs_scale *s, __u64 drops, unsigned agg, int om)
{
	family(f, "hcallscope_requests", "counter",
	       "Guest requests completed, by VM, vCPU, request and path.", om);
	char l[256];

	for (size_t i = 0; i < n; i++) {
		labels(l, sizeof(l), &v[i].key, agg);
		fprintf(f, "hcallscope_requests_total{%s} %lld\n", l,
			v[i].count > 0 ? (long long)v[i].count : 0);
	}
	if (s->kind != HS_HIST_OFF) {
		family(f, "hcallscope_request_latency_seconds", "histogram",
		       "Time to complete a request on its path.", om);
		if (om)
			fprintf(f, "# UNIT hcallscope_request_latency_seconds seconds\n");
		for (size_t i = 0; i < n; i++) {
			const struct hs_hist *h = v[i].lat;
			__u64 cum = 0, lo, hi;

			if (!h || !h->timed)
				continue;
			labels(l, sizeof(l), &v[i].key, agg);
			for (int b = 0; b < HS_HIST_SLOTS; b++) {
				hs_bucket_bounds(s, b, &lo, &hi);
				cum += h->slots[b];
				if (hi == HS_OPEN_BOUND || hi <= lo)
					continue;	/* +Inf below; empty range */
				/* integer ns: [lo, hi) is <= hi - 1 ns */
				fprintf(f, "hcallscope_request_latency_seconds_bucket{%s,le=\"%.9g\"} %llu\n",
					l, (double)(hi - 1) / 1e9, (unsigned long long)cum);
			}
			fprintf(f, "hcallscope_request_latency_seconds_bucket{%s,le=\"+Inf\"} %llu\n",
				l, (unsigned long long)h->timed);
			fprintf(f, "hcallscope_request_latency_seconds_count{%s} %llu\n", l,
				(unsigned long long)h->timed);
			fprintf(f, "hcallscope_request_latency_seconds_sum{%s} %.9f\n", l,
				(double)h->sum_ns / 1e9);
		}
	}
	family(f, "hcallscope_dropped_events", "counter",
	       "Events not counted because a map was full.", om);
	fprintf(f, "hcallscope_dropped_events_total %llu\n", (unsigned long long)drops);
	if (om)
		fprintf(f, "# EOF\n");
}
