#!/bin/sh
# The one definition of the kernel series' key: the series file, the patches
# it lists and the config fragments (not the cover letter).  The kernel
# build caches under it and run.json records it as kernel.series_sha256.
#   scripts/series-key.sh [-debug]
set -eu
cd "$(dirname "$0")/../kernel-patch"
case ${1:-} in
"") cat series $(grep . series) config ;;
-debug) cat series $(grep . series) config config-debug ;;
*) echo "usage: series-key.sh [-debug]" >&2; exit 2 ;;
esac | sha256sum | cut -c1-16
