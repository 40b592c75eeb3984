# Sourced (sh or bash): bounded waits on other processes.  Every wait has a
# limit; a limit that is hit returns non-zero and leaves no process behind.

# wait_line FILE PATTERN SECS [PID]: until FILE holds a line matching the
# grep -E PATTERN; fails at SECS or as soon as PID (the writer) is gone.
wait_line() {
	_wl_n=$(($3 * 20))
	while [ "$_wl_n" -gt 0 ]; do
		grep -qE -- "$2" "$1" 2> /dev/null && return 0
		[ -z "${4:-}" ] || kill -0 "$4" 2> /dev/null ||
			{ grep -qE -- "$2" "$1" 2> /dev/null; return; }
		sleep 0.05
		_wl_n=$((_wl_n - 1))
	done
	return 1
}

# wait_attached ERRFILE PID [SECS]: until hcallstat -v, its stderr going to
# ERRFILE, says it attached its programs (default limit 10 s); on failure
# prints why, in one line.
wait_attached() {
	wait_line "$1" attached "${3:-10}" "$2" && return 0
	echo "hcallstat did not attach: $(tail -n 1 "$1" 2> /dev/null)"
	return 1
}

# wait_gone PID SECS: until PID has exited (for a child of this shell, it
# is then reaped by `wait`); fails at SECS.
wait_gone() {
	_wg_n=$(($2 * 20))
	while kill -0 "$1" 2> /dev/null; do
		[ "$_wg_n" -gt 0 ] || return 1
		sleep 0.05
		_wg_n=$((_wg_n - 1))
	done
	wait "$1" 2> /dev/null || true
	return 0
}

# stop_pid PID SECS [SIGNAL]: send SIGNAL (default INT) and send it again
# every second, in case the process was not yet listening; KILL at SECS.
# Returns 0 when SIGNAL ended it, 1 when it took KILL.
stop_pid() {
	_sp_i=0
	while [ "$_sp_i" -lt "$2" ]; do
		kill -"${3:-INT}" "$1" 2> /dev/null || { wait "$1" 2> /dev/null; return 0; }
		wait_gone "$1" 1 && return 0
		_sp_i=$((_sp_i + 1))
	done
	kill -KILL "$1" 2> /dev/null
	wait_gone "$1" 5
	return 1
}
