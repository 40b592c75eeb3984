#!/bin/bash
# A static HTML dashboard of the iperf3 bench runs in a results directory:
# the seed's figures beside the model's prediction, each level's speedup
# over userspace per run, what one TCE hcall costs per level (the spread
# over runs as a band), every cell's throughput across runs (axes, band),
# and per run its cells with path mix and what bench/compare.sh flags
# against the run before (partial runs marked).  One self-contained file (data inlined, no
# network); tests/t-bench.sh renders it in headless Chromium.
#
#   bench/dashboard.sh [-o FILE] [RESULTS-DIR]     default: results/dashboard.html
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
die() { echo "dashboard: $*" >&2; exit 1; }
out=
usage="usage: dashboard.sh [-o FILE] [RESULTS-DIR]"
case ${1:-} in -h|--help) echo "$usage (man: dist/man/hcallscope-dashboard.1)"; exit 0 ;; esac
while getopts o: c; do
	case $c in
	o) out=$OPTARG ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
dir=${1:-$top/results}
[ -d "$dir" ] || die "no results directory $dir"
out=${out:-$dir/dashboard.html}

runs=()
for f in "$dir"/*/run.json; do
	[ -e "$f" ] || continue
	jq -e '.schema == "hcallscope.iperf/1" and (.cells | type) == "array"' "$f" > /dev/null 2>&1 ||
		die "$f: not an iperf3 bench run (hcallscope.iperf/1) or malformed"
	runs+=("$f")
done
[ ${#runs[@]} -gt 0 ] || die "no iperf3 bench runs (*/run.json) in $dir"

# in date order, each with what bench/compare.sh flags against the run of
# the same source (emulated, real hardware) before it
mapfile -t runs < <(for f in "${runs[@]}"; do echo "$(jq -r '.date // ""' "$f") $f"; done | sort | cut -d' ' -f2-)
compared() {	# BASE NEW -> {with, flagged: [metric...], error}
	[ -n "$1" ] || { echo '{"with": null, "flagged": [], "error": null}'; return; }
	local out rc=0 with
	with=$(jq -r .run_id "$1")
	out=$("$top/bench/compare.sh" -p -j "$1" "$2" 2>&1) || rc=$?
	if [ $rc -gt 1 ]; then
		jq -nc --arg w "$with" --arg e "$(echo "$out" | tail -n 1)" '{with: $w, flagged: [], error: $e}'
		return
	fi
	echo "$out" | jq -sc --arg w "$with" '{with: $w, flagged: [.[] | select(.verdict == "REGRESSION") | .metric], error: null}'
}
declare -A prev
data=$(for f in "${runs[@]}"; do
	m=$(dirname "$f")/model.json
	src=$(jq -r .source "$f")
	jq -c --arg dir "$(basename "$(dirname "$f")")" --argjson vs "$(compared "${prev[$src]:-}" "$f")" \
		--argjson model "$(if [ -r "$m" ]; then jq -c "{calibrated, prediction}" "$m"; else echo null; fi)" \
		'{dir: $dir, run_id, source, complete, partial_reason, date, kernel, host, model: $model,
		  vs: $vs, cost: (.hcall_cost.rows // []),
		  cells: [.cells[] | {key, variant, direction, level, level_name, streams, mtu, status,
			throughput_MBps, hcalls_per_MB, host: .tce_hcalls.host_total, guest: .tce_hcalls.guest_total}]}' "$f"
	prev[$src]=$f
done | jq -sc .) || die "cannot read the runs"
seed=$(jq -c . "$top/results/seed-reference.json")

tmp=$(mktemp "$(dirname "$out")/.dashboard.XXXXXX") || die "cannot write next to $out"
trap 'rm -f "$tmp" "$tmp.data"' EXIT
printf 'const RUNS = %s;\nconst SEED = %s;\n' "$data" "$seed" > "$tmp.data"
# the page with the data and the script in place of their marker lines
sed -e '\|^// @DATA@$|{r '"$tmp.data" -e 'd}' -e '\|^// @SCRIPT@$|{r '"$top/bench/dashboard.js" -e 'd}' \
	"$top/bench/dashboard.html.in" > "$tmp"
rm "$tmp.data"
chmod 644 "$tmp"
mv "$tmp" "$out"
trap - EXIT
echo "dashboard: $out (${#runs[@]} runs)"
