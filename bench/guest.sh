#!/bin/sh
# A pseries guest for the bench, run by QEMU/KVM on a POWER host with a PCI
# NIC passed through with VFIO; the seed's scenario.  The same script runs
# on real POWER8 and inside the emulated one (bench/emulated.sh).
#
#   guest.sh start -d PCI-ADDR[,PCI-ADDR] -k VMLINUX -i INITRD [-a KERNEL-ARGS]
#                  [-m MEM] [-c CPUS] [-x MACHINE-OPTS] [-r RUNDIR] [-w SECS]
#   guest.sh exec [-r RUNDIR] COMMAND...   run COMMAND in the guest (its
#                                          output, its exit status)
#   guest.sh reboot [-r RUNDIR] [-w SECS]  reboot the guest (a system reset
#                                          for QEMU), wait until it is back
#   guest.sh replug [-r RUNDIR] [-w SECS] PCI-ADDR
#                                          hot unplug the passed-through
#                                          PCI-ADDR and plug it back in, then
#                                          wait until the guest is back
#   guest.sh stop [-r RUNDIR]              power the guest off, give the NICs
#                                          back to their drivers
#
# The guest image (scripts/power-testbed.sh -M pseries -n passthrough -o DIR
# bench/guest-agent.sh) runs an agent on its second console, hvc1, which
# QEMU connects to the FIFOs RUNDIR/ctl.in and ctl.out: commands need no
# network and no login.  Its first console goes to RUNDIR/console, QEMU's
# monitor to the FIFOs RUNDIR/mon.in and mon.out (its output is copied to
# RUNDIR/monitor.log).
set -eu
die() { echo "guest.sh: $*" >&2; exit 1; }
here=$(cd "$(dirname "$0")" && pwd)

cmd=${1:-}
[ $# -gt 0 ] && shift
run=/run/hcallscope-guest dev= kernel= initrd= append= mem=1G cpus=1 mopts= wait=300
while getopts d:k:i:a:m:c:x:r:w: c; do
	case $c in
	d) dev=$OPTARG ;; k) kernel=$OPTARG ;; i) initrd=$OPTARG ;; a) append=$OPTARG ;;
	m) mem=$OPTARG ;; c) cpus=$OPTARG ;; x) mopts=,$OPTARG ;; r) run=$OPTARG ;;
	w) wait=$OPTARG ;;
	*) exit 2 ;;
	esac
done
shift $((OPTIND - 1))

# Send one command line to the agent; copy its output until the agent's
# end marker, which carries the exit status.  A guest that does not answer
# within HS_GUEST_TIMEOUT seconds (default 900) is an error.
guest_exec() {
	[ -p "$run/ctl.in" ] || die "no guest running (no $run/ctl.in)"
	# QEMU holds both FIFOs open: without it, opening them would block
	kill -0 "$(cat "$run/qemu.pid" 2> /dev/null)" 2> /dev/null || die "the guest's QEMU is gone (see $run/qemu.log)"
	printf '%s\n' "$*" > "$run/ctl.in"
	rc=0
	timeout "${HS_GUEST_TIMEOUT:-900}" sh -c '
		while IFS= read -r line; do
			case $line in
			"HS-AGENT-DONE "*) exit "${line#HS-AGENT-DONE }" ;;
			esac
			printf "%s\n" "$line"
		done
		exit 125' < "$run/ctl.out" || rc=$?
	case $rc in
	124) die "the guest did not answer within ${HS_GUEST_TIMEOUT:-900} s: $*" ;;
	125) die "the guest's agent went away" ;;
	esac
	return $rc
}

# Give the devices back to the drivers they had.
release_device() {
	[ -r "$run/device" ] || return 0
	while read -r d drv _; do
		sh "$here/pci-vfio.sh" release "$d" "$drv" < /dev/null || true
	done < "$run/device"
}

# Wait for the agent's hello on its console: the guest has booted.
wait_agent() {
	timeout "$wait" sh -c 'while IFS= read -r l; do case $l in HS-AGENT-READY*) exit 0 ;; esac; done
		exit 1' < "$run/ctl.out" || {
		last=$(cat "$run/qemu.log" "$run/console" 2>/dev/null | tr -d '\r' | grep . | tail -n 1)
		die "the guest did not come up within $wait s (last output: ${last:-none})"
	}
}

# One line to QEMU's monitor (HMP)
monitor() {
	printf '%s\n' "$*" > "$run/mon.in"
}

# Wait until QEMU holds an fd on VFIO group $1 (want=1) or holds none (0)
wait_group_fd() {	# GROUP WANT
	i=0
	while :; do
		have=0
		ls -l "/proc/$(cat "$run/qemu.pid")/fd" 2> /dev/null | grep -q " /dev/vfio/$1\$" && have=1
		[ $have = "$2" ] && return 0
		[ $i -lt 600 ] || die "QEMU did not $([ "$2" = 1 ] && echo take || echo let go of) VFIO group $1 within 60 s (see $run/monitor.log)"
		sleep 0.1
		i=$((i + 1))
	done
}

# pseries completes a PCI unplug when the guest releases the device (drmgr
# in the guest) or at the next system reset; the guest image has no drmgr,
# so: paused, device_del, a reset (QEMU lets go of the device and its VFIO
# group), device_add, a reset (the guest finds it as if cold-plugged),
# resumed.  Each step runs with traffic wherever it was.
replug_device() {	# PCI-ADDR
	[ -p "$run/mon.in" ] || die "no guest running (no $run/mon.in)"
	kill -0 "$(cat "$run/qemu.pid" 2> /dev/null)" 2> /dev/null || die "the guest's QEMU is gone (see $run/qemu.log)"
	id=$(awk -v d="$1" '$1 == d { print "hsnic" NR - 1 }' "$run/device")
	[ -n "$id" ] || die "$1 is not passed through to this guest"
	group=$(awk -v d="$1" '$1 == d { print $3 }' "$run/device")
	monitor stop
	monitor "device_del $id"
	monitor system_reset
	wait_group_fd "$group" 0
	monitor "device_add vfio-pci,host=$1,id=$id"
	wait_group_fd "$group" 1
	monitor system_reset
	monitor cont
	wait_agent
}

reboot_guest() {
	[ -p "$run/ctl.in" ] || die "no guest running (no $run/ctl.in)"
	kill -0 "$(cat "$run/qemu.pid" 2> /dev/null)" 2> /dev/null || die "the guest's QEMU is gone (see $run/qemu.log)"
	printf 'reboot -f\n' > "$run/ctl.in"
	wait_agent
}

stop_guest() {
	pid=$(cat "$run/qemu.pid" 2>/dev/null || true)
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		[ ! -p "$run/ctl.in" ] || printf 'poweroff -f\n' > "$run/ctl.in"
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
		kill "$pid" 2>/dev/null || true
		while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
	fi
	release_device
	# HS_GUEST_KEEP=1 keeps the console and QEMU's log for a look
	if [ -n "${HS_GUEST_KEEP:-}" ]; then rm -f "$run/ctl.in" "$run/ctl.out" "$run/mon.in" "$run/mon.out" "$run/device"
	else rm -rf "$run"; fi
}

start_guest() {
	[ "$(id -u)" = 0 ] || die "needs root (VFIO, KVM)"
	[ -n "$dev" ] && [ -n "$kernel" ] && [ -n "$initrd" ] || die "start needs -d PCI-ADDR -k VMLINUX -i INITRD"
	[ -r "$kernel" ] && [ -r "$initrd" ] || die "cannot read $kernel or $initrd"
	[ -e /dev/kvm ] || die "no /dev/kvm (load kvm-hv)"
	command -v qemu-system-ppc64 > /dev/null || die "no qemu-system-ppc64 (Debian package qemu-system-ppc)"
	[ ! -e "$run" ] || die "$run exists: a guest is running (guest.sh stop -r $run)"
	mkdir -p "$run"
	trap 'stop_guest' EXIT
	# what was bound is given back at stop, also when a later device fails
	# shellcheck disable=SC2046
	sh "$here/pci-vfio.sh" bind $(echo "$dev" | tr , ' ') > "$run/device" || exit 1
	vfio= n=0
	while read -r d _; do
		vfio="$vfio -device vfio-pci,host=$d,id=hsnic$n"
		n=$((n + 1))
	done < "$run/device"
	mkfifo "$run/ctl.in" "$run/ctl.out" "$run/mon.in" "$run/mon.out"
	# the monitor's answers, kept for a look (cat ends with QEMU)
	cat "$run/mon.out" > "$run/monitor.log" 2>&1 &
	qemu-system-ppc64 -M "pseries,accel=kvm,x-vof=on$mopts" -cpu host -smp "$cpus" -m "$mem" \
		-nodefaults -display none -monitor none \
		-chardev file,id=con,path="$run/console" -device spapr-vty,chardev=con \
		-chardev pipe,id=ctl,path="$run/ctl" -device spapr-vty,chardev=ctl \
		-chardev pipe,id=mon,path="$run/mon" -mon chardev=mon,mode=readline \
		$vfio -kernel "$kernel" -initrd "$initrd" \
		-append "console=hvc0 quiet $append" > "$run/qemu.log" 2>&1 &
	qpid=$!
	echo $qpid > "$run/qemu.pid"
	# open the console FIFO only once QEMU holds it (else the open blocks)
	until ls -l /proc/$qpid/fd 2> /dev/null | grep -q "$run/ctl.out"; do
		kill -0 $qpid 2> /dev/null ||
			die "QEMU exited: $(tr -d '\r' < "$run/qemu.log" | grep . | tail -n 1)"
		sleep 0.1
	done
	wait_agent
	trap - EXIT
}

case $cmd in
start) start_guest ;;
exec) [ $# -gt 0 ] || die "exec needs a command"; guest_exec "$@" ;;
reboot) reboot_guest ;;
replug) [ $# = 1 ] || die "replug needs one PCI-ADDR"; replug_device "$1" ;;
stop) [ -e "$run" ] || die "no guest state in $run"; stop_guest ;;
*) echo "usage: guest.sh start|exec|reboot|replug|stop [options] (see the script's header)" >&2; exit 2 ;;
esac
