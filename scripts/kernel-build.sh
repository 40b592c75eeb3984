#!/bin/sh
# Build the patched POWER host kernel (vmlinux with BTF, kvm.ko, kvm-hv.ko),
# cached outside the checkout and keyed by the series, the config fragment
# and this script: rebuilt only when one of them changes.  Prints the
# directory holding vmlinux, kvm.ko and kvm-hv.ko.
#   scripts/kernel-build.sh [-j N]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
cache=${HCALLSCOPE_CACHE:-/var/cache/hcallscope}
jobs=$(nproc)
[ "${1:-}" = -j ] && jobs=$2
key=$(cat "$top"/kernel-patch/series "$top"/kernel-patch/*.patch "$top"/kernel-patch/config \
	"$top"/scripts/kernel-build.sh "$top"/scripts/kernel-apply.sh | sha256sum | cut -c1-16)
out=$cache/kernel/$key
if [ -e "$out/.complete" ]; then echo "$out"; exit 0; fi

tar=/usr/src/linux-source-6.1.tar.xz
[ -r $tar ] || { echo "kernel-build: $tar missing (apt-get install linux-source-6.1)" >&2; exit 1; }
rm -rf "$out"
mkdir -p "$out"
log=$out/build.log
echo "kernel-build: building in $out (log: $log)" >&2
tar -xJf $tar -C "$out"
src=$out/linux-source-6.1
"$top/scripts/kernel-apply.sh" "$src" >&2
mk() { make -C "$src" O="$out/obj" ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu- "$@"; }
mk powernv_defconfig >> "$log" 2>&1
cat "$top/kernel-patch/config" >> "$out/obj/.config"
mk olddefconfig >> "$log" 2>&1
for o in $(grep '^CONFIG_' "$top/kernel-patch/config"); do
	grep -qx "$o" "$out/obj/.config" || { echo "kernel-build: config lost $o" >&2; exit 1; }
done
mk -j"$jobs" vmlinux >> "$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
mk -j"$jobs" modules_prepare >> "$log" 2>&1
mk -j"$jobs" M=arch/powerpc/kvm modules >> "$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
powerpc64le-linux-gnu-strip --strip-debug -o "$out/vmlinux" "$out/obj/vmlinux"
for m in kvm kvm-hv; do
	powerpc64le-linux-gnu-strip --strip-debug -o "$out/$m.ko" "$out/obj/arch/powerpc/kvm/$m.ko"
done
rm -rf "$src"
touch "$out/.complete"
echo "$out"
