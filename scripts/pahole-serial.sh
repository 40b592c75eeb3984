#!/bin/sh
# pahole for scripts/kernel-build.sh: the kernel's flags without -j, whose
# threads encode BTF in an order that changes from build to build (pahole
# 1.24 has no --reproducible_build), so that a series builds to the same
# bytes every time.
for a; do
	shift
	[ "$a" = -j ] || set -- "$@" "$a"
done
exec pahole "$@"
