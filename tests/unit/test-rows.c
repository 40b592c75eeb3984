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

int main(void)
{
	test_diff();
	test_growth();
	return hs_failed ? 1 : 0;
}
