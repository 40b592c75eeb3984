# bench/compare.sh's jq (a module: jq -L DIR 'include "compare"; ...').
# Each results file gives {METRIC: {value, unit, better}}; false when it is
# malformed.

# hcallscope.overhead/1: every benchmark, lower is better
def overhead_metrics:
	if (.benchmarks | type) == "array" and
	   all(.benchmarks[]; (.name | type) == "string" and (.value | type) == "number")
	then [.benchmarks[] | {key: .name, value: {value, unit, better: "lower"}}] | from_entries
	else false end;

# hcallscope.iperf/1: per completed cell, throughput (higher is better),
# TCE hcalls per MB and host CPU (lower is better); a cell that did not
# complete, its throughput with no value and its status; per level and
# TCE hcall, the instructions one hcall costs (lower is better), with the
# spread of its repetitions
def iperf_metrics:
	if (.cells | type) == "array" and all(.cells[]; (.status | type) == "string") and
	   ((.hcall_cost // {rows: []}).rows | type) == "array"
	then [(.hcall_cost // {rows: []}).rows[] |
		{key: "\(.key) instructions/hcall",
		 value: {value: .instructions.median, unit: "instr", better: "lower",
			 spread_pct: .instructions.spread_pct}}] +
	     [.cells[] | select(.status == "ok") | .key as $c |
		{key: "\($c) throughput", value: {value: .throughput_MBps, unit: "MB/s", better: "higher"}},
		{key: "\($c) TCE hcalls/MB", value: {value: .hcalls_per_MB.total, unit: "1/MB", better: "lower"}},
		(select(.host_cpu_busy_pct != null) |
		 {key: "\($c) host CPU", value: {value: .host_cpu_busy_pct, unit: "%", better: "lower"}})] +
	     [.cells[] | select(.status != "ok") |
		{key: "\(.key) throughput", value: {value: null, unit: "MB/s", better: "higher", failed: .status}}] |
		from_entries
	else false end;

# A metric's threshold in %: PCT, or for one measured in repetitions
# (spread_pct in either run) K times the larger spread, at least FLOOR
def threshold($x; $y; $pct; $k; $floor):
	([$x.spread_pct, $y.spread_pct] | map(select(. != null))) as $s |
	if $s | length == 0 then $pct else ([($s | max) * $k, $floor] | max) end;

# One verdict per metric, {metric, base, new, unit, change_pct,
# threshold_pct, verdict}: a metric is a REGRESSION (or better) when it
# moved the wrong (right) way by more than ABS and by more than its
# threshold (above); a cell that completed in BASE and not in NEW is a
# REGRESSION, the other way round better (base or new is then the cell's
# status); a metric in one file only (a narrower run) is "only in one",
# not judged.
def verdict_rows($b; $n; $pct; $abs; $k; $floor):
	([$b, $n] | map(keys) | add | unique)[] as $m | $b[$m] as $x | $n[$m] as $y |
	{metric: $m, base: ($x.failed // $x.value), new: ($y.failed // $y.value), unit: ($x // $y).unit,
	 change_pct: null, threshold_pct: null} +
	if $x == null or $y == null then {verdict: "only in one"}
	elif $x.failed != null or $y.failed != null then
		{verdict: (if $x.failed == null then "REGRESSION" elif $y.failed == null then "better" else "same" end)}
	else
		threshold($x; $y; $pct; $k; $floor) as $t |
		(($y.value - $x.value) * (if $x.better == "lower" then 1 else -1 end)) as $worse |
		(if $x.value == 0 then null else ($y.value - $x.value) / ($x.value | fabs) * 100 end) as $rel |
		{change_pct: $rel, threshold_pct: $t,
		 verdict: (if $worse > $abs and ($rel == null or ($rel | fabs) > $t) then "REGRESSION"
			elif -$worse > $abs and ($rel == null or ($rel | fabs) > $t) then "better"
			else "same" end)}
	end;

# The same as a table, tab-separated, one decimal
def verdicts($b; $n; $pct; $abs; $k; $floor):
	def fmt: if . == null then "-" elif type == "string" then . else (. * 10 | round / 10 | tostring) end;
	"METRIC\tBASE\tNEW\tCHANGE\tTHRESHOLD\tVERDICT",
	(verdict_rows($b; $n; $pct; $abs; $k; $floor) |
	 "\(.metric)\t\(.base | fmt)\t\(.new | fmt)\t\(if .change_pct == null then "-" else (.change_pct | fmt) + "%" end)\t" +
	 "\(if .threshold_pct == null then "-" else (.threshold_pct | fmt) + "%" end)\t\(.verdict)");
