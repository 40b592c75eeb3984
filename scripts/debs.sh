# Sourced by scripts that need Debian ppc64el packages: one download cache,
# outside the checkout.
#   deb_path PKG [SUITE] -> path of PKG's ppc64el .deb, downloaded once;
#                           SUITE bookworm (the system's, default) or trixie
#   deb_prefetch PKG...   download the missing ones in one go (many packages)
#   deb_arch_ready        apt knows ppc64el (added and updated once)
# trixie's packages come through an apt of their own (its lists and cache
# under $cache/apt-trixie, the archive's address taken from the system's
# own sources): the system's apt never sees trixie.
cache=${HCALLSCOPE_CACHE:-/var/cache/hcallscope}

deb_arch_ready() {
	# a POWER host's own architecture (bench/power8.sh makes its guest image there)
	[ "$(dpkg --print-architecture)" != ppc64el ] || return 0
	dpkg --print-foreign-architectures | grep -qx ppc64el && return 0
	dpkg --add-architecture ppc64el
	apt-get update -qq > /dev/null 2>&1 || true
}

deb_path() {	# PKG [SUITE]
	case ${2:-bookworm} in
	bookworm) _dir=$cache/debs ;;
	trixie) _dir=$cache/debs-trixie ;;
	*) echo "deb_path: no suite '$2' (bookworm, trixie)" >&2; return 1 ;;
	esac
	_deb=$(ls "$_dir"/"$1"_*_ppc64el.deb 2>/dev/null | head -1)
	if [ -z "$_deb" ]; then
		mkdir -p "$_dir"
		if [ "${2:-bookworm}" = trixie ]; then
			deb_trixie_ready || return 1
			(cd "$_dir" && apt-get $_trixie_apt download -qq "$1:ppc64el" >/dev/null 2>&1)
		else
			deb_arch_ready
			(cd "$_dir" && apt-get download -qq "$1:ppc64el" >/dev/null 2>&1)
		fi || { echo "cannot download $1:ppc64el from Debian's archive (${2:-bookworm})" >&2; return 1; }
		_deb=$(ls "$_dir"/"$1"_*_ppc64el.deb | head -1)
	fi
	echo "$_deb"
}

# apt options for trixie's ppc64el packages, its lists fetched once a day
deb_trixie_ready() {
	_t=$cache/apt-trixie
	_trixie_apt="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$_t/sources
		-o Dir::State::Lists=$_t/lists -o Dir::Cache=$_t/cache -o Dir::State::status=/dev/null
		-o APT::Architecture=ppc64el -o APT::Architectures=ppc64el"
	[ -z "$(find "$_t/lists" -maxdepth 1 -name '*trixie*Packages*' -mmin -1440 2>/dev/null)" ] || return 0
	_uri=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v security | head -1)
	[ -n "$_uri" ] || _uri=$(sed -n 's/^deb \(\[[^]]*\] \)\{0,1\}\([^ ]*\) bookworm .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -1)
	[ -n "$_uri" ] || { echo "no Debian archive in the system's apt sources to take trixie from" >&2; return 1; }
	mkdir -p "$_t/sources" "$_t/lists/partial" "$_t/cache/archives/partial"
	printf 'Types: deb\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$_uri" > "$_t/sources/trixie.sources"
	# (once more after a pause: a mirror may be between syncs)
	# shellcheck disable=SC2086
	apt-get $_trixie_apt update -qq > "$_t/update.log" 2>&1 ||
		{ sleep 10; apt-get $_trixie_apt update -qq > "$_t/update.log" 2>&1; } ||
		{ echo "cannot fetch trixie's package lists: $(grep -m1 -E '^(E|W):' "$_t/update.log")" >&2; return 1; }
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
