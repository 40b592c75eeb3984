#!/bin/sh
# Run by the debug tests in the emulated POWER host (shipped with -f): two
# kmemleak scans (an object is reported once it stayed unreferenced across
# scans), the report as HS-KMEMLEAK lines, then HS-KMEMLEAK-SCANNED; nothing
# on a kernel without kmemleak.
mount -t debugfs none /sys/kernel/debug 2> /dev/null
k=/sys/kernel/debug/kmemleak
if [ -w $k ]; then
	sleep 6; echo scan > $k; sleep 6; echo scan > $k
	sed "s/^/HS-KMEMLEAK /" $k
	echo HS-KMEMLEAK-SCANNED
fi
