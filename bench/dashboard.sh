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

# in date order, each with what bench/compare.sh flags against the one before
mapfile -t runs < <(for f in "${runs[@]}"; do echo "$(jq -r '.date // ""' "$f") $f"; done | sort | cut -d' ' -f2-)
flagged() {	# BASE NEW -> JSON list of the metrics compare.sh flags
	[ -n "$1" ] || { echo '[]'; return; }
	"$top/bench/compare.sh" -p "$1" "$2" 2> /dev/null |
		awk '$NF == "REGRESSION" { m = $1; for (i = 2; i <= NF - 5; i++) m = m " " $i; print m }' |
		jq -Rsc 'split("\n") | map(select(length > 0))'
}
prev=
data=$(for f in "${runs[@]}"; do
	m=$(dirname "$f")/model.json
	jq -c --arg dir "$(basename "$(dirname "$f")")" --argjson flagged "$(flagged "$prev" "$f")" \
		--argjson model "$(if [ -r "$m" ]; then jq -c "{calibrated, prediction}" "$m"; else echo null; fi)" \
		'{dir: $dir, run_id, source, complete, partial_reason, date, kernel, host, model: $model,
		  flagged: $flagged, cost: (.hcall_cost.rows // []),
		  cells: [.cells[] | {key, variant, direction, level, level_name, streams, mtu, status,
			throughput_MBps, hcalls_per_MB, host: .tce_hcalls.host_total, guest: .tce_hcalls.guest_total}]}' "$f"
	prev=$f
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
