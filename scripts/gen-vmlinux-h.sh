#!/bin/sh
# Regenerate bpf/vmlinux/<arch>/vmlinux.h from BTF, the way libbpf-tools
# keeps one vmlinux.h per architecture.  CO-RE relocations make the result
# usable on other kernels of that architecture.
#
#   scripts/gen-vmlinux-h.sh x86                      # this machine's BTF
#   scripts/gen-vmlinux-h.sh powerpc FILE.btf         # detached BTF file
#   scripts/gen-vmlinux-h.sh powerpc vmlinux-with-dwarf
set -eu
arch=${1:?usage: gen-vmlinux-h.sh ARCH [BTF-FILE|VMLINUX]}
src=${2:-/sys/kernel/btf/vmlinux}
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/bpf/vmlinux/$arch/vmlinux.h

[ -r "$src" ] || { echo "gen-vmlinux-h: cannot read $src" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A vmlinux with DWARF but no .BTF section: encode BTF first (pahole).
if ! bpftool btf dump file "$src" >/dev/null 2>&1; then
	pahole -j --btf_encode_detached="$tmp/btf" "$src" >/dev/null
	src=$tmp/btf
fi
mkdir -p "$(dirname "$out")"
bpftool btf dump file "$src" format c > "$tmp/vmlinux.h"
mv "$tmp/vmlinux.h" "$out"
echo "wrote $out ($(wc -c < "$out") bytes)"
