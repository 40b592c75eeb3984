# make install / uninstall, the man pages, bash completion and the exporter
# service (issue 15).  Installs go to a temporary prefix or DESTDIR, built
# from a copy of build/ARCH (so the shared build tree keeps its paths).

# make install into $1 (DESTDIR) with PREFIX $2 and extra make arguments;
# the build directory is a copy, so only what the paths change is rebuilt
install_tree() {	# DESTDIR PREFIX [MAKE-ARGS...]
	local dest=$1 prefix=$2
	shift 2
	[ -d "$WORK/t/build" ] || cp -a "$BIN" "$WORK/t/build"
	make -s -C "$TOP" OUT="$WORK/t/build" DESTDIR="$dest" PREFIX="$prefix" "$@" \
		install > "$WORK/t/install.log" 2>&1 ||
		{ echo "make install failed: $(tail -5 "$WORK/t/install.log")"; return 1; }
}

uninstall_tree() {	# DESTDIR PREFIX [MAKE-ARGS...]
	local dest=$1 prefix=$2
	shift 2
	make -s -C "$TOP" OUT="$WORK/t/build" DESTDIR="$dest" PREFIX="$prefix" "$@" \
		uninstall 2>&1 || { echo "make uninstall failed"; return 1; }
}

# the files (and links) under a directory, relative, sorted
tree_files() {
	(cd "$1" && find . \( -type f -o -type l \) | sed 's|^\./||' | LC_ALL=C sort)
}

INSTALL_FILES_USR="etc/default/hcallstat-exporter
usr/bin/hcall-load
usr/lib/hcallscope/btf/6.1.0-47-powerpc64le.btf
usr/lib/hcallscope/btf/6.1.0-50-powerpc64le.btf
usr/lib/systemd/system/hcallstat-exporter.service
usr/sbin/hcallstat
usr/share/doc/hcallscope/README.md
usr/share/doc/hcallscope/bench-results.md
usr/share/doc/hcallscope/hcallstat-json.md"

t_install_destdir_fhs_paths_then_uninstall() {
	local d=$WORK/t/dest got
	install_tree "$d" /usr || return 1
	got=$(tree_files "$d")
	expect_eq "$got" "$INSTALL_FILES_USR" "installed files" || return 1
	[ -x "$d/usr/sbin/hcallstat" ] && [ -x "$d/usr/bin/hcall-load" ] ||
		{ echo "tools not executable"; return 1; }
	grep -qx "ExecStart=/usr/sbin/hcallstat \$HCALLSTAT_OPTS" \
		"$d/usr/lib/systemd/system/hcallstat-exporter.service" ||
		{ echo "unit's ExecStart is not the installed hcallstat"; return 1; }
	grep -qx "EnvironmentFile=-/etc/default/hcallstat-exporter" \
		"$d/usr/lib/systemd/system/hcallstat-exporter.service" ||
		{ echo "unit's EnvironmentFile is not the installed one"; return 1; }
	# the installed binary works and says so
	"$d/usr/sbin/hcallstat" --help | grep -q '^Usage: hcallstat' ||
		{ echo "installed hcallstat --help"; return 1; }
	uninstall_tree "$d" /usr > "$WORK/t/un.log" || return 1
	expect_eq "$(tree_files "$d")" "" "files left after uninstall"
}

t_install_keeps_edited_env_file() {
	local d=$WORK/t/dest env=etc/default/hcallstat-exporter
	install_tree "$d" /usr || return 1
	echo 'HCALLSTAT_OPTS="--listen 9999"' > "$d/$env"
	# a second install keeps the edit; uninstall keeps it and says so
	install_tree "$d" /usr || return 1
	expect_eq "$(cat "$d/$env")" 'HCALLSTAT_OPTS="--listen 9999"' "env file after reinstall" ||
		return 1
	uninstall_tree "$d" /usr > "$WORK/t/un.log" || return 1
	grep -q "kept /etc/default/hcallstat-exporter (edited)" "$WORK/t/un.log" ||
		{ echo "uninstall did not say it kept the edited file: $(cat "$WORK/t/un.log")"; return 1; }
	expect_eq "$(tree_files "$d")" "$env" "files left after uninstall"
}

# The BTF directory is compiled in from PREFIX: a kernel without BTF gets
# its file from the installed directory (here a prefix of the test's own).
t_install_btf_dir_compiled_in() {
	local p=$WORK/t/prefix rel
	rel=$(uname -r)
	install_tree "" "$p" SYSCONFDIR="$p/etc" || return 1
	# no file for this kernel: the error names the installed directory
	EXPECT_MSG="no BTF file was found for it in $p/lib/hcallscope/btf;" expect_error \
		unshare -m sh -c "mount -t tmpfs none /sys/kernel/btf && exec $p/sbin/hcallstat -d 0.2" ||
		return 1
	# with one there, it is the one used
	cp /sys/kernel/btf/vmlinux "$p/lib/hcallscope/btf/$rel.btf"
	unshare -m sh -c "mount -t tmpfs none /sys/kernel/btf && exec $p/sbin/hcallstat -v -d 0.2" \
		> "$WORK/t/out" 2> "$WORK/t/err"
	grep -qxF "hcallstat: BTF from $p/lib/hcallscope/btf/$rel.btf" "$WORK/t/err" ||
		{ echo "installed BTF file not used: $(grep -v libbpf "$WORK/t/err" | head -3)"; return 1; }
	nothing_attached
}
