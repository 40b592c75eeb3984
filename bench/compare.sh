#!/bin/bash
# Compare two result files of the same kind metric by metric; exit 1 when
# a metric got worse past the thresholds, 2 on bad input.
#   bench/compare.sh [-t PCT] [-a ABS] [-k K] [-f FLOOR] [-p] [-j] BASE NEW
# A metric regresses when it moves the wrong way by more than its threshold
# (a percentage of |BASE|) and by more than ABS in its own unit (default
# 0).  The threshold is PCT (default 10), but for a metric measured in
# repetitions (the per-hcall costs of bench/hcall-cost.sh) it comes from
# their spread: K (default 3) times the larger spread of the two runs, at
# least FLOOR percent (default 2).
# Known kinds (the "schema" field): hcallscope.overhead/1 (ns, lower is
# better), hcallscope.iperf/1 (bench/report.sh's run.json: per cell,
# throughput higher is better, TCE hcalls per MB and host CPU lower).
# A partial iperf3 run (one that stopped early) is refused unless -p.
# A cell that completed in BASE and failed in NEW is a regression; metrics
# in only one file (a narrower run) are listed, not judged.
# -j: one JSON object per metric instead of the table (metric, base, new,
# unit, change_pct, threshold_pct, verdict), for dashboards.
set -u
set -o pipefail	# a jq failure mid-table is an error, not a short table
pct=10 abs=0 k=3 floor=2 partial_ok= json=
# (installed as hcallscope-compare: the usage names what was run)
usage() { echo "usage: $(basename "$0") [-t PCT] [-a ABS] [-k K] [-f FLOOR] [-p] [-j] BASE NEW" >&2; exit 2; }
while getopts :t:a:k:f:pj c; do
	case $c in
	j) json=1 ;;
	k) k=$OPTARG ;;
	f) floor=$OPTARG ;;
	t) pct=$OPTARG ;;
	a) abs=$OPTARG ;;
	p) partial_ok=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 2 ] || usage
num='^[0-9]+([.][0-9]+)?$'
# its jq module: beside it in a checkout, under LIBDIR/hcallscope installed
here=$(dirname "$(readlink -f "$0")")
jqlib=$here
[ -r "$jqlib/compare.jq" ] || jqlib=$here/../lib/hcallscope
[ -r "$jqlib/compare.jq" ] || { echo "compare: no compare.jq beside $0 or in $here/../lib/hcallscope" >&2; exit 2; }
[[ $pct =~ $num ]] || { echo "compare: -t wants a number, not '$pct'" >&2; exit 2; }
[[ $abs =~ $num ]] || { echo "compare: -a wants a number, not '$abs'" >&2; exit 2; }
[[ $k =~ $num ]] || { echo "compare: -k wants a number, not '$k'" >&2; exit 2; }
[[ $floor =~ $num ]] || { echo "compare: -f wants a number, not '$floor'" >&2; exit 2; }

# METRIC -> {value, unit, better} for one file, or a one-line error
metrics() {	# FILE
	local f=$1 schema
	[ -r "$f" ] || { echo "compare: cannot read $f" >&2; return 2; }
	schema=$(jq -r 'if type == "object" then .schema // "" else "" end' "$f" 2>/dev/null) ||
		{ echo "compare: $f is not JSON" >&2; return 2; }
	case $schema in
	hcallscope.overhead/1)
		jq -e -c -L "$jqlib" 'include "compare"; overhead_metrics' "$f" 2>/dev/null ||
			{ echo "compare: $f: malformed $schema results" >&2; return 2; } ;;
	hcallscope.iperf/1)
		if [ -z "$partial_ok" ] && [ "$(jq -r .complete "$f" 2>/dev/null)" != true ]; then
			echo "compare: $f is a partial run ($(jq -r '.partial_reason // "cells failed"' "$f")); -p compares it anyway" >&2
			return 2
		fi
		jq -e -c -L "$jqlib" 'include "compare"; iperf_metrics' "$f" 2>/dev/null ||
			{ echo "compare: $f: malformed $schema results" >&2; return 2; } ;;
	"") echo "compare: $f has no schema field" >&2; return 2 ;;
	*) echo "compare: $f: unknown kind of results '$schema'" >&2; return 2 ;;
	esac
}

base=$(metrics "$1") || exit 2
new=$(metrics "$2") || exit 2
[ "$(jq -r .schema "$1")" = "$(jq -r .schema "$2")" ] ||
	{ echo "compare: $1 and $2 hold different kinds of results" >&2; exit 2; }

rows=$(jq -n -c -L "$jqlib" --argjson b "$base" --argjson n "$new" --argjson pct "$pct" --argjson abs "$abs" \
	--argjson k "$k" --argjson floor "$floor" \
	'include "compare"; verdict_rows($b; $n; $pct; $abs; $k; $floor)') || exit 2
n=$(echo "$rows" | jq -s '[.[] | select(.verdict == "REGRESSION")] | length') || exit 2
if [ -n "$json" ]; then
	echo "$rows"
else
	table=$(jq -n -r -L "$jqlib" --argjson b "$base" --argjson n "$new" --argjson pct "$pct" --argjson abs "$abs" \
		--argjson k "$k" --argjson floor "$floor" \
		'include "compare"; verdicts($b; $n; $pct; $abs; $k; $floor)' | column -t -s $'\t') || exit 2
	echo "$table"
	echo "$n regression(s) past ${pct}% (costs measured in repetitions: ${k}x their spread, at least ${floor}%) and ${abs}"
fi
[ "$n" -eq 0 ]
