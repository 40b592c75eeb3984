// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hcall-load x86 backend: a 16-bit real-mode guest that loops over port
 * I/O, MMIO, cpuid and vmcall.  Writes to the "kernel" port and MMIO
 * address are claimed by ioeventfds, so KVM completes them without
 * leaving the kernel; the others exit to this VMM.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>
#include "hcall-load.h"

#define GUEST_MEM	0x8000		/* RAM at gpa 0; code at CODE_GPA */
#define CODE_GPA	0x1000
#define PORT_USER	0x500		/* no device: KVM_EXIT_IO */
#define PORT_KERNEL	0x501		/* ioeventfd */
#define MMIO_USER	0x9000		/* outside RAM: KVM_EXIT_MMIO */
#define MMIO_KERNEL	0xa000		/* ioeventfd */
#define HYPERCALL_NR	0x1000		/* unknown to KVM: returns -KVM_ENOSYS */

enum { R_PIO_USER, R_PIO_KERNEL, R_MMIO_USER, R_MMIO_KERNEL, R_CPUID,
       R_HYPERCALL, R_MAX };

static const struct hl_request requests[R_MAX] = {
	[R_PIO_USER] = { "pio-user", "OUT to a port with no device (exit to userspace)",
			 HS_KIND_PIO, HS_PATH_USERSPACE, HS_DIR_WRITE, PORT_USER },
	[R_PIO_KERNEL] = { "pio-kernel", "OUT to a port with an ioeventfd (in kernel)",
			   HS_KIND_PIO, HS_PATH_KERNEL, HS_DIR_WRITE, PORT_KERNEL },
	[R_MMIO_USER] = { "mmio-user", "store outside RAM (exit to userspace)",
			  HS_KIND_MMIO, HS_PATH_USERSPACE, HS_DIR_WRITE, MMIO_USER },
	[R_MMIO_KERNEL] = { "mmio-kernel", "store to an ioeventfd address (in kernel)",
			    HS_KIND_MMIO, HS_PATH_KERNEL, HS_DIR_WRITE, MMIO_KERNEL },
	[R_CPUID] = { "cpuid", "CPUID leaf 0 (in kernel)",
		      HS_KIND_CPUID, HS_PATH_KERNEL, 0, 0 },
	[R_HYPERCALL] = { "hypercall", "VMCALL (hangs where the CPU backend cannot run it)",
			  HS_KIND_HYPERCALL, HS_PATH_KERNEL, HYPERCALL_NR, 0 },
};

static int kvm_fd = -1, vm_fd = -1;
static int efd_pio = -1, efd_mmio = -1;
static uint8_t *guest_mem;
static size_t run_size;

/* Guest code: for each item, "mov esi, N; 1: BODY; dec esi; jnz 1b"; hlt */
static size_t emit_loop(uint8_t *p, const struct hl_item *it)
{
	uint8_t body[16];
	size_t n = 0, len = 0;
	uint32_t count = (uint32_t)it->count;
	uint16_t a16 = (uint16_t)it->req->arg;

	switch (it->req - requests) {
	case R_PIO_USER:
	case R_PIO_KERNEL:
		body[n++] = 0xba;		/* mov dx, imm16 */
		body[n++] = a16 & 0xff;
		body[n++] = a16 >> 8;
		body[n++] = 0xee;		/* out dx, al */
		break;
	case R_MMIO_USER:
	case R_MMIO_KERNEL:
		body[n++] = 0xa2;		/* mov [moffs16], al (DS = 0) */
		body[n++] = a16 & 0xff;
		body[n++] = a16 >> 8;
		break;
	case R_CPUID:
		body[n++] = 0x66; body[n++] = 0x31; body[n++] = 0xc0; /* xor eax, eax */
		body[n++] = 0x0f; body[n++] = 0xa2;		     /* cpuid */
		break;
	case R_HYPERCALL:
		body[n++] = 0x66; body[n++] = 0xb8;		/* mov eax, imm32 */
		memcpy(&body[n], &(uint32_t){ HYPERCALL_NR }, 4); n += 4;
		body[n++] = 0x0f; body[n++] = 0x01; body[n++] = 0xc1; /* vmcall */
		break;
	}
	p[len++] = 0x66; p[len++] = 0xbe;			/* mov esi, imm32 */
	memcpy(&p[len], &count, 4); len += 4;
	memcpy(&p[len], body, n); len += n;
	p[len++] = 0x66; p[len++] = 0x4e;			/* dec esi */
	p[len++] = 0x75; p[len++] = (uint8_t)-(int)(n + 4);	/* jnz body */
	return len;
}

static int add_ioeventfd(uint64_t addr, int pio, char *msg, size_t msglen)
{
	struct kvm_ioeventfd io = { .addr = addr, .len = 1 };
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);

	if (fd < 0) {
		snprintf(msg, msglen, "eventfd: %s", strerror(errno));
		return -errno;
	}
	io.fd = fd;
	io.flags = pio ? KVM_IOEVENTFD_FLAG_PIO : 0;
	if (ioctl(vm_fd, KVM_IOEVENTFD, &io) < 0) {
		snprintf(msg, msglen, "KVM_IOEVENTFD at 0x%llx: %s",
			 (unsigned long long)addr, strerror(errno));
		close(fd);
		return -errno;
	}
	return fd;
}

static int x86_setup(const struct hl_item *mix, unsigned int nr_items,
		     unsigned int nr_vcpus, char *msg, size_t msglen)
{
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = GUEST_MEM,
	};
	size_t off = CODE_GPA;

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0) {
		snprintf(msg, msglen, "cannot open /dev/kvm: %s", strerror(errno));
		return -errno;
	}
	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0) {
		snprintf(msg, msglen, "KVM_CREATE_VM: %s", strerror(errno));
		return -errno;
	}
	guest_mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guest_mem == MAP_FAILED) {
		snprintf(msg, msglen, "mmap: %s", strerror(errno));
		return -errno;
	}
	for (unsigned int i = 0; i < nr_items; i++)
		if (mix[i].count)
			off += emit_loop(guest_mem + off, &mix[i]);
	guest_mem[off++] = 0xf4;				/* hlt */

	region.userspace_addr = (uintptr_t)guest_mem;
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0) {
		snprintf(msg, msglen, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
		return -errno;
	}
	efd_pio = add_ioeventfd(PORT_KERNEL, 1, msg, msglen);
	if (efd_pio < 0)
		return efd_pio;
	efd_mmio = add_ioeventfd(MMIO_KERNEL, 0, msg, msglen);
	if (efd_mmio < 0)
		return efd_mmio;

	run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct kvm_sregs sregs;
		struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 2 };

		hl_vcpu_fds[i] = ioctl(vm_fd, KVM_CREATE_VCPU, i);
		if (hl_vcpu_fds[i] < 0) {
			snprintf(msg, msglen, "KVM_CREATE_VCPU %u: %s", i, strerror(errno));
			return -errno;
		}
		hl_runs[i] = mmap(NULL, run_size, PROT_READ | PROT_WRITE,
			       MAP_SHARED, hl_vcpu_fds[i], 0);
		if (hl_runs[i] == MAP_FAILED) {
			snprintf(msg, msglen, "mmap vcpu %u: %s", i, strerror(errno));
			return -errno;
		}
		if (ioctl(hl_vcpu_fds[i], KVM_GET_SREGS, &sregs) < 0) {
			snprintf(msg, msglen, "KVM_GET_SREGS: %s", strerror(errno));
			return -errno;
		}
		sregs.cs.base = 0;
		sregs.cs.selector = 0;
		sregs.ds.base = 0;
		sregs.ds.selector = 0;
		if (ioctl(hl_vcpu_fds[i], KVM_SET_SREGS, &sregs) < 0 ||
		    ioctl(hl_vcpu_fds[i], KVM_SET_REGS, &regs) < 0) {
			snprintf(msg, msglen, "setting vcpu %u registers: %s", i,
				 strerror(errno));
			return -errno;
		}
	}
	return 0;
}

static enum hl_exit x86_handle_exit(struct kvm_run *run)
{
	switch (run->exit_reason) {
	case KVM_EXIT_HLT:
		return HL_EXIT_DONE;
	case KVM_EXIT_IO:
	case KVM_EXIT_MMIO:
	case KVM_EXIT_HYPERCALL:
		return HL_EXIT_CONTINUE;	/* nothing to emulate */
	}
	return HL_EXIT_UNEXPECTED;
}

/* eventfd counter: the number of in-kernel completions (non-blocking) */
static uint64_t drain(int fd)
{
	uint64_t v = 0;

	if (fd >= 0 && read(fd, &v, sizeof(v)) != sizeof(v))
		v = 0;
	return v;
}

static void x86_report_kernel_side(struct hs_json *j)
{
	hs_json_obj(j, "ioeventfd_signals");
	hs_json_u64(j, "pio", drain(efd_pio));
	hs_json_u64(j, "mmio", drain(efd_mmio));
	hs_json_end(j);
}

/* KVM's exit counters, for the peers tests (tests/t-peers.sh) */
static int exit_stat(const char *name)
{
	static const char *const names[] = {
		"exits", "io_exits", "mmio_exits", "halt_exits", "signal_exits",
		"hypercalls", "insn_emulation",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return 1;
	return 0;
}

static void x86_report_vcpu(unsigned int idx, struct hs_json *j)
{
	hl_report_kvm_stats(idx, exit_stat, j);
}

static void x86_teardown(void)
{
	/* closing the VM fd frees everything KVM holds for it */
	if (vm_fd >= 0)
		close(vm_fd);
	if (kvm_fd >= 0)
		close(kvm_fd);
}

const struct hl_backend hl_backend = {
	.name = "x86",
	.requests = requests,
	.nr_requests = R_MAX,
	.default_mix = "pio-user=1000,pio-kernel=5000,mmio-user=500,mmio-kernel=500,cpuid=2000",
	.setup = x86_setup,
	.handle_exit = x86_handle_exit,
	.report_kernel_side = x86_report_kernel_side,
	.report_vcpu = x86_report_vcpu,
	.teardown = x86_teardown,
};
