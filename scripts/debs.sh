# Sourced by scripts that need Debian ppc64el packages: one download cache,
# outside the checkout.
#   deb_path PKG       -> path of PKG's ppc64el .deb, downloaded once
#   deb_prefetch PKG...   download the missing ones in one go (many packages)
#   deb_arch_ready        apt knows ppc64el (added and updated once)
cache=${HCALLSCOPE_CACHE:-/var/cache/hcallscope}

deb_arch_ready() {
	# a POWER host's own architecture (bench/power8.sh makes its guest image there)
	[ "$(dpkg --print-architecture)" != ppc64el ] || return 0
	dpkg --print-foreign-architectures | grep -qx ppc64el && return 0
	dpkg --add-architecture ppc64el
	apt-get update -qq > /dev/null 2>&1 || true
}

deb_path() {
	_deb=$(ls "$cache"/debs/"$1"_*_ppc64el.deb 2>/dev/null | head -1)
	if [ -z "$_deb" ]; then
		deb_arch_ready
		mkdir -p "$cache/debs"
		(cd "$cache/debs" && apt-get download -qq "$1:ppc64el" >/dev/null 2>&1) ||
			{ echo "cannot download $1:ppc64el from Debian's archive" >&2; return 1; }
		_deb=$(ls "$cache"/debs/"$1"_*_ppc64el.deb | head -1)
	fi
	echo "$_deb"
}

deb_prefetch() {
	_missing=
	for _p in "$@"; do
		ls "$cache"/debs/"$_p"_*_ppc64el.deb > /dev/null 2>&1 || _missing="$_missing $_p:ppc64el"
	done
	[ -n "$_missing" ] || return 0
	deb_arch_ready
	mkdir -p "$cache/debs"
	# shellcheck disable=SC2086
	(cd "$cache/debs" && apt-get download -qq $_missing > /dev/null 2>&1) || true
}
