#!/bin/sh
# Static libraries and headers from Debian's ppc64el -dev packages, to
# link the cross-built tools (make ARCH=ppc64le).  Cached outside the
# checkout; prints the sysroot's path.
set -eu
. "$(dirname "$0")/debs.sh"
sysroot=$cache/ppc64el-sysroot
# hcallstat --web-config: OpenSSL, libcrypt (bcrypt), libyaml
pkgs="libbpf-dev libelf-dev zlib1g-dev libzstd-dev libssl-dev libcrypt-dev libyaml-dev"
# .complete holds the package list: a sysroot made from another is made again
if [ "$(cat "$sysroot/.complete" 2> /dev/null)" != "$pkgs" ]; then
	rm -rf "$sysroot.tmp"
	mkdir -p "$sysroot.tmp"
	for p in $pkgs; do
		deb=$(deb_path "$p") || exit 1
		dpkg -x "$deb" "$sysroot.tmp"
	done
	echo "$pkgs" > "$sysroot.tmp/.complete"
	rm -rf "$sysroot"
	mv "$sysroot.tmp" "$sysroot"
fi
echo "$sysroot"
