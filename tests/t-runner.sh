# The runner itself: every kind of failure is reported as one (run against
# tests/fixtures/runner, so the real run stays green).

t_runner_self_test() {
	local fx=$TOP/tests/fixtures/runner rc=0
	HS_FIXTURE_PIDFILE=$PWD/sleep.pid HS_TEST_DIR=$fx HS_UNIT_BINS=$fx/unit-crash \
		"$TOP/tests/run.sh" > out 2>&1 || rc=$?
	cat out
	expect_eq "$rc" 1 "the runner's exit status" || return 1
	grep -qx "ok   t_fixture_passes" out || { echo "the passing fixture was not passed"; return 1; }
	local want
	for want in "FAIL t_fixture_fails" "FAIL t_fixture_leaves_bpf_loaded" \
		"FAIL t_fixture_leaves_process" "FAIL unit unit-crash: killed by signal 11 (SEGV)"; do
		grep -qxF "$want" out || { echo "missing: $want"; return 1; }
	done
	grep -q "BPF programs left loaded" out || { echo "no reason given for the loaded programs"; return 1; }
	expect_eq "$(tail -n 1 out)" "4 passed, 5 failed" "the summary line" || return 1
	# what the failed tests left, the runner ended
	local p
	p=$(cat sleep.pid) || return 1
	# (gone, or a zombie its new parent has yet to reap)
	if [ -e /proc/"$p" ] && [ "$(awk '{print $3}' /proc/"$p"/stat 2> /dev/null)" != Z ]; then
		echo "the fixture's sleep ($p) is still running"; kill "$p"; return 1
	fi
	[ ! -e /sys/fs/bpf/hcallscope ] || { echo "the fixture's pins are still there"; return 1; }
	# a PATTERN naming the unit binary runs it (and only it)
	rc=0
	HS_TEST_DIR=$fx HS_UNIT_BINS=$fx/unit-crash "$TOP/tests/run.sh" unit-crash > out 2>&1 || rc=$?
	expect_eq "$(tail -n 1 out)" "1 passed, 1 failed" "summary of 'run.sh unit-crash'" || { cat out; return 1; }
}

# The fixture's parallel tier run two tests at a time (as the emulated
# tiers are): the same verdicts, what a test left running ended, and the
# two sleepers' tests overlapping in time.
t_runner_parallel_tiers() {
	local fx=$TOP/tests/fixtures/runner rc=0 t0=$SECONDS
	HS_FIXTURE_PIDFILE=$PWD/sleep.pid HS_TEST_PARALLEL_TIERS=" t-fixture-parallel " HS_TEST_JOBS=2 \
		HS_FIXTURE_SLEEP=3 HS_TEST_DIR=$fx HS_UNIT_BINS=$fx/unit-crash \
		"$TOP/tests/run.sh" sleeps > out 2>&1 || rc=$?
	HS_FIXTURE_PIDFILE=$PWD/sleep.pid HS_TEST_PARALLEL_TIERS=" t-fixture-parallel " HS_TEST_JOBS=2 \
		HS_TEST_DIR=$fx HS_UNIT_BINS=$fx/unit-crash "$TOP/tests/run.sh" parallel >> out 2>&1 || rc=$?
	cat out
	expect_eq "$rc" 1 "the runner's exit status" || return 1
	local want
	for want in "ok   t_fixture_sleeps_a" "ok   t_fixture_sleeps_b" "FAIL t_fixture_parallel_leaves_process"; do
		grep -qxF "$want" out || { echo "missing: $want"; return 1; }
	done
	expect_eq "$(grep -c ' passed, ' out)" 2 "two runs" || return 1
	local p
	p=$(cat sleep.pid.parallel) || return 1
	if [ -e /proc/"$p" ] && [ "$(awk '{print $3}' /proc/"$p"/stat 2> /dev/null)" != Z ]; then
		echo "the fixture's sleep ($p) is still running"; kill "$p"; return 1
	fi
	# two sleepers of 3 s each, two at a time: under 6 s in all
	[ $((SECONDS - t0)) -lt 6 ] || { echo "the sleepers did not overlap: $((SECONDS - t0)) s"; return 1; }
}
