# hcallstat's total (input) against what hcall-load issued ($L[0], its
# JSON): one line per difference, none when they agree.  Every mix entry
# on every vCPU exactly, on its path, and nothing else for that VM but
# one HLT exit per vCPU.
$L[0] as $l | . as $s |
# requests that look alike to hcallstat (same kind, code, arg, path) are summed
($l.mix | group_by([.kind, .code, .arg, .path]) |
 map(.[0] + {per_vcpu: (map(.per_vcpu) | add), request: (map(.request) | join("+"))})) as $keys |
([range(0; $l.vcpus) as $v | $keys[] | . as $m |
  ([$s.rows[] | select(.vm == $l.pid and .vcpu == $v and
	.kind == $m.kind and .code == $m.code and .arg == $m.arg and
	.path == $m.path) | .count] | add // 0) as $got |
  select($got != $m.per_vcpu) |
  "vcpu \($v) \($m.request): hcallstat \($got), issued \($m.per_vcpu)"]) +
([$s.rows[] | select(.vm == $l.pid)] as $mine |
 ((($l.mix | map(.per_vcpu) | add) + 1) * $l.vcpus) as $want |
 ([$mine[].count] | add // 0) as $got |
 if $got != $want then
	["all rows of VM \($l.pid): \($got), want \($want) (mix + one HLT per vCPU)"]
 else [] end) | .[]
