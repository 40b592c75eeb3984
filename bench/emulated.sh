#!/bin/bash
# The seed's scenario, emulated: QEMU -M powernv8 runs the patched kernel
# as a POWER8 host with an e1000e on a PHB3 root port; inside it Debian's
# ppc64el QEMU/KVM runs a pseries guest (Debian's kernel) with the e1000e
# passed through with VFIO, and bench/iperf-matrix.sh measures every
# acceleration level against an iperf3 server on this machine's loopback,
# without and with DDW in the guest.  The same scripts run on real POWER8
# (README, "iperf3 bench").  All figures are of the emulated system.
#
#   bench/emulated.sh [-o DIR] [-l LEVELS] [-d DIRS] [-P STREAMS] [-M MTUS]
#                     [-t SECS] [-V VARIANTS] [-p PORT] [-k KERNEL-DIR | -L LINE]
#                     [-R REPS] [-C]
#
# First the emulated host measures what one TCE hcall costs on each level,
# in instructions (bench/hcall-cost.sh, REPS repetitions, default 3, 0 for
# none); -C does only that (no guest, no iperf3).
# VARIANTS: no-ddw (guest kernel with disable_ddw: a TCE map per packet)
# and/or ddw (the guest maps its RAM once); default both.  Results go to
# DIR (default results/<run-id>); bench/report.sh makes them.  -p uses an
# iperf3 server already listening on this machine's PORT instead of
# starting one.  The host kernel: the build in KERNEL-DIR, or the series of
# kernel line LINE (6.1, the default, or 6.12) built by scripts/kernel-build.sh.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "emulated: $*" >&2; exit 1; }

out= levels=2,1,0 dirs=tx,rx streams=1 mtus=1500 secs=5 variants=no-ddw,ddw port= kdir= kline=6.1
reps=3 cost_only=
usage="usage: emulated.sh [-o DIR] [-l LEVELS] [-d DIRS] [-P STREAMS] [-M MTUS] [-t SECS] [-V VARIANTS] [-p PORT] [-k KERNEL-DIR | -L LINE] [-R REPS] [-C]"
case ${1:-} in -h|--help) echo "$usage (man: dist/man/hcallscope-emulated.1)"; exit 0 ;; esac
while getopts o:l:d:P:M:t:V:p:k:L:R:C c; do
	case $c in
	R) reps=$OPTARG ;; C) cost_only=1 ;;
	p) port=$OPTARG ;; k) kdir=$OPTARG ;; L) kline=$OPTARG ;;
	o) out=$OPTARG ;; l) levels=$OPTARG ;; d) dirs=$OPTARG ;; P) streams=$OPTARG ;;
	M) mtus=$OPTARG ;; t) secs=$OPTARG ;; V) variants=$OPTARG ;;
	*) echo "$usage" >&2
	   exit 2 ;;
	esac
done
for v in ${variants//,/ }; do
	case $v in no-ddw|ddw) ;; *) die "unknown variant '$v' (no-ddw, ddw)" ;; esac
done
[ -z "$port" ] || [[ $port =~ ^[0-9]+$ ]] || die "bad port '$port'"
[[ $reps =~ ^([0-9]|10)$ ]] || die "bad repetitions '$reps' (0..10)"
[[ $levels =~ ^[012](,[012])*$ ]] && [ -z "$(echo "$levels" | tr , '\n' | sort | uniq -d)" ] ||
	die "bad levels list '$levels' (of 2, 1, 0, each once)"
[ -z "$cost_only" ] || [ "$reps" != 0 ] || die "-C with -R 0 measures nothing"
[ -z "$cost_only" ] || variants=
run_id=$(date -u +%Y%m%d-%H%M%S)-emulated-powernv8
out=${out:-$top/results/$run_id}
[ ! -e "$out" ] || die "$out exists"
[ -n "$cost_only" ] || command -v iperf3 > /dev/null || die "no iperf3 (scripts/deps.sh test)"

if [ -n "$kdir" ]; then
	[ -r "$kdir/vmlinux" ] || die "no vmlinux in $kdir"
else
	kdir=$("$top/scripts/kernel-build.sh" -l "$kline") || die "no kernel for line $kline"
fi
work=$(mktemp -d)
srv=
trap 'rm -rf "$work"; [ -z "$srv" ] || kill $srv 2> /dev/null || true' EXIT
guest=()
if [ -z "$cost_only" ]; then
	"$top/scripts/power-testbed.sh" -M pseries -n passthrough -o "$work/guest" \
		"$top/bench/guest-agent.sh" || die "cannot build the guest image"
	guest=(-g "$work/guest")
fi

if [ -z "$port" ] && [ -z "$cost_only" ]; then
	port=$((20000 + RANDOM % 10000))
	iperf3 -s -B 127.0.0.1 -p $port > "$work/iperf3-server.log" 2>&1 &
	srv=$!
fi

# The emulated host runs bench/emulated-host.sh; bench/ and scripts/ go
# in whole, so the scripts find each other as in a checkout.
echo "sh /hs/bench/emulated-host.sh -R $reps -l $levels -V '$variants' -- -s 10.0.2.2:$port -l $levels -d $dirs -P $streams -M $mtus -t $secs" > "$work/host.sh"
echo "emulated: booting the POWER8 host (run $run_id)" >&2
rc=0
"$top/scripts/power-testbed.sh" -M powernv8 -n e1000e-vfio -k "$kdir" "${guest[@]}" -t 1800 \
	-f "$top/bench" -f "$top/scripts" \
	"$work/host.sh" > "$work/console" 2>&1 || rc=$?
grep -E '^(HS-FAILED|iperf-matrix|guest.sh|pci-vfio)' "$work/console" | tr -d '\r' >&2 || true
mkdir -p "$work/raw"
tr -d '\r' < "$work/console" | sed -n '/^HS-RAW-BEGIN$/,/^HS-RAW-END$/p' | sed '1d;$d' |
	base64 -d 2> /dev/null | tar -xzf - -C "$work/raw" 2> /dev/null ||
	{ tail -n 20 "$work/console" >&2; die "the emulated host returned no results (exit $rc)"; }
set -- "$work"/raw/*/run
[ -e "$1" ] || { tail -n 20 "$work/console" >&2; die "neither a matrix nor hcall-cost ran (exit $rc)"; }
if ! "$top/bench/report.sh" -s emulated -i "$run_id" -k "$(basename "$kdir")" -o "$out" "${@%/run}"; then
	# what the emulated host measured is not lost with the report
	keep=$(mktemp -d /var/tmp/hcallscope-emulated.XXXXXX)
	mv "$work/raw" "$work/console" "$keep/"
	die "no report; the emulated host's raw results and console are in $keep"
fi
cp "$work/raw/host-dmesg.log" "$out/" 2> /dev/null || die "the emulated host's kernel log is missing"
# the emulated host's first failure: the line before its first HS-FAILED
why=$(tr -d '\r' < "$work/console" | sed -n '/^HS-FAILED /{x;p;q};h')
why=${why%% (partial results kept in*}
! grep -q '^HS-FAILED' "$work/console" ||
	die "partial run: $(grep -m1 '^HS-FAILED' "$work/console" | cut -d' ' -f2 | tr -d '\r') ${why#*: } (what ran is in $out, marked partial)"
