# hcall-load's JSON (input): its own counts against its mix, one line per
# difference - userspace exits per vCPU (one IO or MMIO exit per
# userspace request, one HLT) and ioeventfd signals per kernel request.
. as $l |
(def issued(r): ([$l.mix[] | select(.request == r) | .per_vcpu] | add // 0);
 [ ($l.observed.per_vcpu[] |
	select((.userspace_exits.IO // 0) != issued("pio-user") or
	       (.userspace_exits.MMIO // 0) != issued("mmio-user") or
	       .userspace_exits.HLT != 1) |
	"vcpu \(.vcpu) saw exits \(.userspace_exits)"),
   (if $l.observed.ioeventfd_signals.pio != issued("pio-kernel") * $l.vcpus
    then "pio ioeventfd signals \($l.observed.ioeventfd_signals.pio)" else empty end),
   (if $l.observed.ioeventfd_signals.mmio != issued("mmio-kernel") * $l.vcpus
    then "mmio ioeventfd signals \($l.observed.ioeventfd_signals.mmio)" else empty end)
 ]) | .[]
