// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* JSON lines (schema hcallstat/1, docs/hcallstat-json.md), through the one writer. */
#include <time.h>
#include "hcallstat.h"
#include "json.h"
#include "names.h"

void print_json(const struct hs_row *rows, size_t n, const char *type,
		       double elapsed, const char *probes, __u64 drops)
{
	struct hs_json j;
	__u64 runs, run_ns;
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	hs_json_init(&j, out);
	hs_json_obj(&j, NULL);
	hs_json_str(&j, "schema", SCHEMA);
	hs_json_str(&j, "type", type);
	hs_json_str(&j, "time", when);
	hs_json_double(&j, "elapsed_s", "%.6f", elapsed);
	hs_json_str(&j, "arch", HS_ARCH);
	hs_json_str(&j, "mode", env.mode == MODE_GUEST ? "guest" : "host");
	hs_json_str(&j, "probes", probes);
	hs_json_u64(&j, "drops", drops);
	if (realmode_status)
		hs_json_str(&j, "realmode", realmode_status);
	if (env.aggregate) {
		hs_json_arr(&j, "aggregate");
		for (int i = 0; i < HS_AGG_NR; i++)
			if (env.aggregate & (1u << i))
				hs_json_str(&j, NULL, hs_agg_name(i));
		hs_json_end(&j);
	}
	hs_json_arr(&j, "rows");
	for (size_t i = 0; i < n; i++) {
		const struct hs_key *k = &rows[i].key;
		char req[32];

		hs_request_str(k, req, sizeof(req));
		hs_json_obj(&j, NULL);
		if (!(env.aggregate & HS_AGG_VM))
			hs_json_u64(&j, "vm", k->pid);
		if (env.aggregate & HS_AGG_VCPU)
			;	/* summed away: left out, as in the metrics */
		else if (k->vcpu == HS_VCPU_UNKNOWN)
			hs_json_null(&j, "vcpu");
		else
			hs_json_u64(&j, "vcpu", k->vcpu);
		hs_json_str(&j, "kind", hs_kind_name(k->kind));
		hs_json_str(&j, "request", req);
		hs_json_u64(&j, "code", k->code);
		if (!(env.aggregate & HS_AGG_ARG)) {
			hs_json_u64(&j, "arg", k->arg);
			hs_json_str(&j, "arg_name", hs_arg_name(k));
		}
		hs_json_str(&j, "path", hs_path_name(k->path));
		hs_json_i64(&j, "count", rows[i].count);
		if (env.hist) {
			const struct hs_hist *h = &rows[i].lat;

			hs_json_obj(&j, "latency");
			hs_json_u64(&j, "count", h->timed);
			hs_json_u64(&j, "sum_ns", h->sum_ns);
			hs_json_double(&j, "p50_ns", "%.0f", hs_percentile(scale(), h, 50));
			hs_json_double(&j, "p90_ns", "%.0f", hs_percentile(scale(), h, 90));
			hs_json_double(&j, "p99_ns", "%.0f", hs_percentile(scale(), h, 99));
			hs_json_arr(&j, "buckets");
			for (int b = 0; b < HS_HIST_SLOTS; b++)
				hs_json_u64(&j, NULL, h->slots[b]);
			hs_json_end(&j);
			hs_json_end(&j);
		}
		hs_json_end(&j);
	}
	hs_json_end(&j);
	if (env.hist) {
		__u64 lo, hi;

		hs_json_str(&j, "latency_scale",
			    env.hist == HS_HIST_LINEAR ? "linear" : "log2");
		hs_json_arr(&j, "latency_le_ns");
		for (int b = 0; b < HS_HIST_SLOTS; b++) {
			hs_bucket_bounds(scale(), b, &lo, &hi);
			if (hi == HS_OPEN_BOUND)
				hs_json_null(&j, NULL);
			else
				hs_json_i64(&j, NULL, (long long)hi - 1);
		}
		hs_json_end(&j);
	}
	bpf_run_stats(&runs, &run_ns);
	if (runs) {
		hs_json_obj(&j, "bpf_stats");
		hs_json_u64(&j, "runs", runs);
		hs_json_u64(&j, "run_ns", run_ns);
		hs_json_end(&j);
	}
	hs_json_end(&j);
	fflush(out);
}
