#!/bin/bash
# A static HTML dashboard of the iperf3 bench runs in a results directory:
# per run, throughput and path mix per cell (partial runs marked), the
# seed's figures with the model's reproduction, and every cell's throughput
# over time across runs.  One self-contained file (data inlined, no
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

data=$(for f in "${runs[@]}"; do
	m=$(dirname "$f")/model.json
	jq -c --arg dir "$(basename "$(dirname "$f")")" \
		--argjson model "$(if [ -r "$m" ]; then jq -c .seed "$m"; else echo null; fi)" \
		'{dir: $dir, run_id, source, complete, partial_reason, date, kernel, host, model: $model,
		  cells: [.cells[] | {key, variant, direction, level, level_name, streams, mtu, status,
			throughput_MBps, hcalls_per_MB, host: .tce_hcalls.host_total, guest: .tce_hcalls.guest_total}]}' "$f"
done | jq -sc 'sort_by(.date)') || die "cannot read the runs"
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
