// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-tce-attach [-c IOMMU-SHIFT [-r ROUNDS]] [-s TCE-SHIFT] GROUP: what a
 * hostile VMM tries - attach VFIO group GROUP to a KVM TCE table (LIOBN
 * 0x80000000, one page of 2^TCE-SHIFT bytes, default 16 pages of 64K, at
 * bus address 0).
 *  - without -c the group is in no VFIO container, so the window there is
 *    the host's own default DMA table: KVM must never take it;
 *  - -c: the group goes into a SPAPR TCE v2 container whose window at bus
 *    address 0 has IOMMU pages of 2^IOMMU-SHIFT bytes: KVM must refuse a
 *    TCE page that covers too many of them;
 *  - -r: ROUNDS times, a window is created, attached and removed; then
 *    "attached ROUNDS" and the process waits for a line on its standard
 *    input before it exits, so that the tables KVM still holds can be
 *    counted.
 * Prints "attached" or "refused: ERRNO-NAME" and exits 0; 1 when a step
 * other than the attach fails.  For the tests of kernel-patch.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/kvm.h>
#include <linux/vfio.h>

static int fail(const char *what)
{
	fprintf(stderr, "kvm-tce-attach: %s: %s\n", what, strerror(errno));
	return 1;
}

static int set_attr(int dev, uint64_t attr, void *arg)
{
	struct kvm_device_attr a = {
		.group = KVM_DEV_VFIO_GROUP,
		.attr = attr,
		.addr = (uintptr_t)arg,
	};

	return ioctl(dev, KVM_SET_DEVICE_ATTR, &a);
}

/* a window at bus address 0: IOMMU pages of 2^shift bytes, at least 1M
 * and "bytes" long; 0 or 1 (said why) */
static int window_at_0(int container, unsigned int shift, uint64_t bytes)
{
	struct vfio_iommu_spapr_tce_create win = {
		.argsz = sizeof(win), .page_shift = shift, .levels = 1, .window_size = 1 << 20,
	};

	while (win.window_size < bytes)
		win.window_size <<= 1;
	if (ioctl(container, VFIO_IOMMU_SPAPR_TCE_CREATE, &win))
		return fail("VFIO_IOMMU_SPAPR_TCE_CREATE");
	if (win.start_addr) {
		errno = EINVAL;
		return fail("VFIO DMA window not at bus address 0");
	}
	return 0;
}

static int remove_window(int container, uint64_t start)
{
	struct vfio_iommu_spapr_tce_remove rm = { .argsz = sizeof(rm), .start_addr = start };

	return ioctl(container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &rm) ?
		fail("VFIO_IOMMU_SPAPR_TCE_REMOVE") : 0;
}

/* GROUP into a v2 container, its default window removed; the container's
 * fd (open until the process ends), -1 (said why) */
static int contain(int group)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	int container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);

	if (container < 0)
		return fail("/dev/vfio/vfio"), -1;
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		return fail("VFIO_GROUP_SET_CONTAINER"), -1;
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU))
		return fail("VFIO_SET_IOMMU"), -1;
	if (ioctl(container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info))
		return fail("VFIO_IOMMU_SPAPR_TCE_GET_INFO"), -1;
	return remove_window(container, info.dma32_window_start) ? -1 : container;
}

static unsigned long num_arg(const char *s, const char *what, unsigned long lo, unsigned long hi)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s < '0' || *s > '9' || *end || v < lo || v > hi) {
		fprintf(stderr, "kvm-tce-attach: bad %s '%s' (%lu..%lu)\n", what, s, lo, hi);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct kvm_create_spapr_tce_64 liobn = {
		.liobn = 0x80000000, .page_shift = 16, .offset = 0, .size = 16,
	};
	struct kvm_create_device dev = { .type = KVM_DEV_TYPE_VFIO };
	struct kvm_vfio_spapr_tce spapr;
	unsigned int iommu_shift = 0;
	unsigned long rounds = 0;
	char path[64];
	int kvm, vm, group, container = -1, c;

	while ((c = getopt(argc, argv, "c:r:s:")) != -1) {
		switch (c) {
		case 'c':
			iommu_shift = num_arg(optarg, "page shift", 12, 34);
			break;
		case 'r':
			rounds = num_arg(optarg, "round count", 1, 1000);
			break;
		case 's':
			liobn.page_shift = num_arg(optarg, "page shift", 12, 34);
			liobn.size = 1;
			break;
		default:
			argc = 0;
		}
	}
	if (argc == 0 || optind != argc - 1 || (rounds && !iommu_shift)) {
		fprintf(stderr, "usage: kvm-tce-attach [-c IOMMU-SHIFT [-r ROUNDS]] [-s TCE-SHIFT] GROUP\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%s", argv[optind]);
	group = open(path, O_RDWR | O_CLOEXEC);
	if (group < 0)
		return fail(path);
	if (iommu_shift && (container = contain(group)) < 0)
		return 1;
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	spapr.tablefd = ioctl(vm, KVM_CREATE_SPAPR_TCE_64, &liobn);
	if (spapr.tablefd < 0)
		return fail("KVM_CREATE_SPAPR_TCE_64");
	if (ioctl(vm, KVM_CREATE_DEVICE, &dev))
		return fail("KVM_CREATE_DEVICE");
	if (set_attr(dev.fd, KVM_DEV_VFIO_GROUP_ADD, &group))
		return fail("KVM_DEV_VFIO_GROUP_ADD");
	spapr.groupfd = group;
	for (unsigned long r = 0; r < (rounds ? rounds : 1); r++) {
		if (iommu_shift && window_at_0(container, iommu_shift, liobn.size << liobn.page_shift))
			return 1;
		if (set_attr(dev.fd, KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE, &spapr)) {
			printf("refused: %s\n", strerrorname_np(errno));
			return 0;
		}
		/* the window goes while the group stays on the LIOBN */
		if (rounds && remove_window(container, 0))
			return 1;
	}
	if (!rounds) {
		printf("attached\n");
		return 0;
	}
	printf("attached %lu\n", rounds);
	fflush(stdout);
	while ((c = getchar()) != EOF && c != '\n')
		;
	return 0;
}
