#!/bin/sh
# BTFHub-style minimized BTF for Debian kernels without built-in BTF:
# encode BTF from the kernel's -dbg vmlinux (pahole), then keep only the
# types hcallstat's BPF object relocates against (bpftool gen min_core_btf).
# The result goes to bpf/btf/<release>.btf, where hcallstat finds it by
# the running kernel's release.
#   scripts/gen-min-btf.sh [KERNEL-ABI]     default 6.1.0-50-powerpc64le
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/debs.sh"
abi=${1:-6.1.0-50-powerpc64le}
obj=$top/build/ppc64le/hcallstat.bpf.o
full=$cache/btf/$abi.btf

[ -r "$obj" ] || make -C "$top" ARCH=ppc64le "$obj" >/dev/null
if [ ! -r "$full" ]; then
	mkdir -p "$cache/btf"
	deb=$(deb_path "linux-image-$abi-dbg") || exit 1
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp"' EXIT
	dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" "./usr/lib/debug/boot/vmlinux-$abi"
	pahole -j --btf_encode_detached="$full.tmp" "$tmp/usr/lib/debug/boot/vmlinux-$abi" >/dev/null
	mv "$full.tmp" "$full"
fi
mkdir -p "$top/bpf/btf"
bpftool gen min_core_btf "$full" "$top/bpf/btf/$abi.btf" "$obj"
echo "wrote bpf/btf/$abi.btf ($(wc -c < "$top/bpf/btf/$abi.btf") bytes)"
