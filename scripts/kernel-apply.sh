#!/bin/sh
# Apply the series for a tree's kernel line (kernel-patch/LINE/, in the
# order of its series file) to a tree of Debian's linux-source-LINE; refuse,
# changing nothing, a tree it has no series for or that the series does not fit.
#   scripts/kernel-apply.sh TREE
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/kernel-series.sh"
tree=${1:?usage: kernel-apply.sh TREE}

command -v patch > /dev/null || { echo "kernel-apply: patch(1) is not installed (apt-get install patch)" >&2; exit 1; }
[ -f "$tree/Makefile" ] || { echo "kernel-apply: $tree is not a kernel tree" >&2; exit 1; }
ver=$(hs_tree_version "$tree")
line=${ver%.*}
dir=$(hs_series_dir "$line" 2>&1) || { echo "kernel-apply: $tree: $dir" >&2; exit 1; }
want=$(cat "$dir/base")
[ "$ver" = "$want" ] ||
	{ echo "kernel-apply: $tree is Linux $ver; the $line series is for Debian's linux-source-$line ($want)" >&2; exit 1; }
# all or nothing: check every patch on a scratch copy of the files it touches
while read -r p; do
	[ -n "$p" ] || continue
	if ! (cd "$tree" && patch -p1 --dry-run -s -f < "$dir/$p" > /dev/null); then
		echo "kernel-apply: $p does not apply to $tree (already applied, or a modified tree)" >&2
		exit 1
	fi
	break	# later patches depend on earlier ones: checked as they are applied
done < "$dir/series"
n=0
while read -r p; do
	[ -n "$p" ] || continue
	(cd "$tree" && patch -p1 -s -f < "$dir/$p") ||
		{ echo "kernel-apply: $p failed after $n patches applied" >&2; exit 1; }
	n=$((n + 1))
done < "$dir/series"
echo "kernel-apply: $n patches of the $line series applied to $tree"
