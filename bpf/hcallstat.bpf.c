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

#include "counting.bpf.h"
#if defined(__TARGET_ARCH_x86)
#include "x86.bpf.h"
#elif defined(__TARGET_ARCH_powerpc)
#include "power-host.bpf.h"
#include "power-guest.bpf.h"
#endif

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

	if (!want_task(&key, &t, false))
		return 0;
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

HS_PROGS(kvm_userspace_exit, __u32 reason COMMA int err,
	 on_userspace_exit(reason, err))

char LICENSE[] SEC("license") = "Dual BSD/GPL";
