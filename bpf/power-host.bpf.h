/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * POWER host (book3s HV): hcalls per path - virtual mode, userspace, and
 * real mode from kernel-patch/'s per-vCPU counters.
 */
#ifndef HS_POWER_HOST_BPF_H
#define HS_POWER_HOST_BPF_H

/*
 * book3s HV: kvm_hcall_enter/exit bracket the virtual-mode handling of a
 * hcall that real mode did not complete.  The path is decided at exit
 * from ret & RESUME_FLAG_HOST; GPR3 (hcall_rc) still holds the opcode on
 * a userspace exit, so it cannot tell.
 */
/* kernel-patch/'s per-vCPU real-mode counters; absent on other kernels */
struct kvm_vcpu_stat___hs {
	__u64 h_put_tce_realmode;
	__u64 h_put_tce_indirect_realmode;
	__u64 h_stuff_tce_realmode;
} __attribute__((preserve_access_index));

struct kvm_vcpu___hs {
	struct kvm_vcpu_stat___hs stat;
} __attribute__((preserve_access_index));

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct hs_vcpu_key);
	__type(value, struct hs_rm_counts);
} realmode SEC(".maps");

/*
 * Snapshot the real-mode counters at guest entry and exit.  The first
 * snapshot of a vCPU is its baseline: taken at its first entry for a vCPU
 * started while tracing (exact), at its next exit for one already running
 * (hits before that exit are missed).
 */
static __always_inline int snapshot_realmode(struct kvm_vcpu *vcpu)
{
	struct kvm_vcpu___hs *v = (void *)vcpu;
	struct hs_vcpu_key key;
	struct hs_rm_counts *c, init = {};
	__u64 now[HS_RM_MAX];

	if (!vcpu || !bpf_core_field_exists(v->stat.h_put_tce_realmode))
		return 0;
	if (!traced(&key.pid))
		return 0;
	key.vcpu = BPF_CORE_READ(vcpu, vcpu_id);
	now[HS_RM_PUT_TCE] = BPF_CORE_READ(v, stat.h_put_tce_realmode);
	now[HS_RM_PUT_TCE_INDIRECT] = BPF_CORE_READ(v, stat.h_put_tce_indirect_realmode);
	now[HS_RM_STUFF_TCE] = BPF_CORE_READ(v, stat.h_stuff_tce_realmode);
	c = bpf_map_lookup_elem(&realmode, &key);
	if (!c) {
		__builtin_memcpy(init.first, now, sizeof(now));
		__builtin_memcpy(init.last, now, sizeof(now));
		bpf_map_update_elem(&realmode, &key, &init, BPF_NOEXIST);
		return 0;
	}
	__builtin_memcpy(c->last, now, sizeof(now));
	return 0;
}

static __always_inline int on_hcall_enter(struct kvm_vcpu *vcpu)
{
	struct hs_key key = {};
	struct hs_task *t;
	__u64 op;

	if (!vcpu || !want(&key))
		return 0;
	key.vcpu = BPF_CORE_READ(vcpu, vcpu_id);
	if (vcpu_filtered(key.vcpu))
		return 0;
	op = BPF_CORE_READ(vcpu, arch.regs.gpr[3]);
	key.kind = HS_KIND_HCALL;
	key.code = op;
	if (hs_hcall_flags(op) & HS_HCALL_LIOBN)	/* the LIOBN is in r4 (PAPR) */
		key.arg = BPF_CORE_READ(vcpu, arch.regs.gpr[4]);

	t = task_state(true);
	if (!t)
		return 0;
	t->vcpu = key.vcpu;
	t->pending = key;
	t->has_pending = 1;
	if (hist_scale)
		t->lat_start = bpf_ktime_get_ns();
	return 0;
}

/*
 * A userspace round trip ends when the vCPU enters the guest again; on
 * POWER8 the thread that enters a virtual core may be another vCPU's, so
 * the running round trip is kept per vCPU.
 */
struct hs_lat {
	__u64 start;
	__s32 slot;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct hs_vcpu_key);
	__type(value, struct hs_lat);
} user_trips SEC(".maps");

static __always_inline int on_hcall_exit(int ret)
{
	struct hs_vcpu_key vk;
	struct hs_lat lat;
	struct hs_task *t;
	struct hs_key key;
	__u64 now;
	int slot;

	t = task_state(false);
	if (!t || !t->has_pending)
		return 0;
	key = t->pending;
	t->has_pending = 0;
	key.path = (ret & HS_RESUME_FLAG_HOST) ? HS_PATH_USERSPACE :
						 HS_PATH_VIRTMODE;
	slot = add(t, &key, 1);
	if (!hist_scale || !t->lat_start)
		return 0;
	now = bpf_ktime_get_ns();
	if (key.path == HS_PATH_VIRTMODE) {
		observe(slot, now - t->lat_start);
	} else {
		vk.pid = key.pid;
		vk.vcpu = key.vcpu;
		lat.start = now;
		lat.slot = slot;
		bpf_map_update_elem(&user_trips, &vk, &lat, BPF_ANY);
	}
	t->lat_start = 0;
	return 0;
}

static __always_inline int on_guest_enter(struct kvm_vcpu *vcpu)
{
	struct hs_vcpu_key vk;
	struct hs_lat *lat;

	snapshot_realmode(vcpu);
	if (!vcpu || !hist_scale)
		return 0;
	if (!current_tgid(&vk.pid))
		return 0;
	vk.vcpu = BPF_CORE_READ(vcpu, vcpu_id);
	lat = bpf_map_lookup_elem(&user_trips, &vk);
	if (lat && lat->start) {
		observe(lat->slot, bpf_ktime_get_ns() - lat->start);
		lat->start = 0;
	}
	return 0;
}

static __always_inline __u16 kind_of_exit(__u32 reason)
{
	/* already counted at kvm_hcall_exit */
	return reason == HS_KVM_EXIT_PAPR_HCALL ? HS_KIND_HCALL : HS_KIND_NONE;
}

/*
 * Each handler checks vcpu for NULL first: since 6.12 (and its stable
 * updates) the verifier takes a tracepoint's pointer arguments as possibly
 * NULL and refuses a tp_btf program that reads through one unchecked.
 */
HS_PROGS(kvm_hcall_enter, struct kvm_vcpu *vcpu, on_hcall_enter(vcpu))
HS_PROGS(kvm_guest_enter, struct kvm_vcpu *vcpu, on_guest_enter(vcpu))
HS_PROGS(kvm_guest_exit, struct kvm_vcpu *vcpu, snapshot_realmode(vcpu))
HS_PROGS(kvm_hcall_exit, struct kvm_vcpu *vcpu COMMA int ret,
	 on_hcall_exit(ret))

#endif /* HS_POWER_HOST_BPF_H */
