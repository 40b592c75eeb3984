// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of tools/lib/rows.c: snapshots, their order and difference. */
#include <stdlib.h>
#include "assert.h"
#include "rows.h"

/* a row of kind PIO, port "arg", with count and latencies timed */
static void add(struct hs_snapshot *s, __u64 arg, __s64 count, __u64 timed)
{
	struct hs_row *r = hs_new_row(s);

	r->key.pid = 100;
	r->key.kind = HS_KIND_PIO;
	r->key.path = HS_PATH_USERSPACE;
	r->key.arg = arg;
	r->count = count;
	r->lat.timed = timed;
	r->lat.sum_ns = timed * 1000;
	r->lat.slots[9] = timed;
}

static void test_diff(void)
{
	struct hs_snapshot prev = {}, cur = {};
	struct hs_row out[8];
	size_t n;

	add(&prev, 1, 10, 10);	/* unchanged */
	add(&prev, 2, 5, 5);	/* grows */
	add(&prev, 3, 7, 7);	/* gone from cur (cannot happen, must not matter) */
	add(&prev, 5, 4, 0);	/* only latencies change */
	add(&cur, 1, 10, 10);
	add(&cur, 2, 8, 6);
	add(&cur, 4, 3, 3);	/* new */
	add(&cur, 5, 4, 2);
	qsort(prev.rows, prev.n, sizeof(*prev.rows), hs_cmp_key);
	qsort(cur.rows, cur.n, sizeof(*cur.rows), hs_cmp_key);

	n = hs_diff(&cur, &prev, out);
	ASSERT_EQ(n, 3, "diff keeps the changed rows only");
	ASSERT_EQ(out[0].key.arg == 2 && out[0].count == 3, 1, "grown row: its delta");
	ASSERT_EQ(out[0].lat.timed == 1 && out[0].lat.sum_ns == 1000 && out[0].lat.slots[9] == 1, 1,
		  "grown row: latencies subtracted bucket by bucket");
	ASSERT_EQ(out[1].key.arg == 4 && out[1].count == 3 && out[1].lat.timed == 3, 1,
		  "new row: whole");
	ASSERT_EQ(out[2].key.arg == 5 && out[2].count == 0 && out[2].lat.timed == 2, 1,
		  "latency-only change kept, count delta 0");

	n = hs_diff(&cur, &(struct hs_snapshot){}, out);
	ASSERT_EQ(n, 4, "against nothing: every non-zero row (the total)");
	n = hs_diff(&cur, &cur, out);
	ASSERT_EQ(n, 0, "against itself: nothing");

	/* a negative delta (a request moved to userspace in between) is kept */
	prev.rows[0].count = 11;
	n = hs_diff(&cur, &prev, out);
	ASSERT_EQ(out[0].key.arg == 1 && out[0].count == -1, 1, "negative delta kept");

	qsort(out, n, sizeof(*out), hs_cmp_count);
	ASSERT_EQ(out[0].count == 3 && out[0].key.arg == 2 && out[1].key.arg == 4, 1,
		  "by count, descending; ties by key");
	ASSERT_EQ(out[n - 1].count, -1, "negative last");
	hs_free_snapshot(&prev);
	hs_free_snapshot(&cur);
}

static void test_growth(void)
{
	struct hs_snapshot s = {};
	int ok = 1;

	for (int i = 0; i < 1000; i++) {
		struct hs_row *r = hs_new_row(&s);

		ok &= r && r->count == 0 && r->key.arg == 0;
		if (r)
			r->key.arg = i;
	}
	ASSERT_EQ(ok && s.n == 1000 && s.rows[999].key.arg == 999 && s.rows[0].key.arg == 0, 1,
		  "new rows come zeroed, the array grows and keeps them");
	hs_free_snapshot(&s);
	ASSERT_EQ(s.n == 0 && s.rows == NULL, 1, "freed snapshot is empty");
}

/* a row of VM pid, vCPU vcpu, port arg on path, with count and one latency */
static void put(struct hs_snapshot *s, __u32 pid, __u32 vcpu, __u64 arg, __u16 path,
		__s64 count)
{
	struct hs_row *r = hs_new_row(s);

	r->key = (struct hs_key){ .pid = pid, .vcpu = vcpu, .kind = HS_KIND_PIO,
				  .path = path, .code = HS_DIR_WRITE, .arg = arg };
	r->count = count;
	r->lat.timed = 1;
	r->lat.sum_ns = count;
	r->lat.slots[path] = 1;
}

/* the same 6 rows: 2 VMs x 2 vCPUs x 2 ports (one on another path) */
static void six_rows(struct hs_snapshot *s)
{
	s->n = 0;
	put(s, 200, 1, 0x500, HS_PATH_USERSPACE, 1);
	put(s, 100, 0, 0x500, HS_PATH_USERSPACE, 2);
	put(s, 100, 1, 0x500, HS_PATH_USERSPACE, 4);
	put(s, 200, HS_VCPU_UNKNOWN, 0x500, HS_PATH_USERSPACE, 8);
	put(s, 100, 0, 0x501, HS_PATH_KERNEL, 16);
	put(s, 200, 0, 0x501, HS_PATH_KERNEL, 32);
}

/* the row of VM pid and port arg, or NULL */
static const struct hs_row *row(const struct hs_snapshot *s, __u32 pid, __u64 arg)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->rows[i].key.pid == pid && s->rows[i].key.arg == arg)
			return &s->rows[i];
	return NULL;
}

#define COUNT(s, pid, arg) (row(s, pid, arg) ? row(s, pid, arg)->count : -1)

static void test_aggregate(void)
{
	struct hs_snapshot s = {};

	ASSERT_EQ(hs_parse_agg("vm"), HS_AGG_VM, "parse vm");
	ASSERT_EQ(hs_parse_agg("arg,vcpu,vm"), HS_AGG_VM | HS_AGG_VCPU | HS_AGG_ARG,
		  "parse three, any order");
	ASSERT_EQ(hs_parse_agg(""), -1, "empty list refused");
	ASSERT_EQ(hs_parse_agg("vm,"), -1, "trailing comma refused");
	ASSERT_EQ(hs_parse_agg("vms"), -1, "unknown label refused");
	ASSERT_EQ(hs_parse_agg("v"), -1, "a prefix is no label");
	ASSERT_STREQ(hs_agg_name(1), "vcpu", "name of bit 1");

	six_rows(&s);
	hs_aggregate(&s, 0);
	ASSERT_EQ(s.n, 6, "nothing aggregated: 6 rows");
	ASSERT_EQ(s.rows[0].key.pid == 100 && s.rows[0].key.vcpu == 0, 1, "sorted by key");

	six_rows(&s);
	hs_aggregate(&s, HS_AGG_VCPU);
	ASSERT_EQ(s.n, 4, "vcpu: one row per VM, port and path");
	ASSERT_EQ(COUNT(&s, 100, 0x500), 2 + 4, "VM 100 port 0x500: its two vCPUs summed");
	ASSERT_EQ(COUNT(&s, 200, 0x500), 1 + 8,
		  "VM 200 port 0x500: a known and an unknown vCPU summed");
	ASSERT_EQ(COUNT(&s, 200, 0x501), 32, "a row alone stays as it was");

	six_rows(&s);
	hs_aggregate(&s, HS_AGG_VM | HS_AGG_VCPU);
	ASSERT_EQ(s.n, 2, "vm,vcpu: one row per port and path");
	ASSERT_EQ(COUNT(&s, 0, 0x500), 1 + 2 + 4 + 8, "port 0x500 over every VM and vCPU");
	ASSERT_EQ(row(&s, 0, 0x500)->lat.timed == 4 && row(&s, 0, 0x500)->lat.sum_ns == 15 &&
		  row(&s, 0, 0x500)->lat.slots[HS_PATH_USERSPACE] == 4, 1,
		  "their latencies summed");
	ASSERT_EQ(COUNT(&s, 0, 0x501), 16 + 32, "port 0x501 on the kernel path");

	six_rows(&s);
	hs_aggregate(&s, HS_AGG_VM | HS_AGG_VCPU | HS_AGG_ARG);
	ASSERT_EQ(s.n, 2, "all three: one row per path");
	ASSERT_EQ(s.rows[0].key.arg == 0 && s.rows[0].key.pid == 0 &&
		  s.rows[0].key.vcpu == 0, 1, "aggregated fields zeroed");
	ASSERT_EQ(s.rows[0].key.path == HS_PATH_KERNEL && s.rows[0].count == 48 &&
		  s.rows[1].count == 15, 1, "kernel 48, userspace 15");
	hs_free_snapshot(&s);
	hs_aggregate(&s, HS_AGG_VM);
	ASSERT_EQ(s.n, 0, "an empty snapshot stays empty");
}

int main(void)
{
	test_diff();
	test_growth();
	test_aggregate();
	return hs_failed ? 1 : 0;
}
