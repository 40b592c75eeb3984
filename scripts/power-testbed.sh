#!/bin/bash
# The emulated POWER testbed: Debian's ppc64el kernel and busybox in an
# initramfs with our cross-built tools, booted non-interactively under QEMU
# TCG.  Debian packages are cached outside the checkout.  hcallscope's own
# ppc64el package (make deb, scripts/deb-cached.sh; or $HS_PPC64EL_DEB) is
# installed into the image of every machine booted here, so scripts run the
# packaged hcallstat and hcall-load (/usr/sbin, /usr/bin, their BTF files in
# /usr/lib/hcallscope/btf) - never a build tree's.
#
#   scripts/power-testbed.sh [-M powernv8|powernv9|pseries-nested|pseries]
#                            [-n e1000|e1000e|virtio|e1000e-vfio|e1000e-vfio2] [-a KERNEL-ARGS]
#                            [-k KERNEL-DIR | -D RELEASE] [-g GUEST-DIR] [-o DIR] [-t SECS]
#                            [-c CPUS] [-f FILE]... SCRIPT
#
# SCRIPT runs as root inside the guest with /hs (our tools and files) on
# PATH, tracefs and bpffs mounted and kvm-hv loaded when the machine can
# host it.  With -n the guest gets that NIC on QEMU's user network
# (address 10.0.2.15, the build machine's loopback reached as 10.0.2.2)
# and iperf3; "virtio" is virtio-net behind the guest's IOMMU
# (iommu_platform=on), e1000 always maps DMA per packet.  -k boots our own
# kernel instead of Debian's: a directory with vmlinux, kvm.ko and kvm-hv.ko
# (scripts/kernel-build.sh).  -D picks Debian's kernel by release: 12
# (default), 13 or 13-64k (scripts/lib/debian-kernels.sh).  -o builds the machine without booting it:
# DIR gets vmlinux, initrd.gz and cmdline.  -g makes this machine a host of
# its own guest: Debian's ppc64el QEMU and perf go in, and GUEST-DIR (a -o output)
# lands in /hs/guest.  Everything the guest prints comes back on stdout; the exit
# status is the script's ("HS-EXIT n" on the console), 124 on timeout.
# -c gives the machine CPUS processors (default 1), for tests that need
# two things to run at the same time (a hostile VMM thread and a vCPU).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/debian-kernels.sh"
release=12
machine=powernv8 mem=2G timeout=240 files=() nic= append= kdir= outdir= guestdir= cpus=1
while getopts M:t:f:n:a:k:o:g:c:D: c; do
	case $c in
	D) release=$OPTARG ;;
	c) cpus=$OPTARG
	   [[ $cpus =~ ^[1-8]$ ]] || { echo "power-testbed: bad CPU count '$cpus' (1..8)" >&2; exit 2; } ;;
	k) kdir=$OPTARG ;;
	o) outdir=$OPTARG ;;
	g) guestdir=$OPTARG ;;
	M) machine=$OPTARG ;;
	n) nic=$OPTARG ;;
	a) append=$OPTARG ;;
	t) timeout=$OPTARG ;;
	f) files+=("$OPTARG") ;;
	*) echo "usage: power-testbed.sh [-M MACHINE] [-n NIC] [-a ARGS] [-k DIR | -D RELEASE] [-g DIR] [-o DIR] [-t SECS] [-c CPUS] [-f FILE]... SCRIPT" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
kernel_of_release=$(hs_debian_kernel "$release" 2>&1) || { echo "power-testbed: $kernel_of_release" >&2; exit 2; }
read -r kabi ksuite <<< "$kernel_of_release"
[ $# -eq 1 ] && [ -r "$1" ] || { echo "power-testbed: need a readable guest script" >&2; exit 2; }
for f in "${files[@]}"; do
	case ${f##*/} in hcallstat|hcall-load|btf)
		echo "power-testbed: -f $f would shadow the packaged ${f##*/} (the image has hcallscope's package)" >&2
		exit 2 ;;
	esac
done
script=$1

case $machine in
powernv8)	# bare-metal POWER8 hypervisor (hash MMU), fast skiboot exit via the BMC
	qemu_machine=(-M powernv8 -cpu POWER8
		      -device ipmi-bmc-sim,id=bmc0 -device isa-ipmi-bt,bmc=bmc0,irq=10)
	console=hvc0 ;;
powernv9)	# bare-metal POWER9 hypervisor: PHB4, OPAL's real-mode TCE kill
	qemu_machine=(-M powernv9 -cpu POWER9
		      -device ipmi-bmc-sim,id=bmc0 -device isa-ipmi-bt,bmc=bmc0,irq=10)
	console=hvc0 ;;
pseries-nested)	# POWER9 pseries guest that runs KVM-HV nested
	qemu_machine=(-M pseries,cap-nested-hv=on,x-vof=on -cpu POWER9)
	console=hvc0 ;;
pseries)	# a plain pseries guest: its own hcalls are what we watch
	qemu_machine=(-M pseries,x-vof=on -cpu POWER9)
	mem=1G console=hvc0 ;;
*) echo "power-testbed: unknown machine '$machine'" >&2; exit 2 ;;
esac
modules="kvm kvm-hv"
case $nic in
"") ;;
e1000) qemu_machine+=(-netdev user,id=n0 -device e1000,netdev=n0); modules="$modules e1000" ;;
passthrough)	# a guest for a passed-through NIC (bench/guest.sh): e1000e here,
		# drivers for the seed's cxgb3 and a common 10GbE NIC for real hardware
	qemu_machine+=(-netdev user,id=n0 -device e1000e,netdev=n0); modules="$modules e1000e cxgb3 ixgbe" ;;
virtio) qemu_machine+=(-netdev user,id=n0
		       -device virtio-net-pci,netdev=n0,disable-legacy=on,iommu_platform=on)
	modules="$modules virtio_pci virtio_net" ;;
e1000e-vfio)	# powernv: an e1000e on a PHB root port (PHB3 on powernv8, PHB4 on
		# powernv9), its driver not loaded (for vfio-pci)
	qemu_machine+=(-device pnv-phb,chip-id=0,index=0,id=phb0
		       -device pnv-phb-root-port,bus=phb0,id=rp0
		       -netdev user,id=n0 -device e1000e,netdev=n0,bus=rp0)
	modules="$modules vfio_pci vfio_iommu_spapr_tce" ;;	# Debian's kernel: modules
e1000e-vfio2)	# the same, twice: two e1000e on two PHBs (two IOMMU groups)
	qemu_machine+=(-device pnv-phb,chip-id=0,index=0,id=phb0
		       -device pnv-phb-root-port,bus=phb0,id=rp0
		       -netdev user,id=n0 -device e1000e,netdev=n0,bus=rp0
		       -device pnv-phb,chip-id=0,index=1,id=phb1
		       -device pnv-phb-root-port,bus=phb1,id=rp1
		       -netdev user,id=n1 -device e1000e,netdev=n1,bus=rp1)
	modules="$modules vfio_pci vfio_iommu_spapr_tce" ;;
*) echo "power-testbed: unknown NIC '$nic'" >&2; exit 2 ;;
esac
if [ -n "$guestdir" ]; then
	[ -r "$guestdir/vmlinux" ] && [ -r "$guestdir/initrd.gz" ] ||
		{ echo "power-testbed: $guestdir is not a guest built with -o" >&2; exit 2; }
	mem=3G	# room for the guest's RAM (pinned by VFIO) and its image
fi

. "$top/scripts/debs.sh"
fetch() {	# unpack Debian ppc64el packages into $stage (FETCH_SUITE's)
	local p deb
	for p in "$@"; do
		deb=$(deb_path "$p" "${FETCH_SUITE:-bookworm}") || exit 1
		dpkg -x "$deb" "$stage"
	done
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage=$work/stage root=$work/root
mkdir -p "$stage" "$root"/{bin,hs,proc,sys,dev,tmp,lib/modules}
FETCH_SUITE=$ksuite fetch "linux-image-$kabi"
fetch busybox-static
[ -z "$nic" ] || fetch iperf3 libiperf0 libsctp1 libssl3 libc6

cp "$stage/bin/busybox" "$root/bin/"
for a in sh mount umount mkdir cat echo ls sleep insmod poweroff grep sed awk wc head tail \
	 ip ifconfig udhcpc seq sort tr cut date kill stty mkfifo base64 tar rm printf timeout basename dirname readlink xargs id; do
	ln -sf busybox "$root/bin/$a"
done
# kernel modules with their dependencies, in load order
modroot=$stage/lib/modules/$kabi/kernel	# Debian 13: usr/lib, modules xz'd
[ -d "$modroot" ] || modroot=$stage/usr/lib/modules/$kabi/kernel
add_module() {
	local ko dep name
	grep -qx "$1" "$root/hs/modules" 2>/dev/null && return 0
	ko=$(find "$modroot" -name "$1.ko" -o -name "$1.ko.xz" | head -1)
	name=$(echo "$1" | tr _ -)
	[ -n "$ko" ] || ko=$(find "$modroot" -name "$name.ko" -o -name "$name.ko.xz" | head -1)
	[ -n "$ko" ] || { echo "power-testbed: no module $1" >&2; exit 1; }
	for dep in $(modinfo -F depends "$ko" | tr , ' '); do add_module "$dep"; done
	name=$(basename "$ko" .xz)
	case $ko in *.xz) xz -dc "$ko" > "$root/lib/modules/$name" ;; *) cp "$ko" "$root/lib/modules/" ;; esac
	basename "$name" .ko >> "$root/hs/modules"
}
kernel=$stage/boot/vmlinux-$kabi
if [ -n "$kdir" ]; then
	kernel=$kdir/vmlinux
	[ -r "$kernel" ] || { echo "power-testbed: no vmlinux in $kdir" >&2; exit 1; }
	for m in kvm kvm-hv; do
		cp "$kdir/$m.ko" "$root/lib/modules/"
		echo "$m" >> "$root/hs/modules"
	done
else
	for m in $modules; do add_module "$m"; done
fi
if [ -n "$nic" ]; then
	cp -a "$stage"/lib64 "$root/" 2>/dev/null || true
	mkdir -p "$root/usr/bin" "$root/lib" "$root/usr/lib"
	cp -a "$stage"/lib/powerpc64le-linux-gnu "$root/lib/"
	cp -a "$stage"/usr/lib/powerpc64le-linux-gnu "$root/usr/lib/"
	cp "$stage/usr/bin/iperf3" "$root/usr/bin/"
fi
if [ -n "$guestdir" ]; then
	cp -a --remove-destination "$("$top/scripts/ppc64el-host-tools.sh")"/. "$root/"
	rm -f "$root/.complete"
	mkdir -p "$root/hs/guest"
	cp "$guestdir"/* "$root/hs/guest/"
fi
# a machine that boots gets hcallscope's package, as a host would (an -o
# image is a guest's: it has no use for it)
if [ -z "$outdir" ]; then
	pkg=${HS_PPC64EL_DEB:-}
	if [ -z "$pkg" ]; then
		pkg=$("$top/scripts/deb-cached.sh") || exit 1
		pkg=$(ls "$pkg"/hcallscope_*_ppc64el.deb)
	fi
	[ "$(dpkg-deb -f "$pkg" Package Architecture 2> /dev/null | tr '\n' ' ')" = \
	  "Package: hcallscope Architecture: ppc64el " ] ||
		{ echo "power-testbed: $pkg is not hcallscope's ppc64el package" >&2; exit 1; }
	dpkg-deb -x "$pkg" "$root"
fi
cp "$script" "$root/hs/test.sh"
for f in "${files[@]}"; do cp -r "$f" "$root/hs/"; done

cp "$top/scripts/power-testbed-init.sh" "$root/init"
chmod +x "$root/init" "$root/hs/test.sh"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$work/initrd.gz"
if [ -n "$outdir" ]; then
	mkdir -p "$outdir"
	cp "$kernel" "$outdir/vmlinux"
	cp "$work/initrd.gz" "$outdir/"
	echo "console=$console quiet $append" > "$outdir/cmdline"
	exit 0
fi

# One boot; 125 when the machine did not reach our init (HS-BOOTED) in
# boot_secs.  Under TCG, QEMU's powernv firmware (skiboot) once waited
# forever for a PCI job of a secondary CPU before the kernel started;
# such a boot is tried once more instead of waiting out the whole timeout.
boot_secs=${HS_BOOT_SECS:-120}
boot() {
	local q t=0
	timeout "$timeout" qemu-system-ppc64 "${qemu_machine[@]}" -smp "$cpus" -m "$mem" -nodefaults -nographic \
		-serial mon:stdio -kernel "$kernel" -initrd "$work/initrd.gz" \
		-append "console=$console quiet $append" < /dev/null > "$work/console" 2>&1 &
	q=$!
	while kill -0 $q 2> /dev/null; do
		if [ $t -ge "$boot_secs" ] && [ "$boot_secs" -lt "$timeout" ] &&
		   ! grep -q HS-BOOTED "$work/console"; then
			tr -d '\r' < "$work/console" | grep -v '^ *$' | tail -n 1 | cut -c1-100 > "$work/last"
			kill $q 2> /dev/null
			wait $q 2> /dev/null
			return 125
		fi
		sleep 1
		t=$((t + 1))
	done
	wait $q
}
rc=0
boot || rc=$?
if [ $rc = 125 ]; then
	echo "power-testbed: no boot within $boot_secs s (last: $(cat "$work/last")); once more" >&2
	rc=0
	boot || rc=$?
	[ $rc != 125 ] || { tr -d '\r' < "$work/console"; echo "power-testbed: no boot within $boot_secs s, twice" >&2; exit 124; }
fi
tr -d '\r' < "$work/console"
[ $rc -ne 124 ] || { echo "power-testbed: timed out after $timeout s" >&2; exit 124; }
st=$(tr -d '\r' < "$work/console" | sed -n 's/^HS-EXIT \([0-9]*\)$/\1/p' | tail -1)
[ -n "$st" ] || { echo "power-testbed: the guest script did not finish" >&2; exit 1; }
exit "$st"
