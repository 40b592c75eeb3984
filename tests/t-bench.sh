# bench/: the regression compare command on real result files, and the
# seed's reference figures kept as data.

t_bench_compare_regressions() {
	local a=$TOP/results/overhead/20261123-vm.json b=$TOP/results/overhead/20261123-vm-hist.json
	# the same file: nothing moves
	"$TOP/bench/compare.sh" "$a" "$a" > same.txt || { cat same.txt; return 1; }
	expect_eq "$(tail -1 same.txt)" "0 regression(s) past 10% and 0" "a file against itself" || return 1
	# two runs of the overhead bench: hcallstat's in-kernel end-to-end figure
	# went from 80.5 to 126.3 ns (+56.9%), bpftrace's in-program 291 -> 322.8
	"$TOP/bench/compare.sh" "$a" "$b" > diff.txt
	expect_eq "$?" 1 "exit status past the default thresholds" || { cat diff.txt; return 1; }
	grep -q '^end-to-end/kernel-pio/hcallstat/added-per-event *80.5 *126.3 *56.9% *REGRESSION$' diff.txt ||
		{ echo "hcallstat row:"; grep kernel-pio/hcallstat/ diff.txt; return 1; }
	grep -q '^in-program/kernel-pio/hcallstat-L/ns-per-event .*only in one$' diff.txt ||
		{ echo "metric of one file not listed"; return 1; }
	# loose thresholds: the noise of this machine is not a regression
	"$TOP/bench/compare.sh" -t 1000 -a 1000 "$a" "$b" > loose.txt ||
		{ tail -2 loose.txt; return 1; }
	head -4 diff.txt
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
	EXPECT_RC=2 EXPECT_MSG="-t wants a number" expect_error "$TOP/bench/compare.sh" -t x "$a" "$a"
}

t_bench_seed_reference() {
	jq -e '.schema == "hcallscope.seed-reference/1" and .unit == "MB/s" and
		.figures[0].throughput == 220 and .figures[1].throughput_min == 750 and
		.figures[1].throughput_max == 1020' "$TOP/results/seed-reference.json" > /dev/null ||
		{ echo "seed-reference.json does not hold the seed's figures"; return 1; }
	# and they are the seed's: the thread says so
	local src
	src=$(jq -r .provenance.source "$TOP/results/seed-reference.json" | cut -d: -f1)
	[ -r "$TOP/../shared/seed/${src##*/}" ] || { echo "(seed thread not on this machine: provenance not re-checked)"; return 0; }
	grep -q "220MB/s" "$TOP/../shared/seed/${src##*/}" && grep -q "750..1020MB/s" "$TOP/../shared/seed/${src##*/}" ||
		{ echo "figures not found in the seed thread"; return 1; }
}
