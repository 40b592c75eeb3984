// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hcallstat: count guest-to-host requests per VM, vCPU, request and path.
 *
 * Every program comes twice: tp_btf (fast, needs kernel BTF) and raw_tp
 * (kernels without BTF, e.g. Debian ppc64el 6.1, with CO-RE relocations
 * taken from a BTF file).  Userspace picks one set with autoload.
 *
 * Counting is exact and lossless (drops are counted): one per-CPU counter
 * per struct hs_key, cumulative; userspace computes interval deltas.
 * With hist_scale set, each completion's latency also goes to a histogram
 * of its key:
 *   POWER host: virtual mode from kvm_hcall_enter to kvm_hcall_exit; the
 *     userspace round trip from kvm_hcall_exit to the vCPU's next
 *     kvm_guest_enter;
 *   x86: in-kernel paths from the request's tracepoint to the next
 *     kvm_entry (where the KVM backend fires it); the userspace round trip
 *     from kvm_userspace_exit to the VMM's next KVM_RUN;
 *   pseries guest: from hcall_entry to hcall_exit.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "hcallscope.h"

#define MAX_KEYS 16384
#define MAX_HIST_KEYS 4096

/* Set by userspace between open and load; 0 = no filter. */
const volatile __u32 targ_tgid = 0;
const volatile __u32 targ_vcpu = HS_VCPU_UNKNOWN;
const volatile __u32 use_task_storage = 1;	/* 0: kernel has no BTF */
const volatile __u32 hist_scale = HS_HIST_OFF;	/* enum hs_hist_scale */
const volatile __u64 lin_min_ns = 0;
const volatile __u64 lin_step_ns = 1000;
const volatile __u32 live_counts = 0;	/* also count in "hists" (bpftool view) */

/*
 * Counters live in a per-CPU array; "slots" maps each key to its index.
 * A hash lookup per event cost ~55 ns here, so each thread caches the
 * slots of its last keys and most events touch only the array.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_KEYS);
	__type(key, struct hs_key);
	__type(value, __u32);
} slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, MAX_KEYS);
	__type(key, __u32);
	__type(value, __u64);
} counts SEC(".maps");

__u32 next_slot = 0;
/* x86: kvm_entry has fired (some KVM backends never fire it); until it
 * does, in-kernel requests are not timed, as nothing would end them */
__u32 entry_seen = 0;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, HS_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

/* shared, not per-CPU: one vCPU thread feeds each, atomics are uncontended */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_HIST_KEYS);
	__type(key, __u32);
	__type(value, struct hs_hist);
} hists SEC(".maps");

/*
 * Per vCPU thread: the last request that may still leave for userspace.
 * Such a request is counted on the in-kernel path when it is seen and
 * moved to the userspace path if the matching exit follows, so totals are
 * exact at every instant and nothing waits for a later event to settle.
 */
struct hs_task {
	struct hs_key pending;
	struct hs_key cached[2];	/* last keys and their slots */
	__u32 cached_slot[2];
	__u32 vcpu;		/* last vcpu_id seen on this thread */
	__u32 run_fd;		/* fd + 1 of the vCPU it came from */
	__s32 lat_slot;		/* the request whose latency is running */
	__u64 lat_start;	/* ns; 0: none running */
	__u8 lat_user;		/* it is a userspace round trip */
	__u8 has_pending;
	__u8 mmio_read_exited;	/* x86: next kvm_mmio READ completes it */
	__u8 cache_next;
	__u8 cache_valid;	/* bit i: cached[i] is set */
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct hs_task);
} tasks SEC(".maps");

static __always_inline bool key_eq(const struct hs_key *a, const struct hs_key *b)
{
	const __u64 *x = (const void *)a, *y = (const void *)b;

	return x[0] == y[0] && x[1] == y[1] && x[2] == y[2];
}

/* The key's counter index, allocated on first use; -1 when full. */
static __always_inline int slot_of(const struct hs_key *key)
{
	__u32 *s = bpf_map_lookup_elem(&slots, key);
	__u32 slot;

	if (s)
		return *s;
	struct hs_hist *h;

	slot = __sync_fetch_and_add(&next_slot, 1);
	if (slot >= MAX_KEYS)
		return -1;
	/* name the histogram before the slot can be found */
	h = bpf_map_lookup_elem(&hists, &slot);
	if (h)
		h->id = *key;
	if (bpf_map_update_elem(&slots, key, &slot, BPF_NOEXIST)) {
		/* another CPU inserted it first: use its slot */
		s = bpf_map_lookup_elem(&slots, key);
		return s ? *s : -1;
	}
	return slot;
}

static __always_inline void stat_inc(__u32 idx)
{
	__u64 *val = bpf_map_lookup_elem(&stats, &idx);

	if (val)
		*val += 1;
}

static __always_inline __u32 log2_bucket(__u64 v)
{
	__u32 r = 0, shift;

	shift = (v > 0xffffffff) << 5; v >>= shift; r |= shift;
	shift = (v > 0xffff) << 4; v >>= shift; r |= shift;
	shift = (v > 0xff) << 3; v >>= shift; r |= shift;
	shift = (v > 0xf) << 2; v >>= shift; r |= shift;
	shift = (v > 0x3) << 1; v >>= shift; r |= shift;
	r |= (v >> 1);
	return r;
}

/* One latency for the histogram of counter slot "slot". */
static __always_inline void observe(int slot, __u64 ns)
{
	struct hs_hist *h;
	__u32 idx = slot, b;

	if (slot < 0 || slot >= MAX_HIST_KEYS) {
		stat_inc(HS_STAT_HIST_DROPS);
		return;
	}
	h = bpf_map_lookup_elem(&hists, &idx);
	if (!h)
		return;
	if (hist_scale == HS_HIST_LINEAR)
		b = ns < lin_min_ns ? 0 : 1 + (ns - lin_min_ns) / lin_step_ns;
	else
		b = log2_bucket(ns);
	if (b >= HS_HIST_SLOTS)
		b = HS_HIST_SLOTS - 1;
	__sync_fetch_and_add(&h->timed, 1);
	__sync_fetch_and_add(&h->sum_ns, ns);
	__sync_fetch_and_add(&h->slots[b], 1);
}

/* Adds delta to the key's counter; returns its slot, -1 if none. */
static __always_inline int add(struct hs_task *t, const struct hs_key *key,
			       __s64 delta)
{
	__u64 *val;
	__u32 idx;
	int slot = -1;

	if (t && (t->cache_valid & 1) && key_eq(&t->cached[0], key))
		slot = t->cached_slot[0];
	else if (t && (t->cache_valid & 2) && key_eq(&t->cached[1], key))
		slot = t->cached_slot[1];
	if (slot < 0) {
		slot = slot_of(key);
		if (slot < 0) {
			stat_inc(HS_STAT_DROPS);
			return -1;
		}
		if (t) {
			int i = t->cache_next & 1;

			t->cached[i] = *key;
			t->cached_slot[i] = slot;
			t->cache_valid |= 1 << i;
			t->cache_next++;
		}
	}
	idx = slot;
	if (live_counts && slot < MAX_HIST_KEYS) {
		struct hs_hist *h = bpf_map_lookup_elem(&hists, &idx);

		if (h)
			__sync_fetch_and_add(&h->requests, delta);
	}
	val = bpf_map_lookup_elem(&counts, &idx);
	/* per-CPU, no atomics; a move may decrement another CPU's copy than
	 * the one incremented: the sum over CPUs is still exact */
	if (val)
		*val += delta;
	return slot;
}

/* Start timing the thread's request on counter slot "slot". */
static __always_inline void lat_begin(struct hs_task *t, int slot, bool user)
{
	if (hist_scale && t) {
		t->lat_slot = slot;
		t->lat_user = user;
		t->lat_start = bpf_ktime_get_ns();
	}
}

/* End the thread's running latency if it is of the given kind. */
static __always_inline void lat_end(struct hs_task *t, bool user)
{
	if (t && t->lat_start && t->lat_user == user) {
		observe(t->lat_slot, bpf_ktime_get_ns() - t->lat_start);
		t->lat_start = 0;
	}
}

/*
 * The thread's state, created with an unknown vCPU on first use when
 * "create".  Task storage needs kernel BTF; without it (Debian ppc64el)
 * an LRU hash keyed by thread id does the job.  use_task_storage is
 * constant at load time, so the verifier drops the unused branch.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct hs_task);
} threads SEC(".maps");

static __always_inline struct hs_task *task_state(bool create)
{
	struct hs_task init = { .vcpu = HS_VCPU_UNKNOWN };
	struct task_struct *task;
	struct hs_task *t;
	__u32 tid;

	if (use_task_storage) {
		task = bpf_get_current_task_btf();
		t = bpf_task_storage_get(&tasks, task, 0, 0);
		if (!t && create)
			t = bpf_task_storage_get(&tasks, task, &init,
						 BPF_LOCAL_STORAGE_GET_F_CREATE);
		return t;
	}
	tid = (__u32)bpf_get_current_pid_tgid();
	t = bpf_map_lookup_elem(&threads, &tid);
	if (!t && create) {
		bpf_map_update_elem(&threads, &tid, &init, BPF_NOEXIST);
		t = bpf_map_lookup_elem(&threads, &tid);
	}
	return t;
}

/* Fills pid; false when the current task is filtered out. */
static __always_inline bool want(struct hs_key *key)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (targ_tgid && tgid != targ_tgid)
		return false;
	key->pid = tgid;
	return true;
}

static __always_inline bool vcpu_filtered(__u32 vcpu)
{
	return targ_vcpu != HS_VCPU_UNKNOWN && vcpu != targ_vcpu;
}

/*
 * The vCPU of a thread, learned when it enters KVM_RUN: the x86 request
 * tracepoints carry no vCPU (and KVM's per-CPU running-vCPU variable is
 * not resolvable without CONFIG_KALLSYMS_ALL).  One event per KVM_RUN
 * call, i.e. per userspace exit; in-kernel completions pay nothing.
 */
#define HS_KVM_RUN 0xae80	/* _IO(KVMIO, 0x80) */

SEC("tracepoint/syscalls/sys_enter_ioctl")
int sys_enter_ioctl(struct trace_event_raw_sys_enter *ctx)
{
	struct task_struct *task;
	struct file **fds, *f;
	struct fdtable *fdt;
	struct hs_task *t;
	unsigned long fd = ctx->args[0];
	const char *dname;
	char name[10];
	void *vcpu;

	if (ctx->args[1] != HS_KVM_RUN)
		return 0;
	if (targ_tgid && (bpf_get_current_pid_tgid() >> 32) != targ_tgid)
		return 0;
	t = task_state(true);
	if (hist_scale)
		lat_end(t, true);	/* back from a userspace exit */
	/* a vCPU thread runs the same vCPU fd every time: look it up once */
	if (t && t->vcpu != HS_VCPU_UNKNOWN && t->run_fd == fd + 1)
		return 0;
	task = (struct task_struct *)bpf_get_current_task();
	fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return 0;
	/* only a "kvm-vcpu:N" anon inode has a struct kvm_vcpu behind it */
	dname = (const char *)BPF_CORE_READ(f, f_path.dentry, d_name.name);
	if (bpf_probe_read_kernel(name, sizeof(name), dname) ||
	    __builtin_memcmp(name, "kvm-vcpu:", 9))
		return 0;
	vcpu = BPF_CORE_READ(f, private_data);
	if (t && vcpu) {
		t->vcpu = BPF_CORE_READ((struct kvm_vcpu *)vcpu, vcpu_id);
		t->run_fd = fd + 1;
	}
	return 0;
}

#if defined(__TARGET_ARCH_x86)
/* A request completed in the kernel unless an exit follows (may_exit). */
static __always_inline int request(__u16 kind, __u32 code, __u64 arg,
				   bool may_exit)
{
	struct hs_key key = {};
	struct hs_task *t;
	int slot;

	if (!want(&key))
		return 0;
	t = task_state(true);
	key.vcpu = t ? t->vcpu : HS_VCPU_UNKNOWN;
	if (vcpu_filtered(key.vcpu))
		return 0;
	key.kind = kind;
	key.code = code;
	key.arg = arg;
	key.path = HS_PATH_KERNEL;
	slot = add(t, &key, 1);
	if (entry_seen)
		lat_begin(t, slot, false);

	if (!t)
		return 0;
	t->has_pending = may_exit;
	if (may_exit)
		t->pending = key;
	return 0;
}

static __always_inline int on_pio(unsigned int rw, unsigned int port)
{
	return request(HS_KIND_PIO, rw ? HS_DIR_WRITE : HS_DIR_READ, port,
		       true);
}

static __always_inline int on_mmio(int type, __u64 gpa)
{
	struct hs_task *t;

	if (type == HS_MMIO_READ) {
		/* after an unsatisfied read: the completion, not a request */
		t = task_state(true);
		if (t && t->mmio_read_exited) {
			t->mmio_read_exited = 0;
			return 0;
		}
	}
	return request(HS_KIND_MMIO,
		       type == HS_MMIO_WRITE ? HS_DIR_WRITE : HS_DIR_READ, gpa,
		       true);
}

static __always_inline int on_fast_mmio(__u64 gpa)
{
	/* the ioeventfd fast path: done in the kernel, never an exit */
	return request(HS_KIND_MMIO, HS_DIR_WRITE, gpa, false);
}

static __always_inline int on_cpuid(unsigned int function)
{
	return request(HS_KIND_CPUID, 0, function, false);
}

static __always_inline int on_hypercall(unsigned long nr)
{
	return request(HS_KIND_HYPERCALL, nr, 0, true);
}

static __always_inline __u16 kind_of_exit(__u32 reason)
{
	switch (reason) {
	case HS_KVM_EXIT_IO:
		return HS_KIND_PIO;
	case HS_KVM_EXIT_MMIO:
		return HS_KIND_MMIO;
	case HS_KVM_EXIT_HYPERCALL:
		return HS_KIND_HYPERCALL;
	}
	return HS_KIND_NONE;
}
#endif /* __TARGET_ARCH_x86 */

#if defined(__TARGET_ARCH_powerpc)
/* TCE hcalls carry the LIOBN in r4 (PAPR) */
static __always_inline bool is_tce_hcall(__u64 op)
{
	return op == HS_H_PUT_TCE || op == HS_H_PUT_TCE_INDIRECT ||
	       op == HS_H_STUFF_TCE || op == HS_H_GET_TCE;
}

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

	if (!bpf_core_field_exists(v->stat.h_put_tce_realmode))
		return 0;
	key.pid = bpf_get_current_pid_tgid() >> 32;
	if (targ_tgid && key.pid != targ_tgid)
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

	if (!want(&key))
		return 0;
	key.vcpu = BPF_CORE_READ(vcpu, vcpu_id);
	if (vcpu_filtered(key.vcpu))
		return 0;
	op = BPF_CORE_READ(vcpu, arch.regs.gpr[3]);
	key.kind = HS_KIND_HCALL;
	key.code = op;
	if (is_tce_hcall(op))
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
	if (!hist_scale)
		return 0;
	vk.pid = bpf_get_current_pid_tgid() >> 32;
	vk.vcpu = BPF_CORE_READ(vcpu, vcpu_id);
	lat = bpf_map_lookup_elem(&user_trips, &vk);
	if (lat && lat->start) {
		observe(lat->slot, bpf_ktime_get_ns() - lat->start);
		lat->start = 0;
	}
	return 0;
}

/*
 * Guest mode: the pseries guest's own hcall tracepoints.  Counters are
 * per guest CPU (its vCPU); no thread state is needed.
 */
/*
 * Guest mode: the hcalls each CPU is in.  They nest when an interrupt
 * taken between hcall_entry and the hcall makes one of its own, and
 * entries and exits then come last in, first out.
 */
#define HS_GUEST_NEST 4

struct hs_guest_stack {
	struct hs_lat frame[HS_GUEST_NEST];
	__u32 depth;		/* deeper than HS_GUEST_NEST: not timed */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct hs_guest_stack);
} guest_hcalls SEC(".maps");

static __always_inline int on_guest_hcall_entry(unsigned long op,
						unsigned long *args)
{
	struct hs_key key = {};
	struct hs_guest_stack *st;
	__u32 zero = 0;
	__u64 d;
	int slot;

	key.vcpu = bpf_get_smp_processor_id();
	if (vcpu_filtered(key.vcpu))
		return 0;
	key.kind = HS_KIND_HCALL;
	key.path = HS_PATH_GUEST;
	key.code = op;
	if (is_tce_hcall(op))
		bpf_probe_read_kernel(&key.arg, sizeof(key.arg), &args[0]);
	slot = add(NULL, &key, 1);
	st = hist_scale ? bpf_map_lookup_elem(&guest_hcalls, &zero) : NULL;
	if (st) {
		d = st->depth++;
		barrier_var(d);		/* keep the bound check on the 64-bit index */
		if (d < HS_GUEST_NEST) {
			struct hs_lat *f = &st->frame[d];

			f->slot = slot;
			f->start = bpf_ktime_get_ns();
		} else {
			stat_inc(HS_STAT_HIST_DROPS);
		}
	}
	return 0;
}

static __always_inline int on_guest_hcall_exit(unsigned long op, long ret)
{
	struct hs_key key = {};
	struct hs_guest_stack *st;
	__u32 zero = 0;
	__u64 d;

	st = hist_scale && !vcpu_filtered(bpf_get_smp_processor_id()) ?
		bpf_map_lookup_elem(&guest_hcalls, &zero) : NULL;
	/* depth 0: an hcall that began before the probes were attached */
	if (st && st->depth) {
		d = --st->depth;
		barrier_var(d);
		if (d < HS_GUEST_NEST) {
			struct hs_lat *f = &st->frame[d];

			if (f->start)
				observe(f->slot, bpf_ktime_get_ns() - f->start);
			f->start = 0;
		}
	}

	/* H_ENTER_NESTED returns the L2's exit reason, not an error */
	if (ret >= 0 || op == HS_H_ENTER_NESTED)
		return 0;
	key.vcpu = bpf_get_smp_processor_id();
	if (vcpu_filtered(key.vcpu))
		return 0;
	key.kind = HS_KIND_HCALL_ERROR;
	key.path = HS_PATH_GUEST;
	key.code = op;
	key.arg = ret;
	add(NULL, &key, 1);
	return 0;
}

static __always_inline __u16 kind_of_exit(__u32 reason)
{
	/* already counted at kvm_hcall_exit */
	return reason == HS_KVM_EXIT_PAPR_HCALL ? HS_KIND_HCALL : HS_KIND_NONE;
}
#endif /* __TARGET_ARCH_powerpc */

/*
 * kvm_userspace_exit: on x86 moves the pending request to the userspace
 * path; an exit no request explains (HLT, SHUTDOWN, a signal...) is
 * counted as kind EXIT.
 */
static __always_inline int on_userspace_exit(__u32 reason, int err)
{
	struct hs_key key = {};
	struct hs_task *t;
	__u16 kind;

	if (!want(&key))
		return 0;
	t = task_state(false);
	kind = err < 0 ? HS_KIND_NONE : kind_of_exit(reason);
#if defined(__TARGET_ARCH_x86)
	if (t && t->has_pending && kind == t->pending.kind) {
		key = t->pending;
		t->has_pending = 0;
		if (kind == HS_KIND_MMIO && key.code == HS_DIR_READ)
			t->mmio_read_exited = 1;
		add(t, &key, -1);
		key.path = HS_PATH_USERSPACE;
		lat_begin(t, add(t, &key, 1), true);
		return 0;
	}
#endif
	if (kind == HS_KIND_HCALL)
		return 0;
	if (t)
		t->has_pending = 0;
	key.vcpu = t ? t->vcpu : HS_VCPU_UNKNOWN;
	if (vcpu_filtered(key.vcpu))
		return 0;
	key.kind = HS_KIND_EXIT;
	/* negative errno (e.g. -EINTR): report it as a code above 0x10000 */
	key.code = err < 0 ? 0x10000 + (__u32)-err : reason;
	key.path = HS_PATH_USERSPACE;
	lat_begin(t, add(t, &key, 1), true);
	return 0;
}

#if defined(__TARGET_ARCH_x86)
/* The vCPU enters the guest again: the running request is complete. */
static __always_inline int on_guest_entry(void)
{
	if (!entry_seen)
		entry_seen = 1;
	lat_end(task_state(false), false);
	return 0;
}
#endif

/* tp_btf and raw_tp entry points: same arguments, different attach */
#define HS_PROGS(tp, proto, call)					\
	SEC("tp_btf/" #tp) int BPF_PROG(tp_btf_##tp, proto) { return call; } \
	SEC("raw_tp/" #tp) int BPF_PROG(raw_tp_##tp, proto) { return call; }

#define COMMA ,
HS_PROGS(kvm_userspace_exit, __u32 reason COMMA int err,
	 on_userspace_exit(reason, err))

#if defined(__TARGET_ARCH_x86)
HS_PROGS(kvm_pio, unsigned int rw COMMA unsigned int port,
	 on_pio(rw, port))
HS_PROGS(kvm_mmio, int type COMMA int len COMMA __u64 gpa,
	 on_mmio(type, gpa))
HS_PROGS(kvm_fast_mmio, __u64 gpa, on_fast_mmio(gpa))
HS_PROGS(kvm_cpuid, unsigned int function, on_cpuid(function))
HS_PROGS(kvm_hypercall, unsigned long nr, on_hypercall(nr))
HS_PROGS(kvm_entry, struct kvm_vcpu *vcpu, on_guest_entry())
#endif

#if defined(__TARGET_ARCH_powerpc)
HS_PROGS(kvm_hcall_enter, struct kvm_vcpu *vcpu, on_hcall_enter(vcpu))
HS_PROGS(kvm_guest_enter, struct kvm_vcpu *vcpu, on_guest_enter(vcpu))
HS_PROGS(kvm_guest_exit, struct kvm_vcpu *vcpu, snapshot_realmode(vcpu))
HS_PROGS(kvm_hcall_exit, struct kvm_vcpu *vcpu COMMA int ret,
	 on_hcall_exit(ret))
HS_PROGS(hcall_entry, unsigned long op COMMA unsigned long *args,
	 on_guest_hcall_entry(op, args))
HS_PROGS(hcall_exit, unsigned long op COMMA long ret,
	 on_guest_hcall_exit(op, ret))
#endif

char LICENSE[] SEC("license") = "Dual BSD/GPL";
