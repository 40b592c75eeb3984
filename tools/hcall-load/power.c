// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hcall-load POWER backend (book3s HV): a real-mode, little-endian guest
 * that loops over the TCE hcalls.  HL_LIOBN_KERNEL has an in-kernel TCE table
 * (KVM_CREATE_SPAPR_TCE_64), so KVM completes those hcalls; HL_LIOBN_USER has
 * none and each hcall exits here as KVM_EXIT_PAPR_HCALL.  This VMM then
 * does what a VMM such as QEMU does: it carries the hcall out itself, on
 * its own table for HL_LIOBN_USER and on KVM's table (mapped through the
 * table's fd) for HL_LIOBN_KERNEL, with the checks KVM makes, so that return
 * codes and table contents are the same whichever path completed an hcall.
 * The guest records each request's failures and ends with the private
 * HL_H_DONE hcall.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <endian.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <linux/kvm.h>
#include <linux/vfio.h>
#include "hcall-load.h"
#include "fuzz.h"
#include "meddle.h"

#define HL_H_DONE	0xf3fc		/* not a PAPR opcode: ends the guest */
#define KVM_VM_PPC_HV	1

#define GUEST_MEM	(64ul << 20)	/* RAM at gpa 0 */
#define CODE_GPA	0x10000
#define TCE_LIST_GPA	0x20000		/* H_PUT_TCE_INDIRECT's list (4K aligned) */
#define RACE_LIST_GPA	0x21000		/* a full list the VMM rewrites meanwhile */
#define RESULT_GPA	0x30000		/* per vCPU and item: failures, last error */
/* per vCPU: the items' results, then the race's invalid TCEs read back */
#define RESULT_STRIDE	(HL_MAX_ITEMS * 16 + 16)
#define RACE_RESULT	(HL_MAX_ITEMS * 16)
#define DMA_GPA		0x1000000	/* what the TCEs point at */
/* --fuzz: code and return codes per vCPU, the TCE list pages it picks from */
#define FUZZ_CODE_GPA	0x100000
#define FUZZ_CODE_STRIDE 0x40000	/* 19 instructions per call */
#define FUZZ_RC_GPA	0x300000
#define FUZZ_RC_STRIDE	(FUZZ_MAX_CALLS * 16)
#define FUZZ_LISTS_GPA	0x400000
#define TCE_SHIFT	12
#define HUGE_SHIFT	24		/* --hugetlb-offset: 16M pages */
#define HUGE_SLOT	2		/* its memslot (1 is the notifier probe's) */
#define HUGE_MEM	(GUEST_MEM / 2 + (1ul << HUGE_SHIFT))	/* whole huge pages */
#define TCE_RW		3		/* TCE_PCI_READ | TCE_PCI_WRITE */
#define BATCH		8		/* TCEs per STUFF / INDIRECT call */
#define MAX_INDIRECT	512		/* PAPR: TCEs per H_PUT_TCE_INDIRECT */
/*
 * Each vCPU works in a region of its own of the DMA window, 64K TCEs'
 * worth (at least one page of KVM's table whatever the host page size),
 * so that the first use of each table page (which KVM must complete in
 * virtual mode) happens exactly once per vCPU, and the final table
 * contents do not depend on how the vCPUs interleave.
 */
#define REGION_SHIFT	13		/* TCEs per vCPU region: 8192 */
#define H_SUCCESS	0
#define H_PARAMETER	(-4)

enum { R_PUT_K, R_INDIRECT_K, R_STUFF_K, R_GET_K, R_PUT_U, R_INDIRECT_U,
       R_STUFF_U, R_BAD_LIOBN, R_BAD_IOBA, R_BAD_TCE, R_BAD_PERM,
       R_BAD_NPAGES, R_BAD_LIST, R_RACE_INDIRECT, R_STUFF_LARGE, R_STUFF_CHURN,
       R_PUT_CHURN, R_INDIRECT_FULL, R_PUT_SHARED, R_PUT_HIGH, R_MAX };

#define REQ(n, h, op, liobn, path) \
	{ n, h, HS_KIND_HCALL, path, op, liobn }
static const struct hl_request requests[R_MAX] = {
	[R_PUT_K] = REQ("put-tce-kernel", "H_PUT_TCE, LIOBN with an in-kernel table",
			HS_H_PUT_TCE, HL_LIOBN_KERNEL, HS_PATH_VIRTMODE),
	[R_INDIRECT_K] = REQ("put-tce-indirect-kernel", "H_PUT_TCE_INDIRECT (8 TCEs), in-kernel table",
			     HS_H_PUT_TCE_INDIRECT, HL_LIOBN_KERNEL, HS_PATH_VIRTMODE),
	[R_STUFF_K] = REQ("stuff-tce-kernel", "H_STUFF_TCE (8 TCEs), in-kernel table",
			  HS_H_STUFF_TCE, HL_LIOBN_KERNEL, HS_PATH_VIRTMODE),
	[R_GET_K] = REQ("get-tce-kernel", "H_GET_TCE, in-kernel table",
			HS_H_GET_TCE, HL_LIOBN_KERNEL, HS_PATH_VIRTMODE),
	[R_PUT_U] = REQ("put-tce-user", "H_PUT_TCE, LIOBN without a table (to the VMM)",
			HS_H_PUT_TCE, HL_LIOBN_USER, HS_PATH_USERSPACE),
	[R_INDIRECT_U] = REQ("put-tce-indirect-user", "H_PUT_TCE_INDIRECT, to the VMM",
			     HS_H_PUT_TCE_INDIRECT, HL_LIOBN_USER, HS_PATH_USERSPACE),
	[R_STUFF_U] = REQ("stuff-tce-user", "H_STUFF_TCE, to the VMM",
			  HS_H_STUFF_TCE, HL_LIOBN_USER, HS_PATH_USERSPACE),
	/* bad arguments: H_PARAMETER on every path */
	[R_BAD_LIOBN] = REQ("put-tce-bad-liobn", "H_PUT_TCE, unknown LIOBN (the VMM refuses it)",
			    HS_H_PUT_TCE, HL_LIOBN_NONE, HS_PATH_USERSPACE),
	[R_BAD_IOBA] = REQ("put-tce-bad-ioba", "H_PUT_TCE, ioba past the DMA window",
			   HS_H_PUT_TCE, HL_LIOBN_KERNEL, HS_PATH_VIRTMODE),
	[R_BAD_TCE] = REQ("put-tce-bad-tce", "H_PUT_TCE, misaligned TCE (KVM leaves it to the VMM)",
			  HS_H_PUT_TCE, HL_LIOBN_KERNEL, HS_PATH_USERSPACE),
	[R_BAD_PERM] = REQ("stuff-tce-bad-perm", "H_STUFF_TCE with read/write permission bits",
			   HS_H_STUFF_TCE, HL_LIOBN_KERNEL, HS_PATH_VIRTMODE),
	[R_BAD_NPAGES] = REQ("put-tce-indirect-bad-npages", "H_PUT_TCE_INDIRECT of 513 TCEs",
			     HS_H_PUT_TCE_INDIRECT, HL_LIOBN_KERNEL, HS_PATH_VIRTMODE),
	[R_BAD_LIST] = REQ("put-tce-indirect-bad-list", "H_PUT_TCE_INDIRECT, list not 4K aligned",
			   HS_H_PUT_TCE_INDIRECT, HL_LIOBN_KERNEL, HS_PATH_VIRTMODE),
	/* hostile: H_SUCCESS or H_PARAMETER, on whatever path */
	[R_RACE_INDIRECT] = REQ("put-tce-indirect-race",
				"H_PUT_TCE_INDIRECT of 512 TCEs while a VMM thread keeps "
				"making entries misaligned and aligned again",
				HS_H_PUT_TCE_INDIRECT, HL_LIOBN_KERNEL, HS_PATH_VIRTMODE),
	/* more work than real mode takes at once (kernel-patch 0009) */
	[R_STUFF_LARGE] = REQ("stuff-tce-large", "H_STUFF_TCE of 4096 TCEs, in-kernel table",
			      HS_H_STUFF_TCE, HL_LIOBN_KERNEL, HS_PATH_VIRTMODE),
	/* hostile: a VMM thread makes and closes the LIOBN's table meanwhile */
	[R_STUFF_CHURN] = REQ("stuff-tce-churn", "H_STUFF_TCE of 7936 TCEs on a LIOBN whose "
			      "table the VMM keeps making and closing",
			      HS_H_STUFF_TCE, HL_LIOBN_CHURN, HS_PATH_VIRTMODE),
	[R_PUT_CHURN] = REQ("put-tce-churn", "H_PUT_TCE on a LIOBN whose table the VMM "
			    "keeps making and closing",
			    HS_H_PUT_TCE, HL_LIOBN_CHURN, HS_PATH_VIRTMODE),
	/* the most work real mode takes in one call, with mmu_lock held */
	[R_INDIRECT_FULL] = REQ("put-tce-indirect-512", "H_PUT_TCE_INDIRECT of 512 TCEs "
				"(the race list, unchanged unless put-tce-indirect-race runs too)",
				HS_H_PUT_TCE_INDIRECT, HL_LIOBN_KERNEL, HS_PATH_VIRTMODE),
	/* hostile: every vCPU maps the same entry, to pages of both halves of RAM */
	[R_PUT_SHARED] = REQ("put-tce-shared", "H_PUT_TCE on one entry shared by every vCPU, "
			     "its page in one half of RAM and then in the other",
			     HS_H_PUT_TCE, HL_LIOBN_KERNEL, HS_PATH_VIRTMODE),
	/* a page in the upper half of RAM (--hugetlb-offset's huge pages) */
	[R_PUT_HIGH] = REQ("put-tce-high", "H_PUT_TCE on entry 0 of a page in the upper half of RAM",
			   HS_H_PUT_TCE, HL_LIOBN_KERNEL, HS_PATH_VIRTMODE),
};

/* What the guest passes besides the opcode and the LIOBN */
struct tce_args {
	uint32_t r6;		/* TCE (put), value (stuff), list gpa (indirect) */
	uint16_t npages;	/* stuff and indirect */
	uint8_t ioba_outside;	/* ioba one page past the window */
};

static const struct tce_args tce_args[R_MAX] = {
	[R_PUT_K] = { DMA_GPA | TCE_RW, 1, 0 },
	[R_INDIRECT_K] = { TCE_LIST_GPA, BATCH, 0 },
	[R_STUFF_K] = { 0, BATCH, 0 },
	[R_GET_K] = { 0, 1, 0 },
	[R_PUT_U] = { DMA_GPA | TCE_RW, 1, 0 },
	[R_INDIRECT_U] = { TCE_LIST_GPA, BATCH, 0 },
	[R_STUFF_U] = { 0, BATCH, 0 },
	[R_BAD_LIOBN] = { DMA_GPA | TCE_RW, 1, 0 },
	[R_BAD_IOBA] = { DMA_GPA | TCE_RW, 1, 1 },
	[R_BAD_TCE] = { (DMA_GPA + 0x800) | TCE_RW, 1, 0 },
	[R_BAD_PERM] = { DMA_GPA | TCE_RW, BATCH, 0 },
	[R_BAD_NPAGES] = { TCE_LIST_GPA, MAX_INDIRECT + 1, 0 },
	[R_BAD_LIST] = { TCE_LIST_GPA + 8, BATCH, 0 },
	[R_RACE_INDIRECT] = { RACE_LIST_GPA, MAX_INDIRECT, 0 },
	[R_STUFF_LARGE] = { 0, 4096, 0 },
	/* as many TCEs as fit in the vCPU's region from any of the loop's iobas */
	[R_STUFF_CHURN] = { 0, (1 << REGION_SHIFT) - 32 * BATCH, 0 },
	[R_PUT_CHURN] = { DMA_GPA | TCE_RW, 1, 0 },
	[R_INDIRECT_FULL] = { RACE_LIST_GPA, MAX_INDIRECT, 0 },
	[R_PUT_SHARED] = { DMA_GPA | TCE_RW, 1, 0 },
	[R_PUT_HIGH] = { (DMA_GPA + GUEST_MEM / 2) | TCE_RW, 1, 0 },
};

/* The TCE tables as the VMM sees them: KVM's through its fd, and its own */
struct vmm_table {
	uint32_t liobn;
	uint64_t *tces;		/* window_pages entries, host endian */
};
static struct vmm_table tables[2] = { { HL_LIOBN_KERNEL, NULL }, { HL_LIOBN_USER, NULL } };
static uint64_t window_pages;	/* nr_vcpus regions */
static const struct hl_item *mix_items;
static unsigned int mix_len;

static int kvm_fd = -1, vm_fd = -1, tce_fd = -1;
/*
 * --vfio: the groups (one container) backing HL_LIOBN_KERNEL's table, as
 * for passed-through devices; --vfio-remove-window: the window removed
 * while KVM still holds it
 */
#define MAX_VFIO_GROUPS 2
static const char *vfio_group;
/*
 * --hugetlb-offset: the upper half of guest RAM (a memslot of its own) in
 * 16M huge pages from this many bytes into the first, the LIOBN's and the
 * VFIO window's pages 16M as well, so a TCE there has its host address
 * that far past the IOMMU page it names.  The lower half, where the guest
 * runs, stays in small pages (KVM runs no guest from a slot misaligned to
 * its huge pages).
 */
static long huge_off = -1;
static uint8_t *huge_base;
static unsigned int tce_shift = TCE_SHIFT;	/* the LIOBN's and the window's */
static int vfio_remove_window;
static int container_fd = -1, kvm_vfio_fd = -1;
static int group_fds[MAX_VFIO_GROUPS] = { -1, -1 };
static unsigned int nr_groups;
static const char *vfio_unregister;	/* VFIO's answer to unregistering the RAM */
static long vmlck_kb_registered = -1;	/* VmLck before registering it */
static long vfio_pinned_left_kb = -1;	/* and what of it stays locked after */

/* This process's locked memory in kB (VmLck, which pinning is charged to) */
static long vmlck_kb(void)
{
	char line[128];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmLck: %ld kB", &kb) == 1)
			break;
	if (f)
		fclose(f);
	return kb;
}
static uint8_t *guest_mem;

/* ---- a few PowerPC instructions (guest is little-endian) ---- */
#define ADDI(rt, ra, si)  ((14u << 26) | ((rt) << 21) | ((ra) << 16) | ((si) & 0xffff))
#define ADDIS(rt, ra, si) ((15u << 26) | ((rt) << 21) | ((ra) << 16) | ((si) & 0xffff))
#define ORI(ra, rs, ui)   ((24u << 26) | ((rs) << 21) | ((ra) << 16) | ((ui) & 0xffff))
#define ORIS(ra, rs, ui)  ((25u << 26) | ((rs) << 21) | ((ra) << 16) | ((ui) & 0xffff))
#define ANDI(ra, rs, ui)  ((28u << 26) | ((rs) << 21) | ((ra) << 16) | ((ui) & 0xffff))
#define MULLI(rt, ra, si) ((7u << 26) | ((rt) << 21) | ((ra) << 16) | ((si) & 0xffff))
#define CMPDI0(ra, si)    ((11u << 26) | (1u << 21) | ((ra) << 16) | ((si) & 0xffff))
#define BNE(disp)         ((16u << 26) | (4u << 21) | (2u << 16) | ((disp) & 0xfffc))
#define BEQ(disp)         ((16u << 26) | (12u << 21) | (2u << 16) | ((disp) & 0xfffc))
#define ADD(rt, ra, rb)   ((31u << 26) | ((rt) << 21) | ((ra) << 16) | ((rb) << 11) | (266u << 1))
#define STD(rs, ds, ra)   ((62u << 26) | ((rs) << 21) | ((ra) << 16) | ((ds) & 0xfffc))
#define B(disp)           ((18u << 26) | ((disp) & 0x3fffffc))
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

/* r5 = the ioba of request @r for loop counter r20, in the vCPU's region */
static size_t emit_ioba(uint32_t *p, size_t n, const struct hl_request *r,
			const struct tce_args *a)
{
	if (a->ioba_outside)
		return load32(p, n, 5, (uint32_t)(window_pages << TCE_SHIFT));
	if (r == &requests[R_PUT_SHARED] || r == &requests[R_PUT_HIGH])
		return load32(p, n, 5, 0);	/* entry 0, whichever vCPU */
	if (r->code == HS_H_PUT_TCE || r->code == HS_H_GET_TCE) {
		n = emit(p, n, ANDI(5, 20, 0xff));		/* ioba = (r20 & 0xff) << 12 */
		n = emit(p, n, MULLI(5, 5, 1 << TCE_SHIFT));
	} else {
		n = emit(p, n, ANDI(5, 20, 0x1f));		/* ioba = (r20 & 31) * 8 pages */
		n = emit(p, n, MULLI(5, 5, BATCH));
		n = emit(p, n, MULLI(5, 5, 1 << TCE_SHIFT));
	}
	return emit(p, n, ADD(5, 5, 21));
}

/*
 * Item @i: for (r20 = count; r20; r20--) { r3 = hcall(op, liobn, ioba, ...);
 * if (r3) { failures++; last = r3; } }, then failures and last are stored
 * at r22 + 16 * i.  ioba walks the vCPU's region (base in r21) so the
 * calls touch different TCEs.
 */
static size_t emit_loop(uint32_t *p, size_t n, const struct hl_item *it,
			unsigned int i)
{
	const struct hl_request *r = it->req;
	const struct tce_args *a = &tce_args[r - requests];
	size_t top;

	n = load32(p, n, 20, (uint32_t)it->count);
	n = emit(p, n, ADDI(23, 0, 0));
	n = emit(p, n, ADDI(24, 0, 0));
	top = n;
	n = load32(p, n, 3, r->code);
	n = load32(p, n, 4, (uint32_t)r->arg);
	n = emit_ioba(p, n, r, a);
	n = load32(p, n, 6, a->r6);
	if (r == &requests[R_PUT_SHARED]) {
		/* r6 += (r20 & 1) * GUEST_MEM / 2: the other half of RAM every other call */
		n = emit(p, n, ANDI(8, 20, 1));
		n = emit(p, n, MULLI(8, 8, (GUEST_MEM / 2) >> 13));
		n = emit(p, n, MULLI(8, 8, 1 << 13));
		n = emit(p, n, ADD(6, 6, 8));
	}
	n = emit(p, n, ADDI(7, 0, a->npages));
	n = emit(p, n, SC1);
	n = emit(p, n, CMPDI0(3, 0));
	if (r == &requests[R_RACE_INDIRECT]) {
		/*
		 * Success: read the last TCE back (H_GET_TCE returns it in r4);
		 * offset bits set there mean an unchecked value was stored.
		 */
		size_t bne = n, skip;

		n = emit(p, n, 0);			/* bne failed (below) */
		n = load32(p, n, 3, HS_H_GET_TCE);
		n = load32(p, n, 4, (uint32_t)r->arg);
		n = emit_ioba(p, n, r, a);
		/* + 511 pages = 0x200000 - 0x1000 */
		n = emit(p, n, ADDIS(5, 5, (MAX_INDIRECT << TCE_SHIFT) >> 16));
		n = emit(p, n, ADDI(5, 5, -(1 << TCE_SHIFT)));
		n = emit(p, n, SC1);
		n = emit(p, n, ANDI(4, 4, 0xff8));	/* offset bits of the TCE */
		n = emit(p, n, BEQ(8));
		n = emit(p, n, ADDI(24, 24, 1));
		skip = n;
		n = emit(p, n, 0);			/* b past the failure */
		p[bne] = BNE((int)(n - bne) * 4);
		n = emit(p, n, STD(3, 16 * i + 8, 22));
		n = emit(p, n, ADDI(23, 23, 1));
		p[skip] = B((int)(n - skip) * 4);
	} else {
		n = emit(p, n, BEQ(12));
		n = emit(p, n, STD(3, 16 * i + 8, 22));
		n = emit(p, n, ADDI(23, 23, 1));
	}
	n = emit(p, n, ADDI(20, 20, -1));
	n = emit(p, n, CMPDI0(20, 0));
	n = emit(p, n, BNE((int)(top - n) * 4));
	if (r == &requests[R_RACE_INDIRECT])
		n = emit(p, n, STD(24, RACE_RESULT, 22));
	return emit(p, n, STD(23, 16 * i, 22));
}

/*
 * The VMM's meddling threads: the race list's flipper (put-tce-indirect-race),
 * the group detacher (--vfio-churn), the table closer (the *-churn requests)
 */
static struct hl_meddler flipper, group_churn, table_churn, notifier, vfio_mapper;
static int vfio_map_race;	/* --vfio-map-race */
static int vfio_churn;

static void power_set_vfio_churn(void)
{
	vfio_churn = 1;
}

/*
 * --notifier-probe: the page the notifier meddler takes away lies in a
 * memslot of its own (the guest never uses it, VFIO never pins it)
 */
#define PROBE_GPA	GUEST_MEM
#define PROBE_SIZE	(2ul << 20)
static int notifier_probe;
static char *probe_mem = MAP_FAILED;

static void power_set_vfio_map_race(void)
{
	vfio_map_race = 1;
}

static void power_set_notifier_probe(void)
{
	notifier_probe = 1;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/* The notifier's timings: count, median, 99th percentile, maximum */
static void report_notifier(struct hs_json *j)
{
	uint64_t n = notifier.rounds < HL_NOTIFIER_SAMPLES ? notifier.rounds : HL_NOTIFIER_SAMPLES;

	hs_json_obj(j, "notifier");
	hs_json_u64(j, "calls", notifier.rounds);
	hs_json_str(j, "error", notifier.error);
	if (n) {
		qsort(notifier.ns, n, sizeof(*notifier.ns), cmp_u32);
		hs_json_u64(j, "p50_ns", notifier.ns[n / 2]);
		hs_json_u64(j, "p99_ns", notifier.ns[n * 99 / 100]);
		hs_json_u64(j, "max_ns", notifier.ns[n - 1]);
	}
	hs_json_end(j);
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

static void power_set_vfio_group(const char *group)
{
	vfio_group = group;
}

static int power_set_hugetlb_offset(const char *spec, char *msg, size_t msglen)
{
	char *end;
	unsigned long kb;

	errno = 0;
	kb = strtoul(spec, &end, 10);
	if (errno || *end || end == spec || kb % 64 || kb >= (1ul << HUGE_SHIFT) / 1024) {
		snprintf(msg, msglen, "bad --hugetlb-offset '%s' (KB: a multiple of 64 below 16384)", spec);
		return -1;
	}
	huge_off = (long)kb * 1024;
	tce_shift = HUGE_SHIFT;
	return 0;
}

static void power_set_vfio_remove_window(void)
{
	vfio_remove_window = 1;
}

/* Open each group of the comma-separated list, all in one container */
static int open_vfio_groups(char *msg, size_t msglen)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	const char *g = vfio_group;
	char path[64];

	while (*g) {
		size_t n = strcspn(g, ",");

		if (!n || n > 16 || nr_groups == MAX_VFIO_GROUPS) {
			errno = EINVAL;
			return fail(msg, msglen, "--vfio takes one or two group numbers, comma-separated");
		}
		snprintf(path, sizeof(path), "/dev/vfio/%.*s", (int)n, g);
		group_fds[nr_groups] = open(path, O_RDWR | O_CLOEXEC);
		if (group_fds[nr_groups] < 0)
			return fail(msg, msglen, path);
		if (ioctl(group_fds[nr_groups], VFIO_GROUP_GET_STATUS, &st) ||
		    !(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
			errno = EBUSY;
			return fail(msg, msglen, "VFIO group not viable (a device not bound to vfio-pci?)");
		}
		if (ioctl(group_fds[nr_groups], VFIO_GROUP_SET_CONTAINER, &container_fd))
			return fail(msg, msglen, "VFIO_GROUP_SET_CONTAINER");
		nr_groups++;
		g += n + (g[n] == ',');
	}
	return 0;
}

/* --fuzz SEED,CALLS: the calls of each vCPU, as generated */
static uint64_t fuzz_seed;
static unsigned int fuzz_n;
static struct fuzz_call fuzz[FUZZ_MAX_VCPUS][FUZZ_MAX_CALLS];

static int power_set_fuzz(const char *spec, char *msg, size_t msglen)
{
	return fuzz_parse(spec, &fuzz_seed, &fuzz_n, msg, msglen);
}

/* vCPU @v's code: each call's return code (and r4) stored at r22, r22 += 16 */
static void emit_fuzz(unsigned int v, unsigned int nr_vcpus)
{
	uint32_t *code = (uint32_t *)(guest_mem + FUZZ_CODE_GPA + v * FUZZ_CODE_STRIDE);
	size_t n = 0;

	fuzz_calls(fuzz_seed, v, fuzz_n, 1u << REGION_SHIFT,
		   (uint64_t)nr_vcpus << REGION_SHIFT, GUEST_MEM, FUZZ_LISTS_GPA,
		   HL_LIOBN_KERNEL, HL_LIOBN_USER, HL_LIOBN_NONE, fuzz[v]);
	for (unsigned int k = 0; k < fuzz_n; k++) {
		const struct fuzz_call *c = &fuzz[v][k];

		n = load32(code, n, 3, c->op);
		n = load32(code, n, 4, c->liobn);
		n = load32(code, n, 5, c->ioba);
		n = load32(code, n, 6, c->r6);
		n = load32(code, n, 7, c->npages);
		n = emit(code, n, SC1);
		n = emit(code, n, STD(3, 0, 22));
		n = emit(code, n, STD(4, 8, 22));
		n = emit(code, n, ADDI(22, 22, 16));
	}
	n = load32(code, n, 3, HL_H_DONE);
	n = emit(code, n, SC1);
	emit(code, n, 0x48000000);			/* b . */
}

/*
 * What QEMU does for a passed-through device on a LIOBN with an in-kernel
 * table: a SPAPR TCE v2 container, the guest RAM preregistered, the
 * default DMA window replaced by one at bus address 0 covering the table,
 * and the group attached to KVM's table, after which KVM's TCE hcalls
 * program the host IOMMU.
 */
static int setup_vfio(char *msg, size_t msglen)
{
	struct vfio_iommu_spapr_register_memory reg = { .argsz = sizeof(reg) };
	struct vfio_iommu_spapr_tce_create win = { .argsz = sizeof(win) };
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	struct vfio_iommu_spapr_tce_remove dflt = { .argsz = sizeof(dflt) };
	struct kvm_create_device dev = { .type = KVM_DEV_TYPE_VFIO };
	struct kvm_vfio_spapr_tce spapr = { .tablefd = tce_fd };
	struct kvm_device_attr attr = { .group = KVM_DEV_VFIO_GROUP };

	container_fd = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (container_fd < 0)
		return fail(msg, msglen, "open /dev/vfio/vfio");
	if (ioctl(container_fd, VFIO_CHECK_EXTENSION, VFIO_SPAPR_TCE_v2_IOMMU) <= 0) {
		errno = ENODEV;
		return fail(msg, msglen, "VFIO has no SPAPR TCE v2 IOMMU");
	}
	if (open_vfio_groups(msg, msglen) < 0)
		return -1;
	if (ioctl(container_fd, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU))
		return fail(msg, msglen, "VFIO_SET_IOMMU");
	/*
	 * RAM in two halves, as two regions: a mapping counted against the
	 * wrong one (put-tce-shared's race) keeps one pinned at the end
	 */
	vmlck_kb_registered = vmlck_kb();
	for (unsigned int h = 0; h < 2; h++) {
		reg.vaddr = (uintptr_t)guest_mem + h * (GUEST_MEM / 2);
		reg.size = GUEST_MEM / 2;
		if (h && huge_base) {	/* the upper half's whole huge pages */
			reg.vaddr = (uintptr_t)huge_base;
			reg.size = HUGE_MEM;
		}
		if (ioctl(container_fd, VFIO_IOMMU_SPAPR_REGISTER_MEMORY, &reg))
			return fail(msg, msglen, "VFIO_IOMMU_SPAPR_REGISTER_MEMORY");
	}
	/* the platform's default window sits at bus address 0: make room */
	if (ioctl(container_fd, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info))
		return fail(msg, msglen, "VFIO_IOMMU_SPAPR_TCE_GET_INFO");
	dflt.start_addr = info.dma32_window_start;
	if (ioctl(container_fd, VFIO_IOMMU_SPAPR_TCE_REMOVE, &dflt))
		return fail(msg, msglen, "VFIO_IOMMU_SPAPR_TCE_REMOVE");
	win.page_shift = tce_shift;
	win.levels = 1;
	win.window_size = 1ull << 20;
	while (win.window_size < window_pages << tce_shift)
		win.window_size <<= 1;
	if (ioctl(container_fd, VFIO_IOMMU_SPAPR_TCE_CREATE, &win))
		return fail(msg, msglen, "VFIO_IOMMU_SPAPR_TCE_CREATE");
	if (win.start_addr) {
		errno = EINVAL;
		return fail(msg, msglen, "VFIO DMA window not at bus address 0");
	}
	if (ioctl(vm_fd, KVM_CREATE_DEVICE, &dev))
		return fail(msg, msglen, "KVM_CREATE_DEVICE (VFIO)");
	kvm_vfio_fd = dev.fd;
	for (unsigned int i = 0; i < nr_groups; i++) {
		attr.attr = KVM_DEV_VFIO_GROUP_ADD;
		attr.addr = (uintptr_t)&group_fds[i];
		if (ioctl(kvm_vfio_fd, KVM_SET_DEVICE_ATTR, &attr))
			return fail(msg, msglen, "KVM_DEV_VFIO_GROUP_ADD");
		spapr.groupfd = group_fds[i];
		attr.attr = KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE;
		attr.addr = (uintptr_t)&spapr;
		if (ioctl(kvm_vfio_fd, KVM_SET_DEVICE_ATTR, &attr))
			return fail(msg, msglen, "KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE");
	}
	/* out of order: VFIO clears and lets go of the table KVM still holds */
	if (vfio_remove_window) {
		struct vfio_iommu_spapr_tce_remove rm = { .argsz = sizeof(rm), .start_addr = 0 };

		if (ioctl(container_fd, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm))
			return fail(msg, msglen, "VFIO_IOMMU_SPAPR_TCE_REMOVE");
	}
	return 0;
}

/*
 * The VMM's teardown, as QEMU does it: the window removed (VFIO clears
 * it), then the guest RAM unregistered.  While a TCE anywhere still maps
 * the RAM it stays pinned: VFIO may still answer 0, but VmLck does not
 * come back down.
 */
static void vfio_unregister_memory(void)
{
	struct vfio_iommu_spapr_tce_remove rm = { .argsz = sizeof(rm), .start_addr = 0 };
	struct vfio_iommu_spapr_register_memory reg = { .argsz = sizeof(reg),
		.size = GUEST_MEM / 2 };

	if (!vfio_remove_window && ioctl(container_fd, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm)) {
		vfio_unregister = "window removal failed";
		return;
	}
	vfio_unregister = "ok";
	for (unsigned int h = 0; h < 2; h++) {
		reg.vaddr = (uintptr_t)guest_mem + h * (GUEST_MEM / 2);
		reg.size = GUEST_MEM / 2;
		if (h && huge_base) {
			reg.vaddr = (uintptr_t)huge_base;
			reg.size = HUGE_MEM;
		}
		if (ioctl(container_fd, VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY, &reg) &&
		    !strcmp(vfio_unregister, "ok"))
			vfio_unregister = strerror(errno);
	}
	vfio_pinned_left_kb = vmlck_kb() - vmlck_kb_registered;
}

/* The VMM's side of a TCE it stores for a VFIO-backed table: the host IOMMU */
static int vfio_update(uint64_t idx, uint64_t old, uint64_t tce)
{
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap),
		.iova = idx << tce_shift, .size = 1u << tce_shift };
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map),
		.iova = idx << tce_shift, .size = 1u << tce_shift };
	uint64_t gpa = tce & ~(uint64_t)TCE_RW;

	if (old & TCE_RW)
		ioctl(container_fd, VFIO_IOMMU_UNMAP_DMA, &unmap);
	if (!(tce & TCE_RW))
		return 0;
	map.vaddr = (uintptr_t)(guest_mem + gpa);
	map.flags = (tce & 1 ? VFIO_DMA_MAP_FLAG_READ : 0) |
		    (tce & 2 ? VFIO_DMA_MAP_FLAG_WRITE : 0);
	return ioctl(container_fd, VFIO_IOMMU_MAP_DMA, &map) ? -1 : 0;
}

static int power_setup(const struct hl_item *mix, unsigned int nr_items,
		       unsigned int nr_vcpus, char *msg, size_t msglen)
{
	struct kvm_create_spapr_tce_64 tce = {
		.liobn = HL_LIOBN_KERNEL, .page_shift = TCE_SHIFT, .offset = 0,
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
	if (huge_off >= 0) {
		if (!vfio_group) {
			snprintf(msg, msglen, "--hugetlb-offset needs --vfio");
			return -1;
		}
		huge_base = mmap(NULL, HUGE_MEM, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB |
				 (HUGE_SHIFT << MAP_HUGE_SHIFT), -1, 0);
		if (huge_base == MAP_FAILED) {
			huge_base = NULL;
			return fail(msg, msglen, "mmap of 16M huge pages (hugepagesz=16M hugepages=3 or more?)");
		}
		region.memory_size = GUEST_MEM / 2;
	}
	tce.page_shift = tce_shift;

	window_pages = (uint64_t)nr_vcpus << REGION_SHIFT;
	tce.size = window_pages;
	mix_items = mix;
	mix_len = nr_items;
	code = (uint32_t *)(guest_mem + CODE_GPA);
	for (unsigned int i = 0; i < nr_items; i++)
		if (mix[i].count)
			n = emit_loop(code, n, &mix[i], i);
	n = load32(code, n, 3, HL_H_DONE);
	n = emit(code, n, SC1);
	n = emit(code, n, 0x48000000);			/* b . */
	list = (uint64_t *)(guest_mem + TCE_LIST_GPA);	/* PAPR: big-endian */
	for (unsigned int i = 0; i < BATCH; i++)
		list[i] = htobe64((DMA_GPA + ((uint64_t)i << TCE_SHIFT)) | TCE_RW);
	if (fuzz_n) {
		if (nr_vcpus > FUZZ_MAX_VCPUS) {
			errno = EINVAL;
			return fail(msg, msglen, "--fuzz runs at most 8 vCPUs");
		}
		for (unsigned int i = 0; i < FUZZ_LIST_PAGES; i++)
			fuzz_list_page(fuzz_seed, i, GUEST_MEM,
				       (uint64_t *)(guest_mem + FUZZ_LISTS_GPA + i * 4096));
	}
	list = (uint64_t *)(guest_mem + RACE_LIST_GPA);
	for (unsigned int i = 0; i < MAX_INDIRECT; i++)
		list[i] = htobe64((DMA_GPA + ((uint64_t)i << TCE_SHIFT)) | TCE_RW);

	region.userspace_addr = (uintptr_t)guest_mem;
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return fail(msg, msglen, "KVM_SET_USER_MEMORY_REGION");
	if (huge_base) {
		struct kvm_userspace_memory_region upper = {
			.slot = HUGE_SLOT, .guest_phys_addr = GUEST_MEM / 2,
			.memory_size = GUEST_MEM / 2,
			.userspace_addr = (uintptr_t)huge_base + huge_off,
		};

		if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &upper) < 0)
			return fail(msg, msglen, "KVM_SET_USER_MEMORY_REGION (huge pages)");
	}
	if (notifier_probe) {
		struct kvm_userspace_memory_region probe = {
			.slot = 1, .guest_phys_addr = PROBE_GPA, .memory_size = PROBE_SIZE,
		};

		probe_mem = mmap(NULL, PROBE_SIZE, PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		notifier.ns = calloc(HL_NOTIFIER_SAMPLES, sizeof(*notifier.ns));
		if (probe_mem == MAP_FAILED || !notifier.ns)
			return fail(msg, msglen, "cannot allocate the notifier probe");
		probe.userspace_addr = (uintptr_t)probe_mem;
		if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &probe) < 0)
			return fail(msg, msglen, "KVM_SET_USER_MEMORY_REGION (probe)");
	}
	tce_fd = ioctl(vm_fd, KVM_CREATE_SPAPR_TCE_64, &tce);
	if (tce_fd < 0)
		return fail(msg, msglen, "KVM_CREATE_SPAPR_TCE_64");
	tables[0].tces = mmap(NULL, window_pages * sizeof(uint64_t),
			      PROT_READ | PROT_WRITE, MAP_SHARED, tce_fd, 0);
	if (tables[0].tces == MAP_FAILED) {
		tables[0].tces = NULL;
		return fail(msg, msglen, "mmap of the TCE table");
	}
	tables[1].tces = calloc(window_pages, sizeof(uint64_t));
	if (!tables[1].tces)
		return fail(msg, msglen, "calloc");
	if ((vfio_remove_window || vfio_churn) && !vfio_group) {
		snprintf(msg, msglen, "--vfio-remove-window and --vfio-churn need --vfio");
		return -1;
	}
	if (vfio_group && setup_vfio(msg, msglen) < 0)
		return -1;
	if (enable_hcall(HS_H_PUT_TCE) || enable_hcall(HS_H_GET_TCE) ||
	    enable_hcall(HS_H_PUT_TCE_INDIRECT) || enable_hcall(HS_H_STUFF_TCE))
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
		if (fuzz_n) {
			emit_fuzz(i, nr_vcpus);
			regs.pc = FUZZ_CODE_GPA + i * FUZZ_CODE_STRIDE;
		}
		regs.msr = 0x8000000000001001ull;	/* SF | ME | LE, MMU off */
		regs.gpr[21] = (uint64_t)i << (REGION_SHIFT + TCE_SHIFT);
		regs.gpr[22] = fuzz_n ? FUZZ_RC_GPA + i * FUZZ_RC_STRIDE :
				       RESULT_GPA + i * RESULT_STRIDE;
		if (ioctl(hl_vcpu_fds[i], KVM_SET_REGS, &regs) < 0)
			return fail(msg, msglen, "KVM_SET_REGS");
	}
	if (vfio_churn) {
		group_churn.kvm_vfio_fd = kvm_vfio_fd;
		group_churn.table_fd = tce_fd;
		group_churn.group_fd = group_fds[0];
		if (hl_meddle_start(&group_churn, HL_MEDDLE_GROUP))
			return fail(msg, msglen, "cannot start the group-churning thread");
	}
	if (notifier_probe) {
		notifier.page = probe_mem;
		if (hl_meddle_start(&notifier, HL_MEDDLE_NOTIFIER))
			return fail(msg, msglen, "cannot start the notifier-timing thread");
	}
	if (vfio_map_race) {
		if (!vfio_group) {
			snprintf(msg, msglen, "--vfio-map-race needs --vfio");
			return -1;
		}
		/* put-tce-shared's two pages, one in each registered half */
		vfio_mapper.container_fd = container_fd;
		vfio_mapper.page_shift = tce_shift;
		vfio_mapper.vaddr[0] = (uintptr_t)guest_mem + DMA_GPA;
		vfio_mapper.vaddr[1] = (uintptr_t)guest_mem + DMA_GPA + GUEST_MEM / 2;
		if (huge_base)
			vfio_mapper.vaddr[1] = (uintptr_t)huge_base + huge_off + DMA_GPA;
		if (hl_meddle_start(&vfio_mapper, HL_MEDDLE_VFIO_MAP))
			return fail(msg, msglen, "cannot start the VFIO-mapping thread");
	}
	for (unsigned int i = 0; i < nr_items; i++) {
		const struct hl_request *r = mix[i].req;

		if (!mix[i].count)
			continue;
		if (r == &requests[R_RACE_INDIRECT] && !flipper.run) {
			/* the last entry: checked last by a first pass, used last by a second */
			flipper.entry = (volatile uint64_t *)(guest_mem + RACE_LIST_GPA) +
					MAX_INDIRECT - 1;
			if (hl_meddle_start(&flipper, HL_MEDDLE_FLIP))
				return fail(msg, msglen, "cannot start the list-flipping thread");
		}
		if (r->arg == HL_LIOBN_CHURN && !table_churn.run) {
			table_churn.vm_fd = vm_fd;
			table_churn.kvm_vfio_fd = kvm_vfio_fd;
			table_churn.group_fd = nr_groups ? group_fds[0] : -1;
			table_churn.window_pages = window_pages;
			table_churn.page_shift = TCE_SHIFT;
			if (hl_meddle_start(&table_churn, HL_MEDDLE_TABLE))
				return fail(msg, msglen, "cannot start the table-closing thread");
		}
	}
	return 0;
}

/* A DMA-enabled TCE must point at guest RAM on a TCE page boundary */
static int tce_ok(uint64_t tce)
{
	uint64_t gpa = tce & ~(uint64_t)TCE_RW;

	if (!(tce & TCE_RW))
		return 1;	/* no access: any value may poison the table */
	return !(gpa & ((1u << TCE_SHIFT) - 1)) && gpa < GUEST_MEM;
}

#define H_HARDWARE	(-1)

/* Store a TCE; for a VFIO-backed table also update the host IOMMU */
static int store_tce(struct vmm_table *t, uint64_t idx, uint64_t tce)
{
	uint64_t old = t->tces[idx];

	t->tces[idx] = tce;
	if (t == &tables[0] && container_fd >= 0)
		return vfio_update(idx, old, tce);
	return 0;
}

/*
 * The TCE hcalls KVM left to userspace, carried out with KVM's checks and
 * return codes (book3s_64_vio.c), including its order of checks.
 */
static int64_t emulate_tce_hcall(uint64_t op, const uint64_t *args)
{
	uint64_t liobn = args[0], ioba = args[1], npages = 1, idx;
	struct vmm_table *t = NULL;
	const uint64_t *list = NULL;

	for (unsigned int i = 0; i < 2; i++)
		if (tables[i].liobn == liobn)
			t = &tables[i];
	if (!t)
		return H_PARAMETER;
	if (op != HS_H_PUT_TCE)
		npages = args[3];
	if (op == HS_H_PUT_TCE_INDIRECT &&
	    (npages > MAX_INDIRECT || (args[2] & 0xfff)))
		return H_PARAMETER;
	idx = ioba >> TCE_SHIFT;
	if ((ioba & ((1u << TCE_SHIFT) - 1)) || idx + npages > window_pages ||
	    idx + npages < idx)
		return H_PARAMETER;

	switch (op) {
	case HS_H_PUT_TCE:
		if (!tce_ok(args[2]))
			return H_PARAMETER;
		return store_tce(t, idx, args[2]) ? H_HARDWARE : H_SUCCESS;
	case HS_H_STUFF_TCE:
		if (args[2] & TCE_RW)
			return H_PARAMETER;
		for (uint64_t i = 0; i < npages; i++)
			if (store_tce(t, idx + i, args[2]))
				return H_HARDWARE;
		return H_SUCCESS;
	case HS_H_PUT_TCE_INDIRECT:
		if (args[2] + npages * 8 > GUEST_MEM)
			return H_PARAMETER;
		list = (const uint64_t *)(guest_mem + args[2]);
		for (uint64_t i = 0; i < npages; i++)
			if (!tce_ok(be64toh(list[i])))
				return H_PARAMETER;
		for (uint64_t i = 0; i < npages; i++) {
			/* the guest may have changed it: check what is stored */
			uint64_t tce = be64toh(((volatile const uint64_t *)list)[i]);

			/* KVM finds every TCE's memslot, even without access */
			if (!tce_ok(tce) || (tce & ~(uint64_t)TCE_RW) >= GUEST_MEM)
				return H_PARAMETER;
			if (store_tce(t, idx + i, tce))
				return H_HARDWARE;
		}
		return H_SUCCESS;
	}
	return H_PARAMETER;
}

static enum hl_exit power_handle_exit(struct kvm_run *run)
{
	uint64_t nr;

	if (run->exit_reason != KVM_EXIT_PAPR_HCALL)
		return HL_EXIT_UNEXPECTED;
	nr = run->papr_hcall.nr;
	if (nr == HL_H_DONE)
		return HL_EXIT_DONE;
	if (nr == HS_H_PUT_TCE || nr == HS_H_STUFF_TCE || nr == HS_H_PUT_TCE_INDIRECT)
		run->papr_hcall.ret = emulate_tce_hcall(nr, run->papr_hcall.args);
	else
		run->papr_hcall.ret = H_PARAMETER;
	return HL_EXIT_CONTINUE;
}

/*
 * Both TCE tables as the guest left them: KVM's read back through the
 * table's fd.  The digest (FNV-1a of the entries) lets runs on different
 * paths be compared.
 */
static void stop_meddlers(void)
{
	hl_meddle_stop(&flipper);
	hl_meddle_stop(&group_churn);
	hl_meddle_stop(&table_churn);
	hl_meddle_stop(&notifier);
	hl_meddle_stop(&vfio_mapper);
}

static void power_report_kernel_side(struct hs_json *j)
{
	stop_meddlers();	/* the vCPUs are done: the counts are final */
	if (vfio_group && !vfio_unregister)
		vfio_unregister_memory();
	hs_json_str(j, "vfio_group", vfio_group);	/* null without --vfio */
	if (vfio_group) {
		hs_json_str(j, "vfio_unregister", vfio_unregister);
		hs_json_i64(j, "vfio_pinned_left_kb", vfio_pinned_left_kb);
	}
	/* flips of the race list's entry, if the thread ran */
	hs_json_u64(j, "race_list_flips", flipper.rounds);
	if (vfio_churn) {
		hs_json_obj(j, "vfio_churn");
		hs_json_u64(j, "rounds", group_churn.rounds);
		hs_json_str(j, "error", group_churn.error);
		hs_json_end(j);
	}
	if (notifier_probe)
		report_notifier(j);
	if (vfio_map_race) {
		hs_json_obj(j, "vfio_map_race");
		hs_json_u64(j, "rounds", vfio_mapper.rounds);
		hs_json_str(j, "error", vfio_mapper.error);
		hs_json_end(j);
	}
	if (table_churn.window_pages) {	/* it ran */
		hs_json_obj(j, "table_churn");
		hs_json_u64(j, "rounds", table_churn.rounds);
		hs_json_str(j, "error", table_churn.error);
		hs_json_end(j);
	}
	hs_json_arr(j, "tce_tables");
	for (unsigned int t = 0; t < 2; t++) {
		uint64_t set = 0, bad = 0, h = 0xcbf29ce484222325ull;
		char digest[17];

		for (uint64_t i = 0; tables[t].tces && i < window_pages; i++) {
			uint64_t v = tables[t].tces[i];

			set += v != 0;
			bad += !tce_ok(v);	/* no path may store one */
			for (unsigned int b = 0; b < 8; b++)
				h = (h ^ ((v >> (8 * b)) & 0xff)) * 0x100000001b3ull;
		}
		snprintf(digest, sizeof(digest), "%016llx", (unsigned long long)h);
		hs_json_obj(j, NULL);
		hs_json_u64(j, "liobn", tables[t].liobn);
		hs_json_bool(j, "in_kernel", !t);
		hs_json_u64(j, "entries_set", set);
		hs_json_u64(j, "entries_invalid", bad);
		hs_json_str(j, "digest", digest);
		hs_json_end(j);
	}
	hs_json_end(j);
}

/* What each request returned to the guest, as the guest recorded it */
static void report_returns(unsigned int idx, struct hs_json *j)
{
	const uint64_t *res = (const uint64_t *)(guest_mem + RESULT_GPA +
						 idx * RESULT_STRIDE);

	hs_json_obj(j, "returns");
	for (unsigned int i = 0; i < mix_len; i++) {
		hs_json_obj(j, mix_items[i].req->name);
		hs_json_u64(j, "failed", res[2 * i]);
		hs_json_i64(j, "last_error", (int64_t)res[2 * i + 1]);
		hs_json_end(j);
	}
	hs_json_end(j);
	/* put-tce-indirect-race: successful calls whose last TCE read back invalid */
	hs_json_u64(j, "race_invalid_stored", res[RACE_RESULT / 8]);
}

/*
 * --fuzz: each call ([op, liobn, ioba, r6, npages]), what it returned, and
 * for H_GET_TCE the TCE it read (r4); the seed is in "fuzz_seed".
 */
static void report_fuzz(unsigned int idx, struct hs_json *j)
{
	const int64_t *rc = (const int64_t *)(guest_mem + FUZZ_RC_GPA + idx * FUZZ_RC_STRIDE);

	hs_json_obj(j, "fuzz");
	hs_json_u64(j, "seed", fuzz_seed);
	hs_json_arr(j, "calls");
	for (unsigned int k = 0; k < fuzz_n; k++) {
		const struct fuzz_call *c = &fuzz[idx][k];

		hs_json_arr(j, NULL);
		hs_json_u64(j, NULL, c->op);
		hs_json_u64(j, NULL, c->liobn);
		hs_json_u64(j, NULL, c->ioba);
		hs_json_u64(j, NULL, c->r6);
		hs_json_u64(j, NULL, c->npages);
		hs_json_end(j);
	}
	hs_json_end(j);
	hs_json_arr(j, "returns");
	for (unsigned int k = 0; k < fuzz_n; k++)
		hs_json_i64(j, NULL, rc[2 * k]);
	hs_json_end(j);
	hs_json_arr(j, "get_tce");
	for (unsigned int k = 0; k < fuzz_n; k++) {
		if (fuzz[idx][k].op != HS_H_GET_TCE)
			continue;
		hs_json_arr(j, NULL);
		hs_json_u64(j, NULL, k);
		hs_json_u64(j, NULL, (uint64_t)rc[2 * k + 1]);
		hs_json_end(j);
	}
	hs_json_end(j);
	hs_json_end(j);
}

/* The vCPU's TCE path counters: "h_*tce*" stats exist on kernels with
 * hcallscope's patch; elsewhere the object is empty. */
static int tce_stat(const char *name)
{
	return !strncmp(name, "h_", 2) && strstr(name, "tce");
}

static void power_report_vcpu(unsigned int idx, struct hs_json *j)
{
	report_returns(idx, j);
	if (fuzz_n)
		report_fuzz(idx, j);
	hl_report_kvm_stats(idx, tce_stat, j);
}

/*
 * --instructions: the vCPU's PMU as KVM saves and loads it.  KVM switches
 * to the guest's PMU state on entry and back on exit to the host, after
 * its real-mode hcall handlers (POWER8), so PMC5 (instructions completed)
 * set running here counts the guest and the real-mode work.  KVM keeps
 * PMCs as 32 bits: a run retires under 2^32 guest instructions.
 */
static int pmu_reg(unsigned int idx, unsigned long req, uint64_t id, void *val)
{
	struct kvm_one_reg r = { .id = id, .addr = (uintptr_t)val };

	return ioctl(hl_vcpu_fds[idx], req, &r) < 0 ? -errno : 0;
}

static int power_guest_insns_start(unsigned int idx)
{
	uint64_t mmcr0 = 0;	/* no counter frozen, no interrupt */
	uint32_t pmc5 = 0;
	int rc = pmu_reg(idx, KVM_SET_ONE_REG, KVM_REG_PPC_PMC5, &pmc5);

	return rc ? rc : pmu_reg(idx, KVM_SET_ONE_REG, KVM_REG_PPC_MMCR0, &mmcr0);
}

static int power_guest_insns_read(unsigned int idx, uint64_t *n)
{
	uint32_t pmc5;
	int rc = pmu_reg(idx, KVM_GET_ONE_REG, KVM_REG_PPC_PMC5, &pmc5);

	*n = pmc5;
	return rc;
}

static void power_teardown(void)
{
	stop_meddlers();
	if (kvm_vfio_fd >= 0)
		close(kvm_vfio_fd);
	for (unsigned int i = 0; i < nr_groups; i++)
		close(group_fds[i]);
	if (container_fd >= 0)
		close(container_fd);
	if (tables[0].tces)
		munmap(tables[0].tces, window_pages * sizeof(uint64_t));
	free(tables[1].tces);
	free(notifier.ns);
	if (probe_mem != MAP_FAILED)
		munmap(probe_mem, PROBE_SIZE);
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
	.set_vfio_group = power_set_vfio_group,
	.set_vfio_remove_window = power_set_vfio_remove_window,
	.set_vfio_churn = power_set_vfio_churn,
	.set_notifier_probe = power_set_notifier_probe,
	.set_vfio_map_race = power_set_vfio_map_race,
	.set_fuzz = power_set_fuzz,
	.set_hugetlb_offset = power_set_hugetlb_offset,
	.guest_insns_start = power_guest_insns_start,
	.guest_insns_read = power_guest_insns_read,
};
