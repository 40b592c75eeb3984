#!/bin/sh
# The patched POWER host kernel as Debian packages, for a POWER8 host
# (ppc64el): Debian's linux-source-LINE with kernel-patch/LINE/ applied
# (scripts/kernel-apply.sh), cross-built, packaged by the kernel's own
# bindeb-pkg (linux-image-*, linux-headers-*, linux-libc-dev, and
# linux-image-*-dbg since the config has debug info for BTF).
#
#   scripts/kernel-deb.sh [-l LINE] [-c debian|testbed|CONFIG-FILE] [-o DIR] [-j N]
#
# -l the kernel line: 6.1 (default) or 6.12 (scripts/lib/kernel-series.sh)
# -c where the config comes from, kernel-patch/config always on top:
#   debian    (default) Debian's own powerpc64le flavour config (package
#             linux-config-LINE, ppc64el), so the host keeps every driver it
#             had; release e.g. 6.1.192-hcallscope.  A full build: hours on a
#             small machine.  Its tree is kept ($cache/kernel/deb-KEY-CKEY,
#             one at a time) and resumes when interrupted.
#   CONFIG-FILE  a host's own config (its /boot/config-*), the same way.
#   testbed   the emulated testbed's kernel (powernv_defconfig + the
#             fragment), packaged from scripts/kernel-build.sh's cached
#             build: no compiling.  Its modules are the ones that build
#             makes (kvm, kvm-hv), so packaging runs builddeb (the step
#             bindeb-pkg runs after its "make all") on that tree.
# -o where the .deb files go (default build/kernel-deb).  Prints their paths.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/kernel-series.sh"
cache=${HCALLSCOPE_CACHE:-/var/cache/hcallscope}
source=debian outdir=$top/build/kernel-deb jobs=$(nproc) line=$HS_KERNEL_LINE_DEFAULT
usage="usage: kernel-deb.sh [-l LINE] [-c debian|testbed|CONFIG-FILE] [-o DIR] [-j N]"
while getopts l:c:o:j: o; do
	case $o in
	l) line=$OPTARG ;;
	c) source=$OPTARG ;;
	o) outdir=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -eq 0 ] || { echo "$usage" >&2; exit 2; }
series=$(hs_series_dir "$line" 2>&1) || { echo "kernel-deb: $series" >&2; exit 2; }
tarball=$(hs_kernel_tarball "$line")
case $jobs in ''|*[!0-9]*) echo "kernel-deb: bad job count '$jobs'" >&2; exit 2 ;; esac
case $source in
debian|testbed) ;;
*) [ -f "$source" ] && [ -r "$source" ] ||
	{ echo "kernel-deb: no config '$source' (debian, testbed or a config file)" >&2; exit 2; }
   grep -q '^CONFIG_PPC64=y' "$source" && grep -q '^CONFIG_CPU_LITTLE_ENDIAN=y' "$source" ||
	{ echo "kernel-deb: $source is not a ppc64el (powerpc64le) kernel config" >&2; exit 2; }
   source=$(readlink -f "$source") ;;
esac
command -v dpkg-deb > /dev/null && command -v dpkg-gencontrol > /dev/null ||
	{ echo "kernel-deb: dpkg-dev is not installed (scripts/deps.sh kernel deb)" >&2; exit 1; }
key=$("$top/scripts/series-key.sh" -l "$line")
# the package version carries the series' key: a new series is a new version
export KDEB_SOURCENAME=linux-upstream KDEB_CHANGELOG_DIST=bookworm DEBEMAIL="hcallscope <hcallscope@localhost>"
export DEB_RULES_REQUIRES_ROOT=no

# mk TREE-SRC TREE-OBJ TARGET...: kbuild for ppc64el, cross-compiled
mk() {
	_src=$1 _obj=$2
	shift 2
	make -C "$_src" O="$_obj" ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu- "$@"
}

# The image /boot gets: vmlinux without its debug info (the -dbg package
# keeps that); KBUILD_IMAGE is what builddeb copies.
strip_image() {	# OBJ DEST
	powerpc64le-linux-gnu-strip --strip-debug -o "$2" "$1/vmlinux"
}

# move the packages builddeb wrote next to OBJ into $outdir, print them
collect() {	# OBJ-PARENT RELEASE
	mkdir -p "$outdir"
	for d in "$1"/linux-*_ppc64el.deb; do
		[ -e "$d" ] || { echo "kernel-deb: no package was built" >&2; exit 1; }
		mv "$d" "$outdir/"
		echo "$outdir/${d##*/}"
	done
	rm -f "$1"/linux-*.buildinfo "$1"/linux-*.changes
}

if [ "$source" = testbed ]; then
	kdir=$("$top/scripts/kernel-build.sh" -l "$line" -j "$jobs")
	work=$(readlink -f "$cache/kernel/$(hs_kernel_work_name "$line")")
	src=$work/linux-source-$line obj=$work/obj
	exec 9> "$cache/kernel/.lock"
	flock 9		# kernel-build.sh changes this tree only under the lock
	# the tree must carry this checkout's series and fragment (another
	# checkout's build may have moved it on since kdir was made)
	if ! diff -r -q -x base -x '0000-*' "$work/applied" "$series" > /dev/null 2>&1 ||
	   ! cmp -s "$top/kernel-patch/config" "$work/config"; then
		echo "kernel-deb: $work now carries another series than $series (rm -r $kdir; scripts/kernel-build.sh -l $line brings it back)" >&2
		exit 1
	fi
	rel=$(mk "$src" "$obj" -s kernelrelease)
	# the modules kernel-build.sh builds are those the testbed loads; the
	# tree's modules.order (absent: kernel-build.sh makes no "modules")
	# names just them while builddeb installs them, then goes again
	for m in kvm kvm-hv; do
		[ -f "$obj/arch/powerpc/kvm/$m.ko" ] ||
			{ echo "kernel-deb: $obj/arch/powerpc/kvm/$m.ko missing" >&2; exit 1; }
	done
	tmp=$(mktemp -d)
	trap 'rm -rf "$tmp" "$obj/debian" "$obj/modules.order" "$work"/linux-*.deb "$work"/linux-*.buildinfo "$work"/linux-*.changes' EXIT
	trap 'exit 1' INT TERM
	printf 'arch/powerpc/kvm/kvm.ko\narch/powerpc/kvm/kvm-hv.ko\n' > "$obj/modules.order"
	strip_image "$obj" "$tmp/vmlinux"
	version=$rel-1+hcs.$key
	rm -rf "$obj/debian"
	(cd "$obj" && srctree=$src KERNELRELEASE=$rel ARCH=powerpc UTS_MACHINE=ppc64le MAKE=make \
		KDEB_PKGVERSION=$version sh "$src/scripts/package/mkdebian") > "$tmp/log" 2>&1 ||
		{ tail -5 "$tmp/log" >&2; exit 1; }
	# what debian/rules' binary-arch runs; gzip: the -dbg package holds
	# the whole vmlinux, and xz takes minutes over it on a small machine
	KBUILD_IMAGE=$tmp/vmlinux KDEB_COMPRESS=gzip mk "$src" "$obj" KERNELRELEASE="$rel" \
		KBUILD_BUILD_VERSION=1+hcs.$key intdeb-pkg >> "$tmp/log" 2>&1 ||
		{ tail -20 "$tmp/log" >&2; exit 1; }
	collect "$work" "$rel"
	exit 0
fi

# debian or a config file: a tree of its own, keyed by the series and the config
[ -r "$tarball" ] ||
	{ echo "kernel-deb: $tarball missing (apt-get install linux-source-$line)" >&2; exit 1; }
if [ "$source" = debian ]; then
	. "$top/scripts/debs.sh"
	cdeb=$(deb_path "linux-config-$line") || exit 1
fi
mkdir -p "$cache/kernel"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM
if [ "$source" = debian ]; then
	dpkg-deb --fsys-tarfile "$cdeb" |
		tar -xOf - "./usr/src/linux-config-$line/config.ppc64el_none_powerpc64le.xz" | xz -dc > "$tmp/base" ||
		{ echo "kernel-deb: no powerpc64le config in $cdeb" >&2; exit 1; }
else
	cp "$source" "$tmp/base"
fi
ckey=$(cat "$tmp/base" "$top/kernel-patch/config" | sha256sum | cut -c1-12)
work=$cache/kernel/deb-$key-$ckey
src=$work/linux-source-$line obj=$work/obj log=$work/build.log
exec 9> "$cache/kernel/.deb-lock"
flock -n 9 || { echo "kernel-deb: another kernel-deb is building (lock $cache/kernel/.deb-lock)" >&2; exit 1; }
if [ ! -e "$work/.applied" ]; then
	# one such tree at a time (a flavour's is ~20 GB): another series' or
	# config's goes
	for d in "$cache"/kernel/deb-*; do [ ! -d "$d" ] || rm -rf "$d"; done
	mkdir -p "$work"
	tar -xJf "$tarball" -C "$work"
	"$top/scripts/kernel-apply.sh" "$src" >&2
	touch "$work/.applied"
fi
echo "kernel-deb: building in $work (log: $log); a full flavour takes hours" >&2
mkdir -p "$obj"
if ! cmp -s "$tmp/base" "$work/config.base"; then
	# the release names our kernel apart from Debian's (6.1.0-N-powerpc64le);
	# module signing needs Debian's key: off
	{ cat "$tmp/base"; echo 'CONFIG_LOCALVERSION="-hcallscope"'
	  echo '# CONFIG_MODULE_SIG_ALL is not set'; echo 'CONFIG_SYSTEM_TRUSTED_KEYS=""'
	  cat "$top/kernel-patch/config"; } > "$obj/.config"
	mk "$src" "$obj" olddefconfig > "$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
	cp "$tmp/base" "$work/config.base"
fi
for o in $(grep '^CONFIG_' "$top/kernel-patch/config"); do
	grep -qx "$o" "$obj/.config" || { echo "kernel-deb: config lost $o" >&2; exit 1; }
done
rel=$(mk "$src" "$obj" -s kernelrelease)
# build first (the same KBUILD_BUILD_VERSION as bindeb-pkg, so its own
# "make all" finds nothing to do), then the image without debug info
mk "$src" "$obj" -j"$jobs" KERNELRELEASE="$rel" KBUILD_BUILD_VERSION=1+hcs.$key >> "$log" 2>&1 ||
	{ tail -20 "$log" >&2; exit 1; }
strip_image "$obj" "$tmp/vmlinux"
KBUILD_IMAGE=$tmp/vmlinux KDEB_PKGVERSION=$rel-1+hcs.$key mk "$src" "$obj" -j"$jobs" \
	DPKG_FLAGS=-d bindeb-pkg >> "$log" 2>&1 || { tail -20 "$log" >&2; exit 1; }
collect "$work" "$rel"
