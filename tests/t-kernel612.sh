# kernel-patch/6.12/ (Debian 13's kernel line) on emulated POWER8: the
# proofs of the 6.1 series, with the 6.1 tests' own pieces and checks
# (t-kernel*.sh), in fewer boots.  The series' text and build are checked
# in t-kernel.sh (t_kernel612_* there).

# The path counters and hcallstat's view of them on every tce_accel level,
# emulated table (t_kernel_powernv8_path_counters on 6.12).
t_kernel612_powernv8_path_counters() { KLINE=6.12 t_kernel_powernv8_path_counters; }

# One boot of the patched 6.12, two e1000e on two PHB3s.  vfio-pci binds
# with no patch of ours (6.12 has powernv's IOMMU ops); then, with an
# emulated table and with a VFIO group behind it, the exact split per vCPU
# on every level; the racing indirect list; two groups in one container;
# the window removed under KVM; the group churned under hcalls; tables
# closed under hcalls; the host's log clean.
t_kernel612_powernv8_vfio_hostile_lifecycle() {
	{
		echo "$E1000E_ALL_TO_VFIO"
		echo 'group=${groups%%,*}'
		echo 'for d in $(pci-vfio.sh find 0x10d3); do echo "HS-BOUND $d $(basename $(readlink /sys/bus/pci/devices/$d/driver))"; done'
		echo '. /hs/iommu-tables.sh'	# tests/guest/iommu-tables.sh
		each_backing_and_level PATH "2 1 0" -c 2 -m "$POWER_MIX"
		one_boot_hostile_runs
		echo "$HOST_LOG_CHECK"
		echo "echo HS-ALIVE"
	} > guest.sh
	local t0=$SECONDS
	KLINE=6.12 lifecycle_host e1000e-vfio2 guest.sh "$HUGE_KARGS" || return 1
	echo "powernv8, 6.12, 31 runs: $((SECONDS - t0)) s"
	grep '^HS-BOUND' console
	expect_eq "$(grep -c '^HS-BOUND .* vfio-pci' console)" 2 "e1000e bound to vfio-pci" || return 1
	local backing level r
	for backing in emulated vfio; do
		for level in 2 1 0; do
			r=$(sed -n "s/^HS-PATH $backing $level //p" console)
			[ -n "$r" ] || { echo "no $backing run at level $level"; return 1; }
			echo "$r" > p.json
			expect_eq "$(tce_path_split p.json)" "[${POWER_MIX_SPLIT[$level]}]" \
				"$backing table, level $level counters, both vCPUs" || return 1
			expect_eq "$(jq -r '.observed.vfio_group != null' p.json)" "$([ $backing = vfio ] && echo true || echo false)" \
				"$backing run: a VFIO group behind the table or not" || return 1
		done
	done
	check_one_boot_hostile_runs console
}

# The seed's scenario on 6.12: QEMU/KVM in the emulated POWER8 host, the
# pseries guest driving the passed-through e1000e, iperf3 on each level
# (one direction, with and without DDW); every TCE hcall counted once on
# the level's path, hcallstat agreeing, none lost.
t_kernel612_seed_scenario_vfio_iperf3() {
	local t0=$SECONDS
	"$TOP/bench/emulated.sh" -L 6.12 -o "$PWD/res" -R 0 -t 3 -d tx > out 2>&1 || { tail -n 20 out; return 1; }
	echo "emulated bench on 6.12, 6 cells: $((SECONDS - t0)) s"
	check_seed_run res 6
}

# QEMU's lifecycle on 6.12: two NICs, a reboot and a hot unplug/replug
# cycle under traffic (HS_612_REBOOTS, HS_612_REPLUGS for more), SIGKILL;
# every table freed, QEMU's locked memory steady, the log clean.
t_kernel612_qemu_two_nics_reboot_replug_then_sigkill() {
	KLINE=6.12 HS_REBOOTS=${HS_612_REBOOTS:-1} HS_REPLUGS=${HS_612_REPLUGS:-1} \
		qemu_reboots 2 e1000e-vfio2 sigkill
}

# The hostile-guest tests that take a boot of their own, on 6.12: bounded
# real-mode work, no kprobe on the real-mode path, the differential fuzzer,
# the MMU notifier under storms.
t_kernel612_hostile_realmode_work_bounded() { KLINE=6.12 t_kernel_hostile_realmode_work_bounded; }
t_kernel612_hostile_no_kprobe_in_real_mode() { KLINE=6.12 t_kernel_hostile_no_kprobe_in_real_mode; }
t_kernel612_hostile_fuzz() { KLINE=6.12 t_kernel_hostile_fuzz; }
# the notifier's latency under real-mode and virtual-mode storms, figures
# printed beside 6.1's (README)
t_kernel612_hostile_realmode_storm_notifier_latency() { KLINE=6.12 t_kernel_hostile_realmode_storm_notifier_latency; }

# powernv9 (PHB4) on 6.12: vfio-pci binds, and POWER9's entry path (no
# real mode) completes every TCE hcall in virtual mode at level 2.
t_kernel612_powernv9_phb4_virtual_mode() { KLINE=6.12 t_kernel_powernv9_phb4_virtual_mode; }
t_kernel612_hostile_vmm_attach_refusals() { KLINE=6.12 t_kernel_hostile_vmm_attach_refusals; }
