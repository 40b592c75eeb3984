// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hcall-load POWER: the VMM's meddling threads (meddle.h) */
#include <endian.h>
#include <errno.h>
#include <time.h>
#include <sys/mman.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <linux/kvm.h>
#include <linux/vfio.h>
#include "hcall-load.h"
#include "meddle.h"

#define FLIP_BIT	0x800ull	/* makes a TCE misaligned, same page */

static void *flip(void *arg)
{
	struct hl_meddler *m = arg;

	while (m->run) {
		*m->entry ^= htobe64(FLIP_BIT);
		m->rounds++;
	}
	return NULL;
}

static int set_attr(int fd, uint64_t attr, void *addr)
{
	struct kvm_device_attr a = { .group = KVM_DEV_VFIO_GROUP, .attr = attr,
				     .addr = (uintptr_t)addr };

	return ioctl(fd, KVM_SET_DEVICE_ATTR, &a);
}

static void *churn_group(void *arg)
{
	struct hl_meddler *m = arg;
	struct kvm_vfio_spapr_tce spapr = { .tablefd = m->table_fd, .groupfd = m->group_fd };

	while (m->run) {
		if (set_attr(m->kvm_vfio_fd, KVM_DEV_VFIO_GROUP_DEL, &m->group_fd))
			m->error = "KVM_DEV_VFIO_GROUP_DEL";
		else if (set_attr(m->kvm_vfio_fd, KVM_DEV_VFIO_GROUP_ADD, &m->group_fd))
			m->error = "KVM_DEV_VFIO_GROUP_ADD";
		else if (set_attr(m->kvm_vfio_fd, KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE, &spapr))
			m->error = "KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE";
		if (m->error)
			break;
		m->rounds++;
	}
	return NULL;
}

static void *churn_table(void *arg)
{
	struct hl_meddler *m = arg;
	struct kvm_create_spapr_tce_64 t = {
		.liobn = HL_LIOBN_CHURN, .page_shift = m->page_shift, .size = m->window_pages,
	};

	while (m->run) {
		struct kvm_vfio_spapr_tce spapr = { .groupfd = m->group_fd };
		int fd = ioctl(m->vm_fd, KVM_CREATE_SPAPR_TCE_64, &t);

		if (fd < 0) {
			m->error = "KVM_CREATE_SPAPR_TCE_64";
			break;
		}
		spapr.tablefd = fd;
		if (m->group_fd >= 0 &&
		    set_attr(m->kvm_vfio_fd, KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE, &spapr))
			m->error = "KVM_DEV_VFIO_GROUP_SET_SPAPR_TCE";
		else
			/* long enough for hcalls to be under way on it, short
			 * enough that a quick guest still meets several closes */
			usleep(20000);
		close(fd);		/* KVM releases it before close() returns */
		if (m->error)
			break;
		m->rounds++;
	}
	return NULL;
}

static void *time_notifier(void *arg)
{
	struct hl_meddler *m = arg;

	while (m->run) {
		struct timespec t0, t1;
		uint64_t ns;

		m->page[0] = 1;		/* fault it in again */
		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (madvise((void *)m->page, 4096, MADV_DONTNEED)) {
			m->error = "madvise";
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		ns = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000000000u + t1.tv_nsec - t0.tv_nsec;
		if (m->rounds < HL_NOTIFIER_SAMPLES)
			m->ns[m->rounds] = ns > UINT32_MAX ? UINT32_MAX : (uint32_t)ns;
		m->rounds++;
	}
	return NULL;
}

static void *map_entry(void *arg)
{
	struct hl_meddler *m = arg;
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map), .iova = 0,
		.size = 1u << m->page_shift,
		.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE };
	struct vfio_iommu_type1_dma_unmap unmap = { .argsz = sizeof(unmap), .iova = 0,
		.size = 1u << m->page_shift };

	while (m->run) {
		if (m->rounds % 3 == 2) {
			if (ioctl(m->container_fd, VFIO_IOMMU_UNMAP_DMA, &unmap))
				m->error = "VFIO_IOMMU_UNMAP_DMA";
		} else {
			map.vaddr = m->vaddr[m->rounds % 3];
			if (ioctl(m->container_fd, VFIO_IOMMU_MAP_DMA, &map))
				m->error = "VFIO_IOMMU_MAP_DMA";
		}
		if (m->error)
			break;
		m->rounds++;
	}
	return NULL;
}

int hl_meddle_start(struct hl_meddler *m, enum hl_meddle what)
{
	static void *(*const fn[])(void *) = {
		[HL_MEDDLE_FLIP] = flip, [HL_MEDDLE_GROUP] = churn_group,
		[HL_MEDDLE_TABLE] = churn_table, [HL_MEDDLE_NOTIFIER] = time_notifier,
		[HL_MEDDLE_VFIO_MAP] = map_entry,
	};

	m->run = 1;
	if (pthread_create(&m->tid, NULL, fn[what], m)) {
		m->run = 0;
		errno = EAGAIN;
		return -1;
	}
	return 0;
}

void hl_meddle_stop(struct hl_meddler *m)
{
	if (!m->run)
		return;
	m->run = 0;
	pthread_join(m->tid, NULL);
}
