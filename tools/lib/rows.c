// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdlib.h>
#include <string.h>
#include "rows.h"

struct hs_row *hs_new_row(struct hs_snapshot *s)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? 2 * s->cap : 256;
		struct hs_row *r = realloc(s->rows, cap * sizeof(*r));

		if (!r)
			return NULL;
		s->rows = r;
		s->cap = cap;
	}
	memset(&s->rows[s->n], 0, sizeof(s->rows[0]));
	return &s->rows[s->n++];
}

void hs_free_snapshot(struct hs_snapshot *s)
{
	free(s->rows);
	memset(s, 0, sizeof(*s));
}

int hs_cmp_key(const void *a, const void *b)
{
	return memcmp(&((const struct hs_row *)a)->key, &((const struct hs_row *)b)->key,
		      sizeof(struct hs_key));
}

int hs_cmp_count(const void *a, const void *b)
{
	const struct hs_row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return hs_cmp_key(a, b);
}

size_t hs_diff(const struct hs_snapshot *cur, const struct hs_snapshot *prev,
	       struct hs_row *out)
{
	size_t i = 0, j = 0, n = 0;

	for (; i < cur->n; i++) {
		const struct hs_row *p = NULL;
		__s64 before = 0;

		while (j < prev->n && hs_cmp_key(&prev->rows[j], &cur->rows[i]) < 0)
			j++;
		if (j < prev->n && !hs_cmp_key(&prev->rows[j], &cur->rows[i])) {
			p = &prev->rows[j];
			before = p->count;
		}
		if (cur->rows[i].count != before ||
		    cur->rows[i].lat.timed != (p ? p->lat.timed : 0)) {
			struct hs_hist *l = &out[n].lat;

			out[n] = cur->rows[i];
			out[n].count -= before;
			if (p) {
				l->timed -= p->lat.timed;
				l->sum_ns -= p->lat.sum_ns;
				for (int b = 0; b < HS_HIST_SLOTS; b++)
					l->slots[b] -= p->lat.slots[b];
			}
			n++;
		}
	}
	return n;
}

const char *hs_agg_name(int i)
{
#define HS_AGG_NAME(sym, name) name,
	static const char *const names[] = { HS_AGG_LIST(HS_AGG_NAME) };
#undef HS_AGG_NAME

	return i >= 0 && i < HS_AGG_NR ? names[i] : NULL;
}

int hs_parse_agg(const char *list)
{
	const char *p = list;
	int mask = 0;

	for (;;) {
		size_t len = strcspn(p, ",");
		int i;

		for (i = 0; i < HS_AGG_NR; i++)
			if (len == strlen(hs_agg_name(i)) && !strncmp(p, hs_agg_name(i), len))
				break;
		if (i == HS_AGG_NR)
			return -1;
		mask |= 1 << i;
		if (!p[len])
			return mask;
		p += len + 1;
	}
}

static void add_hist(struct hs_hist *to, const struct hs_hist *h)
{
	to->requests += h->requests;
	to->timed += h->timed;
	to->sum_ns += h->sum_ns;
	for (int b = 0; b < HS_HIST_SLOTS; b++)
		to->slots[b] += h->slots[b];
}

void hs_aggregate(struct hs_snapshot *s, unsigned agg)
{
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct hs_key *k = &s->rows[i].key;

		if (agg & HS_AGG_VM)
			k->pid = 0;
		if (agg & HS_AGG_VCPU)
			k->vcpu = 0;
		if (agg & HS_AGG_ARG)
			k->arg = 0;
	}
	if (!s->n)
		return;
	qsort(s->rows, s->n, sizeof(*s->rows), hs_cmp_key);
	for (size_t i = 0; i < s->n; i++) {
		struct hs_row *r = &s->rows[i];

		if (n && !hs_cmp_key(&s->rows[n - 1], r)) {
			s->rows[n - 1].count += r->count;
			add_hist(&s->rows[n - 1].lat, &r->lat);
		} else {
			s->rows[n++] = *r;
		}
	}
	s->n = n;
}
