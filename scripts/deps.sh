#!/bin/sh
# Install the Debian packages hcallscope needs; quiet when all are there.
#   scripts/deps.sh [GROUP...]   groups: build, test, bench, power, kernel, deb (default: all
#                                these), power8 (a real POWER8 host's, for bench/power8.sh)
set -eu

build="make gcc pkg-config clang-19 llvm-19 libbpf-dev bpftool libelf-dev zlib1g-dev libssl-dev libyaml-dev libcrypt-dev"
test="jq util-linux bsdextrautils procps linux-source-6.1 linux-source-6.12 xz-utils curl iperf3 prometheus gnuplot-nox chromium file qemu-system-x86 linux-perf man-db systemd openssl whois"
bench="bpftrace linux-perf bc gnuplot-nox iperf3 jq"
kernel="linux-source-6.1 linux-source-6.12 xz-utils patch flex bison bc kmod cpio libssl-dev libelf-dev dwarves sparse perl"
# rsync: the kernel's headers_install, which make kernel-deb's linux-libc-dev runs
deb="build-essential dpkg-dev debhelper fakeroot lintian gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross rsync"
power="qemu-system-ppc qemu-system-data ipxe-qemu gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross cpio kmod xz-utils"
# a real POWER8 host running bench/power8.sh (not in the default set)
power8="qemu-system-ppc qemu-system-data iperf3 jq gnuplot-nox bc linux-perf cpio kmod"

[ $# -gt 0 ] || set -- build test bench power kernel deb
want=""
for g in "$@"; do
	case $g in
	build) want="$want $build" ;;
	test) want="$want $test" ;;
	bench) want="$want $bench" ;;
	power) want="$want $power" ;;
	kernel) want="$want $kernel" ;;
	deb) want="$want $deb" ;;
	power8) want="$want $power8" ;;
	*) echo "deps: unknown group '$g'" >&2; exit 2 ;;
	esac
done

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -n "$missing" ] || exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || true
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
