#!/bin/bash
# The newest run of a kind in a results directory, by the date in its
# run.json (a run's directory name can be anything, -o chooses it).
#   bench/previous-run.sh RESULTS-DIR SOURCE
# SOURCE: emulated or real-hardware.  Prints the run.json's path, nothing
# when there is none; exit 2 on bad input.
set -u
[ $# -eq 2 ] || { echo "usage: previous-run.sh RESULTS-DIR SOURCE" >&2; exit 2; }
[ -d "$1" ] || { echo "previous-run: no directory $1" >&2; exit 2; }
case $2 in emulated|real-hardware) ;; *) echo "previous-run: unknown source '$2' (emulated, real-hardware)" >&2; exit 2 ;; esac
for f in "${1%/}"/*/run.json; do
	[ -r "$f" ] || continue
	# a file that is no run (or no JSON) is not a candidate
	jq -r --arg f "$f" --arg s "$2" 'select(.schema == "hcallscope.iperf/1" and .source == $s and
		(.date | type) == "string") | "\(.date)\t\($f)"' "$f" 2> /dev/null
done | sort | tail -n 1 | cut -f2
