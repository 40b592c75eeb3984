#!/bin/bash
# Tracing overhead, measured side by side in one run, two ways:
#  1. end to end: CPU time of hcall-load's vCPU thread per request,
#     untraced and traced by hcallstat, by the equivalent bpftrace script
#     (bench/hcallstat.bt) and by `perf stat -e` on the same tracepoints;
#     rounds interleaved, median kept;
#  2. in the program: BPF run time per event (kernel.bpf_stats_enabled),
#     less the run time of an empty program on the same tracepoint.
#   bench/overhead.sh [-i] [-n REQUESTS] [-r ROUNDS] [-o RESULT.json]
#   -i: the in-program figures only (2.)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/$(uname -m)
n=500000 rounds=7 e2e=1
out=$top/results/overhead/$(date -u +%Y%m%d)-$(hostname -s).json
while getopts in:r:o: c; do
	case $c in
	i) e2e= ;;
	n) n=$OPTARG ;;
	r) rounds=$OPTARG ;;
	o) out=$OPTARG ;;
	*) echo "usage: overhead.sh [-i] [-n REQUESTS] [-r ROUNDS] [-o FILE]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "overhead: run as root" >&2; exit 1; }
. "$top/scripts/lib/tracefs-ns.sh"
tracefs_ns "$0" "$@"
[ -d /sys/kernel/tracing/events/kvm ] ||
	{ echo "overhead: no kvm events in tracefs (is the kvm module loaded?)" >&2; exit 1; }
for t in bpftrace perf bpftool jq bc; do
	command -v $t > /dev/null || { echo "overhead: $t is missing (scripts/deps.sh bench)" >&2; exit 1; }
done
. "$top/bench/bpftrace.sh"

tmp=$(mktemp -d)
stats_was=$(sysctl -n kernel.bpf_stats_enabled)
cleanup() {
	bpftrace_stop 2> /dev/null || true
	[ -z "${load_pid:-}" ] || kill "$load_pid" 2> /dev/null || true
	[ -z "${hs:-}" ] || kill "$hs" 2> /dev/null || true
	sysctl -qw kernel.bpf_stats_enabled="$stats_was"
	rm -rf "$tmp" "$out.tmp"
}
trap cleanup EXIT

declare -A mix=([kernel-pio]="pio-kernel=$n" [userspace-pio]="pio-user=$((n / 10))")
declare -A reqs=([kernel-pio]=$n [userspace-pio]=$((n / 10)))
# kvm tracepoint events per request: kvm_pio (+ kvm_userspace_exit)
declare -A events=([kernel-pio]=1 [userspace-pio]=2)
tracers="none hcallstat hcallstat-L bpftrace perf-stat"

# every run is bounded: a hung load or tracer ends the benchmark with one line
limit=${HS_BENCH_RUN_SECS:-600}
bounded() {
	local rc=0
	timeout -k 5 "$limit" "$@" || rc=$?
	[ $rc != 124 ] && [ $rc != 137 ] || { echo "overhead: '$1' did not finish within $limit s" >&2; exit 1; }
	[ $rc = 0 ] || { echo "overhead: '$*' failed (exit $rc)" >&2; exit 1; }
}
bt() { bpftrace_start "$tmp/bt.out" "$@" || exit 1; }
bt_stop() { bpftrace_stop || exit 1; }

load() {	# MIX -> hcall-load JSON in $tmp/load.json
	bounded "$bin/hcall-load" -j -m "$1" > "$tmp/load.json"
}

run_one() {	# TRACER WORKLOAD: appends vCPU CPU ns to $tmp/WORKLOAD.TRACER
	local m=${mix[$2]}
	case $1 in
	none) load "$m" ;;
	hcallstat) bounded "$bin/hcallstat" -j -o "$tmp/stat.json" -- "$bin/hcall-load" -j -m "$m" > "$tmp/load.json" ;;
	hcallstat-L) bounded "$bin/hcallstat" -L -j -o "$tmp/stat.json" -- "$bin/hcall-load" -j -m "$m" > "$tmp/load.json" ;;
	perf-stat) bounded perf stat -x, -o "$tmp/perf.txt" -e kvm:kvm_pio,kvm:kvm_userspace_exit -- \
			"$bin/hcall-load" -j -m "$m" > "$tmp/load.json" ;;
	bpftrace) bt "$top/bench/hcallstat.bt"; load "$m"; bt_stop ;;
	esac
	jq '.observed.per_vcpu[0].cpu_ns' "$tmp/load.json" >> "$tmp/$2.$1"
}

median() { sort -n | awk '{a[NR]=$1} END {printf "%.3f\n", (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
results=()
add_result() {	# NAME VALUE RANGE EXTRA-JSON
	results+=("$(jq -cn --arg name "$1" --argjson v "$2" --arg range "$3" --argjson extra "$4" \
		'{name: $name, unit: "ns", value: ($v * 10 | round / 10), range: $range, extra: $extra}')")
}

# ---- 1. end to end ----
sysctl -qw kernel.bpf_stats_enabled=0
for w in ${e2e:+kernel-pio userspace-pio}; do
	for r in $(seq "$rounds"); do
		for t in $tracers; do run_one "$t" "$w"; done
		echo "overhead: $w round $r/$rounds" >&2
	done
done

[ -z "$e2e" ] || printf '%-14s %-10s %12s %15s\n' WORKLOAD TRACER NS/REQUEST "ADDED NS/EVENT"
for w in ${e2e:+kernel-pio userspace-pio}; do
	base=$(median < "$tmp/$w.none")
	for t in $tracers; do
		med=$(median < "$tmp/$w.$t")
		lo=$(sort -n "$tmp/$w.$t" | head -1) hi=$(sort -n "$tmp/$w.$t" | tail -1)
		per=$(echo "$med / ${reqs[$w]}" | bc -l)
		added=$(echo "($med - $base) / ${reqs[$w]} / ${events[$w]}" | bc -l)
		printf '%-14s %-10s %12.0f %15.0f\n' "$w" "$t" "$per" "$added"
		add_result "end-to-end/$w/$t/added-per-event" "$added" \
			"$(printf 'per request %.0f..%.0f ns' "$(echo "$lo / ${reqs[$w]}" | bc -l)" \
				"$(echo "$hi / ${reqs[$w]}" | bc -l)")" \
			"{\"per_request_ns\": $per, \"events_per_request\": ${events[$w]}, \"requests\": ${reqs[$w]}, \"rounds\": $rounds}"
	done
done

# ---- 2. BPF run time per event (kernel-pio: one kvm_pio event each) ----
# Each tracer's own kvm_pio program, read while it is loaded, beside an
# empty program on the same tracepoint; hcallstat three ways: -p PID (the
# VMM compared directly, as with -- VMM), -L, and -- CMD with the VMM a
# child of CMD (the descendant lookup of a followed command).
sysctl -qw kernel.bpf_stats_enabled=1
progs_ns() {	# PROGS-JSON NAME [PID]: run time per run of NAME (held by PID)
	jq -e --arg n "$2" --argjson p "${3:-0}" '[.[] | select(.name == $n and
		($p == 0 or (.pids // [] | length == 0) or any(.pids[]; .pid == $p)))] |
		if length == 1 and .[0].run_cnt > 0 then .[0].run_time_ns / .[0].run_cnt else error end' "$1" ||
		{ echo "overhead: no single $2 program with runs loaded" >&2; exit 1; }
}
prog_ns() {	# the running bpftrace's kvm_pio program
	bpftool prog show -j > "$tmp/progs.json"
	progs_ns "$tmp/progs.json" kvm_pio "$bt_pid"
}
hs_name() {	# the flavour hcallstat attached
	jq -r 'if .probes == "raw_tp" then "raw_tp_kvm_pio" else "tp_btf_kvm_pio" end' "$1"
}
load_pid= hs=
hs_pid_ns() {	# HCALLSTAT-ARGS...: hcallstat -p on a waiting hcall-load
	local why
	rm -f "$tmp/load.err"	# not the "ready" of the last one
	"$bin/hcall-load" -w -j -m "pio-kernel=$n" > "$tmp/load.json" 2> "$tmp/load.err" &
	load_pid=$!
	wait_line "$tmp/load.err" ready 10 "$load_pid" || { echo "overhead: hcall-load did not get ready" >&2; exit 1; }
	rm -f "$tmp/stat.err"
	"$bin/hcallstat" -v -j -o "$tmp/stat.json" -p "$load_pid" "$@" 2> "$tmp/stat.err" &
	hs=$!
	why=$(wait_attached "$tmp/stat.err" "$hs" 30) || { echo "overhead: $why" >&2; exit 1; }
	kill -USR1 "$load_pid"
	wait_gone "$load_pid" "$limit" || { echo "overhead: hcall-load did not finish within $limit s" >&2; exit 1; }
	load_pid=
	bpftool prog show -j > "$tmp/progs.json"
	stop_pid "$hs" 10 INT || { hs=; echo "overhead: hcallstat did not stop on SIGINT" >&2; exit 1; }
	hs=
	progs_ns "$tmp/progs.json" "$(hs_name "$tmp/stat.json")" "$hs"
}
hs_follow_ns() {	# hcallstat -- sh -c 'hcall-load': the VMM is a descendant
	bounded "$bin/hcallstat" -j -o "$tmp/stat.json" -- sh -c \
		'"$1" -j -m "$2" > /dev/null && bpftool prog show -j > "$3"' sh \
		"$bin/hcall-load" "pio-kernel=$n" "$tmp/progs.json"
	progs_ns "$tmp/progs.json" "$(hs_name "$tmp/stat.json")"
}
declare -A inprog
for r in $(seq 5); do
	bt -e 'tracepoint:kvm:kvm_pio { }'; load "pio-kernel=$n"
	prog_ns >> "$tmp/empty"; bt_stop
	bt "$top/bench/hcallstat.bt"; load "pio-kernel=$n"
	prog_ns >> "$tmp/bt"; bt_stop
	hs_pid_ns >> "$tmp/hs"
	hs_pid_ns -L >> "$tmp/hsL"
	hs_follow_ns >> "$tmp/hsF"
	# a userspace round trip runs three programs: kvm_pio, kvm_userspace_exit, KVM_RUN
	bounded "$bin/hcallstat" -L -j -o "$tmp/stat.json" -- "$bin/hcall-load" -j -m "pio-user=$((n / 10))" > /dev/null
	jq '.bpf_stats.run_ns / .bpf_stats.runs' "$tmp/stat.json" >> "$tmp/hsLu"
	echo "overhead: in-program round $r/5" >&2
done
sysctl -qw kernel.bpf_stats_enabled=0
floor=$(median < "$tmp/empty")
inprog[hcallstat]=$(echo "$(median < "$tmp/hs") - $floor" | bc -l)
inprog[hcallstat-L]=$(echo "$(median < "$tmp/hsL") - $floor" | bc -l)
inprog[hcallstat-cmd]=$(echo "$(median < "$tmp/hsF") - $floor" | bc -l)
inprog[bpftrace]=$(echo "$(median < "$tmp/bt") - $floor" | bc -l)
inprog_user_L=$(echo "$(median < "$tmp/hsLu") - $floor" | bc -l)
echo
printf 'BPF run time per kvm_pio event, above an empty program (%.0f ns):\n' "$floor"
for t in hcallstat hcallstat-L hcallstat-cmd bpftrace; do
	ratio=$(echo "${inprog[$t]} / $floor" | bc -l)
	printf '  %-13s %6.0f ns  = %.2fx the empty program\n' "$t" "${inprog[$t]}" "$ratio"
	add_result "in-program/kernel-pio/$t/ns-per-event" "${inprog[$t]}" "median of 5" \
		"{\"empty_program_ns\": $floor, \"ratio_to_empty\": $(printf '%.3f' "$ratio")}"
done
printf '  (hcallstat: -p VMM; hcallstat-cmd: -- sh -c VMM, the VMM followed as a descendant)\n'
printf '  %-13s %6.0f ns per program run, userspace PIO (3 runs per request)\n' hcallstat-L "$inprog_user_L"
add_result "in-program/userspace-pio/hcallstat-L/ns-per-run" "$inprog_user_L" "median of 5" \
	"{\"empty_program_ns\": $floor, \"runs_per_request\": 3}"

mkdir -p "$(dirname "$out")"
printf '%s\n' "${results[@]}" | jq -s \
	--arg host "$(hostname -s)" --arg kernel "$(uname -r)" --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
	--arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
	--arg bpftrace "$(bpftrace --version)" --arg perf "$(perf version)" --argjson cores "$(nproc)" \
	'{schema: "hcallscope.overhead/1", date: $date,
	  machine: {host: $host, kernel: $kernel, cpu: $cpu, cores: $cores,
		    kvm: "this machine'"'"'s /dev/kvm (software-emulated guest, see docs/testbeds)"},
	  tools: {bpftrace: $bpftrace, perf: $perf},
	  benchmarks: .}' > "$out.tmp"
mv "$out.tmp" "$out"
echo "overhead: wrote $out" >&2
