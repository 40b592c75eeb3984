// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The table per interval and for the totals, with percentiles and histograms. */
#include <stdio.h>
#include <string.h>
#include "hcallstat.h"
#include "names.h"

const struct hs_scale *scale(void)
{
	static struct hs_scale sc;

	sc.kind = env.hist;
	sc.min = env.lin_min;
	sc.step = env.lin_step;
	return &sc;
}

/* A key's VM, vCPU and ARG columns; "*" where --aggregate summed it away */
struct cols { char vm[12], vcpu[12], arg[32]; };

static void columns(const struct hs_key *k, struct cols *c)
{
	snprintf(c->vm, sizeof(c->vm), "%u", k->pid);
	snprintf(c->vcpu, sizeof(c->vcpu), "-");
	if (k->vcpu != HS_VCPU_UNKNOWN)
		snprintf(c->vcpu, sizeof(c->vcpu), "%u", k->vcpu);
	hs_arg_str(k, c->arg, sizeof(c->arg));
	if (env.aggregate & HS_AGG_VM)
		snprintf(c->vm, sizeof(c->vm), "*");
	if (env.aggregate & HS_AGG_VCPU)
		snprintf(c->vcpu, sizeof(c->vcpu), "*");
	if (env.aggregate & HS_AGG_ARG)
		snprintf(c->arg, sizeof(c->arg), "*");
}

/* p50/p90/p99 per row that has latencies, estimated from the buckets */
static void print_latency_table(const struct hs_row *rows, size_t n)
{
	char req[32], p[3][16];
	struct cols c;
	int header = 0;

	for (size_t i = 0; i < n; i++) {
		const struct hs_key *k = &rows[i].key;
		static const double pct[3] = { 50, 90, 99 };

		if (!rows[i].lat.timed)
			continue;
		if (!header++)
			fprintf(out, "%-7s %4s %-20s %-12s %8s %7s %7s %7s\n", "VM", "VCPU",
				"LATENCY", "PATH", "COUNT", "P50", "P90", "P99");
		columns(k, &c);
		hs_request_str(k, req, sizeof(req));
		for (int j = 0; j < 3; j++)
			hs_fmt_ns(hs_percentile(scale(), &rows[i].lat, pct[j]), p[j],
				  sizeof(p[j]));
		fprintf(out, "%-7s %4s %-20s %-12s %8llu %7s %7s %7s\n", c.vm, c.vcpu,
			req, hs_path_name(k->path), (unsigned long long)rows[i].lat.timed,
			p[0], p[1], p[2]);
	}
}

/* libbpf-tools style: one histogram per row, for the totals */
void print_histograms(const struct hs_row *rows, size_t n)
{
	char req[32], lo_s[16], hi_s[16], avg[16];
	struct cols c;

	for (size_t i = 0; i < n; i++) {
		const struct hs_hist *h = &rows[i].lat;
		int first = -1, last = -1;
		__u64 max = 0, lo, hi;

		for (int b = 0; b < HS_HIST_SLOTS; b++)
			if (h->slots[b]) {
				if (first < 0)
					first = b;
				last = b;
				if (h->slots[b] > max)
					max = h->slots[b];
			}
		if (first < 0)
			continue;
		hs_request_str(&rows[i].key, req, sizeof(req));
		columns(&rows[i].key, &c);
		hs_fmt_ns((double)h->sum_ns / h->timed, avg, sizeof(avg));
		fprintf(out, "\nVM %s vCPU %s %s %s %s: %llu, avg %s\n", c.vm, c.vcpu, req, c.arg,
			hs_path_name(rows[i].key.path), (unsigned long long)h->timed, avg);
		fprintf(out, "%24s : %-9s %s\n", "latency", "count", "distribution");
		for (int b = first; b <= last; b++) {
			int stars = (int)(h->slots[b] * 40 / max);
			char bar[41];

			hs_bucket_bounds(scale(), b, &lo, &hi);
			hs_fmt_ns((double)lo, lo_s, sizeof(lo_s));
			if (hi == HS_OPEN_BOUND)
				snprintf(hi_s, sizeof(hi_s), "inf");
			else
				hs_fmt_ns((double)hi, hi_s, sizeof(hi_s));
			memset(bar, '*', stars);
			bar[stars] = '\0';
			fprintf(out, "%10s -> %-10s : %-9llu |%-40s|\n", lo_s, hi_s,
				(unsigned long long)h->slots[b], bar);
		}
	}
}

void print_table(const struct hs_row *rows, size_t n, const char *title,
			__u64 drops)
{
	__s64 per_path[HS_PATH_MAX] = {};
	char req[32];
	struct cols c;

	fprintf(out, "%s\n", title);
	fprintf(out, "%-7s %4s %-20s %-18s %-12s %9s\n", "VM", "VCPU", "REQUEST",
		"ARG", "PATH", "COUNT");
	for (size_t i = 0; i < n; i++) {
		const struct hs_key *k = &rows[i].key;

		columns(k, &c);
		hs_request_str(k, req, sizeof(req));
		fprintf(out, "%-7s %4s %-20s %-18s %-12s %9lld\n", c.vm, c.vcpu,
			req, c.arg, hs_path_name(k->path), (long long)rows[i].count);
		if (k->path < HS_PATH_MAX)
			per_path[k->path] += rows[i].count;
	}
	if (!n)
		fprintf(out, "(no requests)\n");
	fprintf(out, "paths:");
	for (int p = 1; p < HS_PATH_MAX; p++)
		if (per_path[p])
			fprintf(out, " %s=%lld", hs_path_name(p), (long long)per_path[p]);
	fprintf(out, "%s\n", n ? "" : " none");
	if (realmode_status && strcmp(realmode_status, "counted"))
		fprintf(out, "real-mode: n/a (kernel without hcallscope's counters)\n");
	if (drops)
		fprintf(out, "WARNING: %llu events not counted (counter map full)\n",
			(unsigned long long)drops);
	if (env.hist)
		print_latency_table(rows, n);
	fprintf(out, "\n");
}
