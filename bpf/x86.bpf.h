/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * x86 host: port I/O, MMIO, cpuid and hypercalls, each counted on the
 * kernel path when seen and moved to userspace when the exit follows.
 */
#ifndef HS_X86_BPF_H
#define HS_X86_BPF_H

/* A request completed in the kernel unless an exit follows (may_exit). */
static __always_inline int request(__u16 kind, __u32 code, __u64 arg,
				   bool may_exit)
{
	struct hs_key key = {};
	struct hs_task *t;
	int slot;

	if (!want_task(&key, &t, true))
		return 0;
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

/* The vCPU enters the guest again: the running request is complete. */
static __always_inline int on_guest_entry(void)
{
	if (!entry_seen)
		entry_seen = 1;
	lat_end(task_state(false), false);
	return 0;
}

HS_PROGS(kvm_pio, unsigned int rw COMMA unsigned int port,
	 on_pio(rw, port))
HS_PROGS(kvm_mmio, int type COMMA int len COMMA __u64 gpa,
	 on_mmio(type, gpa))
HS_PROGS(kvm_fast_mmio, __u64 gpa, on_fast_mmio(gpa))
HS_PROGS(kvm_cpuid, unsigned int function, on_cpuid(function))
HS_PROGS(kvm_hypercall, unsigned long nr, on_hypercall(nr))
HS_PROGS(kvm_entry, struct kvm_vcpu *vcpu, on_guest_entry())

#endif /* HS_X86_BPF_H */
