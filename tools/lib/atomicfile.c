// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include "atomicfile.h"

FILE *hs_afile_open(struct hs_afile *a, const char *path)
{
	int fd, err;

	a->f = NULL;
	if (snprintf(a->tmp, sizeof(a->tmp), "%s.tmp.XXXXXX", path) >= (int)sizeof(a->tmp)) {
		a->tmp[0] = '\0';
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = mkostemp(a->tmp, O_CLOEXEC);
	if (fd < 0) {
		a->tmp[0] = '\0';
		return NULL;
	}
	a->f = fdopen(fd, "w");
	if (!a->f) {
		err = errno;
		close(fd);
		unlink(a->tmp);
		a->tmp[0] = '\0';
		errno = err;
	}
	return a->f;
}

int hs_afile_commit(struct hs_afile *a, const char *path)
{
	int err = 0;

	fchmod(fileno(a->f), 0644);	/* mkostemp made it 0600 */
	if (ferror(a->f))
		err = -EIO;
	if (fclose(a->f) && !err)
		err = -errno;
	a->f = NULL;
	if (!err && rename(a->tmp, path))
		err = -errno;
	if (err)
		unlink(a->tmp);
	a->tmp[0] = '\0';
	return err;
}

void hs_afile_abort(struct hs_afile *a)
{
	if (a->f)
		fclose(a->f);
	a->f = NULL;
	if (a->tmp[0])
		unlink(a->tmp);
	a->tmp[0] = '\0';
}
