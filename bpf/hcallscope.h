/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * Types shared by the BPF programs and the tools that read their maps.
 * One place for request kinds, path names and the KVM exit reasons the
 * probes match on.
 */
#ifndef HCALLSCOPE_H
#define HCALLSCOPE_H

/* What the guest asked for.  X(enum suffix, name used in output) */
#define HS_KIND_LIST(X)			\
	X(HCALL, "hcall")		\
	X(PIO, "pio")			\
	X(MMIO, "mmio")			\
	X(CPUID, "cpuid")		\
	X(HYPERCALL, "hypercall")	\
	X(EXIT, "exit")			\
	X(HCALL_ERROR, "hcall-error")

/*
 * Where the request was completed.  POWER (book3s HV) has three tiers;
 * x86 has the kernel and userspace.
 */
#define HS_PATH_LIST(X)				\
	X(REALMODE, "real-mode")		\
	X(VIRTMODE, "virtual-mode")		\
	X(KERNEL, "kernel")			\
	X(USERSPACE, "userspace")		\
	X(GUEST, "guest")

#define HS_ENUM_KIND(sym, name) HS_KIND_##sym,
#define HS_ENUM_PATH(sym, name) HS_PATH_##sym,
enum hs_kind { HS_KIND_NONE, HS_KIND_LIST(HS_ENUM_KIND) HS_KIND_MAX };
enum hs_path { HS_PATH_NONE, HS_PATH_LIST(HS_ENUM_PATH) HS_PATH_MAX };
#undef HS_ENUM_KIND
#undef HS_ENUM_PATH

/* PAPR hcall opcodes, HS_H_PUT_TCE etc., from the one table */
#define HCALL(name, op, flags) HS_##name = op,
enum hs_hcall {
#include "hcalls.def"
};
#undef HCALL

/* hcalls.def's flag column: TCE hcalls also take a LIOBN */
#define HS_HCALL_LIOBN	1
#define HS_HCALL_TCE	2
#define HS_HCALL_F_0	0
#define HS_HCALL_F_LIOBN HS_HCALL_LIOBN
#define HS_HCALL_F_TCE	(HS_HCALL_LIOBN | HS_HCALL_TCE)

/*
 * The flags of an opcode: a switch over the flagged rows only, so BPF pays
 * a few compares, not one per hcall.
 */
#define HS_HCALL_CASE_0(op, f)
#define HS_HCALL_CASE_LIOBN(op, f) case op: return HS_HCALL_F_##f;
#define HS_HCALL_CASE_TCE(op, f) case op: return HS_HCALL_F_##f;
static inline __attribute__((always_inline)) int hs_hcall_flags(unsigned long long op)
{
	switch (op) {
#define HCALL(name, opcode, flags) HS_HCALL_CASE_##flags(opcode, flags)
#include "hcalls.def"
#undef HCALL
	}
	return 0;
}

/* Direction, stored in hs_key.code for HS_KIND_PIO and HS_KIND_MMIO. */
#define HS_DIR_READ	0
#define HS_DIR_WRITE	1

#define HS_VCPU_UNKNOWN	0xffffffffu

/* include/uapi/linux/kvm.h: the exit reasons the probes pair requests with */
#define HS_KVM_EXIT_IO		2
#define HS_KVM_EXIT_HYPERCALL	3
#define HS_KVM_EXIT_MMIO	6
#define HS_KVM_EXIT_PAPR_HCALL	19

/* arch/powerpc/kvm: RESUME_FLAG_HOST in kvm_hcall_exit's ret */
#define HS_RESUME_FLAG_HOST	2

/* x86 kvm_mmio tracepoint types (KVM_TRACE_MMIO_*) */
#define HS_MMIO_UNSATISFIED_READ 0
#define HS_MMIO_READ		1
#define HS_MMIO_WRITE		2

/*
 * One counter per (VM, vCPU, request, path).
 *   kind HCALL:     code = opcode,     arg = LIOBN (TCE hcalls) or 0
 *   kind PIO/MMIO:  code = HS_DIR_*,   arg = port / guest physical address
 *   kind CPUID:     code = 0,          arg = leaf (eax)
 *   kind HYPERCALL: code = number,     arg = 0
 *   kind EXIT:      code = KVM_EXIT_* reason of an exit no request explains
 *   kind HCALL_ERROR (guest mode): code = opcode, arg = the (negative)
 *                   return code; path GUEST
 * Guest mode (seen from inside a pseries guest, path GUEST): pid = 0,
 * vcpu = the guest CPU that made the hcall.
 */
struct hs_key {
	__u32 pid;	/* the VMM's process (tgid): one VM per VMM */
	__u32 vcpu;	/* vcpu_id or HS_VCPU_UNKNOWN */
	__u16 kind;	/* enum hs_kind */
	__u16 path;	/* enum hs_path */
	__u32 code;
	__u64 arg;
};

/*
 * Real-mode TCE completions fire no event; kernels with kernel-patch/
 * count them per vCPU (struct kvm_vcpu_stat h_*_realmode).  The probes
 * keep, per (VMM, vCPU), the counters when first seen and the latest.
 */
enum hs_rm_hcall { HS_RM_PUT_TCE, HS_RM_PUT_TCE_INDIRECT, HS_RM_STUFF_TCE, HS_RM_MAX };

struct hs_vcpu_key {
	__u32 pid;
	__u32 vcpu;
};

struct hs_rm_counts {
	__u64 first[HS_RM_MAX];
	__u64 last[HS_RM_MAX];
};

/* Index of the per-CPU counters in the "stats" array. */
enum hs_stat {
	HS_STAT_DROPS,		/* counter map full: events not counted */
	HS_STAT_HIST_DROPS,	/* latencies not recorded: histogram map or guest stack full */
	HS_STAT_MAX,
};

/*
 * Latency histograms, one per counter slot (request and path), in the
 * "hists" array; the key is kept in the value so that `bpftool map dump`
 * shows what each histogram is about.
 *   log2:   bucket 0 holds [0, 2) ns, bucket i [2^i, 2^(i+1)) ns, the last
 *           one everything from 2^(HS_HIST_SLOTS-1) ns (2.1 s) on;
 *   linear: bucket 0 holds what is below min, bucket i (1..SLOTS-2)
 *           [min + (i-1)*step, min + i*step), the last one the rest.
 */
#define HS_HIST_SLOTS	32
enum hs_hist_scale { HS_HIST_OFF, HS_HIST_LOG2, HS_HIST_LINEAR };

struct hs_hist {
	struct hs_key id;
	__s64 requests;		/* live mode (--pin) only: the key's count */
	__u64 timed;		/* latencies recorded */
	__u64 sum_ns;
	__u64 slots[HS_HIST_SLOTS];
};

#endif /* HCALLSCOPE_H */
