# Live tests on this machine's KVM: hcall-load issues a known mix and
# hcallstat must report it exactly, per VM, per vCPU and per path.

t_live_exact_one_vcpu() {
	"$BIN/hcallstat" -j -o stat.json -- \
		"$BIN/hcall-load" -j -m pio-user=1234,pio-kernel=4321,cpuid=777 > load.json || return 1
	check_load_observed load.json || return 1
	check_against_load load.json stat.json || return 1
	# the same numbers, spelled out
	local pid
	pid=$(jq .pid load.json)
	expect_eq "$(stat_sum stat.json ".vm == $pid and .kind == \"pio\" and .path == \"userspace\"")" 1234 "userspace PIO" &&
	expect_eq "$(stat_sum stat.json ".vm == $pid and .kind == \"pio\" and .path == \"kernel\"")" 4321 "in-kernel PIO" &&
	expect_eq "$(stat_sum stat.json ".vm == $pid and .kind == \"cpuid\" and .path == \"kernel\"")" 777 "cpuid"
}

t_live_exact_per_vcpu() {
	"$BIN/hcallstat" -j -o stat.json -- \
		"$BIN/hcall-load" -j -c 3 -m pio-user=300,pio-kernel=1000,mmio-user=200,mmio-kernel=250,cpuid=500 \
		> load.json || return 1
	check_load_observed load.json || return 1
	check_against_load load.json stat.json || return 1
	expect_eq "$(stat_total stat.json | jq '[.rows[].vcpu] | unique | tostring')" '"[0,1,2]"' "vCPUs seen"
}

t_live_raw_tp_fallback() {
	"$BIN/hcallstat" --raw-tp -v -j -o stat.json -- \
		"$BIN/hcall-load" -j -c 2 -m pio-user=111,pio-kernel=222,cpuid=333 > load.json 2> err || return 1
	grep -q "attached raw_tp probes" err || { echo "not raw_tp: $(cat err)"; return 1; }
	expect_eq "$(stat_total stat.json | jq -r .probes)" raw_tp "probes in JSON" &&
	check_against_load load.json stat.json
}

# Two VMs at once, traced system-wide; then the -p filter on one of them.
t_live_two_vms() {
	local a b s
	start_load_waiting a.json -c 2 -m pio-user=100,pio-kernel=200 || return 1
	a=$LOAD_PID
	start_load_waiting b.json -c 1 -m pio-user=50,cpuid=70,mmio-kernel=30 || return 1
	b=$LOAD_PID
	"$BIN/hcallstat" -v -j -o stat.json 2> err &
	s=$!
	wait_attached err $s || { kill $s; return 1; }
	kill -USR1 "$a" "$b"
	wait "$a" && wait "$b" || return 1
	kill -INT $s
	wait $s || { cat err; return 1; }
	check_against_load a.json stat.json && check_against_load b.json stat.json
}

t_live_pid_and_vcpu_filter() {
	local a b s
	start_load_waiting a.json -c 2 -m pio-user=100,pio-kernel=200 || return 1
	a=$LOAD_PID
	start_load_waiting b.json -c 2 -m pio-user=60,cpuid=80 || return 1
	b=$LOAD_PID
	"$BIN/hcallstat" -v -j -p "$b" -V 1 -o stat.json 2> err &
	s=$!
	wait_attached err $s || { kill $s; return 1; }
	kill -USR1 "$a" "$b"
	wait "$a" && wait "$b" || return 1
	kill -TERM $s
	wait $s || { cat err; return 1; }
	expect_eq "$(stat_total stat.json | jq -c '[.rows[] | [.vm, .vcpu]] | unique')" "[[$b,1]]" "rows kept by -p $b -V 1" &&
	expect_eq "$(stat_sum stat.json '.kind == "pio" and .path == "userspace"')" 60 "vCPU 1 userspace PIO" &&
	expect_eq "$(stat_sum stat.json '.kind == "cpuid"')" 80 "vCPU 1 cpuid"
}

# Interval deltas add up to the total; every line parses and has the schema.
t_live_intervals_sum_to_total() {
	local a s
	start_load_waiting a.json -c 1 -m pio-kernel=400000,pio-user=20000 || return 1
	a=$LOAD_PID
	"$BIN/hcallstat" -v -j -p "$a" -o stat.json 0.05 2> err &
	s=$!
	wait_attached err $s || { kill $s; return 1; }
	kill -USR1 "$a"
	wait "$a" || return 1
	sleep 0.1
	kill -INT $s
	wait $s || return 1
	jq -e -s 'length >= 3' stat.json > /dev/null || { echo "too few lines: $(wc -l < stat.json)"; return 1; }
	jq -e -s 'all(.[]; .schema == "hcallstat/1" and (.type == "interval" or .type == "total")
		and (.rows | type) == "array" and (.drops == 0))' stat.json > /dev/null ||
		{ echo "schema mismatch"; return 1; }
	expect_eq "$(jq -s '[.[] | select(.type == "interval") | .rows[] | .count] | add' stat.json)" \
		"$(jq -s '[.[] | select(.type == "total") | .rows[] | .count] | add' stat.json)" \
		"sum of interval deltas vs total" &&
	check_against_load a.json stat.json
}

t_live_table_output() {
	"$BIN/hcallstat" -- "$BIN/hcall-load" -m pio-user=5,cpuid=7 > out.txt || return 1
	grep -qE '^[0-9]+ +0 pio-out +port=0x500 +userspace +5$' out.txt &&
	grep -qE '^[0-9]+ +0 cpuid +leaf=0x0 +kernel +7$' out.txt &&
	grep -q '^paths: kernel=7 userspace=6$' out.txt &&
	expect_eq "$(awk 'length > 80' out.txt | wc -l)" 0 "lines over 80 columns" ||
		{ cat out.txt; return 1; }
}

t_live_duration_and_command_status() {
	# -d ends the run; a failing command's status is passed on
	local rc=0
	"$BIN/hcallstat" -d 0.3 > /dev/null || return 1
	EXPECT_RC=2 EXPECT_MSG="unknown request" expect_error \
		"$BIN/hcallstat" -j -- "$BIN/hcall-load" -m bogus=1 || rc=1
	jq -e '.type == "total" and .rows == []' "$WORK/out" > /dev/null ||
		{ echo "no empty total: $(cat "$WORK/out")"; rc=1; }
	return $rc
}

t_live_output_to_device() {
	# -o on a device writes through it and never replaces it
	"$BIN/hcallstat" -j -d 0.2 -o /dev/null || return 1
	[ -c /dev/null ] || { echo "/dev/null is no longer a character device"; return 1; }
}

# -- COMMAND follows what COMMAND starts: a wrapper, then a launch script
# that starts the VMM in the background (the old filter saw 0 rows).
t_live_follow_wrapper() {
	"$BIN/hcallstat" -j -o stat.json -- timeout 60 \
		"$BIN/hcall-load" -j -c 2 -m pio-user=123,pio-kernel=456,cpuid=78 > load.json || return 1
	check_load_observed load.json &&
	check_against_load load.json stat.json
}

t_live_follow_script() {
	local rc=0
	"$BIN/hcallstat" -j -o stat.json -- sh -c '
		"$1" -j -c 1 -m pio-user=211,mmio-kernel=97 > load.json &
		wait $! || exit 1
		exit 3' sh "$BIN/hcall-load" || rc=$?
	expect_eq "$rc" 3 "the script's exit status, passed on" &&
	check_against_load load.json stat.json
}

# In a PID namespace of its own (a container's view), hcallstat's PIDs are
# that namespace's: hcall-load reports getpid() there, so the vm column,
# the command and -p must all use it (the host's PID matches none).
in_pidns() {	# SCRIPT: run it in a new PID namespace, with lib.sh sourced
	unshare --pid --fork --mount-proc bash -c '. "$TOP/tests/lib.sh"; '"$1"
}

t_live_pidns_command() {
	in_pidns '"$BIN/hcallstat" -j -o stat.json -- sh -c \
		"\"\$BIN/hcall-load\" -j -c 2 -m pio-user=150,cpuid=250 > load.json; :"' || return 1
	[ "$(jq .pid load.json)" -lt 100 ] || { echo "hcall-load's PID is not the namespace's: $(jq .pid load.json)"; return 1; }
	check_against_load load.json stat.json
}

t_live_pidns_pid() {
	in_pidns '
		start_load_waiting a.json -c 2 -m pio-user=70,pio-kernel=90 || exit 1
		"$BIN/hcallstat" -v -j -p "$LOAD_PID" -o stat.json 2> err &
		s=$!
		wait_attached err $s || { kill $s; exit 1; }
		kill -USR1 "$LOAD_PID"
		wait "$LOAD_PID" || exit 1
		kill -INT $s
		wait $s || { cat err; exit 1; }' || return 1
	[ "$(jq .pid a.json)" -lt 100 ] || { echo "hcall-load's PID is not the namespace's: $(jq .pid a.json)"; return 1; }
	expect_eq "$(stat_total stat.json | jq -c '[.rows[].vm] | unique')" "[$(jq .pid a.json)]" "VMs seen with -p" &&
	check_against_load a.json stat.json
}
