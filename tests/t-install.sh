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
usr/share/bash-completion/completions/hcall-load
usr/share/bash-completion/completions/hcallstat
usr/share/doc/hcallscope/README.md
usr/share/doc/hcallscope/bench-results.md
usr/share/doc/hcallscope/hcallstat-json.md
usr/share/man/man1/hcall-load.1
usr/share/man/man8/hcallstat.8"

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

MAN_PAGES="dist/man/hcallstat.8 dist/man/hcall-load.1"

# man -l renders each page without a warning, with the sections a user
# looks for
t_install_man_pages_render() {
	local page out sec
	for page in $MAN_PAGES; do
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$TOP/$page" 2> "$WORK/t/warn") ||
			{ echo "man -l $page failed"; return 1; }
		[ ! -s "$WORK/t/warn" ] || { echo "man -l $page warns: $(cat "$WORK/t/warn")"; return 1; }
		for sec in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES "EXIT STATUS" FILES \
			OVERHEAD "SEE ALSO"; do
			grep -qx "$sec" <<< "$out" || { echo "$page: no $sec section"; return 1; }
		done
		for ref in 'perf-kvm(1)' 'kvm_stat(1)' 'bpftool-map(8)'; do
			sed -n '/^SEE ALSO$/,$p' <<< "$out" | grep -qF "$ref" ||
				{ echo "$page: SEE ALSO lacks $ref"; return 1; }
		done
	done
	# the project's measured figures are in hcallstat's OVERHEAD section
	out=$(MANWIDTH=200 man -l "$TOP/dist/man/hcallstat.8" 2> /dev/null |
		sed -n '/^OVERHEAD$/,/^SEE ALSO$/p')
	for fig in "42 ns" "116 ns" "323 ns" "126 ns" "215 ns" "949 ns" "134 ns"; do
		grep -qF "$fig" <<< "$out" || { echo "OVERHEAD lacks $fig"; return 1; }
	done
}

# Option names in --help (lines that start with an option, at most 6
# spaces in) or in the man page's OPTIONS section (its tag lines)
help_options() {
	grep -E '^ {0,6}-' | grep -oE '(^|[ ,])--?[a-zA-Z][-a-zA-Z0-9]*' |
		tr -d ' ,' | LC_ALL=C sort -u
}
man_options() {	# PAGE
	MANWIDTH=200 man -l "$1" 2> /dev/null | sed -n '/^OPTIONS$/,/^[A-Z]/p' |
		grep -E '^ {7}-' | grep -oE '(^|[ ,])--?[a-zA-Z][-a-zA-Z0-9]*' |
		tr -d ' ,' | LC_ALL=C sort -u
}

t_install_man_options_match_help() {
	local tool page h m
	for tool in hcallstat:dist/man/hcallstat.8 hcall-load:dist/man/hcall-load.1; do
		page=$TOP/${tool#*:}
		tool=${tool%%:*}
		h=$("$BIN/$tool" --help | help_options)
		m=$(man_options "$page")
		[ "$(wc -l <<< "$h")" -gt 8 ] || { echo "$tool --help: too few options: $h"; return 1; }
		[ "$h" = "$m" ] && continue
		echo "$tool: --help and ${page##*/} list different options:"
		diff <(echo "$h") <(echo "$m") | grep '^[<>]'
		return 1
	done
}

# installed pages are found by name under the installed MANPATH
t_install_man_by_name() {
	local d=$WORK/t/dest
	install_tree "$d" /usr || return 1
	MANPATH=$d/usr/share/man MANWIDTH=80 man hcallstat 2> /dev/null | grep -q '^HCALLSTAT(8)' ||
		{ echo "man hcallstat: not found in the installed tree"; return 1; }
	MANPATH=$d/usr/share/man MANWIDTH=80 man 1 hcall-load 2> /dev/null | grep -q '^HCALL-LOAD(1)' ||
		{ echo "man 1 hcall-load: not found in the installed tree"; return 1; }
}

# Complete LINE (the cursor at its end) with the installed completion
# file, in a bash of its own; prints COMPREPLY one per line, sorted.
complete_line() {	# COMPLETION-FILE LINE
	bash -c '
		. "$1" || exit 1
		COMP_LINE=$2 COMP_POINT=${#2}
		read -ra COMP_WORDS <<< "$2"
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		[[ $2 == *" " ]] && COMP_CWORD=$((COMP_CWORD + 1))
		spec=$(complete -p "${COMP_WORDS[0]}") || exit 1
		fn=${spec#*-F }
		"${fn%% *}"
		printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort' _ "$1" "$2"
}

t_install_bash_completion() {
	local d=$WORK/t/dest comp got vmm sleeper qemu
	install_tree "$d" /usr || return 1
	comp=$d/usr/share/bash-completion/completions/hcallstat
	[ "$(readlink "$d/usr/share/bash-completion/completions/hcall-load")" = hcallstat ] ||
		{ echo "no hcall-load completion link"; return 1; }
	export PATH=$d/usr/sbin:$d/usr/bin:$PATH

	expect_eq "$(complete_line "$comp" "hcallstat --li" | tr '\n' ' ')" "--linear --listen " \
		"completion of --li" || return 1
	# every option --help lists, and no other
	expect_eq "$(complete_line "$comp" "hcallstat -")" "$(hcallstat --help | help_options)" \
		"hcallstat's options in the completion" || return 1
	expect_eq "$(complete_line "$comp" "hcall-load -")" "$(hcall-load --help | help_options)" \
		"hcall-load's options in the completion" || return 1
	# comma lists: the labels not given yet; the backend's requests (hcall-load -l)
	expect_eq "$(complete_line "$comp" "hcallstat --aggregate vm,v")" "vm,vcpu" \
		"completion of --aggregate vm,v" || return 1
	# bash splits "pio-user=5,c" at "=": the reply is for "5,c"
	expect_eq "$(complete_line "$comp" "hcall-load -c 2 -m pio-user=5,cp")" "5,cpuid=" \
		"completion of -m pio-user=5,cp" || return 1
	expect_eq "$(complete_line "$comp" "hcallstat -j -o x.json -- hcall-lo")" "hcall-load" \
		"the command after --" || return 1

	# -p: VMMs only - a process holding /dev/kvm, one named qemu-system-*
	start_load_waiting "$WORK/t/load.json" || return 1
	vmm=$LOAD_PID
	sleep 30 & sleeper=$!
	cp "$(command -v sleep)" "$WORK/t/qemu-system-ppc64"
	"$WORK/t/qemu-system-ppc64" 30 & qemu=$!
	got=$(complete_line "$comp" "hcallstat -L -p ")
	kill "$vmm" "$sleeper" "$qemu"
	wait "$vmm" "$sleeper" "$qemu" 2> /dev/null
	grep -qx "$vmm" <<< "$got" || { echo "-p lacks the VMM $vmm: $got"; return 1; }
	grep -qx "$qemu" <<< "$got" || { echo "-p lacks qemu-system-ppc64 $qemu: $got"; return 1; }
	! grep -qx "$sleeper" <<< "$got" || { echo "-p offers a sleep ($sleeper)"; return 1; }
	# a PID prefix narrows it
	got=$(complete_line "$comp" "hcallstat -p $vmm")
	grep -qx "$vmm" <<< "$got" || { echo "-p $vmm: $got"; return 1; }
}
