// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The random TCE hcall sequences of hcall-load --fuzz (see fuzz.h). */
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <linux/types.h>
#include "fuzz.h"
#include "hcallscope.h"

#define PAGE	4096u
#define TCE_RW	3u

/* splitmix64: small, fast, and the same everywhere */
static uint64_t next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint32_t below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(next(s) % n);
}

int fuzz_parse(const char *spec, uint64_t *seed, unsigned int *calls,
	       char *msg, size_t msglen)
{
	char *end;
	unsigned long long n;

	errno = 0;
	*seed = strtoull(spec, &end, 0);
	if (errno || end == spec || *end != ',') {
		snprintf(msg, msglen, "bad --fuzz '%s' (want SEED,CALLS)", spec);
		return -1;
	}
	n = strtoull(end + 1, &end, 10);
	if (errno || *end || !n || n > FUZZ_MAX_CALLS) {
		snprintf(msg, msglen, "bad --fuzz call count in '%s' (1..%d)", spec,
			 FUZZ_MAX_CALLS);
		return -1;
	}
	*calls = (unsigned int)n;
	return 0;
}

/* A TCE: mostly valid, else each way of being wrong */
static uint32_t tce(uint64_t *s, uint64_t ram)
{
	uint32_t perm = below(s, 4), r = below(s, 100);

	if (r < 15)
		return 0;
	if (r < 70)
		return (below(s, (uint32_t)(ram / PAGE)) * PAGE) | perm;
	if (r < 80)	/* misaligned */
		return (below(s, (uint32_t)(ram / PAGE)) * PAGE + 8 * (1 + below(s, 511))) | perm;
	if (r < 95)	/* outside guest RAM */
		return (uint32_t)(ram + below(s, 0x10000) * PAGE) | perm;
	return (uint32_t)next(s);
}

void fuzz_list_page(uint64_t seed, unsigned int i, uint64_t ram, uint64_t *page)
{
	uint64_t s = seed ^ (0x1157ull << 32) ^ i;

	for (unsigned int k = 0; k < 512; k++) {
		uint32_t v = tce(&s, ram);

		/* the first half of the pages holds only valid TCEs */
		if (i < FUZZ_LIST_PAGES / 2)
			v = (below(&s, (uint32_t)(ram / PAGE)) * PAGE) | below(&s, 4);
		page[k] = htobe64(v);
	}
}

void fuzz_calls(uint64_t seed, unsigned int vcpu, unsigned int n,
		uint64_t region_pages, uint64_t window_pages, uint64_t ram,
		uint32_t lists_gpa, uint32_t liobn_kernel, uint32_t liobn_user,
		uint32_t liobn_none, struct fuzz_call *out)
{
	uint64_t s = seed * 0x100000001b3ull + vcpu + 1;

	for (unsigned int k = 0; k < n; k++) {
		struct fuzz_call *c = &out[k];
		uint32_t r = below(&s, 100), page, bad;

		c->op = r < 35 ? HS_H_PUT_TCE : r < 60 ? HS_H_STUFF_TCE :
			r < 90 ? HS_H_PUT_TCE_INDIRECT : HS_H_GET_TCE;
		r = below(&s, 100);
		c->liobn = r < 80 ? liobn_kernel : r < 90 ? liobn_user :
			   r < 95 ? liobn_none : (uint32_t)next(&s);
		/* the vCPU's own region, so the final tables do not depend
		 * on how the vCPUs interleave; or not a valid ioba at all */
		page = below(&s, (uint32_t)region_pages - 600);
		c->ioba = (uint32_t)((vcpu * region_pages + page) * PAGE);
		bad = below(&s, 100);
		if (bad < 5)
			c->ioba += 8 * (1 + below(&s, 511));	/* misaligned */
		else if (bad < 10)
			c->ioba = (uint32_t)((window_pages + below(&s, 1000)) * PAGE);
		switch (c->op) {
		case HS_H_PUT_TCE:
		case HS_H_GET_TCE:
			c->r6 = tce(&s, ram);
			c->npages = 1;
			break;
		case HS_H_STUFF_TCE:
			r = below(&s, 100);
			c->r6 = r < 70 ? tce(&s, ram) & ~TCE_RW : tce(&s, ram);
			r = below(&s, 100);
			c->npages = r < 90 ? below(&s, 600) : r < 95 ? 4096 : 0x10000000;
			if (c->npages == 4096 && bad >= 10)	/* kept in the region */
				c->ioba = (uint32_t)((vcpu * region_pages +
						      below(&s, (uint32_t)region_pages - 4096)) * PAGE);
			break;
		default:
			c->r6 = lists_gpa + below(&s, FUZZ_LIST_PAGES) * PAGE;
			r = below(&s, 100);
			if (r < 5)
				c->r6 += 8;
			else if (r < 8)
				c->r6 = (uint32_t)(ram + below(&s, 100) * PAGE);
			c->npages = below(&s, 100) < 95 ? below(&s, 513) : 513;
			break;
		}
	}
}
