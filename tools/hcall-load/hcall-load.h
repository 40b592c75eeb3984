/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hcall-load: a tiny KVM VMM whose guest issues an exact mix of requests.
 * The backends (x86.c, power.c) describe their requests in a table; the
 * front end (hcall-load.c) parses the mix, runs one thread per vCPU and
 * reports what was issued and what the VMM itself observed.
 */
#ifndef HCALL_LOAD_H
#define HCALL_LOAD_H

#include <stdint.h>
#include <stdio.h>
#include <linux/types.h>
#include "hcallscope.h"
#include "json.h"

#define HL_MAX_VCPUS 64
#define HL_MAX_ITEMS 16

/*
 * POWER: the guest's LIOBNs, one with an in-kernel TCE table, one without,
 * one unknown to everyone (0x80000000 is also what QEMU gives the first
 * PCI host bridge), one whose in-kernel table the VMM keeps making and
 * closing.  Shell reads them with scripts/lib/hcalls.sh.
 */
#define HL_LIOBN_KERNEL	0x80000000u
#define HL_LIOBN_USER	0x80000001u
#define HL_LIOBN_NONE	0x80000002u
#define HL_LIOBN_CHURN	0x80000003u

/* A request the guest can issue in a loop. */
struct hl_request {
	const char *name;	/* mix key, e.g. "pio-user" */
	const char *help;
	uint16_t kind;		/* enum hs_kind, as hcallstat reports it */
	uint16_t path;		/* enum hs_path it must complete on */
	uint32_t code;		/* hs_key.code */
	uint64_t arg;		/* hs_key.arg */
};

struct hl_item {
	const struct hl_request *req;
	uint64_t count;		/* per vCPU */
};

/* Per vCPU results, filled in by the backend. */
struct hl_vcpu_result {
	uint64_t exits[64];	/* userspace exits by KVM_EXIT_* reason */
	uint64_t cpu_ns;	/* CPU time of the vCPU thread in KVM_RUN loop */
	/* --instructions: retired by the vCPU thread under the host's PMU
	 * state, and under the guest's (its code and, on POWER8, the hcalls
	 * KVM completes in real mode before it switches the PMU back) */
	uint64_t host_insns, guest_insns;
	int error;
	const char *what;	/* with error: the step that failed */
};

enum hl_exit { HL_EXIT_CONTINUE, HL_EXIT_DONE, HL_EXIT_UNEXPECTED };

struct kvm_run;

/* Filled in by the backend's setup; the front end runs and closes them. */
extern int hl_vcpu_fds[HL_MAX_VCPUS];
void hl_report_kvm_stats(unsigned int idx, int (*want)(const char *name),
			 struct hs_json *j);
extern struct kvm_run *hl_runs[HL_MAX_VCPUS];

struct hl_backend {
	const char *name;
	const struct hl_request *requests;
	unsigned int nr_requests;
	const char *default_mix;
	/* set up the VM for nr_vcpus running mix; 0 or -errno with msg */
	int (*setup)(const struct hl_item *mix, unsigned int nr_items,
		     unsigned int nr_vcpus, char *msg, size_t msglen);
	/* what to do with a KVM_RUN exit */
	enum hl_exit (*handle_exit)(struct kvm_run *run);
	/* JSON members (of "observed") on in-kernel completions the VMM can see */
	void (*report_kernel_side)(struct hs_json *j);
	/* optional: JSON members of one vCPU's object, after the run */
	void (*report_vcpu)(unsigned int idx, struct hs_json *j);
	/* close what setup opened, but the vCPUs */
	void (*teardown)(void);
	/* optional, before setup: a VFIO group behind the in-kernel table */
	void (*set_vfio_group)(const char *group);
	void (*set_vfio_remove_window)(void);
	void (*set_vfio_churn)(void);
	void (*set_notifier_probe)(void);
	void (*set_vfio_map_race)(void);
	/* optional, before setup: "SEED,CALLS" of random TCE hcalls instead of
	 * the mix; 0, or -1 with a one-line message */
	int (*set_fuzz)(const char *spec, char *msg, size_t msglen);
	/* optional, before setup: guest RAM in 16M huge pages from KB into
	 * the first; 0, or -1 with a one-line message */
	int (*set_hugetlb_offset)(const char *kb, char *msg, size_t msglen);
	/* optional, for --instructions: start the vCPU's own instruction
	 * counter from 0 before its first KVM_RUN, read it after the last;
	 * 0 or -errno */
	int (*guest_insns_start)(unsigned int idx);
	int (*guest_insns_read)(unsigned int idx, uint64_t *n);
};

extern const struct hl_backend hl_backend;


#endif
