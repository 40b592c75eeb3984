// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hcall-load POWER backend (book3s HV): a real-mode, little-endian guest
 * that loops over the TCE hcalls.  LIOBN_KERNEL has an in-kernel TCE table
 * (KVM_CREATE_SPAPR_TCE_64), so KVM completes those hcalls; LIOBN_USER has
 * none and each hcall exits here as KVM_EXIT_PAPR_HCALL, which this VMM
 * answers with H_SUCCESS.  The guest ends with the private HL_H_DONE hcall.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <endian.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>
#include "hcall-load.h"

#define HCALL(name, op) HL_##name = op,
enum {
#include "hcalls.def"
};
#undef HCALL

#define HL_H_DONE	0xf3fc		/* not a PAPR opcode: ends the guest */
#define KVM_VM_PPC_HV	1

#define GUEST_MEM	(64ul << 20)	/* RAM at gpa 0 */
#define CODE_GPA	0x10000
#define TCE_LIST_GPA	0x20000		/* H_PUT_TCE_INDIRECT's list (4K aligned) */
#define DMA_GPA		0x1000000	/* what the TCEs point at */
#define LIOBN_KERNEL	0x80000000u
#define LIOBN_USER	0x80000001u
#define TCE_SHIFT	12
#define WINDOW_PAGES	0x1000		/* 16 MiB DMA window */
#define TCE_RW		3		/* TCE_PCI_READ | TCE_PCI_WRITE */
#define BATCH		8		/* TCEs per STUFF / INDIRECT call */

enum { R_PUT_K, R_INDIRECT_K, R_STUFF_K, R_GET_K, R_PUT_U, R_INDIRECT_U,
       R_STUFF_U, R_MAX };

#define REQ(n, h, op, liobn, path) \
	{ n, h, HS_KIND_HCALL, path, op, liobn }
static const struct hl_request requests[R_MAX] = {
	[R_PUT_K] = REQ("put-tce-kernel", "H_PUT_TCE, LIOBN with an in-kernel table",
			HL_H_PUT_TCE, LIOBN_KERNEL, HS_PATH_VIRTMODE),
	[R_INDIRECT_K] = REQ("put-tce-indirect-kernel", "H_PUT_TCE_INDIRECT (8 TCEs), in-kernel table",
			     HL_H_PUT_TCE_INDIRECT, LIOBN_KERNEL, HS_PATH_VIRTMODE),
	[R_STUFF_K] = REQ("stuff-tce-kernel", "H_STUFF_TCE (8 TCEs), in-kernel table",
			  HL_H_STUFF_TCE, LIOBN_KERNEL, HS_PATH_VIRTMODE),
	[R_GET_K] = REQ("get-tce-kernel", "H_GET_TCE, in-kernel table",
			HL_H_GET_TCE, LIOBN_KERNEL, HS_PATH_VIRTMODE),
	[R_PUT_U] = REQ("put-tce-user", "H_PUT_TCE, LIOBN without a table (to the VMM)",
			HL_H_PUT_TCE, LIOBN_USER, HS_PATH_USERSPACE),
	[R_INDIRECT_U] = REQ("put-tce-indirect-user", "H_PUT_TCE_INDIRECT, to the VMM",
			     HL_H_PUT_TCE_INDIRECT, LIOBN_USER, HS_PATH_USERSPACE),
	[R_STUFF_U] = REQ("stuff-tce-user", "H_STUFF_TCE, to the VMM",
			  HL_H_STUFF_TCE, LIOBN_USER, HS_PATH_USERSPACE),
};

static int kvm_fd = -1, vm_fd = -1, tce_fd = -1;
static uint8_t *guest_mem;

/* ---- a few PowerPC instructions (guest is little-endian) ---- */
#define ADDI(rt, ra, si)  ((14u << 26) | ((rt) << 21) | ((ra) << 16) | ((si) & 0xffff))
#define ORI(ra, rs, ui)   ((24u << 26) | ((rs) << 21) | ((ra) << 16) | ((ui) & 0xffff))
#define ORIS(ra, rs, ui)  ((25u << 26) | ((rs) << 21) | ((ra) << 16) | ((ui) & 0xffff))
#define ANDI(ra, rs, ui)  ((28u << 26) | ((rs) << 21) | ((ra) << 16) | ((ui) & 0xffff))
#define MULLI(rt, ra, si) ((7u << 26) | ((rt) << 21) | ((ra) << 16) | ((si) & 0xffff))
#define CMPDI0(ra, si)    ((11u << 26) | (1u << 21) | ((ra) << 16) | ((si) & 0xffff))
#define BNE(disp)         ((16u << 26) | (4u << 21) | (2u << 16) | ((disp) & 0xfffc))
#define SC1               0x44000022u

static size_t emit(uint32_t *p, size_t n, uint32_t insn)
{
	p[n] = insn;
	return n + 1;
}

/* r = v (32-bit, zero-extended) */
static size_t load32(uint32_t *p, size_t n, unsigned int r, uint32_t v)
{
	n = emit(p, n, ADDI(r, 0, 0));
	n = emit(p, n, ORIS(r, r, v >> 16));
	return emit(p, n, ORI(r, r, v & 0xffff));
}

/*
 * for (r20 = count; r20; r20--) { r3 = hcall(op, liobn, ioba, ...); }
 * ioba walks the window so the calls touch different TCEs.
 */
static size_t emit_loop(uint32_t *p, size_t n, const struct hl_item *it)
{
	const struct hl_request *r = it->req;
	size_t top;

	n = load32(p, n, 20, (uint32_t)it->count);
	top = n;
	n = load32(p, n, 3, r->code);
	n = load32(p, n, 4, (uint32_t)r->arg);
	if (r->code == HL_H_PUT_TCE || r->code == HL_H_GET_TCE) {
		n = emit(p, n, ANDI(5, 20, 0xff));		/* ioba = (r20 & 0xff) << 12 */
		n = emit(p, n, MULLI(5, 5, 1 << TCE_SHIFT));
		n = load32(p, n, 6, DMA_GPA | TCE_RW);
	} else {
		n = emit(p, n, ANDI(5, 20, 0x1f));		/* ioba = (r20 & 31) * 8 pages */
		n = emit(p, n, MULLI(5, 5, BATCH));
		n = emit(p, n, MULLI(5, 5, 1 << TCE_SHIFT));
		if (r->code == HL_H_STUFF_TCE)
			n = emit(p, n, ADDI(6, 0, 0));		/* clear */
		else
			n = load32(p, n, 6, TCE_LIST_GPA);
		n = emit(p, n, ADDI(7, 0, BATCH));
	}
	n = emit(p, n, SC1);
	n = emit(p, n, ADDI(20, 20, -1));
	n = emit(p, n, CMPDI0(20, 0));
	return emit(p, n, BNE((int)(top - n) * 4));
}

static int fail(char *msg, size_t len, const char *what)
{
	int e = errno;

	snprintf(msg, len, "%s: %s", what, strerror(e));
	return -e;
}

static int enable_hcall(uint64_t op)
{
	struct kvm_enable_cap cap = { .cap = KVM_CAP_PPC_ENABLE_HCALL,
				      .args = { op, 1 } };

	return ioctl(vm_fd, KVM_ENABLE_CAP, &cap);
}

static int power_setup(const struct hl_item *mix, unsigned int nr_items,
		       unsigned int nr_vcpus, char *msg, size_t msglen)
{
	struct kvm_create_spapr_tce_64 tce = {
		.liobn = LIOBN_KERNEL, .page_shift = TCE_SHIFT,
		.offset = 0, .size = WINDOW_PAGES,
	};
	struct kvm_userspace_memory_region region = {
		.slot = 0, .guest_phys_addr = 0, .memory_size = GUEST_MEM,
	};
	uint32_t *code;
	uint64_t *list;
	size_t n = 0;

	kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		return fail(msg, msglen, "cannot open /dev/kvm (is kvm-hv loaded?)");
	vm_fd = ioctl(kvm_fd, KVM_CREATE_VM, KVM_VM_PPC_HV);
	if (vm_fd < 0)
		return fail(msg, msglen, "KVM_CREATE_VM (HV)");
	/* a nested (radix-only) hypervisor needs the guest to be radix */
	if (ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_PPC_MMU_RADIX) > 0 &&
	    ioctl(vm_fd, KVM_CHECK_EXTENSION, KVM_CAP_PPC_MMU_HASH_V3) <= 0) {
		struct kvm_ppc_mmuv3_cfg cfg = { .flags = KVM_PPC_MMUV3_RADIX,
						 .process_table = 1ull << 63 }; /* PATB_GR */

		if (ioctl(vm_fd, KVM_PPC_CONFIGURE_V3_MMU, &cfg) < 0)
			return fail(msg, msglen, "KVM_PPC_CONFIGURE_V3_MMU");
	}
	guest_mem = mmap(NULL, GUEST_MEM, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (guest_mem == MAP_FAILED)
		return fail(msg, msglen, "mmap");

	code = (uint32_t *)(guest_mem + CODE_GPA);
	for (unsigned int i = 0; i < nr_items; i++)
		if (mix[i].count)
			n = emit_loop(code, n, &mix[i]);
	n = load32(code, n, 3, HL_H_DONE);
	n = emit(code, n, SC1);
	n = emit(code, n, 0x48000000);			/* b . */
	list = (uint64_t *)(guest_mem + TCE_LIST_GPA);	/* PAPR: big-endian */
	for (unsigned int i = 0; i < BATCH; i++)
		list[i] = htobe64((DMA_GPA + ((uint64_t)i << TCE_SHIFT)) | TCE_RW);

	region.userspace_addr = (uintptr_t)guest_mem;
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail(msg, msglen, "KVM_SET_USER_MEMORY_REGION");
	tce_fd = ioctl(vm_fd, KVM_CREATE_SPAPR_TCE_64, &tce);
	if (tce_fd < 0)
		return fail(msg, msglen, "KVM_CREATE_SPAPR_TCE_64");
	if (enable_hcall(HL_H_PUT_TCE) || enable_hcall(HL_H_GET_TCE) ||
	    enable_hcall(HL_H_PUT_TCE_INDIRECT) || enable_hcall(HL_H_STUFF_TCE))
		return fail(msg, msglen, "KVM_CAP_PPC_ENABLE_HCALL");

	for (unsigned int i = 0; i < nr_vcpus; i++) {
		struct kvm_enable_cap papr = { .cap = KVM_CAP_PPC_PAPR };
		struct kvm_regs regs;
		size_t run_size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);

		hl_vcpu_fds[i] = ioctl(vm_fd, KVM_CREATE_VCPU, i);
		if (hl_vcpu_fds[i] < 0)
			return fail(msg, msglen, "KVM_CREATE_VCPU");
		/* without PAPR mode KVM_RUN fails with EINVAL */
		if (ioctl(hl_vcpu_fds[i], KVM_ENABLE_CAP, &papr) < 0)
			return fail(msg, msglen, "KVM_CAP_PPC_PAPR");
		hl_runs[i] = mmap(NULL, run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
			       hl_vcpu_fds[i], 0);
		if (hl_runs[i] == MAP_FAILED)
			return fail(msg, msglen, "mmap kvm_run");
		if (ioctl(hl_vcpu_fds[i], KVM_GET_REGS, &regs) < 0)
			return fail(msg, msglen, "KVM_GET_REGS");
		regs.pc = CODE_GPA;
		regs.msr = 0x8000000000001001ull;	/* SF | ME | LE, MMU off */
		if (ioctl(hl_vcpu_fds[i], KVM_SET_REGS, &regs) < 0)
			return fail(msg, msglen, "KVM_SET_REGS");
	}
	return 0;
}

static enum hl_exit power_handle_exit(struct kvm_run *run)
{
	if (run->exit_reason != KVM_EXIT_PAPR_HCALL)
		return HL_EXIT_UNEXPECTED;
	if (run->papr_hcall.nr == HL_H_DONE)
		return HL_EXIT_DONE;
	run->papr_hcall.ret = 0;	/* H_SUCCESS */
	return HL_EXIT_CONTINUE;
}

/* TCEs set in the in-kernel table, read back through the table's fd */
static void power_report_kernel_side(FILE *out)
{
	size_t len = WINDOW_PAGES * sizeof(uint64_t);
	uint64_t *tbl, set = 0;

	tbl = mmap(NULL, len, PROT_READ, MAP_SHARED, tce_fd, 0);
	if (tbl != MAP_FAILED) {
		for (size_t i = 0; i < WINDOW_PAGES; i++)
			set += tbl[i] != 0;
		munmap(tbl, len);
	}
	fprintf(out, "\"tce_table\":{\"liobn\":%u,\"entries_set\":%llu}",
		LIOBN_KERNEL, (unsigned long long)set);
}

/*
 * The vCPU's TCE path counters from KVM_GET_STATS_FD: "h_*tce*" stats exist
 * on kernels with hcallscope's patch; elsewhere the object is empty.
 */
static void power_report_vcpu(unsigned int idx, FILE *out)
{
	struct kvm_stats_header h;
	size_t dsz;
	char *descs = NULL;
	int fd, first = 1;

	fprintf(out, ",\"kvm_stats\":{");
	fd = ioctl(hl_vcpu_fds[idx], KVM_GET_STATS_FD, NULL);
	if (fd < 0 || pread(fd, &h, sizeof(h), 0) != sizeof(h))
		goto out;
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = malloc(dsz * h.num_desc);
	if (!descs || pread(fd, descs, dsz * h.num_desc, h.desc_offset) !=
	    (ssize_t)(dsz * h.num_desc))
		goto out;
	for (unsigned int i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * dsz);
		uint64_t v;

		if (strncmp(d->name, "h_", 2) || !strstr(d->name, "tce") ||
		    pread(fd, &v, sizeof(v), h.data_offset + d->offset) != sizeof(v))
			continue;
		fprintf(out, "%s\"%s\":%llu", first ? "" : ",", d->name,
			(unsigned long long)v);
		first = 0;
	}
out:
	fprintf(out, "}");
	free(descs);
	if (fd >= 0)
		close(fd);
}

static void power_teardown(void)
{
	if (tce_fd >= 0)
		close(tce_fd);
	if (vm_fd >= 0)
		close(vm_fd);
	if (kvm_fd >= 0)
		close(kvm_fd);
}

const struct hl_backend hl_backend = {
	.name = "power",
	.requests = requests,
	.nr_requests = R_MAX,
	.default_mix = "put-tce-kernel=1000,put-tce-indirect-kernel=200,stuff-tce-kernel=300,"
		       "put-tce-user=100,stuff-tce-user=50",
	.setup = power_setup,
	.handle_exit = power_handle_exit,
	.report_kernel_side = power_report_kernel_side,
	.report_vcpu = power_report_vcpu,
	.teardown = power_teardown,
};
