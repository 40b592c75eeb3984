#!/bin/bash
# Throughput model of the seed's scenario (docs/bench-results.md, "Model"):
#
#   seconds per MB = T0 + sum over paths of (TCE hcalls per MB x cost per hcall)
#
# Two uses, one formula:
#  - the seed (POWER8, cxgb3): hcalls per MB measured here (the emulated
#    guest's driver and stack, no-DDW transmit), the real-mode cost
#    published, T0 and the userspace cost calibrated on the seed's two
#    figures and the calibrated cost compared with published POWER8 exit
#    costs; virtual mode predicted from them.
#  - the emulated run itself: T0 from its DDW cells (no TCE hcalls), costs
#    from hcallstat's mean latencies per path, throughput per level
#    predicted and set against what iperf3 measured; the gap is reported.
#
#   bench/model.sh RUN.JSON        prints the model as JSON (hcallscope.model/1)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
[ $# -eq 1 ] || { echo "usage: model.sh RUN.JSON" >&2; exit 2; }
[ -r "$1" ] || { echo "model: cannot read $1" >&2; exit 1; }
[ "$(jq -r .schema "$1" 2> /dev/null)" = hcallscope.iperf/1 ] ||
	{ echo "model: $1 is not an iperf3 bench run (hcallscope.iperf/1)" >&2; exit 1; }

jq --slurpfile seed "$top/results/seed-reference.json" \
   --slurpfile params "$top/bench/model-params.json" -f "$top/bench/model.jq" "$1"
