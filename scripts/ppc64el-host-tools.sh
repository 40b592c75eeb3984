#!/bin/bash
# The userspace a POWER host under emulation needs to be the seed's host:
# Debian's ppc64el QEMU (qemu-system-ppc64, to run its own guest) and perf
# (perf stat beside each bench cell), with exactly the shared libraries
# they need.  Cached outside the checkout; prints the staged tree's path,
# which holds usr/bin/{qemu-system-ppc64,perf}, their libraries and the
# pseries firmware.
set -eu
. "$(dirname "$0")/debs.sh"
dir=$cache/ppc64el-host-tools
bins="usr/bin/qemu-system-ppc64 usr/bin/perf"
[ -e "$dir/.complete" ] && { echo "$dir"; exit 0; }

# the packages' dependency closure; which of its files are needed is
# decided below from the ELF headers
deb_arch_ready
pkgs=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
	--no-breaks --no-replaces --no-enhances qemu-system-ppc:ppc64el linux-perf:ppc64el 2>/dev/null |
	sed -n 's/^\([^ ]*\):ppc64el$/\1/p' | sort -u)
[ -n "$pkgs" ] || { echo "ppc64el-host-tools: apt knows no qemu-system-ppc:ppc64el" >&2; exit 1; }
stage=$(mktemp -d)
trap 'rm -rf "$stage" "$dir.tmp"' EXIT
# shellcheck disable=SC2086
deb_prefetch $pkgs
for p in $pkgs; do
	dpkg -x "$(deb_path "$p")" "$stage"
done

rm -rf "$dir.tmp"
mkdir -p "$dir.tmp/usr/bin" "$dir.tmp/lib/powerpc64le-linux-gnu" "$dir.tmp/lib64" "$dir.tmp/usr/share/qemu"
for b in $bins; do cp "$stage/$b" "$dir.tmp/usr/bin/"; done
cp "$stage/lib/powerpc64le-linux-gnu/ld64.so.2" "$dir.tmp/lib/powerpc64le-linux-gnu/"
ln -s /lib/powerpc64le-linux-gnu/ld64.so.2 "$dir.tmp/lib64/ld64.so.2"
# the NEEDED closure, each library once, found where Debian puts it
todo=$(for b in $bins; do echo "$dir.tmp/$b"; done)
while [ -n "$todo" ]; do
	next=
	for elf in $todo; do
		for so in $(powerpc64le-linux-gnu-readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
			[ -e "$dir.tmp/lib/powerpc64le-linux-gnu/$so" ] && continue
			src=$(ls "$stage"/{,usr/}lib/powerpc64le-linux-gnu/"$so" 2>/dev/null | head -1)
			[ -n "$src" ] || { echo "ppc64el-host-tools: no package provides $so" >&2; exit 1; }
			cp -L "$src" "$dir.tmp/lib/powerpc64le-linux-gnu/$so"
			next="$next $dir.tmp/lib/powerpc64le-linux-gnu/$so"
		done
	done
	todo=$next
done
# firmware is architecture-independent: this machine's qemu-system-data
cp /usr/share/qemu/vof.bin /usr/share/qemu/slof.bin "$dir.tmp/usr/share/qemu/"
touch "$dir.tmp/.complete"
rm -rf "$dir"
mv "$dir.tmp" "$dir"
echo "$dir"
