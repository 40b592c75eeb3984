/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* POWER guest: a pseries guest's own hcalls, from powerpc:hcall_entry/exit. */
#ifndef HS_POWER_GUEST_BPF_H
#define HS_POWER_GUEST_BPF_H

/*
 * Guest mode: the pseries guest's own hcall tracepoints.  Counters are
 * per guest CPU (its vCPU); no thread state is needed.
 */
/*
 * Guest mode: the hcalls each CPU is in.  They nest when an interrupt
 * taken between hcall_entry and the hcall makes one of its own, and
 * entries and exits then come last in, first out.  An exit can go unseen
 * (an hcall in flight while the exit probe was not attached yet or any
 * more), so an exit pops down to the newest frame of its opcode and a
 * full stack starts over: a lost exit costs one latency, not every later
 * one on that CPU.
 */
#define HS_GUEST_NEST 4

struct hs_guest_frame {
	__u64 start;		/* ns */
	__s32 slot;
	__u32 op;
};

struct hs_guest_stack {
	struct hs_guest_frame frame[HS_GUEST_NEST];
	__u32 depth;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hs_guest_stack);
} guest_hcalls SEC(".maps");

/* The guest CPU's key for an hcall; false when -V filters it out */
static __always_inline bool guest_key(struct hs_key *key, __u16 kind, unsigned long op)
{
	key->vcpu = bpf_get_smp_processor_id();
	if (vcpu_filtered(key->vcpu))
		return false;
	key->kind = kind;
	key->path = HS_PATH_GUEST;
	key->code = op;
	return true;
}

static __always_inline int on_guest_hcall_entry(unsigned long op,
						unsigned long *args)
{
	struct hs_key key = {};
	struct hs_guest_stack *st;
	__u32 zero = 0;
	__u64 d;
	int slot;

	if (!guest_key(&key, HS_KIND_HCALL, op))
		return 0;
	if (hs_hcall_flags(op) & HS_HCALL_LIOBN)	/* the LIOBN is in r4 (PAPR) */
		bpf_probe_read_kernel(&key.arg, sizeof(key.arg), &args[0]);
	slot = add(NULL, &key, 1);
	st = hist_scale ? bpf_map_lookup_elem(&guest_hcalls, &zero) : NULL;
	if (st) {
		d = st->depth;
		if (d >= HS_GUEST_NEST) {
			/* frames whose exits were lost, or nesting too deep */
			stat_inc(HS_STAT_HIST_DROPS);
			d = 0;
		}
		barrier_var(d);		/* keep the bound check on the 64-bit index */
		if (d < HS_GUEST_NEST) {
			struct hs_guest_frame *f = &st->frame[d];

			f->slot = slot;
			f->op = op;
			f->start = bpf_ktime_get_ns();
			st->depth = d + 1;
		}
	}
	return 0;
}

static __always_inline int on_guest_hcall_exit(unsigned long op, long ret)
{
	struct hs_key key = {};
	struct hs_guest_stack *st;
	__u32 zero = 0;

	st = hist_scale && !vcpu_filtered(bpf_get_smp_processor_id()) ?
		bpf_map_lookup_elem(&guest_hcalls, &zero) : NULL;
	/* none of its opcode: an hcall that began before the probes were
	 * attached, or whose frame a full stack dropped */
	if (st) {
		for (int i = HS_GUEST_NEST - 1; i >= 0; i--) {
			struct hs_guest_frame *f = &st->frame[i];

			if (i >= st->depth || f->op != op)
				continue;
			observe(f->slot, bpf_ktime_get_ns() - f->start);
			st->depth = i;
			break;
		}
	}

	/* H_ENTER_NESTED returns the L2's exit reason, not an error */
	if (ret >= 0 || op == HS_H_ENTER_NESTED)
		return 0;
	if (!guest_key(&key, HS_KIND_HCALL_ERROR, op))
		return 0;
	key.arg = ret;
	add(NULL, &key, 1);
	return 0;
}

HS_PROGS(hcall_entry, unsigned long op COMMA unsigned long *args,
	 on_guest_hcall_entry(op, args))
HS_PROGS(hcall_exit, unsigned long op COMMA long ret,
	 on_guest_hcall_exit(op, ret))

#endif /* HS_POWER_GUEST_BPF_H */
