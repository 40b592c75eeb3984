// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Reading the counters: one row per key with its count (summed over CPUs)
 * and latencies.  Only map file descriptors and the caller's snapshot are
 * touched, and errors are returned, never fatal: the HTTP thread reads
 * with the same code as the main loop, each into a snapshot of its own.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "hcallstat.h"
#include "hcallstat.skel.h"

void hs_maps_of_skel(struct hs_maps *m)
{
	m->slots = bpf_map__fd(skel->maps.slots);
	m->counts = bpf_map__fd(skel->maps.counts);
	m->hists = bpf_map__fd(skel->maps.hists);
	m->stats = bpf_map__fd(skel->maps.stats);
#if defined(__powerpc64__)
	m->realmode = bpf_map__fd(skel->maps.realmode);
#else
	m->realmode = -1;
#endif
	m->hists_max = bpf_map__max_entries(skel->maps.hists);
	m->hist = env.hist;
	m->scale.kind = env.hist;
	m->scale.min = env.lin_min;
	m->scale.step = env.lin_step;
	m->vcpu = env.vcpu;
	m->agg = env.aggregate;
}

static __u64 sum_percpu(int fd, const void *key, __u64 *vals, int ncpu)
{
	__u64 sum = 0;

	if (bpf_map_lookup_elem(fd, key, vals))
		return 0;
	for (int c = 0; c < ncpu; c++)
		sum += vals[c];	/* wraps: per-CPU moves may be negative */
	return sum;
}

/* Real-mode rows from the per-vCPU counters (kernels with kernel-patch/). */
static int read_realmode(const struct hs_maps *m, struct hs_snapshot *s)
{
	/* the order of struct hs_rm_counts, kernel-patch/'s counters */
	static const __u32 opcode[HS_RM_MAX] = {
		[HS_RM_PUT_TCE] = HS_H_PUT_TCE,
		[HS_RM_PUT_TCE_INDIRECT] = HS_H_PUT_TCE_INDIRECT,
		[HS_RM_STUFF_TCE] = HS_H_STUFF_TCE,
	};
	struct hs_vcpu_key key, next, *prev = NULL;
	struct hs_rm_counts c;

	if (m->realmode < 0)
		return 0;
	while (!bpf_map_get_next_key(m->realmode, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(m->realmode, &key, &c) ||
		    (m->vcpu != HS_VCPU_UNKNOWN && key.vcpu != m->vcpu))
			continue;
		for (int i = 0; i < HS_RM_MAX; i++) {
			struct hs_row *r;

			if (c.last[i] == c.first[i])
				continue;
			r = hs_new_row(s);
			if (!r)
				return -ENOMEM;
			r->key.pid = key.pid;
			r->key.vcpu = key.vcpu;
			r->key.kind = HS_KIND_HCALL;
			r->key.path = HS_PATH_REALMODE;
			r->key.code = opcode[i];
			r->count = c.last[i] - c.first[i];
		}
	}
	return 0;
}

int read_snapshot(const struct hs_maps *m, struct hs_snapshot *s)
{
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals = ncpu > 0 ? calloc(ncpu, sizeof(__u64)) : NULL;
	struct hs_key key, next, *prev = NULL;
	__u32 idx = HS_STAT_DROPS, slot;
	struct hs_row *r;
	int err = 0;

	if (!vals)
		return -ENOMEM;
	s->n = 0;
	while (!bpf_map_get_next_key(m->slots, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(m->slots, &key, &slot))
			continue;
		r = hs_new_row(s);
		if (!r) {
			err = -ENOMEM;
			goto out;
		}
		r->key = key;
		r->count = (__s64)sum_percpu(m->counts, &slot, vals, ncpu);
		if (m->hist && slot < m->hists_max)
			bpf_map_lookup_elem(m->hists, &slot, &r->lat);
	}
	s->drops = sum_percpu(m->stats, &idx, vals, ncpu);
	idx = HS_STAT_HIST_DROPS;
	s->hist_drops = sum_percpu(m->stats, &idx, vals, ncpu);
	err = read_realmode(m, s);
	hs_aggregate(s, m->agg);	/* sorts by key, as hs_diff needs */
out:
	free(vals);
	return err;
}
