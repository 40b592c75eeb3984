# Helpers shared by tests/t-*.sh (sourced by tests/run.sh).

. "$TOP/scripts/lib/proc.sh"	# wait_line, wait_attached, stop_pid: bounded waits
. "$TOP/scripts/lib/hcalls.sh"	# opcodes, TCE set and LIOBNs from their one home
. "$TOP/scripts/lib/hcall-hist.sh"	# the guest's hist trigger: commands, parser

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
	bad=$(stat_total "$stat" | jq -r --slurpfile L "$load" -f "$TOP/tests/jq/against-load.jq") || { echo "jq failed on $stat"; return 1; }
	[ -z "$bad" ] && return 0
	echo "$bad"
	return 1
}

# The VMM's own counts: userspace exits per vCPU and ioeventfd signals.
check_load_observed() {	# LOADJSON
	local bad
	bad=$(jq -r -f "$TOP/tests/jq/load-observed.jq" "$1") || { echo "jq failed on $1"; return 1; }
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
