#!/bin/bash
# hcallscope test runner: unit tests, live tests on this machine's KVM,
# emulated POWER, bad-input tests.  Ends with "N passed, N failed"; exit
# status 1 on failure.
#   tests/run.sh [PATTERN]     run the tests whose name contains PATTERN
#                              ("unit" or a unit binary's name: its asserts)
#   HS_TEST_VERBOSE=1          also show what passing tests printed (figures)
#   HS_TEST_DIR=DIR            the t-*.sh files to run (default tests/; the
#                              runner's self-test points it at a fixture)
#   HS_UNIT_BINS="BIN..."      the C unit binaries (default build/ARCH/test-*)
#
# A test fails when it returns non-zero, when a program of ours stays
# loaded after it, or when a process it started outlives it.  Each test
# runs in a process group of its own, so what it left running is found
# and ended by PID, never by name.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export TOP=$top BIN=$top/build/$(uname -m)

. "$top/scripts/lib/tracefs-ns.sh"
HS_NS_MOUNT_BPFFS=1 tracefs_ns "$0" "$@"

WORK=$(mktemp -d /tmp/hcallscope-test.XXXXXX)
# HS_TEST_KEEP=1 keeps the last test's files (in $WORK/t) for a look
[ -n "${HS_TEST_KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0 filter=${1:-}
test_dir=${HS_TEST_DIR:-$top/tests}
unit_bins=${HS_UNIT_BINS:-$(ls "$BIN"/test-* 2> /dev/null)}

. "$top/tests/lib.sh"
# which file (tier) each test comes from, for the times at the end
declare -A tier_of tier_secs
for f in "$test_dir"/t-*.sh; do
	before=$(declare -F | awk '{print $3}')
	. "$f"
	for t in $(declare -F | awk '{print $3}' | grep '^t_' | grep -vxF "$before"); do
		tier_of[$t]=$(basename "$f" .sh)
	done
done

# PIDs of the live processes in process group $1
group_members() {
	local s p
	for s in /proc/[0-9]*/stat; do
		read -r s 2> /dev/null < "$s" || continue
		p=${s%% *}
		s=${s##*) }	# state ppid pgrp ...
		set -- "$1" $s
		[ "$4" = "$1" ] && [ "$2" != Z ] && echo "$p"
	done
}

# End what is left of process group $1: TERM, then KILL. Prints what was left.
end_group() {
	local g=$1 left i
	left=$(group_members "$g" | tr '\n' ' ')
	[ -n "$left" ] || return 0
	for p in $left; do echo "$p $(tr '\0' ' ' < /proc/$p/cmdline 2> /dev/null)"; done
	kill -TERM -- -"$g" 2> /dev/null
	for i in $(seq 50); do
		[ -z "$(group_members "$g")" ] && return 0
		sleep 0.1
	done
	kill -KILL -- -"$g" 2> /dev/null
}

set -m	# every background job gets a process group of its own
# Tests of these tiers run only inside emulated machines (QEMU TCG, mostly
# one vCPU, so one core each) and touch nothing of this machine's: they run
# HS_TEST_JOBS (2) at a time, after the others, each in a directory of its
# own.  The rest run one at a time in $WORK/t.
parallel_tiers=${HS_TEST_PARALLEL_TIERS:-" t-kernel t-kernel612 t-kernel-hostile t-kernel-lifecycle t-kernel-debug t-power t-bench-emulated "}
max_jobs=${HS_TEST_JOBS:-2}
declare -A job_name=() job_t0=() job_dir=()	# by process group (the job's PID)
trap 'for g in "${!job_name[@]}"; do kill -TERM -- -"$g" 2> /dev/null; done; exit 130' INT TERM

start_test() {	# NAME DIR
	rm -rf "$2" && mkdir "$2"
	( cd "$2" && "$1" ) > "$2.log" 2>&1 < /dev/null &
	job_name[$!]=$1 job_t0[$!]=$SECONDS job_dir[$!]=$2
}

# The end of the test whose job was PID, exit status RC: what it left
# running ended, the programs it left loaded unloaded, the verdict printed.
finish_test() {	# PID RC
	local g=$1 ok=0 left name=${job_name[$1]} log=${job_dir[$1]}.log
	[ "$2" = 0 ] || ok=1
	left=$(end_group "$g")
	if [ -n "$left" ]; then
		echo "processes left running (ended): $left" >> "$log"
		ok=1
	fi
	if ! nothing_attached >> "$log" 2>&1; then
		ok=1
		"$BIN/hcallstat" --unpin > /dev/null 2>&1	# so the next test starts clean
	fi
	local secs=$((SECONDS - job_t0[$g])) took=
	tier_secs[${tier_of[$name]}]=$(( ${tier_secs[${tier_of[$name]}]:-0} + secs ))
	[ $secs -lt 10 ] || took=" ($secs s)"	# where the time of a run goes
	if [ $ok = 0 ]; then
		passed=$((passed + 1))
		echo "ok   $name$took"
		[ -z "${HS_TEST_VERBOSE:-}" ] || sed 's/^/     | /' "$log"
	else
		failed=$((failed + 1))
		echo "FAIL $name$took"
		sed 's/^/     | /' "$log" | tail -n 25
	fi
	[ "${job_dir[$g]}" = "$WORK/t" ] || [ -n "${HS_TEST_KEEP:-}" ] || rm -rf "${job_dir[$g]}" "$log"
	unset "job_name[$g]" "job_t0[$g]" "job_dir[$g]"
}

selected() { [ -z "$filter" ] || [[ $1 == *"$filter"* ]]; }

run_test() {	# NAME: alone, now
	local rc=0
	selected "$1" || return 0
	start_test "$1" "$WORK/t"
	local g=$!
	wait "$g" || rc=$?
	finish_test "$g" "$rc"
}

# Wait for one running job to end, and finish it.
reap_one() {
	local g rc=0
	wait -n -p g "${!job_name[@]}" || rc=$?
	finish_test "$g" "$rc"
}

# C unit tests print a line per assertion ("ok NAME" / "FAIL NAME: why");
# the binary must also exit 0: a crash or an exit after some ok lines fails.
unit_c() {	# BIN
	local unit line rc=0 t0=$SECONDS shown=0 every=1
	unit="unit $(basename "$1")"
	# a PATTERN naming no binary selects only the asserts it names
	[ -z "$filter" ] || [[ $unit == *"$filter"* ]] || [[ $filter == unit* ]] || every=0
	{ "$1" > "$WORK/unit.out" 2>&1 < /dev/null; } 2> /dev/null || rc=$?
	while read -r line; do
		case $line in ok\ *|FAIL\ *) ;; *) continue ;; esac
		[ $every = 1 ] || [[ "$unit: ${line#* }" == *"$filter"* ]] || continue
		shown=1
		case $line in
		ok\ *) passed=$((passed + 1)); echo "ok   $unit: ${line#ok }" ;;
		*) failed=$((failed + 1)); echo "FAIL $unit: ${line#FAIL }" ;;
		esac
	done < "$WORK/unit.out"
	[ $every = 1 ] || [ $shown = 1 ] || return 0
	if [ $rc != 0 ]; then
		failed=$((failed + 1))
		if [ $rc -gt 128 ]; then
			echo "FAIL $unit: killed by signal $((rc - 128)) ($(kill -l $((rc - 128)) 2> /dev/null))"
		else
			echo "FAIL $unit: exited with status $rc"
		fi
		tail -n 5 "$WORK/unit.out" | sed 's/^/     | /'
	elif ! grep -q '^ok ' "$WORK/unit.out"; then
		failed=$((failed + 1))
		echo "FAIL $unit: no assertion ran"
	fi
	tier_secs[unit-c]=$(( ${tier_secs[unit-c]:-0} + SECONDS - t0 ))
}
for b in $unit_bins; do
	if [ -x "$b" ]; then
		unit_c "$b"
	else
		failed=$((failed + 1)); echo "FAIL unit $(basename "$b"): not built"
	fi
done

t_all=$SECONDS
parallel=()
for t in $(declare -F | awk '{print $3}' | grep '^t_'); do
	[ -n "${tier_of[$t]:-}" ] || continue
	if [[ $parallel_tiers == *" ${tier_of[$t]} "* ]] && [ "$max_jobs" -gt 1 ]; then
		parallel+=("$t")
	else
		run_test "$t"
	fi
done
for t in "${parallel[@]}"; do
	selected "$t" || continue
	[ ${#job_name[@]} -lt "$max_jobs" ] || reap_one
	start_test "$t" "$WORK/p.$t"
done
while [ ${#job_name[@]} -gt 0 ]; do reap_one; done

for k in "${!tier_secs[@]}"; do
	printf '%s %d\n' "$k" "${tier_secs[$k]}"
done | sort | awk '{ printf "time %-17s %4dm%02ds\n", $1, $2 / 60, $2 % 60; s += $2 }
	END { if (NR) printf "time %-17s %4dm%02ds (tests one after another)\n", "all", s / 60, s % 60 }'
t_all=$((SECONDS - t_all))
printf 'time %-17s %4dm%02ds\n' wall $((t_all / 60)) $((t_all % 60))
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
