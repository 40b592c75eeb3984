#!/bin/sh
# PCI devices to vfio-pci and back, on a POWER host (real, or the emulated
# one of the tests and bench/emulated.sh): the one place that knows how.
#
#   pci-vfio.sh find DEVICE-ID [COUNT]   addresses of the first COUNT (default
#                                        all) devices with that PCI device ID
#                                        (0x10d3: e1000e), one per line
#   pci-vfio.sh bind PCI-ADDR...         each device to vfio-pci; prints
#                                        "PCI-ADDR DRIVER-BEFORE IOMMU-GROUP"
#                                        (DRIVER-BEFORE "none" if it had none)
#   pci-vfio.sh release PCI-ADDR DRIVER-BEFORE
#                                        let go of it, and back to its driver
#
# A bind is done once its group's /dev/vfio node exists (the VMM opens it
# next); any failure is one line on stderr and exit status 1.
set -eu
die() { echo "pci-vfio: $*" >&2; exit 1; }
pci=/sys/bus/pci

find_devices() {	# DEVICE-ID [COUNT]
	found=$(grep -lx -- "$1" $pci/devices/*/device 2> /dev/null) || die "no PCI device with ID $1"
	[ -z "${2:-}" ] || found=$(echo "$found" | head -n "$2")
	for f in $found; do basename "$(dirname "$f")"; done
}

bind_device() {	# PCI-ADDR
	p=$pci/devices/$1
	[ -e "$p" ] || die "no PCI device $1"
	[ -e "$p/iommu_group" ] ||
		die "$1 has no IOMMU group (IOMMU off, or a kernel without kernel-patch/0001)"
	group=$(basename "$(readlink "$p/iommu_group")")
	drv=none
	[ ! -e "$p/driver" ] || drv=$(basename "$(readlink "$p/driver")")
	if [ "$drv" != vfio-pci ]; then
		[ "$drv" = none ] || echo "$1" > "$p/driver/unbind"
		# only vfio-pci may take it now, also after a rescan
		echo vfio-pci > "$p/driver_override"
		echo "$1" > $pci/drivers_probe
		[ "$(basename "$(readlink "$p/driver" 2> /dev/null)")" = vfio-pci ] ||
			die "$1 does not bind to vfio-pci (see dmesg)"
	fi
	# devtmpfs or udev make the node after the probe returned
	i=0
	until [ -c "/dev/vfio/$group" ]; do
		[ $i -lt 50 ] || die "no /dev/vfio/$group for $1 within 5 s"
		sleep 0.1
		i=$((i + 1))
	done
	echo "$1 $drv $group"
}

release_device() {	# PCI-ADDR DRIVER-BEFORE
	p=$pci/devices/$1
	[ -e "$p" ] || die "no PCI device $1"
	[ ! -e "$p/driver" ] || echo "$1" > "$p/driver/unbind"
	echo > "$p/driver_override"
	[ "$2" = none ] || echo "$1" > $pci/drivers_probe 2> /dev/null || true
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case $cmd in
find) [ $# -ge 1 ] && [ $# -le 2 ] || die "find needs DEVICE-ID [COUNT]"; find_devices "$@" ;;
bind) [ $# -ge 1 ] || die "bind needs a PCI-ADDR"; for d in "$@"; do bind_device "$d"; done ;;
release) [ $# = 2 ] || die "release needs PCI-ADDR DRIVER-BEFORE"; release_device "$1" "$2" ;;
*) echo "usage: pci-vfio.sh find|bind|release ... (see the script's header)" >&2; exit 2 ;;
esac
