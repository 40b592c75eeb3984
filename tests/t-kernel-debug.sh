# kernel-patch/ on its debug build (scripts/kernel-build.sh -d: lockdep,
# PROVE_RCU, DEBUG_ATOMIC_SLEEP, DEBUG_LIST, KMEMLEAK, slub_debug,
# NO_HZ_FULL) on emulated POWER8: the path, VFIO, hostile and lifecycle
# runs again, and the host's log and kmemleak must stay silent.

# One boot of the debug kernel, two NICs: the kernel's path counters with
# VFIO behind the table on every level (exact, as in
# t_kernel_powernv8_vfio_backed_table), the racing indirect list, two
# groups in one container, the window removed under KVM, the group churned
# under hcalls, tables closed under hcalls; then kmemleak.
t_kernel_debug_powernv8() {
	{
		echo "$E1000E_ALL_TO_VFIO"
		echo 'group=${groups%%,*}'
		echo '. /hs/iommu-tables.sh'
		vfio_runs PATH "2 1 0" -c 2 -m "$POWER_MIX" --vfio '$group'
		one_boot_hostile_runs
		echo '[ -e /proc/lockdep ] && echo "HS-LOCKDEP $(grep -c . /proc/lockdep) classes"'
		echo "sh /hs/kmemleak-scan.sh"	# tests/guest/kmemleak-scan.sh
		echo "$HOST_LOG_CHECK"
		echo "echo HS-ALIVE"
	} > guest.sh
	local t0=$SECONDS
	KFLAVOUR=-d lifecycle_host e1000e-vfio2 guest.sh "$HUGE_KARGS ${HS_CLOSE_KARGS-rcutree.jiffies_till_sched_qs=1}" || return 1
	echo "powernv8, debug kernel, 20 runs: $((SECONDS - t0)) s"
	grep '^HS-LOCKDEP' console || { echo "no lockdep (not a PROVE_LOCKING kernel?)"; return 1; }
	grep -q '^HS-KMEMLEAK-SCANNED' console || { echo "no kmemleak scan (not a KMEMLEAK kernel?)"; return 1; }
	! grep '^HS-KMEMLEAK ' console || { echo "kmemleak reports leaks"; return 1; }
	check_vfio_runs PATH "2 1 0" console || return 1
	local level
	for level in 2 1 0; do
		expect_eq "$(tce_path_split r$level.json)" "[${POWER_MIX_SPLIT[$level]}]" \
			"level $level counters with VFIO, both vCPUs" || return 1
	done
	check_one_boot_hostile_runs console
}

# A host booted with nohz_full for the vCPUs' CPU: guest mode is an RCU
# extended quiescent state there, so real mode is not offered (kernel-patch
# 0014): tce_accel is 1 from the start, 2 is refused, the log says why,
# and every TCE hcall of a vCPU on that CPU completes in virtual mode.
# 6.1 itself warns at boot with nohz_full on a hash MMU (CT_WARN_ON in
# interrupt_enter_prepare() from do_hash_fault(), at time 0, on CPU 0,
# before any code of the series runs): the log is checked from the end of
# the boot on, and what the boot logged is shown.
t_kernel_debug_nohz_full() {
	{
		echo "$HOST_LOG_MARK"
		echo "$E1000E_ALL_TO_VFIO"
		echo 'P=/sys/module/kvm_hv/parameters/tce_accel'
		echo 'echo "HS-LEVEL $(cat $P)"'
		echo '{ echo 2 > $P; } 2> /dev/null && echo HS-LEVEL2-ACCEPTED'
		echo 'echo "HS-NOTE $(dmesg | grep -c "context tracking (nohz_full) is on")"'
		echo 'taskset -c 1 hcall-load -j -c 2 -m "'"$POWER_MIX"'" > /tmp/e.json && echo "HS-EMU $(cat /tmp/e.json)"'
		echo 'taskset -c 1 hcall-load -j -c 2 -m "'"$POWER_MIX"'" --vfio $groups > /tmp/v.json && echo "HS-VFIO $(cat /tmp/v.json)"'
		echo "$HOST_LOG_CHECK_SINCE_MARK"
		echo "echo HS-ALIVE"
	} > guest.sh
	KFLAVOUR=-d lifecycle_host e1000e-vfio guest.sh nohz_full=1 || return 1
	grep '^HS-BOOTLOG' console | sort -u
	grep -q '^HS-ALIVE' console || { echo "the host did not survive"; return 1; }
	! grep '^HS-HOSTLOG' console || { echo "the host's log shows harm"; return 1; }
	expect_eq "$(sed -n 's/^HS-LEVEL //p' console | tr -d '\r')" 1 "tce_accel at boot with nohz_full" || return 1
	! grep -q HS-LEVEL2-ACCEPTED console || { echo "tce_accel=2 accepted with nohz_full"; return 1; }
	expect_eq "$(sed -n 's/^HS-NOTE //p' console | tr -d '\r')" 1 "the log's note on real mode" || return 1
	local b
	for b in EMU VFIO; do
		sed -n "s/^HS-$b //p" console > $b.json
		[ -s $b.json ] || { echo "no $b run"; return 1; }
		expect_eq "$(tce_path_split $b.json)" "[${POWER_MIX_SPLIT[1]}]" \
			"$b: every TCE hcall in virtual mode, both vCPUs" || return 1
	done
}

# The seed's scenario on the debug build: Debian's QEMU/KVM in the
# emulated POWER8 host runs the pseries guest with the e1000e passed
# through, iperf3 on each level (one direction, no DDW); every TCE hcall
# counted once on the level's path, the host's log clean.
t_kernel_debug_seed_scenario() {
	local kdir t0=$SECONDS
	kdir=$("$TOP/scripts/kernel-build.sh" -d) || return 1
	"$TOP/bench/emulated.sh" -o "$PWD/res" -R 0 -t 3 -d tx -V no-ddw -k "$kdir" > out 2>&1 ||
		{ tail -n 20 out; return 1; }
	echo "emulated bench on the debug kernel, 3 cells: $((SECONDS - t0)) s"
	check_seed_run res 3
}

# QEMU's lifecycle on the debug build: two NICs, a hot unplug/replug
# cycle under traffic (two system resets; HS_DEBUG_REPLUGS, 1, and
# HS_DEBUG_REBOOTS, 0, for more), SIGKILL;
# every table freed, the log and kmemleak silent.
t_kernel_debug_qemu_lifecycle() {
	KFLAVOUR=-d HS_REBOOTS=${HS_DEBUG_REBOOTS:-0} HS_REPLUGS=${HS_DEBUG_REPLUGS:-1} \
		qemu_reboots 2 e1000e-vfio2 sigkill || return 1
	grep -q '^HS-KMEMLEAK-SCANNED' console || { echo "no kmemleak scan (not a KMEMLEAK kernel?)"; return 1; }
	! grep '^HS-KMEMLEAK ' console || { echo "kmemleak reports leaks"; return 1; }
}
