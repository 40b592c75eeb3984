# Helpers shared by tests/t-*.sh (sourced by tests/run.sh).

. "$TOP/scripts/lib/proc.sh"	# wait_line, stop_pid: bounded waits
. "$TOP/scripts/lib/hcalls.sh"	# opcodes, TCE set and LIOBNs from their one home

expect_eq() {	# GOT WANT WHAT
	[ "$1" = "$2" ] && return 0
	echo "expected $3 = '$2', got '$1'"
	return 1
}

# No program of ours may stay loaded after a run, good or bad.
nothing_attached() {
	local left
	left=$(bpftool prog show -j 2>/dev/null | jq -r '.[] | .name // empty' |
		grep -E '^(tp_btf_kvm|raw_tp_kvm|sys_enter_ioct|sched_process_[fe])' || true)
	[ -z "$left" ] && return 0
	echo "BPF programs left loaded: $left"
	return 1
}

# CMD... fails with exit status $EXPECT_RC (default 1), prints exactly one
# line on stderr, containing $EXPECT_MSG.
expect_error() {
	local rc=0 err=$WORK/err
	"$@" > "$WORK/out" 2> "$err" || rc=$?
	expect_eq "$rc" "${EXPECT_RC:-1}" "exit status of '$*'" || { cat "$err"; return 1; }
	expect_eq "$(wc -l < "$err")" 1 "stderr lines of '$*'" || { cat "$err"; return 1; }
	grep -qF -- "$EXPECT_MSG" "$err" && return 0
	echo "stderr of '$*' lacks '$EXPECT_MSG': $(cat "$err")"
	return 1
}

# The "total" object of a hcallstat JSON stream.
stat_total() {
	jq -c 'select(.type == "total")' "$1"
}

# Sum of counts in a hcallstat total matching a jq condition on a row.
stat_sum() {	# STATFILE JQ-CONDITION
	stat_total "$1" | jq "[.rows[] | select($2) | .count] | add // 0"
}

# Compare hcallstat's totals with what hcall-load issued: every mix entry
# on every vCPU exactly, on its path, and nothing else for that VM but
# one HLT exit per vCPU.  Also check the VMM's own view of the run.
check_against_load() {	# LOADJSON STATJSON
	local load=$1 stat=$2 bad
	stat_total "$stat" | jq -e .rows > /dev/null || { echo "no total in $stat"; return 1; }
	bad=$(stat_total "$stat" | jq -r --slurpfile L "$load" '
		$L[0] as $l | . as $s |
		# requests that look alike to hcallstat (same kind, code, arg, path) are summed
		($l.mix | group_by([.kind, .code, .arg, .path]) |
		 map(.[0] + {per_vcpu: (map(.per_vcpu) | add), request: (map(.request) | join("+"))})) as $keys |
		([range(0; $l.vcpus) as $v | $keys[] | . as $m |
		  ([$s.rows[] | select(.vm == $l.pid and .vcpu == $v and
			.kind == $m.kind and .code == $m.code and .arg == $m.arg and
			.path == $m.path) | .count] | add // 0) as $got |
		  select($got != $m.per_vcpu) |
		  "vcpu \($v) \($m.request): hcallstat \($got), issued \($m.per_vcpu)"]) +
		([$s.rows[] | select(.vm == $l.pid)] as $mine |
		 ((($l.mix | map(.per_vcpu) | add) + 1) * $l.vcpus) as $want |
		 ([$mine[].count] | add // 0) as $got |
		 if $got != $want then
			["all rows of VM \($l.pid): \($got), want \($want) (mix + one HLT per vCPU)"]
		 else [] end) | .[]') || { echo "jq failed on $stat"; return 1; }
	[ -z "$bad" ] && return 0
	echo "$bad"
	return 1
}

# The VMM's own counts: userspace exits per vCPU and ioeventfd signals.
check_load_observed() {	# LOADJSON
	local bad
	bad=$(jq -r '
		. as $l |
		(def issued(r): ([$l.mix[] | select(.request == r) | .per_vcpu] | add // 0);
		 [ ($l.observed.per_vcpu[] |
			select((.userspace_exits.IO // 0) != issued("pio-user") or
			       (.userspace_exits.MMIO // 0) != issued("mmio-user") or
			       .userspace_exits.HLT != 1) |
			"vcpu \(.vcpu) saw exits \(.userspace_exits)"),
		   (if $l.observed.ioeventfd_signals.pio != issued("pio-kernel") * $l.vcpus
		    then "pio ioeventfd signals \($l.observed.ioeventfd_signals.pio)" else empty end),
		   (if $l.observed.ioeventfd_signals.mmio != issued("mmio-kernel") * $l.vcpus
		    then "mmio ioeventfd signals \($l.observed.ioeventfd_signals.mmio)" else empty end)
		 ]) | .[]' "$1") || { echo "jq failed on $1"; return 1; }
	[ -z "$bad" ] && return 0
	echo "$bad"
	return 1
}

# Start hcall-load stopped (-w) in this shell; its PID in $LOAD_PID once
# it is ready.
start_load_waiting() {	# OUTFILE ARGS...
	local out=$1
	shift
	"$BIN/hcall-load" -w -j "$@" > "$out" 2> "$out.err" &
	LOAD_PID=$!
	wait_line "$out.err" ready 5 "$LOAD_PID" && return 0
	echo "hcall-load did not get ready: $(cat "$out.err")" >&2
	return 1
}

# Wait until hcallstat has attached (it prints a line on stderr with -v).
wait_attached() {	# ERRFILE
	wait_line "$1" attached 10 && return 0
	echo "hcallstat did not attach: $(cat "$1")"
	return 1
}
