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
title=$(jq -r '"\(.run_id) (\(.source)\(if .complete then "" else ", PARTIAL" end))"' "$1")
for term in "pngcairo size 1000,700 font ',9'" "svg size 1000,700 dynamic font ',9'"; do
	ext=png
	case $term in svg*) ext=svg ;; esac
	gnuplot <<EOP
set terminal $term
set output "$2.$ext"
set multiplot layout 2,1 title "$title"
set style data histograms
set style fill solid 0.8 border -1
set boxwidth 0.8
set grid ytics
set yrange [0:*]
set xtics rotate by -35 noenhanced font ',8'
set bmargin 5
set key inside right top opaque box
set ylabel "iperf3 throughput, MB/s"
set style histogram clustered
plot "$data" using 2:xtic(1) title "throughput" lc rgb "#4477aa"
set ylabel "TCE hcalls per MB"
set style histogram rowstacked
plot "$data" using 3:xtic(1) title "real mode" lc rgb "#228833", \
     "" using 4 title "virtual mode" lc rgb "#ccbb44", \
     "" using 5 title "userspace" lc rgb "#ee6677"
unset multiplot
EOP
done
