// SPDX-License-Identifier: GPL-2.0
/*
 * kvm-tce-attach GROUP: what a hostile VMM tries - attach VFIO group GROUP,
 * which it never put in a VFIO container, to a KVM TCE table (LIOBN
 * 0x80000000, 64K pages at bus address 0: a window the host's own
 * default DMA table covers).  Prints "attached" or "refused: ERRNO-NAME"
 * and exits 0; 1 when a step before the attach fails.  For the tests of
 * kernel-patch: KVM must never take the host's DMA table.
 */
#include <errno.h>
#include <fcntl.h>
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

int main(int argc, char **argv)
{
	struct kvm_create_spapr_tce_64 window = {
		.liobn = 0x80000000, .page_shift = 16, .offset = 0, .size = 16,
	};
	struct kvm_create_device dev = { .type = KVM_DEV_TYPE_VFIO };
	struct kvm_vfio_spapr_tce spapr;
	char path[64];
	int kvm, vm, group, table;

	if (argc != 2) {
		fprintf(stderr, "usage: kvm-tce-attach GROUP\n");
		return 2;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%s", argv[1]);
	group = open(path, O_RDWR | O_CLOEXEC);
	if (group < 0)
		return fail(path);
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
