#!/bin/sh
# The series as their submitter sends them: kernel-patch/ signs with the
# project's placeholder identity, which is not a DCO sign-off (that needs
# a known person).  This writes a copy of each series (cover letter, series
# file, base, patches) to OUTDIR/LINE/ with the placeholder made the submitter's
# everywhere: "From:", "Signed-off-by:" and the MAINTAINERS entry the
# series adds (which later patches carry as context).
#
#   scripts/kernel-signoff.sh "Full Name <address@example.org>" OUTDIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/scripts/lib/kernel-series.sh"
placeholder='hcallscope <hcallscope@localhost>'
die() { echo "kernel-signoff: $*" >&2; exit 2; }

[ $# = 2 ] || die "usage: kernel-signoff.sh \"Full Name <address@domain>\" OUTDIR"
id=$1 out=$2
# a name, then one address with a dotted domain, as git and checkpatch take it
printf '%s\n' "$id" | grep -Eq '^[^<>@]*[^<>@ ] <[^<>@ ]+@[^<>@ ]+\.[^<>@ .]+>$' ||
	die "not an identity of the form 'Full Name <address@domain>': $id"
case $id in "$placeholder"|*@localhost\>) die "that is the placeholder, not a submitter: $id" ;; esac
[ ! -e "$out" ] || die "$out exists"

tmp=$(mktemp -d "$(dirname "$out")/.kernel-signoff.XXXXXX") || die "cannot write beside $out"
trap 'rm -rf "$tmp"' EXIT
# sed's replacement: & and the delimiter are special
rep=$(printf '%s\n' "$id" | sed 's/[&|\\]/\\&/g')
n=0
for line in $(hs_kernel_lines); do
	mkdir "$tmp/$line"
	for p in "$top/kernel-patch/$line"/*.patch; do
		grep -q "^From: $placeholder\$" "$p" || die "$line/$(basename "$p") is not signed with the placeholder"
		sed "s|$placeholder|$rep|g" "$p" > "$tmp/$line/$(basename "$p")"
	done
	cp "$top/kernel-patch/$line/series" "$top/kernel-patch/$line/base" "$tmp/$line/"
	n=$((n + $(grep -c . "$tmp/$line/series")))
done
mv "$tmp" "$out"
trap - EXIT
echo "kernel-signoff: $n patches and the cover letters of $(hs_kernel_lines | tr '\n' ' ')in $out, from $id"
