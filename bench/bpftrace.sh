# Sourced by bench scripts and tests: start and stop bpftrace without
# losing the stop.  bpftrace prints "Attaching N probes" before it handles
# SIGINT, and a SIGINT sent then is lost (2 of 8 here); BEGIN runs once
# every probe is attached and the handler is in place, so readiness is a
# line BEGIN prints, and the stop is bounded anyway (scripts/lib/proc.sh).
#   bpftrace_start OUTFILE SCRIPTFILE | -e PROGRAM   -> $bt_pid
#   bpftrace_stop                                    -> 0, or 1 with one line
. "${top:?}/scripts/lib/proc.sh"
bt_pid=
bpftrace_ready=hcallscope-bpftrace-ready

bpftrace_start() {
	_bt_out=$1
	shift
	: > "$_bt_out"	# not the marker of an earlier run
	_bt_begin="BEGIN { printf(\"$bpftrace_ready\\n\"); }"
	if [ "$1" = -e ]; then
		bpftrace -e "$_bt_begin $2" > "$_bt_out" 2>&1 &
	else
		bpftrace -e "$_bt_begin $(cat "$1")" > "$_bt_out" 2>&1 &
	fi
	bt_pid=$!
	wait_line "$_bt_out" "^$bpftrace_ready" "${HS_BPFTRACE_START_SECS:-60}" "$bt_pid" && return 0
	echo "bpftrace did not attach within ${HS_BPFTRACE_START_SECS:-60} s: $(grep -v "^$bpftrace_ready" "$_bt_out" | tail -n 1)" >&2
	stop_pid "$bt_pid" 2 KILL
	bt_pid=
	return 1
}

bpftrace_stop() {
	[ -n "$bt_pid" ] || return 0
	if stop_pid "$bt_pid" "${HS_BPFTRACE_STOP_SECS:-10}" INT; then
		bt_pid=
		return 0
	fi
	echo "bpftrace did not stop on SIGINT within ${HS_BPFTRACE_STOP_SECS:-10} s (killed)" >&2
	bt_pid=
	return 1
}
