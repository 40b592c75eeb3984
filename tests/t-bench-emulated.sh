# bench/ on the emulated POWER8 host: the cost of one TCE hcall per level
# (bench/hcall-cost.sh, in instructions) the same from run to run, a path
# slowed on purpose flagged by bench/compare.sh, and the iperf3 bench when
# its server dies.

# N cost-only runs (bench/emulated.sh -C) of the kernel build KDIR: DIR-1..N
cost_runs() {	# DIR KDIR N
	local i
	for i in $(seq "$3"); do
		"$TOP/bench/emulated.sh" -C -k "$2" -o "$PWD/$1-$i" > "$1-$i.log" 2>&1 ||
			{ tail -n 5 "$1-$i.log"; return 1; }
	done
}

# Every cost row on its level's path, for all 2 x CALLS hcalls of the difference
costs_on_their_paths() {	# RUN.JSON...
	jq -s -e '[.[].hcall_cost.rows[] | .path == ({"2": "real-mode", "1": "virtual-mode", "0": "userspace"}[.level | tostring])] |
		length > 0 and all' "$@" > /dev/null && return 0
	echo "cost rows off their level's path:"
	jq -c '.hcall_cost.rows[] | [.key, .path]' "$@"
	return 1
}

# Three runs (three boots) of the same build: each level's cost per TCE
# hcall within 5% from run to run, none flagged by compare.sh, while the
# vCPU's CPU time per hcall (wall time under TCG) is printed beside.
t_bench_spread_hcall_cost_three_runs() {
	local kdir
	kdir=$("$TOP/scripts/kernel-build.sh") || return 1
	cost_runs run "$kdir" 3 || return 1
	costs_on_their_paths run-*/run.json || return 1
	expect_eq "$(jq -s '[.[].hcall_cost.rows | length]' -c run-*/run.json)" "[9,9,9]" \
		"rows per run (3 levels x 3 TCE hcalls)" || return 1
	jq -s -r '[.[].hcall_cost.rows[]] | group_by(.key)[] |
		([.[].instructions.median]) as $i | ([.[].ns.median]) as $t |
		"\(.[0].key) instructions \($i | map(tostring) | join(" ")) spread \((($i | max) - ($i | min)) / ($i | add / length) * 100 * 100 | round / 100)%" +
		" | ns \($t | map(round | tostring) | join(" ")) spread \((($t | max) - ($t | min)) / ($t | add / length) * 100 | round)%"' \
		run-*/run.json | tee spread.txt
	# the figure to hold: instructions within 5% across the three runs
	awk '{ s = $7; sub("%", "", s); if (s + 0 > 5) { print "over 5%: " $0; bad = 1 } }
	     END { exit bad }' spread.txt || return 1
	local a b
	for a in 1 2; do
		for b in 2 3; do
			[ $a -lt $b ] || continue
			"$TOP/bench/compare.sh" run-$a/run.json run-$b/run.json > cmp-$a-$b.txt ||
				{ echo "run $b against run $a:"; cat cmp-$a-$b.txt; return 1; }
		done
	done
}

# The series with a test-only patch (tests/patches/slow-realmode-put-tce.patch:
# busy work in real mode's H_PUT_TCE, after the table lookup, so only the
# hcalls real mode completes pay): compare.sh flags exactly that row.  (A
# rerun of the unchanged build flagged nowhere: the three runs of
# t_bench_spread_hcall_cost_three_runs, compared pairwise.)
t_bench_slowdown_realmode_put_tce_flagged() {
	local kdir slow rc=0
	kdir=$("$TOP/scripts/kernel-build.sh") &&
		slow=$("$TOP/scripts/kernel-build.sh" -x "$TOP/tests/patches/slow-realmode-put-tce.patch") || return 1
	[ "$kdir" != "$slow" ] || { echo "the slowed build has the series' key"; return 1; }
	# the tree is the series' own again: the series' build is a cache hit
	expect_eq "$("$TOP/scripts/kernel-build.sh" 2> build.err)" "$kdir" "the series' build after -x" || return 1
	[ ! -s build.err ] || { echo "the series' build was redone: $(cat build.err)"; return 1; }
	cost_runs base "$kdir" 1 && cost_runs slow "$slow" 1 || return 1
	costs_on_their_paths base-1/run.json slow-1/run.json || return 1
	"$TOP/bench/compare.sh" base-1/run.json slow-1/run.json > slow.txt || rc=$?
	expect_eq "$rc" 1 "compare.sh's exit status on the slowed build" || { cat slow.txt; return 1; }
	expect_eq "$(grep 'REGRESSION$' slow.txt | cut -d' ' -f1)" "L2/H_PUT_TCE" "the rows flagged" ||
		{ cat slow.txt; return 1; }
	expect_eq "$(grep -c ' same$' slow.txt)" 8 "rows not flagged" || { cat slow.txt; return 1; }
	grep -E '^(METRIC|L2/H_PUT_TCE )' slow.txt
}

# End to end: the iperf3 server dies while the first cell runs.  The
# matrix stops there, emulated.sh says so and exits 1, and the run it keeps
# is marked partial with that cell failed.
t_bench_emulated_server_dies_mid_run() {
	local port=$((30000 + RANDOM % 10000)) srv i rc=0
	iperf3 -s --forceflush -B 127.0.0.1 -p $port > server.log 2>&1 &
	srv=$!
	"$TOP/bench/emulated.sh" -o "$PWD/res" -p $port -R 0 -V no-ddw -l 2,1 -d tx -t 30 > out 2> err &
	local bench=$!
	# the warm-up is the first test the server sees, cell 1 the second
	for i in $(seq 600); do
		[ "$(grep -c 'Accepted connection' server.log)" -ge 2 ] && break
		sleep 0.5
	done
	sleep 3
	kill $srv
	wait $srv 2> /dev/null
	wait $bench || rc=$?
	expect_eq "$rc" 1 "emulated.sh exit status" || { tail -n 5 err; return 1; }
	grep -q "^emulated: partial run: no-ddw: .*(what ran is in $PWD/res, marked partial)$" err ||
		{ tail -n 3 err; return 1; }
	tail -n 1 err
	# and the failed matrix stopped its tracers and restored the switch
	! grep -E "left running|not restored" err || return 1
	expect_eq "$(jq -c '[.complete, [.cells[] | [.level, (.status | test("^failed: iperf3"))]]]' res/run.json)" \
		'[false,[[2,true]]]' "the partial run (complete, [level, failed in iperf3])" || return 1
	jq -r .partial_reason res/run.json
}
