# bench/report.sh's jq: a matrix's cells and the run as run.json has them
# (schema hcallscope.iperf/1, docs/bench-results.md), and its CSV.  A
# module: jq -L bench 'include "report"; ...'.

# kvm-hv's tce_accel levels (kernel-patch/0002)
def levelname: {"2": "real mode", "1": "virtual mode only", "0": "userspace only"}[.];

# A cell's name in every table, plot and diff: variant/direction/Llevel/Pstreams/mtu
def cellkey($r; $c): "\($r.label)/\($c.direction)/L\($c.level)/P\($c.streams)/\($c.mtu)";

# What every cell has, from its matrix's run file ($r) and its config ($c)
def cell_config($r; $c):
	{key: cellkey($r; $c), variant: $r.label, guest_cmdline: $r.guest_cmdline,
	 ddw: ($r.guest_cmdline | test("disable_ddw") | not),
	 level: ($c.level | tonumber), level_name: ($c.level | levelname), direction: $c.direction,
	 streams: ($c.streams | tonumber), mtu: ($c.mtu | tonumber)};

# A cell that did not finish: its status says why
def failed_cell($r; $c; $status): cell_config($r; $c) + {status: $status};

# A finished cell from its files: $ops the TCE hcalls' opcodes by counter
# name, $ip iperf3's JSON, $before/$after the kernel's path counters, $hist
# the guest's count per opcode, $busy the host's CPU share, $perf perf
# stat's and $stat hcallstat's total (each null when not run)
def ok_cell($r; $c; $ops; $ip; $before; $after; $hist; $busy; $perf; $stat):
	($ip.end) as $e |
	(if $c.direction == "tx" then $e.sum_sent else $e.sum_received end) as $s |
	($s.bytes / 1e6) as $mb |
	([$ops | keys[] as $h | {($h): {
		"real-mode": ($after["\($h)_realmode"] - $before["\($h)_realmode"]),
		"virtual-mode": ($after["\($h)_virtmode"] - $before["\($h)_virtmode"]),
		"userspace": ($after["\($h)_user"] - $before["\($h)_user"])}}] | add) as $host |
	([$ops | to_entries[] | {(.key): ($hist["\(.value)"] // 0)}] | add) as $guest |
	([$host[][]] | add) as $host_total |
	cell_config($r; $c) +
	{status: "ok", seconds: $s.seconds, bytes: $s.bytes,
	 throughput_MBps: ($s.bits_per_second / 8e6),
	 retransmits: ($e.sum_sent.retransmits // null),
	 tce_hcalls: {host: $host, guest: $guest,
		host_total: $host_total, guest_total: ([$guest[]] | add)},
	 hcalls_per_MB: (if $mb > 0 then
		{"real-mode": ([$host[]["real-mode"]] | add / $mb),
		 "virtual-mode": ([$host[]["virtual-mode"]] | add / $mb),
		 "userspace": ([$host[]["userspace"]] | add / $mb),
		 total: ($host_total / $mb)} else null end),
	 host_cpu_busy_pct: $busy,
	 perf_stat: $perf,
	 hcallstat: (if $stat == null then null else
		([$stat.rows[] | select(.kind == "hcall" and ([.code] | inside([$ops[]]))) |
		  {code, path, arg, count, latency}]) as $rows |
		{probes: $stat.probes, realmode: $stat.realmode, tce_rows: $rows,
		 mean_latency_ns: ([$rows[] | select((.latency.count // 0) > 0) | .path] | unique |
			map(. as $p | [$rows[] | select(.path == $p and (.latency.count // 0) > 0)] |
			    {($p): (([.[].latency.sum_ns] | add) / ([.[].latency.count] | add))}) | add // {})}
	 end)};

# The run: $run the first matrix's run file, $cells every cell, $partial
# why matrices stopped early ("" if none did), $series the host kernel's
# series key ("" if not given), $cost bench/cost.jq's hcall_cost or null
def run($id; $source; $partial; $series; $run; $cells; $cost):
	{schema: "hcallscope.iperf/1", run_id: $id, source: $source,
	 complete: ($partial == "" and ([$cells[] | select(.status != "ok")] | length == 0)),
	 partial_reason: (if $partial == "" then null else $partial end),
	 date: $run.date,
	 kernel: {release: $run.kernel, version: $run.kernel_version,
		  series_sha256: (if $series == "" then null else $series end)},
	 host: {cpu: $run.cpu, platform: ($run.platform | sub(" +$"; "")), cpus: ($run.host_cpus | tonumber)},
	 guest_kernel: $run.guest_kernel, server: $run.server,
	 duration_s: ($run.duration | if . == null then null else tonumber end),
	 hcall_cost: $cost, cells: $cells};

# run.json (input) -> cells.csv's lines
def cells_csv:
	["variant","level","level_name","direction","streams","mtu","status","throughput_MBps",
	 "hcalls_per_MB_real","hcalls_per_MB_virt","hcalls_per_MB_user","host_tce_hcalls",
	 "guest_tce_hcalls","host_cpu_busy_pct"],
	(.cells[] | [.variant, .level, .level_name, .direction, .streams, .mtu, .status,
	 .throughput_MBps, .hcalls_per_MB["real-mode"], .hcalls_per_MB["virtual-mode"],
	 .hcalls_per_MB.userspace, .tce_hcalls.host_total, .tce_hcalls.guest_total,
	 .host_cpu_busy_pct]) | @csv;
