# bench/: the regression compare command on real result files, and the
# seed's reference figures kept as data.

t_bench_compare_regressions() {
	local a=$TOP/results/overhead/20261123-vm.json b=$TOP/results/overhead/20261123-vm-hist.json
	# the same file: nothing moves
	"$TOP/bench/compare.sh" "$a" "$a" > same.txt || { cat same.txt; return 1; }
	expect_eq "$(tail -1 same.txt)" "0 regression(s) past 10% (costs measured in repetitions: 3x their spread, at least 2%) and 0" "a file against itself" || return 1
	# two runs of the overhead bench: hcallstat's in-kernel end-to-end figure
	# went from 80.5 to 126.3 ns (+56.9%), bpftrace's in-program 291 -> 322.8
	"$TOP/bench/compare.sh" "$a" "$b" > diff.txt
	expect_eq "$?" 1 "exit status past the default thresholds" || { cat diff.txt; return 1; }
	grep -q '^end-to-end/kernel-pio/hcallstat/added-per-event *80.5 *126.3 *56.9% *10% *REGRESSION$' diff.txt ||
		{ echo "hcallstat row:"; grep kernel-pio/hcallstat/ diff.txt; return 1; }
	grep -q '^in-program/kernel-pio/hcallstat-L/ns-per-event .*only in one$' diff.txt ||
		{ echo "metric of one file not listed"; return 1; }
	# loose thresholds: the noise of this machine is not a regression
	"$TOP/bench/compare.sh" -t 1000 -a 1000 "$a" "$b" > loose.txt ||
		{ tail -2 loose.txt; return 1; }
	head -4 diff.txt
}

# power8.sh's previous run: the newest of its source by run.json's date,
# whatever the directories are called; what is no run is skipped
t_bench_previous_run_by_date() {
	local r
	mkdir res
	for r in "$TOP"/results/*-emulated-powernv8; do cp -r "$r" res/; done
	[ "$(ls res | wc -l)" -ge 3 ] || { echo "fewer than 3 committed emulated runs"; return 1; }
	# real hardware: the newer one named so that it sorts first
	mkdir res/aaa res/zzz res/broken
	jq '.source = "real-hardware" | .date = "2026-12-02T10:00:00Z"' res/$(ls res | head -n 1)/run.json > res/aaa/run.json
	jq '.source = "real-hardware" | .date = "2026-12-01T10:00:00Z"' res/$(ls res | head -n 1)/run.json > res/zzz/run.json
	echo '{"schema": "hcallscope.iperf/1", "source": "real-' > res/broken/run.json
	expect_eq "$("$TOP/bench/previous-run.sh" res/ real-hardware)" res/aaa/run.json "newest real-hardware run" &&
	expect_eq "$("$TOP/bench/previous-run.sh" res emulated)" \
		"res/$(cd "$TOP/results" && for r in *-emulated-powernv8; do echo "$(jq -r .date $r/run.json) $r"; done | sort | tail -n 1 | cut -d' ' -f2)/run.json" \
		"newest emulated run" &&
	expect_eq "$("$TOP/bench/previous-run.sh" res/broken real-hardware)" "" "no run at all" &&
	EXPECT_RC=2 EXPECT_MSG="previous-run: unknown source 'power8'" expect_error "$TOP/bench/previous-run.sh" res power8 &&
	EXPECT_RC=2 EXPECT_MSG="previous-run: no directory nowhere" expect_error "$TOP/bench/previous-run.sh" nowhere emulated
}

t_bench_compare_bad_input() {
	local a=$TOP/results/overhead/20261123-vm.json
	echo '{' > broken.json
	echo '{"schema":"hcallscope.overhead/1","benchmarks":[{"name":"x","value":"fast"}]}' > malformed.json
	echo '{"schema":"something/9"}' > other.json
	EXPECT_RC=2 EXPECT_MSG="broken.json is not JSON" expect_error "$TOP/bench/compare.sh" broken.json "$a" &&
	EXPECT_RC=2 EXPECT_MSG="malformed hcallscope.overhead/1 results" \
		expect_error "$TOP/bench/compare.sh" "$a" malformed.json &&
	EXPECT_RC=2 EXPECT_MSG="unknown kind of results 'something/9'" \
		expect_error "$TOP/bench/compare.sh" other.json other.json &&
	EXPECT_RC=2 EXPECT_MSG="cannot read missing.json" expect_error "$TOP/bench/compare.sh" "$a" missing.json &&
	EXPECT_RC=2 EXPECT_MSG="-t wants a number" expect_error "$TOP/bench/compare.sh" -t x "$a" "$a" &&
	EXPECT_RC=2 EXPECT_MSG="-k wants a number" expect_error "$TOP/bench/compare.sh" -k x "$a" "$a" &&
	EXPECT_RC=2 EXPECT_MSG="-f wants a number" expect_error "$TOP/bench/compare.sh" -f -1 "$a" "$a"
}

t_bench_seed_reference() {
	jq -e '.schema == "hcallscope.seed-reference/1" and .unit == "MB/s" and
		.figures[0].throughput == 220 and .figures[1].throughput_min == 750 and
		.figures[1].throughput_max == 1020' "$TOP/results/seed-reference.json" > /dev/null ||
		{ echo "seed-reference.json does not hold the seed's figures"; return 1; }
	# and they are the seed's: the thread says so
	local src
	src=$(jq -r .provenance.source "$TOP/results/seed-reference.json" | cut -d: -f1)
	[ -r "$TOP/../shared/seed/${src##*/}" ] ||
		{ echo "the seed thread ../shared/seed/${src##*/} is missing: the figures cannot be checked"; return 1; }
	grep -q "220MB/s" "$TOP/../shared/seed/${src##*/}" && grep -q "750..1020MB/s" "$TOP/../shared/seed/${src##*/}" ||
		{ echo "figures not found in the seed thread"; return 1; }
}

# ---- the iperf3 bench (bench/emulated.sh, report.sh, model.sh, dashboard.sh) ----

# The newest emulated run kept in results/ (made by `make bench-iperf`).
emulated_run() {
	local d
	d=$(ls -d "$TOP"/results/*-emulated-powernv8 2> /dev/null | tail -n 1)
	[ -n "$d" ] && [ -r "$d/run.json" ] || { echo "no emulated run in results/" >&2; return 1; }
	echo "$d"
}

# Its raw matrices, unpacked into ./raw.
unpack_raw() {
	local d
	d=$(emulated_run) || return 1
	rm -rf raw && mkdir raw && tar -xzf "$d/raw.tar.gz" -C raw
}

t_bench_report_remade_from_raw() {
	local d
	d=$(emulated_run) && unpack_raw || return 1
	"$TOP/bench/report.sh" -s emulated -i "$(jq -r .run_id "$d/run.json")" \
		-k "$(jq -r .kernel.series_sha256 "$d/run.json")" -o again raw/* > out ||
		{ cat out; return 1; }
	local f
	for f in run.json cells.csv model.json; do
		cmp -s "$d/$f" "again/$f" || { echo "$f differs when made again from raw.tar.gz"; diff <(jq -S . "$d/$f" 2>/dev/null || cat "$d/$f") <(jq -S . "again/$f" 2>/dev/null || cat "again/$f") | head; return 1; }
	done
	for f in throughput.png throughput.svg raw.tar.gz; do
		[ -s "again/$f" ] || { echo "no $f"; return 1; }
	done
	file again/throughput.png | grep -q "PNG image data, 1000 x 700" || { file again/throughput.png; return 1; }
	grep -q "<svg" again/throughput.svg || { echo "throughput.svg is not SVG"; return 1; }
}

t_bench_report_bad_input() {
	unpack_raw || return 1
	local cell=raw/no-ddw/cell-002
	cp -r raw bad1 && head -c 300 "$cell/iperf3.json" > "bad1/${cell#raw/}/iperf3.json"
	EXPECT_MSG="cell-002/iperf3.json: malformed or without a result" \
		expect_error "$TOP/bench/report.sh" -s emulated -o out1 bad1/no-ddw || return 1
	cp -r raw bad2 && rm "bad2/${cell#raw/}/kvm-after"
	EXPECT_MSG="cell-002: no kvm-after" expect_error "$TOP/bench/report.sh" -s emulated -o out2 bad2/no-ddw || return 1
	EXPECT_MSG="not a matrix or hcall-cost directory" expect_error "$TOP/bench/report.sh" -s emulated -o out3 raw || return 1
	EXPECT_MSG="-s must be emulated or real-hardware" \
		expect_error "$TOP/bench/report.sh" -s guessed -o out4 raw/no-ddw || return 1
	mkdir out5
	EXPECT_MSG="out5 exists" expect_error "$TOP/bench/report.sh" -s emulated -o out5 raw/no-ddw || return 1
	local left
	left=$(ls -d out1 out2 out3 out4 .report.* 2> /dev/null || true)
	[ -z "$left" ] || { echo "left behind: $left"; return 1; }
}

# A matrix that stopped at a failed cell (what iperf-matrix.sh leaves: the
# cell's status, the partial file; the end-to-end case is
# t_bench_emulated_server_dies_mid_run): the run is reported, marked partial.
make_partial_run() {	# OUTDIR
	unpack_raw || return 1
	local m=raw/no-ddw
	echo "failed: iperf3 in the guest exited with 1" > $m/cell-003/status
	head -c 200 $m/cell-003/iperf3.json > $m/cell-003/iperf3.tmp && mv $m/cell-003/iperf3.tmp $m/cell-003/iperf3.json
	rm -r $m/cell-00[4-9]
	echo "cell-003: iperf3 in the guest exited with 1" > $m/partial
	"$TOP/bench/report.sh" -s emulated -i partial-run -o "$1" $m > /dev/null
}

t_bench_partial_run_marked_not_merged() {
	local d
	d=$(emulated_run) && make_partial_run partial || return 1
	expect_eq "$(jq -c '[.complete, .partial_reason, [.cells[].status]]' partial/run.json)" \
		'[false,"no-ddw: cell-003: iperf3 in the guest exited with 1",["ok","ok","failed: iperf3 in the guest exited with 1"]]' \
		"partial run: complete, reason, cell statuses" || return 1
	EXPECT_RC=2 EXPECT_MSG="partial/run.json is a partial run (no-ddw: cell-003" \
		expect_error "$TOP/bench/compare.sh" "$d/run.json" partial/run.json || return 1
	"$TOP/bench/compare.sh" -p "$d/run.json" partial/run.json > cmp.txt
	expect_eq "$?" 1 "exit status with a cell failed" || { cat cmp.txt; return 1; }
	# the failed cell regressed; the cells never run are not judged
	expect_eq "$(grep -c 'REGRESSION$' cmp.txt)" 1 "regressions" || { cat cmp.txt; return 1; }
	grep -q "^no-ddw/tx/L1/P1/1500 throughput .*failed: iperf3 in the guest exited with 1 .*REGRESSION$" cmp.txt &&
		grep -q "^no-ddw/rx/L0/P1/1500 throughput .*only in one$" cmp.txt || { cat cmp.txt; return 1; }
	# the other way round, the cell came back
	"$TOP/bench/compare.sh" -p partial/run.json "$d/run.json" > back.txt || { cat back.txt; return 1; }
	grep -q "^no-ddw/tx/L1/P1/1500 throughput .*failed: .* better$" back.txt || { cat back.txt; return 1; }
}

t_bench_compare_iperf_runs() {
	local d
	d=$(emulated_run) || return 1
	"$TOP/bench/compare.sh" "$d/run.json" "$d/run.json" > same.txt || { cat same.txt; return 1; }
	# the same run with real mode 40% slower: every level-2 cell regresses
	jq '.cells |= map(if .level == 2 then .throughput_MBps *= 0.6 else . end)' "$d/run.json" > slower.json
	"$TOP/bench/compare.sh" "$d/run.json" slower.json > diff.txt
	expect_eq "$?" 1 "exit status with real mode 40% slower" || { cat diff.txt; return 1; }
	expect_eq "$(grep -c 'REGRESSION$' diff.txt)" "$(jq '[.cells[] | select(.level == 2 and .status == "ok")] | length' "$d/run.json")" \
		"regressions (one per level-2 cell)" || { cat diff.txt; return 1; }
	grep -q '^no-ddw/tx/L2/P1/1500 throughput .* -40% *10% *REGRESSION$' diff.txt || { grep L2 diff.txt; return 1; }
	# the same verdicts as JSON lines, for dashboards
	"$TOP/bench/compare.sh" -j "$d/run.json" slower.json > diff.jsonl
	expect_eq "$?" 1 "exit status with -j" || return 1
	expect_eq "$(jq -c 'select(.metric == "no-ddw/tx/L2/P1/1500 throughput") | [.unit, (.change_pct | round), .threshold_pct, .verdict]' diff.jsonl)" \
		'["MB/s",-40,10,"REGRESSION"]' "one verdict as JSON" || return 1
	expect_eq "$(jq -s '[.[] | select(.verdict == "REGRESSION")] | length' diff.jsonl)" "$(grep -c 'REGRESSION$' diff.txt)" \
		"regressions, JSON and table alike" || return 1
}

# The model's figures that are predictions (not fitted): the emulated run's
# throughput per level from the hcallstat latencies, hcalls/MB and the DDW
# cells' base cost.  The seed's two figures calibrate two parameters, so
# reproducing them proves nothing and is not checked here.
t_bench_model_predicts_emulated_levels() {
	local d
	d=$(emulated_run) || return 1
	local m=$d/model.json
	jq -e '.schema == "hcallscope.model/1"' "$m" > /dev/null || { echo "no model in $d"; return 1; }
	# the predicted order of the levels is the measured one, in each direction
	jq -e '[.emulated[] | [.levels[] | .predicted_MBps] as $p | [.levels[] | .measured_MBps] as $w |
		($p | length) == 3 and ($p[0] > $p[1] and $p[1] > $p[2]) == ($w[0] > $w[1] and $w[1] > $w[2])] | all' "$m" > /dev/null ||
		{ echo "predicted order of the levels differs from the measured one"; jq -c '.emulated[].levels' "$m"; return 1; }
	# real mode over userspace: predicted within a factor of 3 of measured
	jq -e '[.emulated[].ratios[] | select(.ratio == "L2/L0") | .predicted / .measured | . > 1/3 and . < 3] |
		length == 2 and all' "$m" > /dev/null ||
		{ echo "L2/L0 predicted vs measured off by more than 3x"; jq -c '.emulated[].ratios' "$m"; return 1; }
	# calibrated (the second view): a userspace TCE hcall costs more than one
	# published guest exit + entry
	jq -e '.calibrated.seed_figures_used and
		.calibrated.cost_us.userspace.value > .calibrated.cost_us["virtual-mode"].range[0]' "$m" > /dev/null ||
		{ jq -c .calibrated.cost_us "$m"; return 1; }
	# the arithmetic, redone here for the emulated userspace-only transmit cell
	local got want
	got=$(jq -r '.emulated[] | select(.direction == "tx") | .levels[] | select(.level == 0) | .predicted_MBps' "$m")
	want=$(jq -r --slurpfile m "$m" '($m[0].emulated[] | select(.direction == "tx") | .t0_us_per_MB) as $t0 |
		.cells[] | select(.direction == "tx" and .level == 0 and (.ddw | not)) |
		1e6 / ($t0 + .hcalls_per_MB.userspace * .hcallstat.mean_latency_ns.userspace / 1000) * 100 | round / 100' "$d/run.json")
	expect_eq "$got" "$want" "predicted userspace-only transmit MB/s" || return 1
	jq -r '(.emulated[] | "emulated \(.direction): " + ([.ratios[] | "\(.ratio) measured \(.measured) predicted \(.predicted)"] | join(", ")))' "$m"
}

# The seed's figures predicted from inputs that are not the seed's: the
# link's rate, the hcalls per MB of the newest run, published POWER8 costs
# and the instruction ratio measured by its hcall_cost; every input named
# with its source, the arithmetic redone here, the gap printed.
t_bench_model_predicts_seed_without_its_figures() {
	local d m
	d=$(emulated_run) || return 1
	m=$d/model.json
	jq -e '.prediction.seed_figures_used == false and (.prediction.inputs | length) == 5 and
		all(.prediction.inputs[]; (.source | type) == "string" and (.source | length) > 20)' "$m" > /dev/null ||
		{ echo "the prediction's inputs:"; jq -c '.prediction' "$m" | head -c 600; return 1; }
	# no input's value is a seed figure (220, 750, 1020)
	! jq -e '[.prediction.inputs[] | (.value_us, .value_us_per_MB, (.value // {} | .[]?)) | select(. != null) |
		select(. == 220 or . == 750 or . == 1020)] | length > 0' "$m" > /dev/null ||
		{ echo "a seed figure among the inputs"; return 1; }
	# userspace: 1 / (1 / link + hcalls per MB at level 0 x the userspace cost)
	local got want
	got=$(jq -r '.prediction.seed[] | select(.level == 0) | .predicted_MBps' "$m")
	want=$(jq -r --slurpfile p "$TOP/bench/model-params.json" '.prediction.inputs as $i |
		($i[] | select(.name == "TCE hcalls per MB") | .value["0"]) as $n |
		($i[] | select(.name == "userspace hcall") | .value_us) as $c |
		1 / (1 / $p[0].link.tcp_payload_MBps + $n * $c * 1e-6) | round' "$m")
	# the cost is printed rounded to 0.01 us: within 1 MB/s
	[ $((got - want)) -le 1 ] && [ $((want - got)) -le 1 ] ||
		{ echo "predicted userspace MB/s: model $got, redone $want"; return 1; }
	jq -r '.prediction.seed[] | "\(.configuration): predicted \(.predicted_MBps) MB/s, seed \(.seed_MBps // "-"), gap \(.gap_pct // "-")%"' "$m"
	jq -r '.prediction.emulated[] | "emulated \(.direction): " + ([.levels[] | "L\(.level) predicted \(.predicted_MBps) measured \(.measured_MBps) (\(.gap_pct)%)"] | join(", "))' "$m"
}

# The dashboard as Chromium shows it: every cell's figures as in run.json,
# the partial run marked, one trend point per run and cell, each level's
# speedup and cost, axes and legends, the seed beside the prediction, and
# a run whose real mode got slower flagged against the one before.  And
# the screenshot a user sees.
t_bench_dashboard_in_chromium() {
	local d
	d=$(emulated_run) && make_partial_run res/partial || return 1
	cp -r "$d" res/
	# the partial run first, then the run, then the newest: the same run,
	# real mode's H_PUT_TCE 50% dearer and its first cell failed
	jq '.date = "2000-01-01T00:00:00Z"' res/partial/run.json > p.json && mv p.json res/partial/run.json
	mkdir res/slower
	jq '.run_id = "slower" | .date = "2999-01-01T00:00:00Z" | .cells[0].status = "failed: the server went" |
		.hcall_cost.rows |= map(if .key == "L2/H_PUT_TCE" then .instructions.median *= 1.5 else . end)' \
		"$d/run.json" > res/slower/run.json
	local first
	first=$(jq -r '.cells[0].key' "$d/run.json")
	# two real-hardware runs between them, never pooled with the emulated
	# ones: real mode's H_PUT_TCE 10 and 30 instructions (median 20); the
	# second one's compare fails (a cell's status is no string)
	mkdir res/rh1 res/rh2
	jq '.run_id = "rh1" | .source = "real-hardware" | .date = "2500-01-01T00:00:00Z" |
		.hcall_cost.rows |= map(if .key == "L2/H_PUT_TCE" then .instructions.median = 10 else . end)' \
		"$d/run.json" > res/rh1/run.json
	jq '.run_id = "rh2" | .source = "real-hardware" | .date = "2600-01-01T00:00:00Z" | .cells[0].status = 5 |
		.hcall_cost.rows |= map(if .key == "L2/H_PUT_TCE" then .instructions.median = 30 else . end)' \
		"$d/run.json" > res/rh2/run.json
	"$TOP/bench/dashboard.sh" res > out || { cat out; return 1; }
	chromium --headless --no-sandbox --disable-gpu --dump-dom "file://$PWD/res/dashboard.html" \
		2> chromium.err > dom.html || { tail -n 3 chromium.err; return 1; }
	chromium --headless --no-sandbox --disable-gpu --window-size=1300,2400 --screenshot="$PWD/shot.png" \
		"file://$PWD/res/dashboard.html" 2>> chromium.err > /dev/null || { tail -n 3 chromium.err; return 1; }
	# the screenshot: a PNG of the window's size, with something drawn
	expect_eq "$(od -An -tx1 -j16 -N8 shot.png | tr -d ' \n')" "0000051400000960" "the screenshot's PNG size (1300 x 2400)" || return 1
	[ "$(stat -c %s shot.png)" -gt 100000 ] || { echo "the screenshot is nearly empty ($(stat -c %s shot.png) bytes)"; return 1; }
	local shown want
	# MB/s per cell of the complete run, as shown
	shown=$(grep -o "<section class=\"run\" data-run=\"$(jq -r .run_id "$d/run.json")\".*" dom.html |
		sed 's|</section>.*||' | grep -o '<tr class="cell" data-key="[^"]*">.*' | sed 's|</tr>|\n|g' |
		sed -n 's|.*data-key="\([^"]*\)".*<td class="tput">\([^<]*\)</td>.*<td class="match">\([^<]*\)</td>.*|\1 \2 \3|p' | sort)
	want=$(jq -r '.cells[] | "\(.key) \(.throughput_MBps * 10 | round / 10 |
		tostring | if test("[.]") then . else . + ".0" end) yes"' "$d/run.json" | sort)
	expect_eq "$shown" "$want" "cells shown for the complete run (key, MB/s, guest = host)" || return 1
	grep -q 'class="badge partial">PARTIAL: no-ddw: cell-003: iperf3 in the guest exited with 1<' dom.html ||
		{ echo "partial run not marked"; return 1; }
	expect_eq "$(grep -o '<section class="run"' dom.html | wc -l)" 5 "run sections" || return 1
	expect_eq "$(grep -o 'class="point partial-point' dom.html | wc -l)" 2 "trend points of the partial run (2 ok cells)" || return 1
	expect_eq "$(grep -o '<circle' dom.html | wc -l)" "$(( 4 * $(jq '.cells | length' "$d/run.json") + 2 - 2 ))" "trend points (each run's ok cells)" || return 1
	# real hardware on its own: its median of two runs, no band shared
	grep -q '<table class="cost-table" data-source="real-hardware">.*<tr class="cost-row" data-key="L2/H_PUT_TCE"><td class="k">L2/H_PUT_TCE</td><td class="cost-median">20</td><td>2</td>' dom.html ||
		{ echo "real hardware's cost not its own median of 20: $(grep -o '<table class="cost-table" data-source="real-hardware">.\{0,300\}' dom.html)"; return 1; }
	grep -q 'class="badge not-compared">not compared with rh1: compare: [^<]*malformed' dom.html ||
		{ echo "rh2's failed comparison not shown"; return 1; }
	local rh1
	rh1=$(grep -o '<section class="run" data-run="rh1">.*' dom.html | sed 's|</section>.*||')
	! echo "$rh1" | grep -q 'flagged vs\|not compared' || { echo "rh1 compared with an emulated run"; return 1; }
	# every chart with both axes and its unit; legends that say what colours mean
	local charts
	charts=$(grep -o '<svg [^>]*class="chart' dom.html | wc -l)
	[ "$charts" -gt 1 ] || { echo "no charts"; return 1; }
	expect_eq "$(grep -o 'class="axis x-axis"' dom.html | wc -l) $(grep -o 'class="axis y-axis"' dom.html | wc -l)" \
		"$charts $charts" "x and y axes, one each per chart" || return 1
	expect_eq "$(grep -o 'class="axis-label y-label"[^>]*>[^<]*<' dom.html | sed 's/.*>\(.*\)</\1/' | LC_ALL=C sort | uniq -c | awk '{print $1, $2}' | tr '\n' ' ')" \
		"$((charts - 2)) MB/s 2 instructions " "y units (the trends' MB/s, a cost chart per source: instructions / hcall)" || return 1
	for l in "level 2: real mode" "level 0: userspace" "a partial run" "min-max of the complete runs" "virtual mode"; do
		grep -q "<span class=\"legend-item\"><span class=\"swatch [a-z-]*\"></span>$l</span>" dom.html ||
			{ echo "no legend item '$l'"; return 1; }
	done
	# the seed: 220 beside the prediction from the newest run that has one, and the calibrated 220
	local p
	p=$(jq -r '.prediction.seed[0].predicted_MBps' "$d/model.json")
	grep -q "<td class=\"seed-value\">220</td><td class=\"predicted-value\">$p</td><td class=\"gap\">[^<]*</td><td class=\"model-value\">220</td>" dom.html ||
		{ echo "seed row not shown (want predicted $p): $(grep -o '<tr class="seed-row">.*' dom.html | head -c 400)"; return 1; }
	# the speedup of real mode over userspace, transmit, as run.json gives it
	local want_x
	want_x=$(jq -r '[.cells[] | select(.key == "no-ddw/tx/L2/P1/1500" or .key == "no-ddw/tx/L0/P1/1500") | .throughput_MBps] |
		.[0] / .[1] * 10 | round / 10 | tostring | if test("[.]") then . else . + ".0" end' "$d/run.json")
	grep -q "<tr class=\"speedup-row\" data-run=\"$(jq -r .run_id "$d/run.json")\"><td class=\"k\">[^<]*</td><td class=\"tx-l2\">${want_x}x</td>" dom.html ||
		{ echo "speedup of $d not ${want_x}x: $(grep -o '<tr class="speedup-row".*' dom.html | head -c 300)"; return 1; }
	expect_eq "$(grep -o '<td class="seed-speedup">3.4-4.6x</td>' dom.html | wc -l)" 5 "the seed's speedup beside each run" || return 1
	# the slower run: its real-mode H_PUT_TCE row and its failed cell
	# flagged, nothing else of it
	grep -q '<span class="badge regressed">2 flagged vs ' dom.html || { echo "no flag badge on the slower run"; return 1; }
	expect_eq "$(grep -o '<tr class="[a-z ]*flagged" data-key="[^"]*"' dom.html | sed 's/.*data-key=//' | tr '\n' ' ')" \
		"\"$first\" \"L2/H_PUT_TCE\" " "rows flagged" || return 1
	grep -q "<tr class=\"cell flagged\" data-key=\"$first\">.*<td class=\"status\">failed: the server went</td>.*<td class=\"vs-prev\">REGRESSION: throughput</td>" dom.html ||
		{ echo "the failed cell's row: $(grep -o "<tr class=\"cell flagged\" data-key=\"$first\">.\{0,600\}" dom.html)"; return 1; }
	# a malformed run: one line, no dashboard
	mkdir bad && echo '{"schema":"hcallscope.iperf/1"' > bad/run.json && mkdir res2 && mv bad res2/
	EXPECT_MSG="not an iperf3 bench run (hcallscope.iperf/1) or malformed" expect_error "$TOP/bench/dashboard.sh" res2 &&
	[ ! -e res2/dashboard.html ] && [ -z "$(ls -A res2 | grep -v bad)" ] || { echo "dashboard left files"; return 1; }
}

# The host-side scripts refuse what they cannot do, in one line, and leave
# nothing behind (here on x86: no kvm-hv, no such device).
t_bench_scripts_bad_input() {
	EXPECT_MSG="no guest running" expect_error "$TOP/bench/guest.sh" exec -r "$PWD/nothing" true || return 1
	EXPECT_MSG="start needs -d PCI-ADDR -k VMLINUX -i INITRD" expect_error "$TOP/bench/guest.sh" start -r "$PWD/g" || return 1
	EXPECT_MSG="no PCI device 0000:ff:1f.7" \
		expect_error "$TOP/bench/guest.sh" start -r "$PWD/g" -d 0000:ff:1f.7 -k /etc/hostname -i /etc/hostname || return 1
	[ ! -e g ] || { echo "guest.sh left $PWD/g"; return 1; }
	EXPECT_RC=2 EXPECT_MSG="usage: guest.sh start|exec|reboot|replug|stop" expect_error "$TOP/bench/guest.sh" hibernate || return 1
	EXPECT_MSG="no PCI device with ID 0xffff" expect_error "$TOP/bench/pci-vfio.sh" find 0xffff || return 1
	EXPECT_MSG="bind needs a PCI-ADDR" expect_error "$TOP/bench/pci-vfio.sh" bind || return 1
	EXPECT_MSG="no PCI device 0000:ff:1f.7" expect_error "$TOP/bench/pci-vfio.sh" release 0000:ff:1f.7 none || return 1
	EXPECT_RC=2 EXPECT_MSG="usage: pci-vfio.sh find|bind|release" expect_error "$TOP/bench/pci-vfio.sh" attach || return 1
	EXPECT_MSG="kvm-hv is not loaded" expect_error "$TOP/bench/iperf-matrix.sh" -s 10.0.0.1 -o "$PWD/m" || return 1
	EXPECT_MSG="bad levels list '3'" expect_error "$TOP/bench/iperf-matrix.sh" -s 10.0.0.1 -o "$PWD/m" -l 3 || return 1
	EXPECT_MSG="bad directions list 'up'" expect_error "$TOP/bench/iperf-matrix.sh" -s 10.0.0.1 -o "$PWD/m" -d up || return 1
	EXPECT_MSG="bad levels list '2,1,2' (an item twice)" expect_error "$TOP/bench/iperf-matrix.sh" -s 10.0.0.1 -o "$PWD/m" -l 2,1,2 || return 1
	[ ! -e m ] || { echo "iperf-matrix.sh left $PWD/m"; return 1; }
	EXPECT_MSG="needs -o OUTDIR" expect_error "$TOP/bench/hcall-cost.sh" || return 1
	EXPECT_MSG="bad levels list '2,5'" expect_error "$TOP/bench/hcall-cost.sh" -o "$PWD/c" -l 2,5 || return 1
	EXPECT_MSG="bad repetitions '0'" expect_error "$TOP/bench/hcall-cost.sh" -o "$PWD/c" -r 0 || return 1
	EXPECT_MSG="bad levels list '0,0' (a level twice)" expect_error "$TOP/bench/hcall-cost.sh" -o "$PWD/c" -l 0,0 || return 1
	EXPECT_MSG="bad call count '5'" expect_error "$TOP/bench/hcall-cost.sh" -o "$PWD/c" -n 5 || return 1
	EXPECT_MSG="kvm-hv is not loaded" expect_error "$TOP/bench/hcall-cost.sh" -o "$PWD/c" || return 1
	[ ! -e c ] || { echo "hcall-cost.sh left $PWD/c"; return 1; }
	EXPECT_MSG="unknown variant 'sometimes'" expect_error "$TOP/bench/emulated.sh" -V sometimes || return 1
	EXPECT_MSG="bad repetitions 'x'" expect_error "$TOP/bench/emulated.sh" -R x || return 1
	EXPECT_MSG="bad levels list '2,2' (of 2, 1, 0, each once)" expect_error "$TOP/bench/emulated.sh" -l 2,2 || return 1
	EXPECT_MSG="-C with -R 0 measures nothing" expect_error "$TOP/bench/emulated.sh" -C -R 0 || return 1
	EXPECT_MSG="bad port 'x'" expect_error "$TOP/bench/emulated.sh" -p x
}

# A guest that never answers: its console FIFOs are there (a stand-in for
# QEMU holds them open) but no agent replies.  guest.sh gives up after
# HS_GUEST_TIMEOUT seconds with one line, instead of hanging the bench.
t_bench_guest_never_answers() {
	mkdir g && mkfifo g/ctl.in g/ctl.out
	sleep 30 <> g/ctl.in 3<> g/ctl.out &
	local holder=$! t0=$SECONDS rc=0
	echo $holder > g/qemu.pid
	HS_GUEST_TIMEOUT=2 EXPECT_MSG="the guest did not answer within 2 s: iperf3 -c 10.0.0.1" \
		expect_error "$TOP/bench/guest.sh" exec -r "$PWD/g" iperf3 -c 10.0.0.1 || rc=1
	kill $holder 2> /dev/null; wait $holder 2> /dev/null
	[ $rc = 0 ] || return 1
	[ $((SECONDS - t0)) -lt 10 ] || { echo "took $((SECONDS - t0)) s"; return 1; }
	# and once its QEMU is gone, no blocking on the FIFOs either
	EXPECT_MSG="the guest's QEMU is gone" expect_error "$TOP/bench/guest.sh" exec -r "$PWD/g" true
}

# ---- make bench: its waits on other processes are bounded ----

# bpftrace stopped right after it reports ready: 20 times, each stop ends
# it on its SIGINT (not the KILL after the bound) within 5 s.  With the old
# readiness ("Attaching N probes") 2 of 8 such stops were lost here.
t_bench_bpftrace_stop_never_lost() {
	local top=$TOP i t0
	. "$TOP/bench/bpftrace.sh"
	for i in $(seq 20); do
		bpftrace_start bt.out -e 'tracepoint:kvm:kvm_pio { }' || { cat bt.out; return 1; }
		t0=$SECONDS
		HS_BPFTRACE_STOP_SECS=5 bpftrace_stop || { echo "stop $i lost"; return 1; }
		[ $((SECONDS - t0)) -le 5 ] || { echo "stop $i took $((SECONDS - t0)) s"; return 1; }
	done
	expect_eq "$(pgrep -xc bpftrace)" 0 "bpftrace processes left"
}

# A process that ignores the stop signal is killed at the bound, and the
# caller learns it.
t_bench_stop_is_bounded() {
	local rc=0 t0=$SECONDS p
	sh -c 'trap "" INT; while :; do sleep 1; done' &
	p=$!
	sleep 0.2
	stop_pid "$p" 2 INT || rc=$?
	expect_eq "$rc" 1 "stop_pid's status for a process ignoring SIGINT" || return 1
	! kill -0 "$p" 2> /dev/null || { echo "process $p still running"; return 1; }
	[ $((SECONDS - t0)) -le 4 ] || { echo "the bound of 2 s took $((SECONDS - t0)) s"; return 1; }
	# a ready line that never comes: wait_line gives up at its bound, or
	# at once when the writer is gone
	t0=$SECONDS
	! wait_line /dev/null ready 1 || { echo "wait_line found a line in /dev/null"; return 1; }
	sh -c 'exit 3' & p=$!
	sleep 0.1
	! wait_line /dev/null ready 30 "$p" || return 1
	[ $((SECONDS - t0)) -le 3 ] || { echo "wait_line took $((SECONDS - t0)) s"; return 1; }
	wait "$p"; true
}

# `make bench`'s script with tracefs unmounted mounts it in a namespace of
# its own and leaves nothing mounted (a short run, figures discarded).
t_bench_overhead_runs_without_tracefs() {
	local rc=0
	unshare -m --propagation private sh -c "umount /sys/kernel/tracing 2> /dev/null;
		HS_IN_TRACEFS_NS= '$TOP/bench/overhead.sh' -n 20000 -r 1 -o '$PWD/ov.json' &&
		! grep -q ' /sys/kernel/tracing ' /proc/self/mounts" > out 2>&1 || rc=$?
	[ $rc = 0 ] || { tail -n 5 out; echo "overhead.sh failed or left tracefs mounted (exit $rc)"; return 1; }
	jq -e '[.benchmarks[] | select(.name | startswith("in-program/kernel-pio/hcallstat/")) |
		.extra.ratio_to_empty > 0] | length == 1 and all' ov.json > /dev/null ||
		{ echo "no ratio to the empty program in ov.json"; return 1; }
	grep -E 'x the empty program' out
}
