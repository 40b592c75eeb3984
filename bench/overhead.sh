#!/bin/bash
# Tracing overhead, measured side by side in one run: the CPU time of
# hcall-load's vCPU thread per request, untraced and traced by hcallstat,
# by the equivalent bpftrace script and by `perf stat -e` on the same
# tracepoints.  Rounds are interleaved; the median per tracer is kept.
#   bench/overhead.sh [-n REQUESTS] [-r ROUNDS] [-o RESULT.json]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$top/build/$(uname -m)
n=1000000 rounds=5
out=$top/results/overhead/$(date -u +%Y%m%d)-$(hostname -s).json
while getopts n:r:o: c; do
	case $c in
	n) n=$OPTARG ;;
	r) rounds=$OPTARG ;;
	o) out=$OPTARG ;;
	*) echo "usage: overhead.sh [-n REQUESTS] [-r ROUNDS] [-o FILE]" >&2; exit 2 ;;
	esac
done
[ "$(id -u)" -eq 0 ] || { echo "overhead: run as root" >&2; exit 1; }
[ -d /sys/kernel/tracing/events/kvm ] ||
	{ echo "overhead: tracefs with kvm events needed at /sys/kernel/tracing" >&2; exit 1; }

tmp=$(mktemp -d)
cleanup() { pkill -f "^bpftrace $top/bench" 2>/dev/null || true; rm -rf "$tmp"; }
trap cleanup EXIT

# workloads: one traced event per request (in-kernel port I/O), and the
# userspace path (port I/O + exit + KVM_RUN: three events per request)
declare -A mix=([kernel-pio]="pio-kernel=$n" [userspace-pio]="pio-user=$((n / 10))")
declare -A reqs=([kernel-pio]=$n [userspace-pio]=$((n / 10)))
tracers="none hcallstat bpftrace perf-stat"

load_cpu_ns() {	# cpu ns of vCPU 0 from hcall-load's JSON on stdin
	jq '.observed.per_vcpu[0].cpu_ns'
}

run_one() {	# TRACER WORKLOAD -> cpu ns
	local m=${mix[$2]}
	case $1 in
	none)
		"$bin/hcall-load" -j -m "$m" | load_cpu_ns ;;
	hcallstat)
		"$bin/hcallstat" -j -o "$tmp/stat.json" -- "$bin/hcall-load" -j -m "$m" | load_cpu_ns ;;
	perf-stat)
		perf stat -x, -o "$tmp/perf.txt" -e kvm:kvm_pio,kvm:kvm_userspace_exit -- \
			"$bin/hcall-load" -j -m "$m" | load_cpu_ns ;;
	bpftrace)
		bpftrace "$top/bench/hcallstat.bt" > "$tmp/bt.out" 2>&1 &
		local bt=$! i
		for i in $(seq 200); do
			grep -q Attaching "$tmp/bt.out" && break
			sleep 0.1
		done
		"$bin/hcall-load" -j -m "$m" | load_cpu_ns
		kill -INT $bt; wait $bt || true ;;
	esac
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

for w in kernel-pio userspace-pio; do
	for r in $(seq "$rounds"); do
		for t in $tracers; do
			echo "$(run_one $t $w)" >> "$tmp/$w.$t"
		done
		echo "overhead: $w round $r/$rounds done" >&2
	done
done

# per request figures and ns added per traced event (1 event per in-kernel
# PIO; 2 kvm tracepoint events per userspace PIO for all three tracers,
# plus the KVM_RUN ioctl event hcallstat uses to learn the vCPU)
results="[]"
printf '%-14s %-10s %12s %14s\n' WORKLOAD TRACER "NS/REQUEST" "ADDED NS/EVENT"
for w in kernel-pio userspace-pio; do
	base=$(median < "$tmp/$w.none")
	events=1; [ $w = userspace-pio ] && events=2
	for t in $tracers; do
		med=$(median < "$tmp/$w.$t")
		min=$(sort -n "$tmp/$w.$t" | head -1) max=$(sort -n "$tmp/$w.$t" | tail -1)
		per=$(echo "$med / ${reqs[$w]}" | bc -l)
		added=$(echo "($med - $base) / ${reqs[$w]} / $events" | bc -l)
		printf '%-14s %-10s %12.0f %14.0f\n' "$w" "$t" "$per" "$added"
		results=$(jq -c --arg w "$w" --arg t "$t" --argjson per "$per" --argjson added "$added" \
			--argjson min "$(echo "$min / ${reqs[$w]}" | bc -l)" \
			--argjson max "$(echo "$max / ${reqs[$w]}" | bc -l)" \
			--argjson ev "$events" --argjson rounds "$rounds" --argjson n "${reqs[$w]}" \
			'. + [{name: "\($w)/\($t)/added-per-event", unit: "ns", value: ($added * 10 | round / 10),
			       range: "per-request min..max \($min | round)..\($max | round) ns",
			       extra: {per_request_ns: ($per * 10 | round / 10), events_per_request: $ev,
				       requests: $n, rounds: $rounds}}]' <<< "$results")
	done
done

mkdir -p "$(dirname "$out")"
jq -n --argjson r "$results" --arg host "$(hostname -s)" --arg kernel "$(uname -r)" \
	--arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
	--arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg bpftrace "$(bpftrace --version)" \
	'{schema: "hcallscope.overhead/1", date: $date, machine: {host: $host, kernel: $kernel,
	  cpu: $cpu, cores: '"$(nproc)"'}, method: "vCPU thread CPU time per request, median of interleaved rounds; x86 KVM on this machine",
	  tools: {bpftrace: $bpftrace}, benchmarks: $r}' > "$out.tmp"
mv "$out.tmp" "$out"
echo "overhead: wrote $out" >&2
