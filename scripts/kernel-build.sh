#!/bin/sh
# Build the patched POWER host kernel (vmlinux with BTF, kvm.ko, kvm-hv.ko),
# cached outside the checkout and keyed by the series and the config
# fragment: rebuilt only when one of them changes.  Prints the directory
# holding vmlinux, kvm.ko and kvm-hv.ko.
#   scripts/kernel-build.sh [-l LINE] [-d] [-x PATCH] [-j N]
# -l: the kernel line, Debian's linux-source-LINE with kernel-patch/LINE/
# (6.1 by default; scripts/lib/kernel-series.sh lists them).
# -d: the debug flavour, config-debug on top of config (lockdep, PROVE_RCU,
# KMEMLEAK, slub_debug, nohz_full), in a work tree of its own.
# -x: a test's own patch on top of the series (never shipped: e.g.
# tests/patches/slow-realmode-put-tce.patch), in the key too.
#
# One work tree per line and flavour ($cache/kernel/work for 6.1) is
# kept between builds, so a new series rebuilds incrementally: the previous series is reversed, the new
# one applied, and files whose content did not change get their old mtime
# back (make only sees what really changed).  Kbuild records absolute
# paths, so the work tree never moves.  An interrupted build resumes.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/kernel-series.sh"
cache=${HCALLSCOPE_CACHE:-/var/cache/hcallscope}
jobs=$(nproc)
flavour= extra=
line=$HS_KERNEL_LINE_DEFAULT
usage="usage: kernel-build.sh [-l LINE] [-d] [-x PATCH] [-j N]"
while getopts l:dx:j: o; do
	case $o in
	x) extra=$OPTARG
	   [ -r "$extra" ] || { echo "kernel-build: cannot read $extra" >&2; exit 2; } ;;
	l) line=$OPTARG ;;
	d) flavour=-debug ;;
	j) jobs=$OPTARG ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
[ $OPTIND -gt $# ] || { echo "$usage" >&2; exit 2; }
series=$(hs_series_dir "$line" 2>&1) || { echo "kernel-build: $series" >&2; exit 2; }
# the key: the series file, the patches it lists and the config fragments
# (not the cover letter), as scripts/series-key.sh defines it
key=$("$top/scripts/series-key.sh" -l "$line" $flavour)
[ -z "$extra" ] || key=$({ echo "$key"; cat "$extra"; } | sha256sum | cut -c1-16)
out=$cache/kernel/$key
if [ -e "$out/.complete" ]; then echo "$out"; exit 0; fi

tar=$(hs_kernel_tarball "$line")
[ -r "$tar" ] || { echo "kernel-build: $tar missing (apt-get install linux-source-$line)" >&2; exit 1; }
mkdir -p "$cache/kernel"
exec 9> "$cache/kernel/.lock"
flock 9		# one build at a time; a waiting caller then finds it done
if [ -e "$out/.complete" ]; then echo "$out"; exit 0; fi

wname=$(hs_kernel_work_name "$line" "$flavour")
[ -e "$cache/kernel/$wname" ] || mkdir "$cache/kernel/$wname"
work=$(readlink -f "$cache/kernel/$wname")
src=$work/linux-source-$line
applied=$work/applied		# the series the tree carries, as applied
log=$work/build.log
# the build is reproducible: a series gives the same bytes whenever built
mk() {
	KBUILD_BUILD_VERSION=1 KBUILD_BUILD_TIMESTAMP="hcallscope $bkey" \
	KBUILD_BUILD_USER=hcallscope KBUILD_BUILD_HOST=hcallscope \
	make -C "$src" O="$work/obj" ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu- \
		PAHOLE="$top/scripts/pahole-serial.sh" "$@"
}
apply_wanted() {	# EXTRA-PATCH|""
	"$top/scripts/kernel-apply.sh" "$src" >&2 || return 1
	[ -z "$1" ] || patch -p1 -s -f -d "$src" < "$1" >&2 ||
		{ echo "kernel-build: $1 does not apply on the series; remove $work" >&2; return 1; }
}

# The work tree made to carry the series (and EXTRA-PATCH), built, and its
# vmlinux and modules put in OUT: a new OUT, or an existing one's files
# that differ replaced one by one (readers never see it missing).
build_into() {	# OUT EXTRA-PATCH|"" KEY
	local out=$1 extra=$2 bkey=$3 want=$work/want f
	# what the tree should carry: the series, then the extra patch
	rm -rf "$want" && mkdir "$want"
	cp "$series"/series "$series"/*.patch "$want/"
	if [ -n "$extra" ]; then
		cp "$extra" "$want/zz-test-${extra##*/}"
		echo "zz-test-${extra##*/}" >> "$want/series"
	fi
	if [ ! -f "$src/Makefile" ] || [ ! -d "$applied" ]; then
		echo "kernel-build: new work tree $work (log: $log)" >&2
		rm -rf "$src" "$applied" "$work/obj"
		tar -xJf "$tar" -C "$work"
		apply_wanted "$extra" || exit 1
		rm -rf "$applied.new"
		cp -r "$want" "$applied.new"
		mv "$applied.new" "$applied"
	elif ! diff -r -q -x base -x '0000-*' "$applied" "$want" > /dev/null 2>&1; then
		echo "kernel-build: series changed, rebuilding incrementally in $work (log: $log)" >&2
		saved=$work/saved
		rm -rf "$saved"
		files=$(sed -n 's|^+++ b/||p' "$applied"/*.patch | sort -u)
		for f in $files; do
			[ -e "$src/$f" ] && mkdir -p "$saved/$(dirname "$f")" && cp -p "$src/$f" "$saved/$f"
		done
		tac "$applied/series" | while read -r p; do
			[ -n "$p" ] || continue
			(cd "$src" && patch -R -p1 -s -f < "$applied/$p") ||
				{ echo "kernel-build: cannot reverse $p in $src; remove $work" >&2; exit 1; }
		done
		rm -rf "$applied"
		apply_wanted "$extra" || exit 1
		for f in $files; do
			[ -e "$saved/$f" ] && cmp -s "$saved/$f" "$src/$f" && touch -r "$saved/$f" "$src/$f"
		done
		rm -rf "$saved"
		rm -rf "$applied.new"
		cp -r "$want" "$applied.new"
		mv "$applied.new" "$applied"
	fi
	rm -rf "$want"
	fragments="$top/kernel-patch/config"
	[ -z "$flavour" ] || fragments="$fragments $top/kernel-patch/config$flavour"
	if ! cat $fragments | cmp -s - "$work/config" 2>/dev/null; then
		rm -f "$work/config"
		{ mk powernv_defconfig && cat $fragments >> "$work/obj/.config" && mk olddefconfig; } >> "$log" 2>&1 ||
			{ tail -20 "$log" >&2; echo "kernel-build: configuring the kernel failed (log: $log)" >&2; exit 1; }
		cat $fragments > "$work/config"
	fi
	for o in $(cat $fragments | grep '^CONFIG_'); do
		grep -qx "$o" "$work/obj/.config" || { echo "kernel-build: config lost $o" >&2; exit 1; }
	done
	echo "kernel-build: make vmlinux, kvm.ko, kvm-hv.ko (log: $log)" >&2
	mk -j"$jobs" vmlinux >> "$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
	# single module targets, in a make of their own (with vmlinux, modpost fails)
	mk -j"$jobs" arch/powerpc/kvm/kvm.ko arch/powerpc/kvm/kvm-hv.ko >> "$log" 2>&1 ||
		{ tail -20 "$log" >&2; exit 1; }
	rm -rf "$out.new"
	mkdir -p "$out.new"
	powerpc64le-linux-gnu-strip --strip-debug -o "$out.new/vmlinux" "$work/obj/vmlinux"
	for m in kvm kvm-hv; do
		powerpc64le-linux-gnu-strip --strip-debug -o "$out.new/$m.ko" "$work/obj/arch/powerpc/kvm/$m.ko"
	done
	if [ -e "$out/.complete" ]; then
		for f in vmlinux kvm.ko kvm-hv.ko; do
			cmp -s "$out.new/$f" "$out/$f" || mv "$out.new/$f" "$out/$f"
		done
		rm -rf "$out.new"
		return 0
	fi
	touch "$out.new/.complete"
	rm -rf "$out"
	mv "$out.new" "$out"
}

build_into "$out" "$extra" "$key"
if [ -n "$extra" ]; then
	# back to the series alone: the tree kernel-deb -c testbed packages
	# is the series' own build
	pkey=$("$top/scripts/series-key.sh" -l "$line" $flavour)
	build_into "$cache/kernel/$pkey" "" "$pkey"
fi
echo "$out"
