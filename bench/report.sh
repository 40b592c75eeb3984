#!/bin/bash
# Results of iperf3 matrices (bench/iperf-matrix.sh output directories, one
# per guest variant) and of bench/hcall-cost.sh (at most one) as data: DIR/run.json (schema hcallscope.iperf/1,
# docs/bench-results.md), DIR/cells.csv, DIR/throughput.{png,svg}
# (throughput and path mix per level), DIR/model.json (bench/model.sh) and
# DIR/raw.tar.gz (the matrices themselves).  Written to a temporary directory
# and renamed, so DIR is complete or absent.  A matrix that stopped early
# gives a run marked "complete": false with the reason, its cells kept.
#
#   bench/report.sh -s emulated|real-hardware [-i RUN-ID] [-k SERIES-KEY] -o DIR RAW-DIR...
#
# RAW-DIR: a matrix, or hcall-cost.sh's directory (its run file says
# kind=hcall-cost), which becomes run.json's hcall_cost.
#
# SERIES-KEY names the host kernel's build: the key scripts/kernel-build.sh
# caches it under (the basename of the directory it prints); kept as
# kernel.series_sha256 (null when not given).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "report: $*" >&2; exit 1; }

source= run_id= out= series_key=
usage="usage: report.sh -s emulated|real-hardware [-i RUN-ID] [-k SERIES-KEY] -o DIR RAW-DIR..."
case ${1:-} in -h|--help) echo "$usage (man: dist/man/hcallscope-report.1)"; exit 0 ;; esac
while getopts s:i:o:k: c; do
	case $c in
	s) source=$OPTARG ;; i) run_id=$OPTARG ;; o) out=$OPTARG ;; k) series_key=$OPTARG ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
case $source in emulated|real-hardware) ;; *) die "-s must be emulated or real-hardware" ;; esac
[ -n "$out" ] && [ $# -gt 0 ] || die "needs -o DIR and at least one matrix or hcall-cost directory"
[ ! -e "$out" ] || die "$out exists"
run_id=${run_id:-$(basename "$out")}
command -v jq > /dev/null || die "no jq (scripts/deps.sh test)"

. "$top/scripts/lib/hcalls.sh"	# the one hcall table: bpf/hcalls.def
. "$top/scripts/lib/hcall-hist.sh"	# the guest's hist trigger
ops=$(jq -n --argjson put "$(hcall_opcode H_PUT_TCE)" --argjson ind "$(hcall_opcode H_PUT_TCE_INDIRECT)" \
	--argjson stuff "$(hcall_opcode H_STUFF_TCE)" '{h_put_tce: $put, h_put_tce_indirect: $ind, h_stuff_tce: $stuff}')

# the programs that make cells and the run: bench/report.jq
jqr() { jq -L "$top/bench" "$@"; }

kv_json() {	# key=value lines -> JSON object of strings
	jq -Rn '[inputs | select(test("=")) | capture("^(?<k>[^=]*)=(?<v>.*)$") | {(.k): .v}] | add // {}' < "$1"
}
counters_json() {	# "name value" lines -> {name: value}
	jq -Rn '[inputs | select(length > 0) | split(" ") | {(.[0]): (.[1] | tonumber)}] | add // {}' < "$1"
}
hist_json() {	# the guest's hist trigger output -> {opcode: hits}
	hcall_hist_counts < "$1" |
		jq -Rn '[inputs | split(" ") | {(.[0]): (.[1] | tonumber)}] | add // {}'
}
perf_json() {	# perf stat -x, output -> {event: value} (task-clock in msec), or null
	[ -s "$1" ] || { echo null; return; }
	grep -v '^#' "$1" | grep , |
		jq -Rn '[inputs | split(",") | select(.[2] != null and .[2] != "") |
			{(.[2]): (.[0] | tonumber? // null)}] | add // null'
}
cost_json() {	# hcall-cost.sh's directory -> run.json's hcall_cost
	local f loads=
	for f in "$1"/r*-L*.json; do
		[ -e "$f" ] || continue
		loads+=$(jq -c --arg b "$(basename "$f" .json)" '{name: $b, load: .}' "$f") || return 1
		loads+=$'\n'
	done
	jqr -n --argjson run "$(kv_json "$1/run")" --argjson ops "$ops" \
		'include "cost"; hcall_cost($run; [inputs]; $ops)' <<< "$loads"
}
is_cost_dir() { grep -qx 'kind=hcall-cost' "$1/run"; }
cpu_busy() {	# /proc/stat "cpu" lines before and after -> busy share in %
	awk 'NR == 1 { for (i = 2; i <= NF; i++) { t0 += $i } i0 = $5 + $6 }
	     NR == 2 { for (i = 2; i <= NF; i++) { t1 += $i } i1 = $5 + $6 }
	     END { if (t1 > t0) printf "%.1f", 100 * (1 - (i1 - i0) / (t1 - t0)); else print "null" }' "$1" "$2"
}

mkdir -p "$(dirname "$out")" 2> /dev/null || true
tmp=$(mktemp -d "$(dirname "$out")/.report.XXXXXX") || die "cannot write next to $out"
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/cells.jsonl"
partial= cost=null first=
for m in "$@"; do
	[ -r "$m/run" ] || die "$m: not a matrix or hcall-cost directory (no run file)"
	run=$(kv_json "$m/run") || die "$m/run: malformed"
	if is_cost_dir "$m"; then
		[ "$cost" = null ] || die "$m: a second hcall-cost directory"
		[ ! -e "$m/partial" ] || partial="${partial:+$partial; }hcall-cost: $(cat "$m/partial")"
		cost=$(cost_json "$m") && [ "$(jq '.rows | length' <<< "$cost")" -gt 0 ] ||
			die "$m: no complete hcall-cost runs"
		continue
	fi
	first=${first:-$m}
	[ ! -e "$m/partial" ] || partial="${partial:+$partial; }$(jq -r .label <<< "$run"): $(cat "$m/partial")"
	for c in "$m"/cell-*; do
		[ -d "$c" ] || continue
		[ -r "$c/config" ] || die "$c: no config"
		config=$(kv_json "$c/config")
		status=$(cat "$c/status" 2> /dev/null || echo "failed: unfinished")
		if [ "$status" != ok ]; then
			jqr -cn --argjson r "$run" --argjson c "$config" --arg s "$status" \
				'include "report"; failed_cell($r; $c; $s)' >> "$tmp/cells.jsonl"
			continue
		fi
		for f in iperf3.json kvm-before kvm-after guest-hist cpu-before cpu-after; do
			[ -r "$c/$f" ] || die "$c: no $f"
		done
		jq -e '.end.sum_sent.bytes' "$c/iperf3.json" > /dev/null 2>&1 ||
			die "$c/iperf3.json: malformed or without a result"
		stat=null
		[ ! -s "$c/hcallstat.json" ] || stat=$(jq -c 'select(.type == "total")' "$c/hcallstat.json") ||
			die "$c/hcallstat.json: malformed"
		jqr -cn --argjson r "$run" --argjson c "$config" --argjson ops "$ops" \
			--slurpfile ip "$c/iperf3.json" \
			--argjson before "$(counters_json "$c/kvm-before")" \
			--argjson after "$(counters_json "$c/kvm-after")" \
			--argjson hist "$(hist_json "$c/guest-hist")" \
			--argjson busy "$(cpu_busy "$c/cpu-before" "$c/cpu-after")" \
			--argjson perf "$(perf_json "$c/perf-stat.csv")" \
			--argjson stat "${stat:-null}" \
			'include "report"; ok_cell($r; $c; $ops; $ip[0]; $before; $after; $hist; $busy; $perf; $stat)' \
			>> "$tmp/cells.jsonl" ||
			die "$c: cannot read its files"
	done
done
[ -s "$tmp/cells.jsonl" ] || [ "$cost" != null ] || die "no cells in $*"

first=${first:-$1}	# the run's facts: from the first matrix if there is one
[ -z "$series_key" ] || [[ $series_key =~ ^[0-9a-f]{16}$ ]] || die "bad series key '$series_key' (16 hex digits)"
jqr -n --arg id "$run_id" --arg source "$source" --arg partial "$partial" \
	--arg series "$series_key" --argjson run "$(kv_json "$first/run")" \
	--slurpfile cells "$tmp/cells.jsonl" --argjson cost "$cost" \
	'include "report"; run($id; $source; $partial; $series; $run; $cells; $cost)' > "$tmp/run.json"

jqr -r 'include "report"; cells_csv' "$tmp/run.json" > "$tmp/cells.csv"

# a run whose first cell failed has nothing to plot
[ "$(jq '[.cells[] | select(.status == "ok")] | length' "$tmp/run.json")" = 0 ] ||
	"$top/bench/plot.sh" "$tmp/run.json" "$tmp/throughput" || die "plot failed"
"$top/bench/model.sh" "$tmp/run.json" > "$tmp/model.json" || die "model failed"
rm "$tmp/cells.jsonl"
# the raw matrices, so the report can be made again:
#   tar -xzf raw.tar.gz -C X; bench/report.sh -s ... -o NEW X/*
mkdir "$tmp/raw"
for m in "$@"; do
	if is_cost_dir "$m"; then name=hcall-cost
	else name=$(jq -r .label <<< "$(kv_json "$m/run")" | tr -c 'A-Za-z0-9_.\n-' _); fi
	cp -r "$m" "$tmp/raw/$name"
done
tar -C "$tmp/raw" -czf "$tmp/raw.tar.gz" . && rm -r "$tmp/raw"
mkdir -p "$(dirname "$out")"
mv "$tmp" "$out"
trap - EXIT
chmod 755 "$out"
echo "report: $out ($(jq '.cells | length' "$out/run.json") cells$([ "$cost" = null ] || echo ", hcall cost")$([ -z "$partial" ] || echo ", PARTIAL: $partial"))"
