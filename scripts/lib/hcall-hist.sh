# shellcheck shell=sh
# Sourced (sh or bash): a POWER guest's own count of its hcalls per opcode,
# the kernel's hist trigger on powerpc:hcall_entry (CONFIG_HIST_TRIGGERS).
# The tests compare hcallstat's guest mode with it, the bench compares the
# host's counts with it.  The commands are printed, not run, because they
# run in the guest: in the test's guest script, or through the bench's
# GUEST-EXEC.
HCALL_HIST_EVENT=/sys/kernel/tracing/events/powerpc/hcall_entry
HCALL_HIST_TRIGGER='hist:keys=opcode:vals=hitcount:size=256'

# The shell command that does ACTION to the trigger: start, pause, clear,
# stop (removes it) or read (prints the hist)
hcall_hist_cmd() {	# ACTION
	case $1 in
	start) echo "echo '$HCALL_HIST_TRIGGER' >> $HCALL_HIST_EVENT/trigger" ;;
	pause|clear) echo "echo '$HCALL_HIST_TRIGGER:$1' >> $HCALL_HIST_EVENT/trigger" ;;
	stop) echo "echo '!$HCALL_HIST_TRIGGER' >> $HCALL_HIST_EVENT/trigger" ;;
	read) echo "cat $HCALL_HIST_EVENT/hist" ;;
	*) echo "hcall_hist_cmd: no action '$1'" >&2; return 1 ;;
	esac
}

# The hist as read (stdin) -> "OPCODE HITS" lines
hcall_hist_counts() {
	tr -d '\r' | sed -n 's/^{ opcode: *\([0-9]*\) } hitcount: *\([0-9]*\)$/\1 \2/p'
}
