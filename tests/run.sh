#!/bin/bash
# hcallscope test runner: unit tests, live tests on this machine's KVM,
# bad-input tests.  Ends with "N passed, N failed"; exit status 1 on failure.
#   tests/run.sh [PATTERN]     run the tests whose name contains PATTERN
#   HS_TEST_VERBOSE=1          also show what passing tests printed (figures)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
export TOP=$top BIN=$top/build/$(uname -m)
TRACEFS=/sys/kernel/tracing

# Live tests need tracefs and a BPF filesystem: mount what is missing in a
# private namespace, leave none behind (pins there vanish with it).
bpffs_missing() { [ "$(stat -f -c %T /sys/fs/bpf 2>/dev/null)" != bpf_fs ]; }
if { [ ! -d $TRACEFS/events ] || bpffs_missing; } && [ "${HS_TEST_NS:-}" != 1 ]; then
	exec env HS_TEST_NS=1 unshare -m bash -c \
		"{ [ -d $TRACEFS/events ] || mount -t tracefs nodev $TRACEFS; } &&
		 { [ \"\$(stat -f -c %T /sys/fs/bpf)\" = bpf_fs ] || mount -t bpf bpf /sys/fs/bpf; } &&
		 exec $0 $*"
fi

WORK=$(mktemp -d /tmp/hcallscope-test.XXXXXX)
# HS_TEST_KEEP=1 keeps the last test's files (in $WORK/t) for a look
[ -n "${HS_TEST_KEEP:-}" ] || trap 'rm -rf "$WORK"' EXIT
passed=0 failed=0 filter=${1:-}

. "$top/tests/lib.sh"
for f in "$top"/tests/t-*.sh; do
	. "$f"
done

run_test() {
	local name=$1 log=$WORK/log
	[ -z "$filter" ] || [[ $name == *"$filter"* ]] || return 0
	local ok=0
	rm -rf "$WORK/t" && mkdir "$WORK/t"
	( cd "$WORK/t" && "$name" ) > "$log" 2>&1 || ok=1
	# a failed test may leave its processes: end them before the check
	pkill -f "^$BIN/hcall" 2>/dev/null && sleep 0.2
	if [ $ok = 0 ] && nothing_attached >> "$log" 2>&1; then
		passed=$((passed + 1))
		echo "ok   $name"
		[ -z "${HS_TEST_VERBOSE:-}" ] || sed 's/^/     | /' "$log"
	else
		failed=$((failed + 1))
		echo "FAIL $name"
		sed 's/^/     | /' "$log" | tail -n 25
	fi
}

# C unit tests report one line per assertion
unit_c() {
	local line
	while read -r line; do
		case $line in
		ok\ *) passed=$((passed + 1)); echo "ok   unit: ${line#ok }" ;;
		FAIL\ *) failed=$((failed + 1)); echo "FAIL unit: ${line#FAIL }" ;;
		esac
	done < <("$BIN/test-names")
}
[ -n "$filter" ] || unit_c

for t in $(declare -F | awk '{print $3}' | grep '^t_'); do
	run_test "$t"
done

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
