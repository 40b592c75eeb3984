# An emulated bench run's run.json (input) as the seed's scenario must
# have it, one line per cell that differs: ok, traffic, perf stat and
# hcallstat beside it, every TCE hcall the guest made counted by the host
# once, on the path its level allows (none during traffic with DDW), and
# hcallstat agreeing with the kernel's counters, all on the VFIO LIOBN
# ($vfio_liobn) but real-mode rows (real mode knows no LIOBN).
.cells[] | "\(.variant) L\(.level) \(.direction)" as $c |
(.tce_hcalls.host | [.[]["real-mode"]] | add) as $real |
(.tce_hcalls.host | [.[]["virtual-mode"]] | add) as $virt |
(.tce_hcalls.host | [.[]["userspace"]] | add) as $user |
(if .status != "ok" then "\($c): \(.status)" else empty end),
(if .bytes < 250000 then "\($c): only \(.bytes) bytes" else empty end),
(if (.perf_stat["task-clock"] // 0) <= 0 then "\($c): no perf stat beside it" else empty end),
(if .hcallstat == null then "\($c): no hcallstat beside it" else empty end),
(.tce_hcalls as $t | $t.guest | to_entries[] |
  select(.value != ([$t.host[.key][]] | add)) |
  "\($c): guest made \(.value) \(.key), host counted \([$t.host[.key][]] | add)"),
(if .ddw then (if .tce_hcalls.guest_total > 100 then
	"\($c): \(.tce_hcalls.guest_total) TCE hcalls despite DDW" else empty end)
 else
	(if .tce_hcalls.guest_total < 1000 then "\($c): only \(.tce_hcalls.guest_total) TCE hcalls" else empty end),
	(if .level == 2 and ($user > 0 or $real < 0.99 * .tce_hcalls.host_total) then
		"\($c): level 2 split real \($real) virt \($virt) user \($user)" else empty end),
	(if .level == 1 and ($real > 0 or $user > 0) then
		"\($c): level 1 split real \($real) virt \($virt) user \($user)" else empty end),
	(if .level == 0 and ($real > 0 or $virt > 0) then
		"\($c): level 0 split real \($real) virt \($virt) user \($user)" else empty end)
 end),
# hcallstat on the host saw the same, path by path, all on the VFIO LIOBN
(.tce_hcalls.host as $h | ["real-mode", "virtual-mode", "userspace"][] as $p |
 ([.hcallstat.tce_rows[] | select(.path == $p) | .count] | add // 0) as $got |
 select($got != ([$h[][$p]] | add)) |
 "\($c): hcallstat \($p) \($got), kernel \([$h[][$p]] | add)"),
([.hcallstat.tce_rows[] | select(.path != "real-mode" and .arg != $vfio_liobn)] |
 select(length > 0) | "\($c): TCE hcalls off the VFIO LIOBN: \(.)")
