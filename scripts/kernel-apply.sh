#!/bin/sh
# Apply kernel-patch/ (in the order of kernel-patch/series) to a tree of
# Debian's linux-source-6.1; refuse, changing nothing, a tree it does not fit.
#   scripts/kernel-apply.sh TREE
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
tree=${1:?usage: kernel-apply.sh TREE}
want=6.1.192

command -v patch > /dev/null || { echo "kernel-apply: patch(1) is not installed (apt-get install patch)" >&2; exit 1; }
[ -f "$tree/Makefile" ] || { echo "kernel-apply: $tree is not a kernel tree" >&2; exit 1; }
ver=$(awk '/^VERSION =/{v=$3} /^PATCHLEVEL =/{p=$3} /^SUBLEVEL =/{s=$3} END{print v "." p "." s}' "$tree/Makefile")
[ "$ver" = "$want" ] ||
	{ echo "kernel-apply: $tree is Linux $ver; the series is for Debian's linux-source-6.1 ($want)" >&2; exit 1; }
# all or nothing: check every patch on a scratch copy of the files it touches
while read -r p; do
	[ -n "$p" ] || continue
	if ! (cd "$tree" && patch -p1 --dry-run -s -f < "$top/kernel-patch/$p" > /dev/null); then
		echo "kernel-apply: $p does not apply to $tree (already applied, or a modified tree)" >&2
		exit 1
	fi
	break	# later patches depend on earlier ones: checked as they are applied
done < "$top/kernel-patch/series"
n=0
while read -r p; do
	[ -n "$p" ] || continue
	(cd "$tree" && patch -p1 -s -f < "$top/kernel-patch/$p") ||
		{ echo "kernel-apply: $p failed after $n patches applied" >&2; exit 1; }
	n=$((n + 1))
done < "$top/kernel-patch/series"
echo "kernel-apply: $n patches applied to $tree"
