# A fuzz run's hcall-load JSON (input) against the reference run ($R[0],
# userspace only, emulated table), $w naming the run: per vCPU the first
# call whose return code differs (seed, call and its arguments, so it
# replays), H_GET_TCE's reads, and each TCE table's final contents.  One
# line per difference.
$R[0] as $r | . as $x |
([range(0; $x.vcpus) as $v | $x.observed.per_vcpu[$v].fuzz as $f |
  $r.observed.per_vcpu[$v].fuzz as $g |
  (first(range(0; $f.returns | length) | select($f.returns[.] != $g.returns[.])) // null) as $k |
  if $k != null then
	"\($w): seed \($f.seed) vCPU \($v) call \($k) [op,liobn,ioba,r6,npages]=\($f.calls[$k]): returned \($f.returns[$k]), userspace-only \($g.returns[$k])"
  elif $f.get_tce != $g.get_tce then "\($w): seed \($f.seed) vCPU \($v): H_GET_TCE read other TCEs"
  else empty end] +
 [range(0; 2) as $t | select($x.observed.tce_tables[$t].digest != $r.observed.tce_tables[$t].digest) |
  "\($w): table \($t) contents differ (\($x.observed.tce_tables[$t].digest) vs \($r.observed.tce_tables[$t].digest))"]) | .[]
