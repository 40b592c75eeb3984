#!/bin/sh
# Static libraries and headers from Debian's ppc64el -dev packages, to
# link the cross-built tools (make ARCH=ppc64le).  Cached outside the
# checkout; prints the sysroot's path.
set -eu
cache=${HCALLSCOPE_CACHE:-/var/cache/hcallscope}
sysroot=$cache/ppc64el-sysroot
pkgs="libbpf-dev libelf-dev zlib1g-dev libzstd-dev"
if [ ! -e "$sysroot/.complete" ]; then
	dpkg --print-foreign-architectures | grep -qx ppc64el || {
		dpkg --add-architecture ppc64el
		apt-get update -qq >/dev/null 2>&1 || true
	}
	mkdir -p "$cache/debs"
	rm -rf "$sysroot.tmp"
	mkdir -p "$sysroot.tmp"
	for p in $pkgs; do
		deb=$(ls "$cache"/debs/"${p}"_*_ppc64el.deb 2>/dev/null | head -1)
		if [ -z "$deb" ]; then
			(cd "$cache/debs" && apt-get download -qq "$p:ppc64el" 2>/dev/null) ||
				{ echo "ppc64el-sysroot: cannot download $p:ppc64el" >&2; exit 1; }
			deb=$(ls "$cache"/debs/"${p}"_*_ppc64el.deb | head -1)
		fi
		dpkg -x "$deb" "$sysroot.tmp"
	done
	touch "$sysroot.tmp/.complete"
	rm -rf "$sysroot"
	mv "$sysroot.tmp" "$sysroot"
fi
echo "$sysroot"
