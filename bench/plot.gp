# bench/plot.sh's figure: top, iperf3 throughput per cell; bottom, TCE
# hcalls per MB by the path the host took.  Given with -e: term (a
# terminal with its options), out, data (lines "KEY MBps REAL VIRT USER")
# and title.
set terminal @term
set output out
set multiplot layout 2,1 title title
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
plot data using 2:xtic(1) title "throughput" lc rgb "#4477aa"
set ylabel "TCE hcalls per MB"
set style histogram rowstacked
plot data using 3:xtic(1) title "real mode" lc rgb "#228833", \
     "" using 4 title "virtual mode" lc rgb "#ccbb44", \
     "" using 5 title "userspace" lc rgb "#ee6677"
unset multiplot
