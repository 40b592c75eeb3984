#!/bin/sh
# The series as its submitter sends it: kernel-patch/ signs with the
# project's placeholder identity, which is not a DCO sign-off (that needs
# a known person).  This writes a copy of the series (cover letter, series
# file, patches) to OUTDIR with the placeholder made the submitter's
# everywhere: "From:", "Signed-off-by:" and the MAINTAINERS entry the
# series adds (which later patches carry as context).
#
#   scripts/kernel-signoff.sh "Full Name <address@example.org>" OUTDIR
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
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
for p in "$top"/kernel-patch/*.patch; do
	grep -q "^From: $placeholder\$" "$p" || die "$(basename "$p") is not signed with the placeholder"
	sed "s|$placeholder|$rep|g" "$p" > "$tmp/$(basename "$p")"
done
cp "$top/kernel-patch/series" "$tmp/"
mv "$tmp" "$out"
trap - EXIT
echo "kernel-signoff: $(grep -c . "$out/series") patches and the cover letter in $out, from $id"
