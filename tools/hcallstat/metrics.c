// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The metrics exposition of what the maps hold now (tools/lib/export.c
 * formats it): for --textfile, rewritten atomically, and for /metrics.
 * Thread-safe: a snapshot of its own, no globals written, errors returned.
 */
#include <errno.h>
#include <stdlib.h>
#include "atomicfile.h"
#include "hcallstat.h"

int render_metrics(const struct hs_maps *m, FILE *f, int om)
{
	struct hs_snapshot s = {};
	struct hs_series *v;
	int err = read_snapshot(m, &s);

	v = err ? NULL : calloc(s.n ? s.n : 1, sizeof(*v));
	if (!v) {
		hs_free_snapshot(&s);
		return err ? err : -ENOMEM;
	}
	for (size_t i = 0; i < s.n; i++) {
		v[i].key = s.rows[i].key;
		v[i].count = s.rows[i].count;
		v[i].lat = m->hist ? &s.rows[i].lat : NULL;
	}
	hs_write_metrics(f, v, s.n, &m->scale, s.drops + s.hist_drops, m->agg, om);
	free(v);
	hs_free_snapshot(&s);
	return ferror(f) ? -EIO : 0;
}

/* env.textfile appears whole or not at all; 0 or -errno */
int write_om_file(const struct hs_maps *m)
{
	struct hs_afile a;
	FILE *f = hs_afile_open(&a, env.textfile);
	int err = 0;

	if (!f)
		return -errno;
	if (m)
		err = render_metrics(m, f, 0);
	if (err) {
		hs_afile_abort(&a);
		return err;
	}
	return hs_afile_commit(&a, env.textfile);
}
