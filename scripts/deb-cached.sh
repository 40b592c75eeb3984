#!/bin/sh
# make deb, cached outside the checkout and keyed by its inputs: prints the
# directory holding hcallscope_*_amd64.deb and hcallscope_*_ppc64el.deb,
# built only when one of the files they are made from changed.  The
# emulated POWER tests install the ppc64el one into the test host's image
# (scripts/power-testbed.sh), so the package is what they test.
#   scripts/deb-cached.sh
# The inputs: every file make deb copies into the package build, less
# what no package file comes from (tests/, results/, kernel-patch/).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${HCALLSCOPE_CACHE:-/var/cache/hcallscope}
[ $# -eq 0 ] || { echo "usage: deb-cached.sh" >&2; exit 2; }
key=$(cd "$top" && find . \( -path ./build -o -path ./.git -o -path ./tests -o -path ./results \
		-o -path ./kernel-patch \) -prune -o -type f -print | LC_ALL=C sort |
	xargs -d '\n' sha256sum | sha256sum | cut -c1-16)
out=$cache/deb/$key
if [ -e "$out/.complete" ]; then touch "$out"; echo "$out"; exit 0; fi
mkdir -p "$cache/deb"
exec 9> "$cache/deb/.lock"
flock 9		# one build at a time; a waiting caller then finds it done
if [ -e "$out/.complete" ]; then echo "$out"; exit 0; fi
rm -rf "$out.new"
make -s -C "$top" DEB_DIR="$out.new" deb > "$cache/deb/$key.log" 2>&1 ||
	{ tail -5 "$cache/deb/$key.log" >&2; rm -rf "$out.new"; echo "deb-cached: make deb failed (log: $cache/deb/$key.log)" >&2; exit 1; }
# keep the packages and the build logs, not the unpacked source copy
find "$out.new" -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +
mv "$cache/deb/$key.log" "$out.new/make-deb.log"
touch "$out.new/.complete"
rm -rf "$out"
mv "$out.new" "$out"
# the trees of other inputs unused for a week go
find "$cache/deb" -mindepth 1 -maxdepth 1 -type d -mtime +7 -exec rm -rf {} +
echo "$out"
