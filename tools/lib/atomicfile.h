/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* A file that appears whole or not at all: a temp file next to it, renamed. */
#ifndef HS_ATOMICFILE_H
#define HS_ATOMICFILE_H

#include <limits.h>
#include <stdio.h>

struct hs_afile {
	char tmp[PATH_MAX];	/* "" when none is open */
	FILE *f;
};

/* PATH.tmp.XXXXXX opened for writing; NULL with errno set */
FILE *hs_afile_open(struct hs_afile *a, const char *path);
/* mode 0644, flushed, renamed to path: 0, or -errno with the temp file gone */
int hs_afile_commit(struct hs_afile *a, const char *path);
/* close and remove the temp file, if one is open */
void hs_afile_abort(struct hs_afile *a);

#endif
