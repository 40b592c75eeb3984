# bench/report.sh's jq for bench/hcall-cost.sh's runs: the cost of one TCE
# hcall per level, as run.json's hcall_cost (docs/bench-results.md).  A
# module: jq -L bench 'include "cost"; ...'.
include "report";

def median: sort | if length == 0 then null
	elif length % 2 == 1 then .[length / 2 | floor]
	else (.[length / 2 - 1] + .[length / 2]) / 2 end;
# (max - min) / median, in %: how far apart the repetitions are
def spread_pct: (median) as $m | if $m == null or $m == 0 then null
	else (max - min) / ($m | fabs) * 100 end;
def r(n): . * pow(10; n) | round / pow(10; n);

# $run: the cost directory's run file; $loads: [{name: "r1-L2-REQUEST-N",
# load: hcall-load's JSON}]; $ops: {counter prefix: opcode} of the TCE hcalls
def hcall_cost($run; $loads; $ops):
	($run.calls | tonumber) as $n |
	[$loads[] | (.name | capture("^r(?<rep>[0-9]+)-L(?<level>[0-2])-(?<request>.*)-(?<calls>[0-9]+)$")) +
		{load: .load.observed.per_vcpu[0], code: .load.mix[0].code}] as $runs |
	{calls: [$n, 3 * $n], reps: ($run.reps | tonumber),
	 unit: "instructions per hcall",
	 method: "hcall-load --instructions: (run of \(3 * $n) hcalls - run of \($n)) / \(2 * $n); the guest's PMU counts the guest and KVM's real-mode handlers, the host's the vCPU thread (virtual mode, the VMM)",
	 rows: ([$runs | group_by([.level, .request])[] |
		.[0] as $a |
		($ops | to_entries[] | select(.value == $a.code) | .key) as $h |
		[group_by(.rep)[] |
			(map(select(.calls == "\($n)"))[0].load) as $lo |
			(map(select(.calls == "\(3 * $n)"))[0].load) as $hi |
			select($lo != null and $hi != null) |
			{guest: (($hi.instructions.guest - $lo.instructions.guest) / (2 * $n)),
			 host: (($hi.instructions.host - $lo.instructions.host) / (2 * $n)),
			 ns: (($hi.cpu_ns - $lo.cpu_ns) / (2 * $n)),
			 paths: {"real-mode": ($hi.kvm_stats["\($h)_realmode"] - $lo.kvm_stats["\($h)_realmode"]),
				 "virtual-mode": ($hi.kvm_stats["\($h)_virtmode"] - $lo.kvm_stats["\($h)_virtmode"]),
				 "userspace": ($hi.kvm_stats["\($h)_user"] - $lo.kvm_stats["\($h)_user"])}}] as $reps |
		# a row needs a whole repetition; its spread, two
		select($reps | length > 0) |
		($reps | map(.guest + .host)) as $tot |
		{key: "L\($a.level)/\($h | ascii_upcase)", level: ($a.level | tonumber),
		 level_name: ($a.level | levelname), hcall: ($h | ascii_upcase), request: $a.request,
		 # the path that completed every hcall of the difference, per repetition
		 path: ([$reps[].paths | to_entries[] | select(.value == 2 * $n) | .key] | unique |
			if length == 1 then .[0] else "mixed" end),
		 reps: ($reps | length),
		 instructions: {median: ($tot | median | r(1)),
			spread_pct: (if ($tot | length) < 2 then null else ($tot | spread_pct | r(2)) end),
			guest: ($reps | map(.guest) | median | r(1)), host: ($reps | map(.host) | median | r(1)),
			per_rep: ($tot | map(r(1)))},
		 ns: {median: ($reps | map(.ns) | median | r(1)),
			spread_pct: (if ($reps | length) < 2 then null else ($reps | map(.ns) | spread_pct | r(2)) end),
			per_rep: ($reps | map(.ns | r(1))), note: "vCPU thread CPU time: wall time under TCG, not reproducible"}}] |
		# userspace's cost over this level's, per hcall
		(map(select(.level == 0) | {(.hcall): .instructions.median}) | add // {}) as $user |
		map(. + {vs_userspace: (if $user[.hcall] and .instructions.median > 0
			then ($user[.hcall] / .instructions.median | r(2)) else null end)}) |
		sort_by(.hcall, -.level))};
