/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hcall-load --fuzz: a reproducible random sequence of TCE hcalls per vCPU
 * (POWER backend).  The same seed gives the same calls, so runs on
 * different tce_accel levels can be compared call by call.
 */
#ifndef HCALL_LOAD_FUZZ_H
#define HCALL_LOAD_FUZZ_H

#include <stdint.h>

#define FUZZ_MAX_CALLS	2000
#define FUZZ_MAX_VCPUS	8

struct fuzz_call {
	uint32_t op, liobn, ioba, r6, npages;
};

/* "SEED,CALLS" -> 0, or -1 with a one-line message in msg */
int fuzz_parse(const char *spec, uint64_t *seed, unsigned int *calls,
	       char *msg, size_t msglen);

/*
 * The calls of vCPU @vcpu.  The layout they assume: a region of
 * @region_pages TCEs per vCPU at bus page vcpu * region_pages, a window of
 * @window_pages, guest RAM of @ram bytes, list pages at @lists_gpa.
 */
void fuzz_calls(uint64_t seed, unsigned int vcpu, unsigned int n,
		uint64_t region_pages, uint64_t window_pages, uint64_t ram,
		uint32_t lists_gpa, uint32_t liobn_kernel, uint32_t liobn_user,
		uint32_t liobn_none, struct fuzz_call *out);

/* The contents of list page @i (512 big-endian TCEs) */
void fuzz_list_page(uint64_t seed, unsigned int i, uint64_t ram, uint64_t *page);

#define FUZZ_LIST_PAGES	8

#endif
