#!/bin/bash
# The iperf3 bench on a real POWER8 host, one command: the loop
# bench/emulated.sh runs inside its emulated host, on real hardware.  First
# what one TCE hcall costs per level (bench/hcall-cost.sh, REPS times); per
# guest variant: start the pseries guest with the NIC passed through
# (bench/guest.sh), run the matrix (bench/iperf-matrix.sh, the packaged
# hcallstat beside every cell), stop the guest; then bench/report.sh,
# bench/compare.sh against the previous real-hardware run in the same
# results directory (the newest by its date; the output kept as
# compare.txt) and bench/dashboard.sh.  Exit status 1 when a matrix
# stopped early or compare.sh flagged a regression, after everything is
# written.  Run as root from the source tree, on a host running
# the kernel of make kernel-deb with hcallscope's package installed.
#
#   bench/power8.sh -d PCI-ADDR -s SERVER[:PORT] [-a GUEST-ARGS] [-g GUEST-DIR]
#                   [-o DIR] [-l LEVELS] [-D DIRS] [-P STREAMS] [-M MTUS] [-t SECS]
#                   [-V VARIANTS] [-m MEM] [-c CPUS] [-R REPS]
#
# GUEST-ARGS go to the guest kernel (its address: "hs.ip=192.168.10.2/24
# hs.gw=192.168.10.1").  GUEST-DIR is a guest image (scripts/power-testbed.sh
# -M pseries -n passthrough -o GUEST-DIR bench/guest-agent.sh); without -g it
# is made in /var/cache/hcallscope/guest the first time.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "power8: $*" >&2; exit 1; }

dev= server= gargs= gdir= out= levels=2,1,0 dirs=tx,rx streams=1 mtus=1500 secs=30
variants=no-ddw,ddw mem=4G cpus=4 reps=3
usage="usage: power8.sh -d PCI-ADDR -s SERVER[:PORT] [-a GUEST-ARGS] [-g GUEST-DIR] [-o DIR] [-l LEVELS] [-D DIRS] [-P STREAMS] [-M MTUS] [-t SECS] [-V VARIANTS] [-m MEM] [-c CPUS] [-R REPS]"
case ${1:-} in -h|--help) echo "$usage (man: dist/man/hcallscope-power8.1)"; exit 0 ;; esac
while getopts :d:s:a:g:o:l:D:P:M:t:V:m:c:R: c; do
	case $c in
	d) dev=$OPTARG ;; s) server=$OPTARG ;; a) gargs=$OPTARG ;; g) gdir=$OPTARG ;;
	o) out=$OPTARG ;; l) levels=$OPTARG ;; D) dirs=$OPTARG ;; P) streams=$OPTARG ;;
	M) mtus=$OPTARG ;; t) secs=$OPTARG ;; V) variants=$OPTARG ;; m) mem=$OPTARG ;;
	c) cpus=$OPTARG ;; R) reps=$OPTARG ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] && [ -n "$dev" ] && [ -n "$server" ] || { echo "$usage" >&2; exit 2; }
[[ $dev =~ ^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$ ]] || die "bad PCI address '$dev' (DDDD:BB:DD.F)"
[[ $reps =~ ^([0-9]|10)$ ]] || die "bad repetitions '$reps' (0..10)"
[[ $levels =~ ^[012](,[012])*$ ]] && [ -z "$(echo "$levels" | tr , '\n' | sort | uniq -d)" ] ||
	die "bad levels list '$levels' (of 2, 1, 0, each once)"
for v in ${variants//,/ }; do
	case $v in no-ddw|ddw) ;; *) die "unknown variant '$v' (no-ddw, ddw)" ;; esac
done
[ "$(id -u)" = 0 ] || die "needs root (VFIO, kvm-hv's switch)"
"$top/scripts/deps.sh" power8 || die "cannot install the packages it needs (scripts/deps.sh power8)"
[ -e "/sys/bus/pci/devices/$dev" ] || die "no PCI device $dev"
[ -w /sys/module/kvm_hv/parameters/tce_accel ] ||
	die "this kernel has no tce_accel switch: install the package of make kernel-deb and boot it"
command -v hcallstat > /dev/null || die "no hcallstat: install hcallscope's package"
run_id=$(date -u +%Y%m%d-%H%M%S)-power8
out=${out:-$top/results/$run_id}
out=${out%/}
[ ! -e "$out" ] || die "$out exists"
# the series the running kernel carries: its package's version says it
key=$(dpkg-query -W -f='${Version}' "linux-image-$(uname -r)" 2> /dev/null | sed -n 's/.*+hcs\.//p')

if [ -z "$gdir" ]; then
	gdir=${HCALLSCOPE_CACHE:-/var/cache/hcallscope}/guest
	if [ ! -r "$gdir/initrd.gz" ]; then
		echo "power8: making the guest image in $gdir" >&2
		"$top/scripts/power-testbed.sh" -M pseries -n passthrough -o "$gdir" \
			"$top/bench/guest-agent.sh" || die "cannot make the guest image"
	fi
fi
[ -r "$gdir/vmlinux" ] && [ -r "$gdir/initrd.gz" ] || die "$gdir is no guest image (vmlinux, initrd.gz)"

raw=$(mktemp -d /var/tmp/hcallscope-power8.XXXXXX)
trap 'sh "$top/bench/guest.sh" stop > /dev/null 2>&1 || true; rm -rf "$raw"' EXIT
results=$(cd "$(dirname "$out")" 2> /dev/null && pwd) || results=$(dirname "$out")
failed=
if [ "$reps" != 0 ]; then
	sh "$top/bench/hcall-cost.sh" -o "$raw/hcall-cost" -r "$reps" -l "$levels" || failed=" hcall-cost"
fi
for v in ${variants//,/ }; do
	a=$gargs
	[ $v = ddw ] || a="disable_ddw $a"
	sh "$top/bench/guest.sh" start -d "$dev" -k "$gdir/vmlinux" -i "$gdir/initrd.gz" \
		-a "$a" -m "$mem" -c "$cpus" || die "$v: the guest did not start"
	sh "$top/bench/iperf-matrix.sh" -s "$server" -o "$raw/$v" -n "$v" -l "$levels" -d "$dirs" \
		-P "$streams" -M "$mtus" -t "$secs" || failed="$failed $v"
	sh "$top/bench/guest.sh" stop || die "$v: the guest did not stop"
done
[ -n "$(ls "$raw")" ] || die "no matrix ran"
# the previous real-hardware run, found before this one is written
prev=$("$top/bench/previous-run.sh" "$results" real-hardware 2> /dev/null || true)
if ! "$top/bench/report.sh" -s real-hardware -i "$run_id" ${key:+-k "$key"} -o "$out" "$raw"/*; then
	trap 'sh "$top/bench/guest.sh" stop > /dev/null 2>&1 || true' EXIT
	die "no report; the raw results are in $raw"
fi
regressed=
if [ -n "$prev" ]; then
	rc=0
	"$top/bench/compare.sh" -p "$prev" "$out/run.json" > "$out/compare.txt" 2>&1 || rc=$?
	echo "power8: against $(basename "$(dirname "$prev")"): $(tail -n 1 "$out/compare.txt") (in $out/compare.txt)" >&2
	case $rc in
	0) ;;
	1) regressed=" regressed against $(basename "$(dirname "$prev")") ($out/compare.txt)" ;;
	*) regressed=" not compared with $(basename "$(dirname "$prev")"): $(tail -n 1 "$out/compare.txt")" ;;
	esac
fi
"$top/bench/dashboard.sh" -o "$out/dashboard.html" "$results" || exit 1
echo "power8: $out" >&2
[ -z "$failed" ] || die "partial:$failed stopped early (what ran is in $out, marked partial)$regressed"
[ -z "$regressed" ] || die "${regressed# }"
