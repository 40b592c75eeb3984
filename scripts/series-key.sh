#!/bin/sh
# The one definition of a kernel series' key: its series file, the patches
# it lists and the config fragments (not the cover letter).  The kernel
# build caches under it and run.json records it as kernel.series_sha256.
#   scripts/series-key.sh [-l LINE] [-debug]     (LINE: 6.1 by default)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/kernel-series.sh"
line=$HS_KERNEL_LINE_DEFAULT
[ "${1:-}" != -l ] || { line=${2:?usage: series-key.sh [-l LINE] [-debug]}; shift 2; }
dir=$(hs_series_dir "$line" 2>&1) || { echo "series-key: $dir" >&2; exit 2; }
cd "$dir"
case ${1:-} in
"") cat series $(grep . series) ../config ;;
-debug) cat series $(grep . series) ../config ../config-debug ;;
*) echo "usage: series-key.sh [-l LINE] [-debug]" >&2; exit 2 ;;
esac | sha256sum | cut -c1-16
