# shellcheck shell=sh
# The kernel lines the project carries a series for, and where each one's
# facts live (sourced by the kernel scripts and the tests):
#   kernel-patch/LINE/series   the patches, in order
#   kernel-patch/LINE/base     the Debian source it applies to (6.1.192)
#   kernel-patch/config*       the config fragments, shared by every line
# LINE is a Debian linux-source-LINE package: 6.1 (bookworm), 6.12 (trixie).
# The sourcing script names the checkout: $top (scripts) or $TOP (tests).
_hs_ktop=${top:-${TOP:?kernel-series.sh: set top or TOP to the checkout}}

HS_KERNEL_LINE_DEFAULT=6.1

# The lines there are a series for, one per line.
hs_kernel_lines() {
	for d in "$_hs_ktop"/kernel-patch/*/series; do basename "$(dirname "$d")"; done
}

# The series directory of LINE, or a one-line error and status 1.
hs_series_dir() {
	if [ -f "$_hs_ktop/kernel-patch/$1/series" ]; then
		echo "$_hs_ktop/kernel-patch/$1"
	else
		echo "no kernel series for Linux $1 (there are: $(echo $(hs_kernel_lines)))" >&2
		return 1
	fi
}

# The Debian source tarball of LINE.
hs_kernel_tarball() {
	echo "/usr/src/linux-source-$1.tar.xz"
}

# VERSION.PATCHLEVEL.SUBLEVEL of a kernel tree, from its Makefile.
hs_tree_version() {
	awk '/^VERSION =/{v=$3} /^PATCHLEVEL =/{p=$3} /^SUBLEVEL =/{s=$3} END{print v "." p "." s}' "$1/Makefile"
}

# The name of LINE's cached work tree for FLAVOUR ("" or -debug) under
# $cache/kernel: 6.1's keep the names they had before there were lines.
hs_kernel_work_name() {	# LINE [FLAVOUR]
	if [ "$1" = 6.1 ]; then echo "work${2:-}"; else echo "work-$1${2:-}"; fi
}
