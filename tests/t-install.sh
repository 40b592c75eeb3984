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
usr/bin/hcallscope-compare
usr/lib/hcallscope/btf/6.1.0-47-powerpc64le.btf
usr/lib/hcallscope/btf/6.1.0-50-powerpc64le.btf
usr/lib/hcallscope/compare.jq
usr/lib/systemd/system/hcallstat-exporter.service
usr/sbin/hcallstat
usr/share/bash-completion/completions/hcall-load
usr/share/bash-completion/completions/hcallstat
usr/share/doc/hcallscope/README.md
usr/share/doc/hcallscope/bench-results.md
usr/share/doc/hcallscope/hcallstat-json.md
usr/share/man/man1/hcall-load.1
usr/share/man/man1/hcallscope-compare.1
usr/share/man/man8/hcallstat.8"

t_install_destdir_fhs_paths_then_uninstall() {
	local d=$WORK/t/dest got rc_inst
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
	# the installed compare command is bench/compare.sh under its own name
	rc_inst=0
	"$d/usr/bin/hcallscope-compare" -t 20 -a 50 "$TOP/results/overhead/20261123-vm.json" \
		"$TOP/results/overhead/20261123-vm-hist.json" > cmp.txt || rc_inst=$?
	"$TOP/bench/compare.sh" -t 20 -a 50 "$TOP/results/overhead/20261123-vm.json" \
		"$TOP/results/overhead/20261123-vm-hist.json" > cmp-src.txt
	expect_eq "$rc_inst" "$?" "hcallscope-compare's status (bench/compare.sh's)" || return 1
	cmp -s cmp.txt cmp-src.txt || { echo "hcallscope-compare's output differs"; return 1; }
	[ -s cmp.txt ] || { echo "hcallscope-compare printed nothing"; return 1; }
	EXPECT_RC=2 EXPECT_MSG="usage: hcallscope-compare [-t PCT]" expect_error \
		"$d/usr/bin/hcallscope-compare" -x || return 1
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

MAN_PAGES="dist/man/hcallstat.8 dist/man/hcall-load.1 dist/man/hcallscope-compare.1"

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
	# hcallscope-compare (bench/compare.sh): its usage line's options
	h=$("$TOP/bench/compare.sh" -h 2>&1 | grep -oE '\[-[a-zA-Z]' | tr -d '[' | LC_ALL=C sort -u)
	m=$(man_options "$TOP/dist/man/hcallscope-compare.1")
	expect_eq "$(echo $m)" "$(echo $h)" "hcallscope-compare's options in its man page"
}

# The bench entry points users run (bench/*.sh, not installed): each has
# a man page that man -l renders without a warning, with the sections a
# user looks for, and lists exactly the options its --help (the usage
# line, exit 0) lists
BENCH_PAGES="emulated iperf-matrix report dashboard power8 hcall-cost"
t_install_bench_man_pages() {
	local b out sec h m rc
	for b in $BENCH_PAGES; do
		out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$TOP/dist/man/hcallscope-$b.1" 2> warn) ||
			{ echo "man -l hcallscope-$b.1 failed"; return 1; }
		[ ! -s warn ] || { echo "man -l hcallscope-$b.1 warns: $(cat warn)"; return 1; }
		for sec in NAME SYNOPSIS DESCRIPTION OPTIONS EXAMPLES "EXIT STATUS" FILES "SEE ALSO"; do
			grep -qx "$sec" <<< "$out" || { echo "hcallscope-$b.1: no $sec section"; return 1; }
		done
		grep -q "bench/$b.sh" <<< "$out" || { echo "hcallscope-$b.1 does not name bench/$b.sh"; return 1; }
		rc=0
		h=$("$TOP/bench/$b.sh" --help 2>&1) || rc=$?
		expect_eq "$rc" 0 "exit status of bench/$b.sh --help" || return 1
		grep -q "^usage: $b.sh .*(man: dist/man/hcallscope-$b.1)$" <<< "$h" ||
			{ echo "bench/$b.sh --help: $h"; return 1; }
		h=$(grep -oE '(^|[ [])-[a-zA-Z]' <<< "$h" | tr -d ' [' | LC_ALL=C sort -u)
		m=$(man_options "$TOP/dist/man/hcallscope-$b.1")
		[ "$(wc -w <<< "$h")" -ge 1 ] || { echo "bench/$b.sh --help lists no option"; return 1; }
		expect_eq "$(echo $m)" "$(echo $h)" "bench/$b.sh's options in hcallscope-$b.1" || return 1
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
	local d=$WORK/t/dest comp got vmm sleeper qemu prefix
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
	# they come from the tool's --help: a tool that gains an option completes it
	printf '#!/bin/sh\nprintf "Usage: hcallstat\\n  -q, --quux  new\\n"\n' > hcallstat
	chmod +x hcallstat
	expect_eq "$(PATH=$PWD:$PATH complete_line "$comp" "hcallstat --q")" "--quux" \
		"an option only --help knows" || return 1
	# and the built-in list serves when the tool cannot run
	expect_eq "$(PATH=/usr/bin:/bin complete_line "$comp" "hcallstat --web")" "--web-config" \
		"completion without the tool" || return 1
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
	# the VMM's whole PID completes to itself alone
	prefix=$(complete_line "$comp" "hcallstat -p $vmm")
	kill "$vmm" "$sleeper" "$qemu"
	wait "$vmm" "$sleeper" "$qemu" 2> /dev/null
	grep -qx "$vmm" <<< "$got" || { echo "-p lacks the VMM $vmm: $got"; return 1; }
	grep -qx "$qemu" <<< "$got" || { echo "-p lacks qemu-system-ppc64 $qemu: $got"; return 1; }
	! grep -qx "$sleeper" <<< "$got" || { echo "-p offers a sleep ($sleeper)"; return 1; }
	expect_eq "$prefix" "$vmm" "completion of -p $vmm"
}

# --- the exporter service -------------------------------------------------

# The installed unit (ExecStart, EnvironmentFile, Documentation all point
# into a prefix of the test's own) passes systemd-analyze verify without a
# word, and holds the hardening it promises.
t_install_exporter_unit_verifies() {
	local p=$WORK/t/prefix unit out key
	install_tree "" "$p" SYSCONFDIR="$p/etc" || return 1
	unit=$p/lib/systemd/system/hcallstat-exporter.service
	grep -qx "ExecStart=$p/sbin/hcallstat \$HCALLSTAT_OPTS" "$unit" ||
		{ echo "ExecStart: $(grep ExecStart "$unit")"; return 1; }
	out=$(MANPATH=$p/share/man systemd-analyze verify "$unit" 2>&1) ||
		{ echo "systemd-analyze verify failed: $out"; return 1; }
	[ -z "$out" ] || { echo "systemd-analyze verify says: $out"; return 1; }
	for key in "NoNewPrivileges=yes" "ProtectSystem=strict" "Restart=on-failure" \
		"EnvironmentFile=-$p/etc/default/hcallstat-exporter" \
		"CapabilityBoundingSet=CAP_BPF CAP_PERFMON CAP_SYS_RESOURCE CAP_SYS_PTRACE"; do
		grep -qxF "$key" "$unit" || { echo "unit lacks $key"; return 1; }
	done
	# the check can fail: a typo in a key is reported
	sed 's/^ProtectSystem=/ProtectSytem=/' "$unit" > "$WORK/t/bad.service"
	out=$(systemd-analyze verify --man=no "$WORK/t/bad.service" 2>&1)
	grep -q "Unknown key 'ProtectSytem'" <<< "$out" ||
		{ echo "a bad unit verified silently: $out"; return 1; }
}

# The unit's capability bounding set (read from the unit) is enough for
# hcallstat to count a VM exactly, with no new privileges; without
# CAP_BPF it is not.
t_install_exporter_caps_suffice() {
	local p=$WORK/t/prefix caps set port got n
	install_tree "" "$p" SYSCONFDIR="$p/etc" || return 1
	caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$p/lib/systemd/system/hcallstat-exporter.service")
	set=$(for c in $caps; do c=${c#CAP_}; printf ',+%s' "${c,,}"; done)
	[ -n "$set" ] || { echo "no CapabilityBoundingSet in the unit"; return 1; }
	port=$((20000 + RANDOM % 10000))
	start_load_waiting load.json -c 2 -m pio-user=7,cpuid=5 || return 1
	setpriv --no-new-privs --bounding-set "-all$set" \
		"$p/sbin/hcallstat" -v --listen "127.0.0.1:$port" -p "$LOAD_PID" > /dev/null 2> srv.err &
	SRV_PID=$!
	wait_attached srv.err $SRV_PID || { kill $SRV_PID $LOAD_PID; return 1; }
	kill -USR1 $LOAD_PID
	wait $LOAD_PID || { echo "hcall-load failed"; kill $SRV_PID; return 1; }
	got=$(curl -s -m 10 "http://127.0.0.1:$port/metrics" |
		grep "^hcallscope_requests_total{vm=\"$LOAD_PID\".*request=\"cpuid\"" |
		awk '{ s += $2 } END { print s + 0 }')
	http_stop || return 1
	expect_eq "$got" 10 "cpuid requests counted with the unit's capabilities" || return 1
	# without CAP_SYS_ADMIN hcallstat cannot look its programs up by id to
	# wait until the kernel freed them (EPERM): they go a moment after it
	for _ in $(seq 50); do
		nothing_attached > /dev/null && break
		sleep 0.1
	done
	nothing_attached || return 1
	# without CAP_BPF the same run fails, with nothing left attached
	n=0
	setpriv --no-new-privs --bounding-set "-all${set/,+bpf/}" \
		"$p/sbin/hcallstat" -d 0.5 > /dev/null 2> err || n=$?
	[ "$n" -ne 0 ] || { echo "hcallstat ran without CAP_BPF"; return 1; }
	nothing_attached
}

# a self-signed certificate for 127.0.0.1, and a bcrypt hash
web_files() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=hcallscope-test \
		-addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out cert.pem 2> /dev/null ||
		{ echo "openssl req failed"; return 1; }
	WEB_HASH=$(mkpasswd -m bcrypt -R 10 's3cret pass') || { echo "mkpasswd failed"; return 1; }
}

web_start() {	# ARGS... (hcallstat's, after --listen)
	HTTP_PORT=$((20000 + RANDOM % 10000))
	"$BIN/hcallstat" -v --listen "127.0.0.1:$HTTP_PORT" "$@" > /dev/null 2> srv.err &
	SRV_PID=$!
	wait_attached srv.err $SRV_PID || { kill $SRV_PID; return 1; }
}

# status code of a request (curl's 000 when no HTTP answer came)
web_code() {	# CURL-ARGS... URL
	curl -s -m 5 -o body -w '%{http_code}' "$@" || true
}

t_install_web_tls_basic_auth() {
	local https code t
	web_files || return 1
	# relative paths: from the config file's directory
	mkdir conf && mv cert.pem key.pem conf/
	printf 'tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n%s\n  prometheus: %s\n' \
		"basic_auth_users:" "$WEB_HASH" > conf/web.yml
	web_start --web-config conf/web.yml || return 1
	https=https://127.0.0.1:$HTTP_PORT/metrics
	# the handshake is checked against the given certificate (no -k)
	code=$(web_code --cacert conf/cert.pem -u 'prometheus:s3cret pass' "$https")
	expect_eq "$code" 200 "status with the right password" || { http_stop; return 1; }
	grep -qx 'hcallscope_dropped_events_total 0' body ||
		{ echo "no metrics in the answer: $(head -c 200 body)"; http_stop; return 1; }
	code=$(web_code --cacert conf/cert.pem -u 'prometheus:wrong' "$https")
	expect_eq "$code" 401 "status with a wrong password" || { http_stop; return 1; }
	code=$(web_code --cacert conf/cert.pem -u 'nobody:s3cret pass' "$https")
	expect_eq "$code" 401 "status for an unknown user" || { http_stop; return 1; }
	code=$(curl -s -m 5 -D head -o body -w '%{http_code}' --cacert conf/cert.pem "$https")
	expect_eq "$code" 401 "status without credentials" || { http_stop; return 1; }
	grep -qi '^WWW-Authenticate: Basic realm="hcallstat"' head ||
		{ echo "401 without WWW-Authenticate: $(cat head)"; http_stop; return 1; }
	! grep -q hcallscope_ body || { echo "metrics sent with a 401"; http_stop; return 1; }
	# plain HTTP gets no answer at all when TLS is on
	code=$(web_code -u 'prometheus:s3cret pass' "http://127.0.0.1:$HTTP_PORT/metrics")
	expect_eq "$code" 000 "plain HTTP status with TLS on" || { http_stop; return 1; }
	# a certificate the client does not trust fails the handshake
	code=$(web_code -u 'prometheus:s3cret pass' "$https")
	expect_eq "$code" 000 "status with an untrusted certificate" || { http_stop; return 1; }
	# an idle connection that never starts its handshake delays no scrape,
	# and the password that passed is not hashed again (well under bcrypt's time)
	exec 7<> "/dev/tcp/127.0.0.1/$HTTP_PORT"
	t=$(curl -s -m 5 -o body -w '%{http_code} %{time_total}' --cacert conf/cert.pem \
		-u 'prometheus:s3cret pass' "$https")
	exec 7>&-
	expect_eq "${t% *}" 200 "status beside an idle connection" || { http_stop; return 1; }
	awk -v t="${t#* }" 'BEGIN { exit !(t < 0.5) }' ||
		{ echo "scrape beside an idle connection took ${t#* } s"; http_stop; return 1; }
	http_stop
}

# basic auth without TLS (node_exporter allows it), and an empty file
t_install_web_basic_auth_plain() {
	web_files || return 1
	printf 'basic_auth_users:\n  "user one": "%s"\n' "$WEB_HASH" > web.yml
	web_start --web-config web.yml || return 1
	expect_eq "$(web_code -u 'user one:s3cret pass' "http://127.0.0.1:$HTTP_PORT/metrics")" 200 \
		"status with the right password" || { http_stop; return 1; }
	expect_eq "$(web_code -u 'user one:s3cret pas' "http://127.0.0.1:$HTTP_PORT/metrics")" 401 \
		"status with a wrong password" || { http_stop; return 1; }
	expect_eq "$(web_code "http://127.0.0.1:$HTTP_PORT/metrics")" 401 \
		"status without credentials" || { http_stop; return 1; }
	# garbage in the header is a 401 too, and the server lives on
	expect_eq "$(web_code -H 'Authorization: Basic ###' "http://127.0.0.1:$HTTP_PORT/metrics")" 401 \
		"status with a garbage Authorization" || { http_stop; return 1; }
	http_stop || return 1
	: > empty.yml
	web_start --web-config empty.yml || return 1
	expect_eq "$(web_code "http://127.0.0.1:$HTTP_PORT/metrics")" 200 "status, empty config" ||
		{ http_stop; return 1; }
	http_stop
}

# every bad web config: one line, exit 1 (2 for the command line), and
# nothing attached or listening
t_install_web_config_errors() {
	local port=$((20000 + RANDOM % 10000)) case
	web_files || return 1
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=other \
		-keyout other-key.pem -out other-cert.pem 2> /dev/null
	cfg() { printf '%s\n' "$@" > web.yml; }
	check() {	# MSG
		EXPECT_MSG=$1 expect_error "$BIN/hcallstat" --listen "127.0.0.1:$port" \
			--web-config web.yml -d 0.2 || return 1
		nothing_attached
	}
	cfg "tls_server_config:" "  cert_file: cert.pem" "  key_file: key.pem" "  min_version: TLS13"
	check "web.yml: line 4: tls_server_config.min_version is not supported by hcallstat" || return 1
	cfg "tls_config:" "  cert_file: cert.pem"
	check "web.yml: line 1: unknown key tls_config" || return 1
	cfg "tls_server_config:" "  cert_file: cert.pem"
	check "tls_server_config needs cert_file and key_file" || return 1
	cfg "tls_server_config:" "  cert_file: nonexistent.pem" "  key_file: key.pem"
	check "cannot read TLS certificate $PWD/nonexistent.pem: No such file or directory" || return 1
	cfg "tls_server_config:" "  cert_file: cert.pem" "  key_file: web.yml"
	check "cannot use TLS key $PWD/web.yml:" || return 1
	cfg "tls_server_config:" "  cert_file: cert.pem" "  key_file: other-key.pem"
	check "cannot use TLS key $PWD/other-key.pem: key values mismatch" || return 1
	cfg "basic_auth_users:" "  prometheus: secret"
	check "web.yml: line 2: the password of prometheus is not a bcrypt hash" || return 1
	cfg "basic_auth_users:" "  prometheus: '${WEB_HASH%?}!'"
	check "web.yml: line 2: the password of prometheus is not a bcrypt hash" || return 1
	cfg "basic_auth_users: [a, b]"
	check "basic_auth_users must be a mapping" || return 1
	cfg "http_server_config:" "  http2: false"
	check "http_server_config is not supported by hcallstat" || return 1
	cfg "tls_server_config: {cert_file: cert.pem" 
	check "web.yml: line 2:" || return 1
	rm web.yml
	check "cannot read web config web.yml: No such file or directory" || return 1
	EXPECT_RC=2 EXPECT_MSG="--web-config needs --listen" expect_error \
		"$BIN/hcallstat" --web-config web.yml -d 0.2
}

# A non-loopback --listen without --web-config warns (once); loopback and
# a web config do not
t_install_listen_non_loopback_warns() {
	local port=$((20000 + RANDOM % 10000))
	"$BIN/hcallstat" --listen "0.0.0.0:$port" -d 0.3 > /dev/null 2> err ||
		{ echo "hcallstat failed: $(cat err)"; return 1; }
	expect_eq "$(grep -c 'warning: --listen 0.0.0.0:'"$port"' serves the metrics to the network without TLS or authentication (see --web-config)' err)" 1 \
		"warnings for 0.0.0.0" || { cat err; return 1; }
	"$BIN/hcallstat" --listen "127.0.0.1:$port" -d 0.3 > /dev/null 2> err || return 1
	! grep -q warning err || { echo "loopback warned: $(cat err)"; return 1; }
	web_files || return 1
	printf 'tls_server_config:\n  cert_file: cert.pem\n  key_file: key.pem\n' > web.yml
	"$BIN/hcallstat" --listen "0.0.0.0:$port" --web-config web.yml -d 0.3 > /dev/null 2> err ||
		{ echo "hcallstat with TLS failed: $(cat err)"; return 1; }
	! grep -q warning err || { echo "warned with a web config: $(cat err)"; return 1; }
}

# --- Debian packages ------------------------------------------------------

# make deb builds both packages (dpkg-buildpackage; lintian without error,
# or make deb fails); the amd64 one holds what make install puts, with its
# libraries as dependencies and the environment file as a conffile; the
# ppc64el one holds static POWER binaries.
# make deb, cached by its inputs (scripts/deb-cached.sh, what the emulated
# POWER tests install too); DEB is where its packages are
deb_built() {
	DEB=$("$TOP/scripts/deb-cached.sh" 2> "$WORK/deb.err") && return 0
	echo "make deb failed: $(tail -5 "$WORK/deb.err")"
	return 1
}

t_install_deb_packages() {
	local deb got want
	deb_built || return 1
	deb=$DEB
	for a in amd64 ppc64el; do
		[ -s "$deb/hcallscope_0.1.0_$a.deb" ] || { echo "no $a package"; return 1; }
	done
	got=$(dpkg-deb -c "$deb/hcallscope_0.1.0_amd64.deb" | awk '$1 !~ /^d/ { print $6 }' |
		sed 's|^\./||' | grep -v '^usr/share/lintian/' | LC_ALL=C sort)
	want=$( (echo "$INSTALL_FILES_USR" | sed -E 's/\.(md|1|8)$/.\1.gz/'
		echo usr/share/doc/hcallscope/changelog.gz
		echo usr/share/doc/hcallscope/copyright) | LC_ALL=C sort)
	expect_eq "$got" "$want" "files of the amd64 package" || return 1
	got=$(dpkg-deb -f "$deb/hcallscope_0.1.0_amd64.deb" Depends)
	for lib in libbpf1 libssl3 libyaml-0-2 libcrypt1; do
		grep -q "$lib" <<< "$got" || { echo "Depends lacks $lib: $got"; return 1; }
	done
	dpkg-deb --ctrl-tarfile "$deb/hcallscope_0.1.0_amd64.deb" | tar -xOf - ./conffiles |
		grep -qx /etc/default/hcallstat-exporter || { echo "env file is no conffile"; return 1; }
	dpkg-deb -x "$deb/hcallscope_0.1.0_ppc64el.deb" ppc
	file ppc/usr/sbin/hcallstat | grep -q 'PowerPC.*statically linked' ||
		{ echo "ppc64el hcallstat: $(file ppc/usr/sbin/hcallstat)"; return 1; }
	strings ppc/usr/sbin/hcallstat | grep -qx /usr/lib/hcallscope/btf ||
		{ echo "ppc64el hcallstat lacks the BTF directory /usr/lib/hcallscope/btf"; return 1; }
}

# The emulated POWER tests run what the ppc64el package installs
# (t_power_*, t_kernel_*: power-testbed.sh puts it into the host's image);
# a build tree's hcallstat, hcall-load or BTF directory passed in beside it
# is refused, so no test can run those instead.
t_install_power_testbed_takes_the_package() {
	local f
	echo 'exit 0' > guest.sh
	for f in "$TOP/build/ppc64le/hcallstat" "$TOP/build/ppc64le/hcall-load" "$TOP/bpf/btf"; do
		EXPECT_RC=2 EXPECT_MSG="would shadow the packaged ${f##*/}" expect_error \
			"$TOP/scripts/power-testbed.sh" -f "$f" guest.sh || return 1
	done
	# a package that is not hcallscope's ppc64el one is refused
	deb_built || return 1
	HS_PPC64EL_DEB=$DEB/hcallscope_0.1.0_amd64.deb EXPECT_MSG="is not hcallscope's ppc64el package" \
		expect_error "$TOP/scripts/power-testbed.sh" -t 5 guest.sh
}

# --- the host kernel's package --------------------------------------------

# make kernel-deb KERNEL_CONFIG=testbed: bindeb-pkg's packages of the
# testbed's kernel, from scripts/kernel-build.sh's cached build (the one
# the t_kernel tests boot; no second kernel build).  The image package
# holds that very kernel at /boot and its KVM modules under /lib/modules,
# is versioned by the series' key, and boots the emulated POWER8 host with
# its kvm-hv (the patched one: tce_accel).  The cached work tree is left
# as kernel-build.sh keeps it.
t_install_kernel_deb_testbed() {
	local kdir key rel=6.1.192 img list f work t0
	kdir=$("$TOP/scripts/kernel-build.sh") || return 1
	key=$("$TOP/scripts/series-key.sh")
	work=$(readlink -f "${HCALLSCOPE_CACHE:-/var/cache/hcallscope}/kernel/work")
	(cd "$work/applied" && cat series *.patch) | sha256sum > applied.before
	t0=$SECONDS
	make -s -C "$TOP" KERNEL_CONFIG=testbed KERNEL_DEB_DIR="$PWD/kdeb" kernel-deb > kdeb.log 2>&1 ||
		{ echo "make kernel-deb failed: $(tail -5 kdeb.log)"; return 1; }
	echo "make kernel-deb KERNEL_CONFIG=testbed: $((SECONDS - t0)) s"
	expect_eq "$(cd kdeb && ls | tr '\n' ' ')" \
		"linux-headers-${rel}_$rel-1+hcs.${key}_ppc64el.deb linux-image-$rel-dbg_$rel-1+hcs.${key}_ppc64el.deb linux-image-${rel}_$rel-1+hcs.${key}_ppc64el.deb linux-libc-dev_$rel-1+hcs.${key}_ppc64el.deb " \
		"packages made" || return 1
	img=kdeb/linux-image-${rel}_$rel-1+hcs.${key}_ppc64el.deb
	expect_eq "$(dpkg-deb -f "$img" Package Version Architecture | tr '\n' ' ')" \
		"Package: linux-image-$rel Version: $rel-1+hcs.$key Architecture: ppc64el " \
		"the image package's fields" || return 1
	dpkg-deb -I "$img" postinst | grep -q 'run-parts.*/etc/kernel/postinst.d' ||
		{ echo "no postinst running the kernel hooks"; return 1; }
	list=$(dpkg-deb -c "$img" | awk '{ print $6 }')
	for f in boot/vmlinux-$rel boot/config-$rel boot/System.map-$rel \
		lib/modules/$rel/kernel/arch/powerpc/kvm/kvm.ko \
		lib/modules/$rel/kernel/arch/powerpc/kvm/kvm-hv.ko lib/modules/$rel/modules.dep; do
		grep -qx "./$f" <<< "$list" || { echo "the image package lacks /$f"; return 1; }
	done
	dpkg-deb -x "$img" root || return 1
	# the kernel the t_kernel tests prove, byte for byte (without debug info)
	cmp -s root/boot/vmlinux-$rel "$kdir/vmlinux" ||
		{ echo "/boot/vmlinux-$rel is not kernel-build.sh's vmlinux"; return 1; }
	for f in $(grep '^CONFIG_' "$TOP/kernel-patch/config"); do
		grep -qx "$f" root/boot/config-$rel || { echo "/boot/config-$rel lacks $f"; return 1; }
	done
	f=root/lib/modules/$rel/kernel/arch/powerpc/kvm/kvm-hv.ko
	expect_eq "$(modinfo -F vermagic "$f" | cut -d' ' -f1)" "$rel" "kvm-hv.ko's vermagic" || return 1
	modinfo -F parm "$f" | grep -q '^tce_accel:' || { echo "kvm-hv.ko has no tce_accel"; return 1; }
	grep -q '^kernel/arch/powerpc/kvm/kvm-hv.ko: kernel/arch/powerpc/kvm/kvm.ko$' \
		root/lib/modules/$rel/modules.dep || { echo "modules.dep: $(cat root/lib/modules/$rel/modules.dep)"; return 1; }
	# the cached tree: as kernel-build.sh left it, its output printed at once
	expect_eq "$( (cd "$work/applied" && cat series *.patch) | sha256sum)" "$(cat applied.before)" \
		"the work tree's applied series" || return 1
	for f in debian modules.order; do
		[ ! -e "$work/obj/$f" ] || { echo "kernel-deb left $work/obj/$f"; return 1; }
	done
	t0=$(date +%s%N)
	expect_eq "$("$TOP/scripts/kernel-build.sh" 2>&1)" "$kdir" "kernel-build.sh after kernel-deb" || return 1
	[ $(( ($(date +%s%N) - t0) / 1000000 )) -lt 2000 ] || { echo "kernel-build.sh took over 2 s"; return 1; }
	# boot what the package installs
	mkdir k
	cp root/boot/vmlinux-$rel k/vmlinux
	cp root/lib/modules/$rel/kernel/arch/powerpc/kvm/kvm.ko root/lib/modules/$rel/kernel/arch/powerpc/kvm/kvm-hv.ko k/
	echo 'echo "HS-ACCEL $(cat /sys/module/kvm_hv/parameters/tce_accel)"' > guest.sh
	t0=$SECONDS
	"$TOP/scripts/power-testbed.sh" -M powernv8 -k k -t 300 guest.sh > console 2>&1 ||
		{ tail -n 15 console; return 1; }
	echo "powernv8 boot of the packaged kernel: $((SECONDS - t0)) s"
	grep -qx "HS-BOOTED $rel kvm-hv=yes net=no" console ||
		{ echo "the packaged kernel did not come up with kvm-hv: $(grep HS-BOOTED console)"; return 1; }
	grep -qx 'HS-ACCEL 2' console || { echo "no patched kvm-hv (tce_accel): $(grep HS-ACCEL console)"; return 1; }
}

# bad input to kernel-deb: one line, exit 2, nothing made
t_install_kernel_deb_bad_config() {
	printf 'CONFIG_X86_64=y\nCONFIG_64BIT=y\n' > x86.config
	EXPECT_RC=2 EXPECT_MSG="kernel-deb: no config 'nonexistent' (debian, testbed or a config file)" \
		expect_error "$TOP/scripts/kernel-deb.sh" -c nonexistent -o out || return 1
	EXPECT_RC=2 EXPECT_MSG="kernel-deb: $PWD/x86.config is not a ppc64el (powerpc64le) kernel config" \
		expect_error "$TOP/scripts/kernel-deb.sh" -c "$PWD/x86.config" -o out || return 1
	EXPECT_RC=2 EXPECT_MSG="usage: kernel-deb.sh" expect_error "$TOP/scripts/kernel-deb.sh" -c testbed extra ||
		return 1
	[ ! -e out ] || { echo "kernel-deb left out/"; return 1; }
}

# bench/power8.sh (real hardware only) refuses what it cannot run: one
# line, nothing left behind
t_install_power8_bench_refusals() {
	local dev
	EXPECT_RC=2 EXPECT_MSG="usage: power8.sh -d PCI-ADDR -s SERVER[:PORT]" expect_error \
		"$TOP/bench/power8.sh" -s 192.168.10.1 || return 1
	EXPECT_MSG="power8: bad PCI address 'eth0' (DDDD:BB:DD.F)" expect_error \
		"$TOP/bench/power8.sh" -d eth0 -s 192.168.10.1 || return 1
	EXPECT_MSG="power8: unknown variant 'dd' (no-ddw, ddw)" expect_error \
		"$TOP/bench/power8.sh" -d 0001:01:00.0 -s 192.168.10.1 -V ddw,dd || return 1
	EXPECT_MSG="power8: bad repetitions '11' (0..10)" expect_error \
		"$TOP/bench/power8.sh" -d 0001:01:00.0 -s 192.168.10.1 -R 11 || return 1
	EXPECT_MSG="power8: bad levels list '3' (of 2, 1, 0, each once)" expect_error \
		"$TOP/bench/power8.sh" -d 0001:01:00.0 -s 192.168.10.1 -l 3 || return 1
	EXPECT_MSG="power8: no PCI device 0001:7f:1f.7" expect_error \
		"$TOP/bench/power8.sh" -d 0001:7f:1f.7 -s 192.168.10.1 -o "$PWD/res" || return 1
	# this machine has no kvm-hv: the switch is missing
	dev=$(ls /sys/bus/pci/devices | head -1)
	EXPECT_MSG="power8: this kernel has no tce_accel switch" expect_error \
		"$TOP/bench/power8.sh" -d "$dev" -s 192.168.10.1 -o "$PWD/res" || return 1
	[ ! -e res ] || { echo "power8.sh left res/"; return 1; }
	! ls -d /var/tmp/hcallscope-power8.* 2> /dev/null || { echo "power8.sh left a directory in /var/tmp"; return 1; }
}
