// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-tce-attach [-c IOMMU-SHIFT] [-s TCE-SHIFT] GROUP: what a hostile VMM
 * tries - attach VFIO group GROUP to a KVM TCE table (LIOBN 0x80000000,
 * one page of 2^TCE-SHIFT bytes, default 64K, at bus address 0).
 * Without -c the group is in no VFIO container, so the window there is
 * the host's own default DMA table: KVM must never take it.  With -c the
 * group goes into a SPAPR TCE v2 container whose window at bus address 0
 * has IOMMU pages of 2^IOMMU-SHIFT bytes: KVM must refuse a TCE page that
 * covers too many of them.  Prints "attached" or "refused: ERRNO-NAME"
 * and exits 0; 1 when a step before the attach fails.  For the tests of
 * kernel-patch.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdint.h>
#include <stdio.h>
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

/* GROUP into a v2 container with one window at bus address 0: IOMMU
 * pages of 2^shift bytes, at least 1M and the LIOBN's window long */
static int contain(int group, unsigned int shift, uint64_t bytes)
{
	struct vfio_iommu_spapr_tce_info info = { .argsz = sizeof(info) };
	struct vfio_iommu_spapr_tce_remove dflt = { .argsz = sizeof(dflt) };
	struct vfio_iommu_spapr_tce_create win = {
		.argsz = sizeof(win), .page_shift = shift, .levels = 1, .window_size = 1 << 20,
	};
	int container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);

	if (container < 0)
		return fail("/dev/vfio/vfio");
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container))
		return fail("VFIO_GROUP_SET_CONTAINER");
	if (ioctl(container, VFIO_SET_IOMMU, VFIO_SPAPR_TCE_v2_IOMMU))
		return fail("VFIO_SET_IOMMU");
	if (ioctl(container, VFIO_IOMMU_SPAPR_TCE_GET_INFO, &info))
		return fail("VFIO_IOMMU_SPAPR_TCE_GET_INFO");
	dflt.start_addr = info.dma32_window_start;
	if (ioctl(container, VFIO_IOMMU_SPAPR_TCE_REMOVE, &dflt))
		return fail("VFIO_IOMMU_SPAPR_TCE_REMOVE");
	while (win.window_size < bytes)
		win.window_size <<= 1;
	if (ioctl(container, VFIO_IOMMU_SPAPR_TCE_CREATE, &win))
		return fail("VFIO_IOMMU_SPAPR_TCE_CREATE");
	if (win.start_addr) {
		errno = EINVAL;
		return fail("VFIO DMA window not at bus address 0");
	}
	return 0;	/* the container stays open until the process ends */
}

static unsigned int shift_arg(const char *s)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s < '0' || *s > '9' || *end || v < 12 || v > 34) {
		fprintf(stderr, "kvm-tce-attach: bad page shift '%s' (12..34)\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct kvm_create_spapr_tce_64 window = {
		.liobn = 0x80000000, .page_shift = 16, .offset = 0, .size = 16,
	};
	struct kvm_create_device dev = { .type = KVM_DEV_TYPE_VFIO };
	struct kvm_vfio_spapr_tce spapr;
	unsigned int iommu_shift = 0;
	char path[64];
	int kvm, vm, group, table, c;

	while ((c = getopt(argc, argv, "c:s:")) != -1) {
		switch (c) {
		case 'c':
			iommu_shift = shift_arg(optarg);
			break;
		case 's':
			window.page_shift = shift_arg(optarg);
			window.size = 1;
			break;
		default:
			argc = 0;
		}
	}
	if (argc == 0 || optind != argc - 1) {
		fprintf(stderr, "usage: kvm-tce-attach [-c IOMMU-SHIFT] [-s TCE-SHIFT] GROUP\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%s", argv[optind]);
	group = open(path, O_RDWR | O_CLOEXEC);
	if (group < 0)
		return fail(path);
	if (iommu_shift &&
	    contain(group, iommu_shift, window.size << window.page_shift))
		return 1;
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return fail("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return fail("KVM_CREATE_VM");
	table = ioctl(vm, KVM_CREATE_SPAPR_TCE_64, &window);
	if (table < 0)
		return fail("KVM_CREATE_SPAPR_TCE_64");
	if (ioctl(vm, KVM_CREATE_DEVICE, &dev))
		return fail("KVM_CREATE_DEVICE");
	if (set_attr(dev.fd, KVM_DEV_VFIO_GROUP_ADD, &group))
		return fail("KVM_DEV_VFIO_GROUP_ADD");
	spapr.groupfd = group;
	spapr.tablefd = table;
	if (set_attr(dev.fd, KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE, &spapr))
		printf("refused: %s\n", strerrorname_np(errno));
	else
		printf("attached\n");
	return 0;
}
