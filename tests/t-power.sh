# POWER under QEMU TCG (scripts/power-testbed.sh): Debian's ppc64el 6.1
# kernel as a KVM-HV host, our cross-built tools inside.  hcall-load's
# POWER backend issues a known mix of TCE hcalls; hcallstat must report
# each exactly, per vCPU and per LIOBN: virtual mode for the LIOBN with an
# in-kernel TCE table, userspace for the one without.

PPC_BIN=$TOP/build/ppc64le
POWER_MIX=put-tce-kernel=300,put-tce-indirect-kernel=40,stuff-tce-kernel=60,get-tce-kernel=10,put-tce-user=25,put-tce-indirect-user=5,stuff-tce-user=9

power_host_test() {	# MACHINE
	cat > guest.sh <<EOS
hcallstat -j -o /tmp/stat.json -- hcall-load -j -c 2 -m $POWER_MIX > /tmp/load.json || exit 1
echo "HS-LOAD \$(cat /tmp/load.json)"
echo "HS-STAT \$(cat /tmp/stat.json)"
EOS
	local t0=$SECONDS
	"$TOP/scripts/power-testbed.sh" -M "$1" -t 300 -f "$PPC_BIN/hcall-load" \
		-f "$PPC_BIN/hcallstat" -f "$TOP/bpf/btf" guest.sh > console 2>&1 ||
		{ tail -n 15 console; return 1; }
	echo "$1 run: $((SECONDS - t0)) s"
	sed -n 's/^HS-LOAD //p' console > load.json
	sed -n 's/^HS-STAT //p' console > stat.json
	jq -e '.backend == "power" and .vcpus == 2' load.json > /dev/null ||
		{ echo "no hcall-load report"; tail -n 15 console; return 1; }
	expect_eq "$(stat_total stat.json | jq -r .probes)" raw_tp "probes (Debian ppc64el has no kernel BTF)" &&
	check_against_load load.json stat.json || return 1
	# the VMM's own view: one KVM_EXIT_PAPR_HCALL per userspace hcall + the last
	expect_eq "$(jq -c '[.observed.per_vcpu[].userspace_exits.PAPR_HCALL]' load.json)" "[40,40]" \
		"PAPR_HCALL exits per vCPU" &&
	expect_eq "$(stat_sum stat.json '.arg == 2147483649 and .path != "userspace"')" 0 \
		"hcalls on the table-less LIOBN outside userspace" &&
	expect_eq "$(stat_sum stat.json '.kind == "hcall" and .path == "virtual-mode"')" 820 \
		"virtual-mode hcalls (2 vCPUs x 410)"
}

t_power_powernv8_host_exact() {
	power_host_test powernv8
}

t_power_nested_host_exact() {
	power_host_test pseries-nested
}
