# POWER under QEMU TCG (scripts/power-testbed.sh): Debian's ppc64el 6.1
# kernel as a KVM-HV host, hcallscope's ppc64el package installed inside
# (the packaged /usr/sbin/hcallstat, /usr/bin/hcall-load).  hcall-load's
# POWER backend issues a known mix of TCE hcalls; hcallstat must report
# each exactly, per vCPU and per LIOBN: virtual mode for the LIOBN with an
# in-kernel TCE table, userspace for the one without.

PPC_BIN=$TOP/build/ppc64le	# cross-built test helpers (vfio-claim); not the tools
# Per vCPU: 424 TCE hcalls on the LIOBN with an in-kernel table (+10
# H_GET_TCE) that KVM completes, 39 on the table-less LIOBN, and bad
# arguments: 3 on an unknown LIOBN and 5 misaligned TCEs (both left to the
# VMM), 25 that KVM refuses itself (4 ioba, 6 permission bits, 7 too many
# TCEs, 8 misaligned lists).  H_STUFF_TCE comes first and clears, so the
# first H_PUT_TCE is the one that finds the vCPU's table page missing.
POWER_MIX=stuff-tce-kernel=60,put-tce-kernel=300,put-tce-indirect-kernel=40,get-tce-kernel=10,put-tce-user=25,put-tce-indirect-user=5,stuff-tce-user=9,put-tce-bad-liobn=3,put-tce-bad-ioba=4,put-tce-bad-tce=5,stuff-tce-bad-perm=6,put-tce-indirect-bad-npages=7,put-tce-indirect-bad-list=8

# What the guest saw, which must not depend on the path: every request's
# return codes as the guest recorded them (bad arguments: H_PARAMETER each
# time, the rest: never a failure) and the TCE tables it left (per vCPU
# 256 entries in KVM's table, 7 in the VMM's).  Prints the tables' digests.
check_guest_view() {	# LOADJSON
	local load=$1 bad
	bad=$(jq -r '. as $l | .observed.per_vcpu[] | .vcpu as $v | $l.mix[] |
		(if (.request | test("bad")) then {failed: .per_vcpu, last_error: -4}
		 else {failed: 0, last_error: 0} end) as $want |
		.request as $r | select($l.observed.per_vcpu[$v].returns[$r] != $want) |
		"vcpu \($v) \($r): returned \($l.observed.per_vcpu[$v].returns[$r]), want \($want)"' "$load") ||
		{ echo "jq failed on $load"; return 1; }
	[ -z "$bad" ] || { echo "$bad"; return 1; }
	expect_eq "$(jq -c '[.observed.tce_tables[].entries_set]' "$load")" \
		"[$((256 * $(jq .vcpus "$load"))),$((7 * $(jq .vcpus "$load")))]" \
		"TCE entries set (KVM's table, the VMM's)" || return 1
	jq -r '[.observed.tce_tables[].digest] | join(",")' "$load"
}

# Debian's kernel of release HS_DEBIAN (12 by default; 13, 13-64k):
# Debian 12's has no BTF (hcallstat takes raw tracepoints and a BTF file
# of ours), 13's has its own (BTF-typed tracepoints).
debian_probes() {
	case ${HS_DEBIAN:-12} in 12) echo raw_tp ;; *) echo tp_btf ;; esac
}

power_host_test() {	# MACHINE
	cat > guest.sh <<EOS
echo "HS-WHICH \$(command -v hcallstat) \$(command -v hcall-load)"
hcallstat -v -j -o /tmp/stat.json -- hcall-load -j -c 2 -m $POWER_MIX > /tmp/load.json 2> /tmp/err ||
	{ tail -5 /tmp/err; exit 1; }
echo "HS-BTF \$(grep 'BTF from' /tmp/err)"
echo "HS-LOAD \$(cat /tmp/load.json)"
echo "HS-STAT \$(cat /tmp/stat.json)"
EOS
	local t0=$SECONDS
	"$TOP/scripts/power-testbed.sh" -M "$1" -D "${HS_DEBIAN:-12}" -t 300 \
		guest.sh > console 2>&1 ||
		{ tail -n 15 console; return 1; }
	echo "$1 run: $((SECONDS - t0)) s"
	# the package's binaries ran, hcallstat with the package's BTF files
	# on Debian 12 (its kernel has none of its own), the kernel's on 13
	expect_eq "$(sed -n 's/^HS-WHICH //p' console)" "/usr/sbin/hcallstat /usr/bin/hcall-load" \
		"the tools the host ran" || return 1
	if [ "$(debian_probes)" = raw_tp ]; then
		grep -qE '^HS-BTF hcallstat: BTF from /usr/lib/hcallscope/btf/[^ ]+-powerpc64le\.btf$' console ||
			{ echo "BTF not from the installed directory: $(grep HS-BTF console)"; return 1; }
	else
		expect_eq "$(sed -n 's/^HS-BTF //p' console)" "" "a BTF file of ours used on a kernel with BTF" || return 1
	fi
	sed -n 's/^HS-LOAD //p' console > load.json
	sed -n 's/^HS-STAT //p' console > stat.json
	jq -e '.backend == "power" and .vcpus == 2' load.json > /dev/null ||
		{ echo "no hcall-load report"; tail -n 15 console; return 1; }
	expect_eq "$(stat_total stat.json | jq -r .probes)" "$(debian_probes)" "probes on Debian ${HS_DEBIAN:-12}'s kernel" &&
	expect_eq "$(stat_total stat.json | jq -r .realmode)" absent "real-mode counters on Debian's kernel" &&
	check_against_load load.json stat.json || return 1
	# the VMM's own view: one KVM_EXIT_PAPR_HCALL per userspace hcall + the last
	expect_eq "$(jq -c '[.observed.per_vcpu[].userspace_exits.PAPR_HCALL]' load.json)" "[48,48]" \
		"PAPR_HCALL exits per vCPU" &&
	expect_eq "$(stat_sum stat.json '.arg == '"$(liobn USER)"' and .path != "userspace"')" 0 \
		"hcalls on the table-less LIOBN outside userspace" &&
	expect_eq "$(stat_sum stat.json '.kind == "hcall" and .path == "virtual-mode"')" 870 \
		"virtual-mode hcalls (2 vCPUs x 435)" &&
	expect_eq "$(jq -c '[.observed.per_vcpu[].kvm_stats]' load.json)" "[{},{}]" \
		"path counters on Debian's kernel (none: no real-mode hits)" &&
	expect_eq "$(stat_sum stat.json '.path == "real-mode"')" 0 "real-mode rows" || return 1
	local d
	d=$(check_guest_view load.json) || { echo "$d"; return 1; }
	echo "table digests: $d"
}

t_power_powernv8_host_exact() {
	power_host_test powernv8
}

t_power_nested_host_exact() {
	power_host_test pseries-nested
}

# Debian 13's stock kernels (4k and 64k pages) as the POWER8 host
t_power_debian13_powernv8_host_exact() { HS_DEBIAN=13 power_host_test powernv8; }
t_power_debian13_64k_powernv8_host_exact() { HS_DEBIAN=13-64k power_host_test powernv8; }

# Guest mode in a pseries guest with real TCE traffic: iperf3 to a server
# on this machine's loopback.  hcallstat's per-opcode counts must equal
# the kernel's own hist trigger over the same window (TCE hcalls come only
# from the traffic, which runs, teardown included, inside both windows).
power_guest_test() {	# NIC KERNEL-ARGS
	local port=$((20000 + RANDOM % 10000)) srv rc=0
	iperf3 -s -p $port > iperf-server.log 2>&1 &
	srv=$!
	# The NIC is down outside the two windows (hcallstat's, the hist
	# trigger's), so no stray packet's DMA mapping can fall into one only.
	cat > guest.sh <<EOS
. /hs/proc.sh
ip link set eth0 down
hcallstat -v -L -j -o /tmp/stat.json 2> /tmp/err &
S=\$!
wait_attached /tmp/err \$S 120 || exit 1
$(hcall_hist_cmd start)
ip link set eth0 up
for i in \$(seq 50); do [ "\$(cat /sys/class/net/eth0/carrier)" = 1 ] && break; sleep 0.1; done
iperf3 -c 10.0.2.2 -p $port -t 2 -J > /tmp/ip.json || echo "HS-IPERF-FAILED"
sleep 2		# the connection's last packets
ip link set eth0 down
sleep 1
$(hcall_hist_cmd pause)
kill -INT \$S; wait \$S
echo "HS-IPERF \$(grep -A10 '"sum_received"' /tmp/ip.json | grep -m1 bits_per_second | tr -d ' \t,')"
$(hcall_hist_cmd read) | sed 's/^/HS-HIST /'
echo "HS-STAT \$(cat /tmp/stat.json)"
echo "HS-HCALL-TRACE-WARNINGS \$(dmesg | grep -c 'trace_hcall')"
echo "HS-MMU \$(grep -m1 '^MMU' /proc/cpuinfo)"
EOS
	"$TOP/scripts/power-testbed.sh" -M pseries -D "${HS_DEBIAN:-12}" -n "$1" -a "$2" -t 300 \
		-f "$TOP/scripts/lib/proc.sh" guest.sh > console 2>&1 || rc=1
	kill $srv 2>/dev/null; wait $srv 2>/dev/null
	[ $rc = 0 ] && ! grep -q HS-IPERF-FAILED console || { tail -n 15 console; return 1; }
	sed -n 's/^HS-STAT //p' console > stat.json
	sed -n 's/^HS-HIST //p' console | hcall_hist_counts > hist
	grep HS-IPERF console
	expect_eq "$(stat_total stat.json | jq -r .mode)" guest "mode chosen in a pseries guest" || return 1
	local op want got
	for op in $(hcall_opcodes TCE); do
		want=$(awk -v o=$op '$1 == o {print $2}' hist)
		got=$(stat_sum stat.json ".kind == \"hcall\" and .code == $op")
		expect_eq "$got" "${want:-0}" "hcallstat vs hist trigger, opcode $op" || return 1
		# end-to-end latency of each of those hcalls, as the guest sees it
		expect_eq "$(stat_total stat.json | jq "[.rows[] | select(.kind == \"hcall\" and .code == $op) |
			.latency.count] | add // 0")" "${want:-0}" "latencies of opcode $op" || return 1
	done
	echo "H_PUT_TCE end-to-end p50/p99: $(stat_total stat.json | jq -r '[.rows[] | select(.code == '"$(hcall_opcode H_PUT_TCE)"')] |
		if length > 0 then (.[0].latency | "\(.p50_ns) / \(.p99_ns) ns") else "none" end')"
	TCE_TOTAL=$(stat_sum stat.json ".kind == \"hcall\" and $(hcall_jq_code TCE)")
	echo "TCE hcalls during iperf3: $TCE_TOTAL"
}

t_power_guest_e1000() {
	power_guest_test e1000 "" || return 1
	# e1000's 32-bit DMA mask: a TCE map and unmap per packet
	[ "$TCE_TOTAL" -gt 5000 ] || { echo "too few TCE hcalls: $TCE_TOTAL"; return 1; }
}

# A hash-MMU guest (POWER9 with disable_radix, as on POWER8): a probe on
# hcall_entry may take a hash fault whose own hcall goes untraced (the
# kernel's recursion guard); hcallstat and the hist trigger then both miss
# it, so their counts still agree but are a lower bound.  Measured: the
# kernel's one-time warning about it, if any.
# Debian 13's stock kernel takes a PCI device for VFIO on powernv with no
# patch of ours (6.12 has the IOMMU ops 6.1 lacks): the e1000e binds to
# vfio-pci, its group goes behind KVM's TCE table, and every TCE hcall of
# the mix completes in virtual mode (no real mode upstream), the guest
# seeing what it sees without VFIO.
t_power_debian13_powernv8_vfio_binds() {
	cat > guest.sh <<EOS
$E1000E_TO_VFIO
hcallstat -j -o /tmp/stat.json -- hcall-load -j -c 2 -m $POWER_MIX --vfio \$group > /tmp/load.json ||
	{ cat /tmp/load.json; exit 1; }
echo "HS-LOAD \$(cat /tmp/load.json)"
echo "HS-STAT \$(cat /tmp/stat.json)"
EOS
	"$TOP/scripts/power-testbed.sh" -M powernv8 -D 13 -n e1000e-vfio -t 300 \
		-f "$TOP/bench/pci-vfio.sh" guest.sh > console 2>&1 || { tail -n 15 console; return 1; }
	grep "^HS-BOUND" console
	grep -q "^HS-BOUND .* vfio-pci group" console || { echo "vfio-pci did not bind"; return 1; }
	sed -n 's/^HS-LOAD //p' console > load.json
	sed -n 's/^HS-STAT //p' console > stat.json
	expect_eq "$(jq -r .observed.vfio_group load.json)" "$(sed -n 's/^HS-BOUND .* group //p' console)" \
		"VFIO group behind the table" || return 1
	expect_eq "$(stat_sum stat.json '.kind == "hcall" and .path == "virtual-mode"')" 870 \
		"virtual-mode hcalls (2 vCPUs x 435)" || return 1
	local d
	d=$(check_guest_view load.json) || { echo "$d"; return 1; }
	echo "table digests with VFIO: $d"
}

# Guest mode in a pseries guest running Debian 13's kernel
t_power_debian13_guest_e1000() { HS_DEBIAN=13 t_power_guest_e1000; }

t_power_guest_e1000_hash_mmu() {
	power_guest_test e1000 disable_radix || return 1
	[ "$TCE_TOTAL" -gt 5000 ] || { echo "too few TCE hcalls: $TCE_TOTAL"; return 1; }
	grep -q "^HS-MMU MMU.*Hash" console || { echo "not a hash-MMU guest: $(grep HS-MMU console)"; return 1; }
	echo "hcall tracepoint recursion warnings: $(sed -n 's/^HS-HCALL-TRACE-WARNINGS //p' console)"
}

t_power_guest_virtio_iommu_ddw() {
	# with DDW the guest maps all its RAM once at boot: no per-packet hcalls
	power_guest_test virtio "" || return 1
	[ "$TCE_TOTAL" -lt 100 ] || { echo "per-packet TCE hcalls despite DDW: $TCE_TOTAL"; return 1; }
}

t_power_guest_virtio_iommu_no_ddw() {
	power_guest_test virtio disable_ddw || return 1
	[ "$TCE_TOTAL" -gt 5000 ] || { echo "too few TCE hcalls without DDW: $TCE_TOTAL"; return 1; }
}

# The testbed's boot watchdog: a machine whose firmware never starts our
# init (here a "kernel" of zeros; once, skiboot itself waiting forever for
# a PCI job under TCG) is tried once more after HS_BOOT_SECS, then given
# up with exit status 124 - not left to wait out the whole timeout.
t_power_testbed_boot_hang_retried_once() {
	local kdir rc=0 t0=$SECONDS
	kdir=$(kernel_under_test) || return 1
	mkdir zeros && cp "$kdir"/kvm.ko "$kdir"/kvm-hv.ko zeros/ && head -c 65536 /dev/zero > zeros/vmlinux
	echo 'echo never' > never.sh
	HS_BOOT_SECS=5 "$TOP/scripts/power-testbed.sh" -M powernv8 -k "$PWD/zeros" -t 120 never.sh > console 2> err || rc=$?
	expect_eq "$rc" 124 "exit status" || { cat err; return 1; }
	expect_eq "$(sed 's/ (last: .*)//' err | tr '\n' '|')" \
		"power-testbed: no boot within 5 s; once more|power-testbed: no boot within 5 s, twice|" "what it said" || return 1
	[ $((SECONDS - t0)) -lt 100 ] || { echo "took $((SECONDS - t0)) s: waited for the timeout"; return 1; }
	! grep -q '^never' console || { echo "the script ran"; return 1; }
}
