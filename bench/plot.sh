#!/bin/sh
# Throughput and path mix per cell of a bench run (run.json from
# bench/report.sh) as PREFIX.png and PREFIX.svg: top, iperf3 throughput;
# bottom, TCE hcalls per MB by the path the host took.
#   bench/plot.sh RUN.JSON PREFIX
set -eu
[ $# -eq 2 ] || { echo "usage: plot.sh RUN.JSON PREFIX" >&2; exit 2; }
command -v gnuplot > /dev/null || { echo "plot: no gnuplot (scripts/deps.sh bench)" >&2; exit 1; }
data=$(mktemp)
trap 'rm -f "$data"' EXIT
jq -r '.cells | sort_by(.variant != "no-ddw", .variant, .mtu, .streams, .direction != "tx", -.level)[] |
	select(.status == "ok") |
	[.key, .throughput_MBps,
	 .hcalls_per_MB["real-mode"], .hcalls_per_MB["virtual-mode"], .hcalls_per_MB.userspace] |
	map(tostring) | join(" ")' "$1" > "$data"
[ -s "$data" ] || { echo "plot: no finished cells in $1" >&2; exit 1; }
gp_quote() { printf '%s' "$1" | sed "s/'/''/g"; }
title=$(jq -r '"\(.run_id) (\(.source)\(if .complete then "" else ", PARTIAL" end))"' "$1")
for term in "pngcairo size 1000,700 font ',9'" "svg size 1000,700 dynamic font ',9'"; do
	ext=png
	case $term in svg*) ext=svg ;; esac
	# the values as gnuplot strings: single-quoted, quotes doubled
	gnuplot -e "term = '$(gp_quote "$term")'; out = '$(gp_quote "$2.$ext")'" \
		-e "data = '$(gp_quote "$data")'; title = '$(gp_quote "$title")'" \
		"$(dirname "$0")/plot.gp"
done
