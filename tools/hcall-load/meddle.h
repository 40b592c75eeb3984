/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hcall-load POWER: threads of the VMM that meddle with what the vCPUs'
 * TCE hcalls use while they run, as a hostile guest (another vCPU) or a
 * VMM going through its lifecycle would.  Each counts its rounds and
 * stops at the first failing ioctl, naming it.
 */
#ifndef HCALL_LOAD_MEDDLE_H
#define HCALL_LOAD_MEDDLE_H

#include <pthread.h>
#include <stdint.h>

struct hl_meddler {
	pthread_t tid;
	volatile int run;
	unsigned long long rounds;
	const char *error;		/* the ioctl that failed, or NULL */
	/* what the thread works on */
	volatile uint64_t *entry;	/* flip: a TCE of a list (big-endian) */
	int vm_fd, kvm_vfio_fd, table_fd, group_fd;
	uint64_t window_pages;		/* table: the size of the table it makes */
	unsigned int page_shift;	/* table: and its TCE page size */
	volatile char *page;		/* notifier: a page of a memslot */
	int container_fd;		/* vfio-map: VFIO's container */
	uint64_t vaddr[2];		/* vfio-map: the two pages it maps in turn */
	uint32_t *ns;			/* notifier: each call's time, HL_NOTIFIER_SAMPLES */
};

/* notifier: at most this many timed calls are kept */
#define HL_NOTIFIER_SAMPLES	(1u << 18)

/*
 * flip: keeps flipping an offset bit of a list's entry, so that a handler
 * that checks an entry and reads it again may use a misaligned TCE.
 * group: detaches group_fd from KVM's table table_fd and attaches it again
 * (hot unplug and replug as KVM sees them).
 * table: makes a table on HL_LIOBN_CHURN (with group_fd attached, if >= 0)
 * and closes it again, so hcalls on that LIOBN meet a table going away.
 * notifier: writes to a page of guest memory, then times the
 * madvise(MADV_DONTNEED) that takes it away: the host's MMU notifier,
 * which waits for kvm->mmu_lock as the guest's page faults do.
 * vfio-map: maps the window's first entry through VFIO to one page, then
 * the other, then unmaps it, over and over - what a VMM does for a TCE
 * hcall KVM left to it - while the vCPUs write that entry through KVM.
 */
enum hl_meddle { HL_MEDDLE_FLIP, HL_MEDDLE_GROUP, HL_MEDDLE_TABLE, HL_MEDDLE_NOTIFIER,
		 HL_MEDDLE_VFIO_MAP };

int hl_meddle_start(struct hl_meddler *m, enum hl_meddle what);
void hl_meddle_stop(struct hl_meddler *m);

#endif
