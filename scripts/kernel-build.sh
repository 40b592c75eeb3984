#!/bin/sh
# Build the patched POWER host kernel (vmlinux with BTF, kvm.ko, kvm-hv.ko),
# cached outside the checkout and keyed by the series and the config
# fragment: rebuilt only when one of them changes.  An interrupted build
# resumes where it stopped.  Prints the directory holding vmlinux, kvm.ko
# and kvm-hv.ko.
#   scripts/kernel-build.sh [-j N]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${HCALLSCOPE_CACHE:-/var/cache/hcallscope}
jobs=$(nproc)
[ "${1:-}" = -j ] && jobs=$2
key=$(cat "$top"/kernel-patch/series "$top"/kernel-patch/*.patch "$top"/kernel-patch/config |
	sha256sum | cut -c1-16)
out=$cache/kernel/$key
[ -L "$out" ] && out=$(readlink -f "$out")	# keep the paths the objects were built with
if [ -e "$out/.complete" ]; then echo "$out"; exit 0; fi

tar=/usr/src/linux-source-6.1.tar.xz
[ -r $tar ] || { echo "kernel-build: $tar missing (apt-get install linux-source-6.1)" >&2; exit 1; }
src=$out/linux-source-6.1
log=$out/build.log
mk() { make -C "$src" O="$out/obj" ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu- "$@"; }
if [ ! -e "$out/.configured" ]; then
	rm -rf "$out"
	mkdir -p "$out"
	echo "kernel-build: building in $out (log: $log)" >&2
	tar -xJf $tar -C "$out"
	"$top/scripts/kernel-apply.sh" "$src" >&2
	mk powernv_defconfig >> "$log" 2>&1
	cat "$top/kernel-patch/config" >> "$out/obj/.config"
	mk olddefconfig >> "$log" 2>&1
	touch "$out/.configured"
else
	echo "kernel-build: resuming in $out (log: $log)" >&2
fi
for o in $(grep '^CONFIG_' "$top/kernel-patch/config"); do
	grep -qx "$o" "$out/obj/.config" || { echo "kernel-build: config lost $o" >&2; exit 1; }
done
mk -j"$jobs" vmlinux >> "$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
# single module targets, in a make of their own (with vmlinux, modpost fails)
mk -j"$jobs" arch/powerpc/kvm/kvm.ko arch/powerpc/kvm/kvm-hv.ko >> "$log" 2>&1 ||
	{ tail -20 "$log" >&2; exit 1; }
powerpc64le-linux-gnu-strip --strip-debug -o "$out/vmlinux" "$out/obj/vmlinux"
for m in kvm kvm-hv; do
	powerpc64le-linux-gnu-strip --strip-debug -o "$out/$m.ko" "$out/obj/arch/powerpc/kvm/$m.ko"
done
rm -rf "$src"
touch "$out/.complete"
echo "$out"
