# shellcheck shell=sh
# Debian's stock ppc64el kernels the emulated testbed boots, by Debian
# release (sourced): RELEASE ABI SUITE.  12's is the default.  Debian 13's
# kernels carry their BTF (CONFIG_DEBUG_INFO_BTF=y): hcallstat needs no
# file of ours there; Debian 12's have none (bpf/btf/ has one per ABI).
# 13's newest ABI (6.12.117+deb13) is in the archive's index but not
# fetchable here (404), so 13 is 6.12.107+deb13.
HS_DEBIAN_KERNELS='12 6.1.0-50-powerpc64le bookworm
13 6.12.107+deb13-powerpc64le trixie
13-64k 6.12.107+deb13-powerpc64le-64k trixie'

# "ABI SUITE" of a release, or a one-line error and status 1.
hs_debian_kernel() {	# RELEASE
	_k=$(printf '%s\n' "$HS_DEBIAN_KERNELS" | awk -v r="$1" '$1 == r {print $2, $3}')
	[ -n "$_k" ] || { echo "no Debian kernel for release '$1' (12, 13, 13-64k)" >&2; return 1; }
	echo "$_k"
}
