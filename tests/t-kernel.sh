# kernel-patch/: the series against Debian's linux-source-6.1, and its
# effect on a POWER8 host under QEMU (powernv8).

KSRC_TAR=/usr/src/linux-source-6.1.tar.xz

# The pristine tree, extracted once per test run.
pristine_tree() {
	if [ ! -d "$WORK/pristine/linux-source-6.1" ]; then
		mkdir -p "$WORK/pristine"
		tar -xJf $KSRC_TAR -C "$WORK/pristine" || return 1
	fi
	echo "$WORK/pristine/linux-source-6.1"
}

t_kernel_series_applies_and_refuses() {
	local src
	src=$(pristine_tree) || return 1
	cp -a "$src" tree
	"$TOP/scripts/kernel-apply.sh" tree > out || { cat out; return 1; }
	grep -q "$(grep -c . "$TOP/kernel-patch/series") patches applied" out || { cat out; return 1; }
	# a second time: refused, and the tree is left as it was
	(cd tree && find arch -name '*.[ch]' -newer Makefile -print0 | xargs -0 md5sum) > before
	EXPECT_MSG="does not apply" expect_error "$TOP/scripts/kernel-apply.sh" tree || return 1
	(cd tree && find arch -name '*.[ch]' -newer Makefile -print0 | xargs -0 md5sum) > after
	cmp -s before after || { echo "tree changed by a refused apply"; return 1; }
	# another kernel version
	mkdir other && sed 's/^SUBLEVEL = .*/SUBLEVEL = 191/' "$src/Makefile" > other/Makefile
	EXPECT_MSG="is Linux 6.1.191" expect_error "$TOP/scripts/kernel-apply.sh" other
}

t_kernel_checkpatch_strict() {
	local src p bad=0 res
	src=$(pristine_tree) || return 1
	while read -r p; do
		res=$(cd "$src" && perl scripts/checkpatch.pl --strict --no-tree -q \
			"$TOP/kernel-patch/$p" | grep '^total:' || true)
		echo "$p: ${res:-clean}"
		case $res in ""|"total: 0 errors, 0 warnings, 0 checks"*) ;; *) bad=1 ;; esac
	done < "$TOP/kernel-patch/series"
	return $bad
}
