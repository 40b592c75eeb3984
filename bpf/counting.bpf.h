/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Shared by every target of hcallstat.bpf.c: the counters (one per-CPU
 * slot per struct hs_key), the latency histograms, the per-thread state,
 * the filters and the KVM_RUN probe that learns each thread's vCPU.
 */
#ifndef HS_COUNTING_BPF_H
#define HS_COUNTING_BPF_H

#define MAX_KEYS 16384
#define MAX_HIST_KEYS 4096

/* Set by userspace between open and load; 0 = no filter. */
const volatile __u32 targ_tgid = 0;	/* as hcallstat's PID namespace sees it */
const volatile __u32 follow = 0;	/* targ_tgid and every process it starts */
/* hcallstat's PID namespace (/proc/self/ns/pid); ino 0: the initial one */
const volatile __u64 pidns_dev = 0;
const volatile __u64 pidns_ino = 0;
/* offsets of the PIDs in the sched tracepoints' records, from tracefs:
 * the layout changed (comm became __data_loc) and no BTF is needed */
const volatile __u32 fork_child_off = 0;
const volatile __u32 free_pid_off = 0;
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
	__u64 tag;		/* pid_tgid of its thread (the LRU hash's check) */
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
	__u8 traced;		/* the filter's verdict, taken when created */
	__u32 pid;		/* its process as hcallstat sees it (if traced) */
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
 * Following a command (follow): the processes it started, at any depth,
 * by host PID (what the sched tracepoints give); the command itself is
 * targ_tgid.  Threads are added too (a fork cannot tell them apart
 * without BTF): harmless, a thread id is no other process's tgid while it
 * lives, and each entry goes when its task is freed.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, __u8);
} descendants SEC(".maps");

/* The current process's PID as hcallstat sees it; false if it has none
 * there (outside, or in a namespace nested below, hcallstat's) */
static __always_inline bool current_tgid(__u32 *tgid)
{
	/* struct bpf_pidns_info's layout (uapi), without a CO-RE relocation
	 * that a minimized BTF would lack */
	struct { __u32 pid, tgid; } ns;

	if (!pidns_ino) {
		*tgid = bpf_get_current_pid_tgid() >> 32;
		return true;
	}
	if (bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, (void *)&ns, sizeof(ns)))
		return false;
	*tgid = ns.tgid;
	return true;
}

/* The -p / command filter: the current process's PID if it is traced. */
static __always_inline bool traced(__u32 *tgid)
{
	__u32 host;

	if (!current_tgid(tgid))
		return false;
	if (!targ_tgid || *tgid == targ_tgid)
		return true;
	if (!follow)
		return false;
	host = bpf_get_current_pid_tgid() >> 32;
	return bpf_map_lookup_elem(&descendants, &host) != NULL;
}

/* Fills pid; false when the current task is filtered out. */
static __always_inline bool want(struct hs_key *key)
{
	__u32 tgid;

	if (!traced(&tgid))
		return false;
	key->pid = tgid;
	return true;
}

/*
 * Per-thread state.  Its first home is a slot of an array indexed by
 * thread id: an array lookup is inlined, where task storage cost a helper
 * call of ~20 ns per event here.  A thread claims its slot when its state
 * is created and gives it back when it exits (sched_process_exit); a
 * thread whose slot another holds keeps its state in task storage or,
 * where the kernel has no BTF (Debian ppc64el), in an LRU hash keyed by
 * thread id.  use_task_storage is constant at load time, so the verifier
 * drops the unused branch.
 */
#define HS_THREAD_SLOTS 4096
struct hs_thread {
	__u64 owner;		/* pid_tgid of the thread holding it; 0: free */
	struct hs_task t;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, HS_THREAD_SLOTS);
	__type(key, __u32);
	__type(value, struct hs_thread);
} thread_slots SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct hs_task);
} threads SEC(".maps");

/* The other homes; "init" is stored when create is set and none is there */
static __always_inline struct hs_task *task_state_slow(__u64 id, struct hs_task *init)
{
	struct task_struct *task;
	struct hs_task *t;
	__u32 tid = id;

	if (use_task_storage) {
		task = bpf_get_current_task_btf();
		t = bpf_task_storage_get(&tasks, task, 0, 0);
		if (!t && init)
			t = bpf_task_storage_get(&tasks, task, init,
						 BPF_LOCAL_STORAGE_GET_F_CREATE);
		return t;
	}
	t = bpf_map_lookup_elem(&threads, &tid);
	if (t && t->tag == id)
		return t;
	/* none, or a dead thread's whose id was reused */
	if (!init)
		return NULL;
	bpf_map_update_elem(&threads, &tid, init, BPF_ANY);
	t = bpf_map_lookup_elem(&threads, &tid);
	return t && t->tag == id ? t : NULL;
}

/*
 * The thread's state, created with an unknown vCPU and the filter's
 * verdict on first use when "create".
 */
static __always_inline struct hs_task *task_state(bool create)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 i = (__u32)id % HS_THREAD_SLOTS;
	struct hs_thread *s = bpf_map_lookup_elem(&thread_slots, &i);
	struct hs_task *t;

	if (s && s->owner == id)
		return &s->t;
	t = task_state_slow(id, NULL);
	if (t || !create || !id)
		return t;

	struct hs_task init = { .tag = id, .vcpu = HS_VCPU_UNKNOWN };
	__u32 pid = 0;

	init.traced = traced(&pid);
	init.pid = pid;
	if (s && __sync_val_compare_and_swap(&s->owner, 0, id) == 0) {
		s->t = init;
		return &s->t;
	}
	return task_state_slow(id, &init);
}

/*
 * The current thread's state and the filter's verdict on it: key->pid is
 * set and the state (NULL if none could be made) returned in *tp; false
 * when the thread is filtered out.
 */
static __always_inline bool want_task(struct hs_key *key, struct hs_task **tp,
				      bool create)
{
	struct hs_task *t = task_state(create);

	*tp = t;
	if (!t)
		return want(key);
	key->pid = t->pid;
	return t->traced;
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
	__u32 tgid;
	char name[10];
	void *vcpu;

	if (ctx->args[1] != HS_KVM_RUN)
		return 0;
	t = task_state(true);
	if (t ? !t->traced : !traced(&tgid))
		return 0;
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

/*
 * A PID from a sched tracepoint's record at offset off: the record is
 * copied up to it, as a ctx pointer may not be offset (PIDs are 4-byte
 * aligned; so must stack reads be).
 */
#define HS_SCHED_REC 16	/* in PIDs: 64 bytes */
static __always_inline __s32 sched_pid(void *ctx, __u32 off)
{
	__s32 rec[HS_SCHED_REC];

	if (off % sizeof(__s32) || off / sizeof(__s32) >= HS_SCHED_REC ||
	    bpf_probe_read_kernel(rec, off + sizeof(__s32), ctx))
		return 0;
	return rec[off / sizeof(__s32)];
}

/* A traced process starts another: follow it (loaded with follow only). */
SEC("tracepoint/sched/sched_process_fork")
int sched_process_fork(void *ctx)
{
	__u32 tgid, child;
	__u8 yes = 1;

	if (!traced(&tgid))
		return 0;
	child = sched_pid(ctx, fork_child_off);
	/* a process we cannot follow: its events are lost, say so */
	if (child && bpf_map_update_elem(&descendants, &child, &yes, BPF_ANY))
		stat_inc(HS_STAT_DROPS);
	return 0;
}

/* Freed, so its PID may be reused: forget it. */
SEC("tracepoint/sched/sched_process_free")
int sched_process_free(void *ctx)
{
	__u32 pid = sched_pid(ctx, free_pid_off);

	bpf_map_delete_elem(&descendants, &pid);
	return 0;
}

/* A thread ends: its slot is free for another (loaded in host mode). */
SEC("tracepoint/sched/sched_process_exit")
int sched_process_exit(void *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 i = (__u32)id % HS_THREAD_SLOTS;
	struct hs_thread *s = bpf_map_lookup_elem(&thread_slots, &i);

	if (s && id && s->owner == id)
		s->owner = 0;
	return 0;
}

/* tp_btf and raw_tp entry points: same arguments, different attach */
#define HS_PROGS(tp, proto, call)					\
	SEC("tp_btf/" #tp) int BPF_PROG(tp_btf_##tp, proto) { return call; } \
	SEC("raw_tp/" #tp) int BPF_PROG(raw_tp_##tp, proto) { return call; }
#define COMMA ,

#endif /* HS_COUNTING_BPF_H */
