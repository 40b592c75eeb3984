#!/bin/sh
# The iperf3 matrix of the seed's scenario, run on the POWER host (real, or
# the emulated one of bench/emulated.sh): acceleration level x direction x
# parallel streams x MTU, iperf3 in the guest against SERVER.  Per cell it
# keeps iperf3's JSON, the kernel's path counters before and after, the
# guest's own count of its TCE hcalls, host CPU time, hcallstat's JSON and
# perf stat when they are installed.  bench/report.sh turns OUTDIR into
# results.
#
#   iperf-matrix.sh -s SERVER[:PORT] -o OUTDIR [-l LEVELS] [-d DIRS] [-P STREAMS]
#                   [-M MTUS] [-t SECS] [-i GUEST-IFACE] [-n LABEL] [-g GUEST-EXEC]
#
# Lists are comma-separated: LEVELS of kvm-hv's tce_accel (default 2,1,0:
# real mode, virtual mode, userspace), DIRS tx (guest sends) and/or rx,
# STREAMS iperf3 -P, MTUS the guest interface's MTU.  GUEST-EXEC is the
# command prefix that runs a shell command line in the guest (default
# "bench/guest.sh exec"; "ssh root@GUEST" works as well).  A failed cell
# stops the matrix: what ran is kept, OUTDIR/partial says why.
set -eu
die() { echo "iperf-matrix: $*" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)
. "$here/../scripts/lib/proc.sh"	# wait_attached
. "$here/../scripts/lib/hcall-hist.sh"	# the guest's hist trigger

server= out= levels=2,1,0 dirs=tx,rx streams=1 mtus=1500 secs=10 iface=eth0 label=
guest="sh $here/guest.sh exec"
usage="usage: iperf-matrix.sh -s SERVER[:PORT] -o OUTDIR [-l LEVELS] [-d DIRS] [-P STREAMS] [-M MTUS] [-t SECS] [-i IFACE] [-n LABEL] [-g GUEST-EXEC]"
case ${1:-} in -h|--help) echo "$usage (man: dist/man/hcallscope-iperf-matrix.1)"; exit 0 ;; esac
while getopts s:o:l:d:P:M:t:i:n:g: c; do
	case $c in
	s) server=$OPTARG ;; o) out=$OPTARG ;; l) levels=$OPTARG ;; d) dirs=$OPTARG ;;
	P) streams=$OPTARG ;; M) mtus=$OPTARG ;; t) secs=$OPTARG ;; i) iface=$OPTARG ;;
	n) label=$OPTARG ;; g) guest=$OPTARG ;;
	*) echo "$usage" >&2
	   exit 2 ;;
	esac
done
[ -n "$server" ] && [ -n "$out" ] || die "needs -s SERVER[:PORT] and -o OUTDIR"
port=5201
case $server in *:*) port=${server##*:}; server=${server%:*} ;; esac
list_ok() {	# WHAT LIST ALLOWED-REGEX
	echo "$2" | tr , '\n' | grep -qvxE "$3" && die "bad $1 list '$2'"
	[ -z "$(echo "$2" | tr , '\n' | sort | uniq -d)" ] || die "bad $1 list '$2' (an item twice)"
}
list_ok levels "$levels" '[012]'
list_ok directions "$dirs" 'tx|rx'
list_ok streams "$streams" '[1-9][0-9]*'
list_ok MTUs "$mtus" '[1-9][0-9]{2,4}'
echo "$secs" | grep -qxE '[1-9][0-9]*' || die "bad duration '$secs'"

# ---- preflight: each a one-line error ----
[ "$(id -u)" = 0 ] || die "needs root (kvm-hv's switch, debugfs)"
switch=/sys/module/kvm_hv/parameters/tce_accel
[ -e /sys/module/kvm_hv ] || die "kvm-hv is not loaded"
[ -w $switch ] || die "this kernel has no tce_accel switch: boot one with kernel-patch/"
kvmdbg=/sys/kernel/debug/kvm
[ -d $kvmdbg ] || mount -t debugfs none /sys/kernel/debug 2> /dev/null || true
[ -r $kvmdbg/h_put_tce_realmode ] || die "no path counters in $kvmdbg (kernel without kernel-patch/, or no debugfs)"
[ ! -e "$out" ] || die "$out exists; give a new directory"
$guest true > /dev/null 2>&1 || die "the guest does not answer through '$guest'"
$guest command -v iperf3 > /dev/null 2>&1 || die "no iperf3 in the guest"
$guest test -w $HCALL_HIST_EVENT/trigger || die "the guest has no powerpc:hcall_entry trigger (tracefs, CONFIG_HIST_TRIGGERS)"

mkdir -p "$out"
old_level=$(cat $switch)
hs= pf=
cleanup() {	# also on a failed cell: no tracer or perf left running
	[ -z "$hs" ] || { kill -INT "$hs" 2> /dev/null; wait "$hs" 2> /dev/null; }
	[ -z "$pf" ] || { kill -INT "$pf" 2> /dev/null; wait "$pf" 2> /dev/null; }
	echo "$old_level" > $switch
	$guest "$(hcall_hist_cmd stop)" > /dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
fail() {	# CELLDIR REASON: keep what ran, say why it stopped
	echo "failed: $2" > "$1/status"
	echo "$(basename "$1"): $2" > "$out/partial"
	die "$(basename "$1"): $2 (partial results kept in $out)"
}

counters() {	# the kernel's TCE path counters, "name value" per line
	for f in $kvmdbg/h_*_realmode $kvmdbg/h_*_virtmode $kvmdbg/h_*_user; do
		echo "$(basename "$f") $(cat "$f")"
	done
}

{
	echo "label=$label"
	echo "kernel=$(uname -r)"
	echo "kernel_version=$(uname -v)"
	echo "cpu=$(sed -n 's/^cpu[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "platform=$(sed -n 's/^model[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "host_cpus=$(grep -c '^processor' /proc/cpuinfo)"
	echo "guest_kernel=$($guest uname -r)"
	echo "guest_cmdline=$($guest cat /proc/cmdline)"
	echo "server=$server:$port"
	echo "duration=$secs"
	echo "date=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
} > "$out/run"

$guest "$(hcall_hist_cmd start)" || die "cannot set the guest's hist trigger"
# warm-up: allocates the TCE table pages, checks the server answers
echo 2 > $switch
$guest "iperf3 -c $server -p $port -t 1 -J" > "$out/warmup.json" 2>&1 ||
	die "warm-up iperf3 to $server:$port failed: $(grep -m1 '"error"' "$out/warmup.json" || tail -n 1 "$out/warmup.json")"
sleep 2	# its connection's last packets, before any cell's window opens

n=0
for mtu in $(echo "$mtus" | tr , ' '); do
	$guest ip link set dev "$iface" mtu "$mtu" || die "cannot set MTU $mtu on the guest's $iface"
	for level in $(echo "$levels" | tr , ' '); do
		echo "$level" > $switch
		for dir in $(echo "$dirs" | tr , ' '); do
			for p in $(echo "$streams" | tr , ' '); do
				n=$((n + 1))
				cell=$out/cell-$(printf %03d $n)
				mkdir "$cell"
				printf 'level=%s\ndirection=%s\nstreams=%s\nmtu=%s\n' \
					"$level" "$dir" "$p" "$mtu" > "$cell/config"
				echo "iperf-matrix: cell $n: level $level, $dir, $p stream(s), MTU $mtu" >&2
				rflag=
				[ "$dir" = tx ] || rflag=-R
				hs=
				if command -v hcallstat > /dev/null; then
					hcallstat -v -L -j -o "$cell/hcallstat.json" 2> "$cell/hcallstat.err" &
					hs=$!
					why=$(wait_attached "$cell/hcallstat.err" $hs 60) || fail "$cell" "$why"
				fi
				$guest "$(hcall_hist_cmd clear)" || fail "$cell" "guest: cannot clear the hist"
				counters > "$cell/kvm-before"
				head -n 1 /proc/stat > "$cell/cpu-before"
				pf=
				if command -v perf > /dev/null; then
					perf stat -a -x, -o "$cell/perf-stat.csv" \
						-e task-clock,context-switches,cycles,instructions -- sleep "$secs" 2> /dev/null &
					pf=$!
				fi
				rc=0
				$guest "iperf3 -c $server -p $port -t $secs -P $p $rflag -J" > "$cell/iperf3.json" || rc=$?
				[ -z "$pf" ] || wait $pf || true
				pf=
				head -n 1 /proc/stat > "$cell/cpu-after"
				[ $rc = 0 ] || fail "$cell" "iperf3 in the guest exited with $rc"
				# iperf3 -J may exit 0 and report the error in its JSON (a server
				# that went away mid-run)
				err=$(sed -n 's/.*"error":[[:space:]]*"\([^"]*\)".*/\1/p' "$cell/iperf3.json" | head -n 1)
				[ -z "$err" ] || fail "$cell" "iperf3: $err"
				grep -q '"sum_sent"' "$cell/iperf3.json" || fail "$cell" "iperf3 gave no result"
				sleep 1	# the connection's last packets
				$guest "$(hcall_hist_cmd read)" > "$cell/guest-hist" || fail "$cell" "guest: cannot read the hist"
				counters > "$cell/kvm-after"
				if [ -n "$hs" ]; then kill -INT $hs; wait $hs || true; hs=; fi
				echo ok > "$cell/status"
			done
		done
	done
done
echo "iperf-matrix: $n cells in $out" >&2
