# Bad input: one clear line on stderr, a non-zero exit, nothing left behind
# (run_test also checks that no BPF program stays loaded).

t_err_usage() {
	# each bad command line gets its own message, not just the tool's name
	local a m
	while IFS='|' read -r a m; do
		# shellcheck disable=SC2086
		EXPECT_RC=2 EXPECT_MSG="hcallstat: $m" expect_error "$BIN/hcallstat" $a || return 1
	done <<-'EOT'
	-p abc|invalid PID 'abc'
	-p 0|invalid PID '0'
	-V -1|invalid vCPU id '-1'
	-d 0|invalid duration '0'
	-d x|invalid duration 'x'
	x|invalid interval 'x'
	1 0|invalid count '0'
	1 2 3|unexpected argument '3'
	--bogus|unknown option '--bogus'
	--|'--' must be followed by a command
	-p 1 -- true|-p and a command exclude each other
	--aggregate vm,pid|invalid --aggregate 'vm,pid'
	--aggregate|option '--aggregate' needs an argument
	EOT
	while IFS='|' read -r a m; do
		# shellcheck disable=SC2086
		EXPECT_RC=2 EXPECT_MSG="hcall-load: $m" expect_error "$BIN/hcall-load" $a || return 1
	done <<-'EOT'
	-m nope=1|unknown request 'nope'
	-m pio-user|bad mix item 'pio-user'
	-m pio-user=x|bad count in 'pio-user=x'
	-m pio-user=1,pio-user=2|'pio-user' given twice
	--instructions|--instructions needs the POWER backend
	--hugetlb-offset 64|--hugetlb-offset needs the POWER backend
	--vfio-map-race|--vfio-map-race needs the POWER backend
	-m pio-user=99999999999|bad count in 'pio-user=99999999999'
	-c 0|bad vCPU count '0'
	-c 65|bad vCPU count '65'
	extra|unexpected argument 'extra'
	EOT
}

t_err_unknown_pid() {
	EXPECT_MSG="no process with PID 999999" expect_error "$BIN/hcallstat" -p 999999
}

t_err_pid_not_a_vmm() {
	sleep 5 & local p=$!
	EXPECT_MSG="PID $p is not a KVM VMM" expect_error "$BIN/hcallstat" -p $p
	local rc=$?
	kill $p
	return $rc
}

t_err_not_root() {
	EXPECT_MSG="need root" expect_error \
		setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all \
		"$BIN/hcallstat" -d 1
}

t_err_tracefs_not_mounted() {
	EXPECT_MSG="tracefs is not mounted at /sys/kernel/tracing" expect_error \
		unshare -m sh -c "umount /sys/kernel/tracing && exec $BIN/hcallstat -d 1"
}

t_err_no_kvm_tracepoints() {
	# a kernel without KVM's tracepoints, simulated by hiding them
	EXPECT_MSG="kernel has no kvm_pio tracepoint" expect_error \
		unshare -m sh -c "mount -t tmpfs none /sys/kernel/tracing/events/kvm && exec $BIN/hcallstat -d 1"
}

t_err_no_btf() {
	EXPECT_MSG="has no BTF and no BTF file was found for it" expect_error \
		unshare -m sh -c "mount -t tmpfs none /sys/kernel/btf && exec $BIN/hcallstat -d 1"
}

t_err_output_unwritable() {
	EXPECT_MSG="cannot write /nonexistent/dir/x.json" expect_error \
		"$BIN/hcallstat" -d 0.2 -o /nonexistent/dir/x.json
}

t_err_no_partial_output() {
	# an error after the output was opened leaves neither file nor temp file
	mkdir out
	EXPECT_MSG="has no BTF and no BTF file was found for it" expect_error \
		unshare -m sh -c "mount -t tmpfs none /sys/kernel/btf && exec $BIN/hcallstat -d 1 -o out/s.json" || return 1
	expect_eq "$(ls -A out)" "" "files left in out/"
}

t_err_json_mode_error_object() {
	EXPECT_MSG="no process" expect_error "$BIN/hcallstat" -j -p 999999 || return 1
	jq -e '.error | test("no process with PID 999999")' "$WORK/out" > /dev/null
}

t_err_json_error_escaped() {
	# a quote, a backslash, a tab and a byte that is not UTF-8 in the name:
	# still one JSON object, which jq decodes back to the name
	local f
	f=$(printf '/nonexistent/a"b\\c\td\377.json')
	EXPECT_MSG="cannot write /nonexistent/a\"b" expect_error "$BIN/hcallstat" -j -d 0.2 -o "$f" || return 1
	expect_eq "$(jq -c . "$WORK/out")" \
		"$(printf '{"error":"cannot write /nonexistent/a\\"b\\\\c\\td\357\277\275.json: No such file or directory"}')" \
		"the error object, as jq reads it"
}
