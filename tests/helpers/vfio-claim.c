// SPDX-License-Identifier: GPL-2.0
/*
 * vfio-claim GROUP SECS: claim VFIO group GROUP as VFIO_GROUP_SET_CONTAINER
 * does (the IOMMU core attaches the blocking domain), without choosing an
 * IOMMU model, hold it SECS seconds, print "claimed" on stdout once done,
 * and exit (which gives the group back).  For the tests of kernel-patch
 * 0001: what does the kernel do with a group's DMA while it is claimed?
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/vfio.h>

int main(int argc, char **argv)
{
	char path[64];
	int container, group;
	char *end;
	long secs;

	if (argc != 3 || (secs = strtol(argv[2], &end, 10)) < 0 || *end) {
		fprintf(stderr, "usage: vfio-claim GROUP SECS\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%s", argv[1]);
	container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	group = open(path, O_RDWR | O_CLOEXEC);
	if (container < 0 || group < 0) {
		fprintf(stderr, "vfio-claim: cannot open %s: %s\n",
			container < 0 ? "/dev/vfio/vfio" : path, strerror(errno));
		return 1;
	}
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container)) {
		fprintf(stderr, "vfio-claim: VFIO_GROUP_SET_CONTAINER: %s\n", strerror(errno));
		return 1;
	}
	printf("claimed\n");
	fflush(stdout);
	sleep(secs);
	return 0;
}
