#!/bin/sh
# bench/emulated.sh's part inside the emulated POWER8 host (shipped there as
# /hs/bench/, next to /hs/scripts/): per guest variant, guest.sh starts
# the pseries guest with the e1000e passed through and iperf-matrix.sh
# measures; the matrices and the host's kernel log come back on the
# console as a gzipped tar in base64 between HS-RAW-BEGIN and HS-RAW-END.
# What goes wrong is an "HS-FAILED ..." line; the next variant still runs.
#
#   emulated-host.sh [-R REPS] [-l LEVELS] -V VARIANTS -- IPERF-MATRIX-ARGS...
#
# -R: first, hcall-cost.sh with REPS repetitions (0: none) on LEVELS
# (default 2,1,0) in /tmp/raw/hcall-cost.  VARIANTS: no-ddw (the guest boots with
# disable_ddw) and/or ddw, comma-separated, or none; each matrix gets
# -o /tmp/raw/VARIANT -n VARIANT.
here=$(cd "$(dirname "$0")" && pwd)
variants= reps=0 levels=2,1,0
while getopts V:R:l: c; do
	case $c in
	V) variants=$OPTARG ;;
	R) reps=$OPTARG ;;
	l) levels=$OPTARG ;;
	*) echo "usage: emulated-host.sh [-R REPS] [-l LEVELS] -V VARIANTS -- IPERF-MATRIX-ARGS..." >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

mount -t debugfs none /sys/kernel/debug
mkdir -p /tmp/raw
if [ "$reps" != 0 ]; then
	sh "$here/hcall-cost.sh" -o /tmp/raw/hcall-cost -r "$reps" -l "$levels" || echo "HS-FAILED hcall-cost"
fi
[ -z "$variants" ] || dev=$(sh "$here/pci-vfio.sh" find 0x10d3 1) || { echo "HS-FAILED no e1000e"; variants=; }
for v in $(echo "$variants" | tr , ' '); do
	args=
	[ "$v" = no-ddw ] && args=disable_ddw
	# QEMU's machine options: TCG's POWER8 has none of the Spectre
	# mitigations the pseries machine asks KVM for
	sh "$here/guest.sh" start -d "$dev" -k /hs/guest/vmlinux -i /hs/guest/initrd.gz \
		-a "$args" -m 1G -w 300 \
		-x cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off ||
		{ echo "HS-FAILED $v: guest start"; continue; }
	sh "$here/iperf-matrix.sh" -o "/tmp/raw/$v" -n "$v" "$@" || echo "HS-FAILED $v: matrix"
	# the matrix, however it ended, leaves no tracer running and the switch as it was
	left=$(for p in /proc/[0-9]*; do readlink "$p/exe"; done 2> /dev/null | grep -cE '/(hcallstat|perf)$')
	[ "$left" = 0 ] || echo "HS-FAILED $v: $left hcallstat/perf process(es) left running"
	[ "$(cat /sys/module/kvm_hv/parameters/tce_accel)" = 2 ] || echo "HS-FAILED $v: tce_accel not restored"
	sh "$here/guest.sh" stop
done
dmesg > /tmp/raw/host-dmesg.log
echo HS-RAW-BEGIN
tar -C /tmp/raw -cf - . | gzip | base64
echo HS-RAW-END
