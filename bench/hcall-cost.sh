#!/bin/sh
# What one TCE hcall costs on each path, run on the POWER host (real, or
# the emulated one of bench/emulated.sh): hcall-load issues each TCE hcall
# on its in-kernel table at each tce_accel level and counts the
# instructions retired (hcall-load --instructions: the guest's PMU, which
# also runs through KVM's real-mode handlers, and the vCPU thread's on the
# host).  Each run is made twice, with CALLS and 3 x CALLS hcalls, so the
# difference is the marginal cost of CALLS x 2 hcalls, without the VM's
# start and end.  bench/report.sh turns OUTDIR into run.json's hcall_cost.
#
#   hcall-cost.sh -o OUTDIR [-l LEVELS] [-r REPS] [-n CALLS]
#
# LEVELS: kvm-hv's tce_accel levels, comma-separated (default 2,1,0);
# REPS: repetitions of the whole set, levels interleaved (default 3);
# CALLS: default 1000.
set -eu
die() { echo "hcall-cost: $*" >&2; exit 1; }

# the TCE hcalls measured: hcall-load's requests on its in-kernel table
requests="put-tce-kernel put-tce-indirect-kernel stuff-tce-kernel"

out= levels=2,1,0 reps=3 calls=1000
usage="usage: hcall-cost.sh -o OUTDIR [-l LEVELS] [-r REPS] [-n CALLS]"
case ${1:-} in -h|--help) echo "$usage (man: dist/man/hcallscope-hcall-cost.1)"; exit 0 ;; esac
while getopts o:l:r:n: c; do
	case $c in
	o) out=$OPTARG ;; l) levels=$OPTARG ;; r) reps=$OPTARG ;; n) calls=$OPTARG ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
[ $OPTIND -gt $# ] || { echo "$usage" >&2; exit 2; }
[ -n "$out" ] || die "needs -o OUTDIR"
echo "$levels" | tr , '\n' | grep -qvx '[012]' && die "bad levels list '$levels'"
[ -z "$(echo "$levels" | tr , '\n' | sort | uniq -d)" ] || die "bad levels list '$levels' (a level twice)"
echo "$reps" | grep -qxE '[1-9]|10' || die "bad repetitions '$reps' (1..10)"
echo "$calls" | grep -qxE '[1-9][0-9]{1,4}' || die "bad call count '$calls' (10..99999)"

[ "$(id -u)" = 0 ] || die "needs root (kvm-hv's switch)"
switch=/sys/module/kvm_hv/parameters/tce_accel
[ -e /sys/module/kvm_hv ] || die "kvm-hv is not loaded"
[ -w $switch ] || die "this kernel has no tce_accel switch: boot one with kernel-patch/"
command -v hcall-load > /dev/null || die "no hcall-load (install hcallscope)"
[ ! -e "$out" ] || die "$out exists; give a new directory"
probe=$(hcall-load -j --instructions -m put-tce-kernel=1 2>&1 > /dev/null) ||
	die "hcall-load cannot count instructions here: ${probe#hcall-load: }"

mkdir -p "$out"
old_level=$(cat $switch)
f=
# however it ends: the switch as it was, no half-written file, and a run
# that did not finish marked partial (report.sh says so in run.json)
finish() {
	rc=$?
	echo "$old_level" > $switch
	[ -z "$f" ] || rm -f "$f.tmp"
	rm -f "$out/error"
	[ $rc = 0 ] || [ -e "$out/partial" ] || echo "stopped (exit $rc)" > "$out/partial"
}
trap finish EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
{
	echo "kind=hcall-cost"
	echo "kernel=$(uname -r)"
	echo "kernel_version=$(uname -v)"
	echo "cpu=$(sed -n 's/^cpu[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "platform=$(sed -n 's/^model[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "host_cpus=$(grep -c '^processor' /proc/cpuinfo)"
	echo "calls=$calls"
	echo "reps=$reps"
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$out/run"

r=1
while [ $r -le "$reps" ]; do
	for level in $(echo "$levels" | tr , ' '); do
		echo "$level" > $switch
		for req in $requests; do
			for n in "$calls" $((3 * calls)); do
				f=$out/r$r-L$level-$req-$n.json
				hcall-load -j --instructions -m "$req=$n" > "$f.tmp" 2> "$out/error" ||
					{ echo "r$r-L$level-$req-$n: $(tail -n 1 "$out/error")" > "$out/partial"
					  die "hcall-load failed at level $level ($req=$n): $(tail -n 1 "$out/error")"; }
				mv "$f.tmp" "$f"
			done
		done
	done
	echo "hcall-cost: repetition $r of $reps done" >&2
	r=$((r + 1))
done
