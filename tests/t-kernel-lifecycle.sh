# kernel-patch/ through a VMM's lifecycle on emulated POWER8: every IOMMU
# table KVM took is freed, and the guest RAM VFIO pinned can be
# unregistered, whatever order the VMM tears things down in.  The seed
# thread's open problem (dropping iommu_table references) closed with
# counts.

# Guest-script lines: every e1000e to vfio-pci (bench/pci-vfio.sh, shipped
# with -f); $groups is their IOMMU groups, comma-separated.
E1000E_ALL_TO_VFIO='groups=$(pci-vfio.sh bind $(pci-vfio.sh find 0x10d3) | cut -d" " -f3 | tr "\n" ,)
groups=${groups%,}
echo "HS-GROUPS $groups"'

# Guest-script lines: hcall-load ARGS with VFIO behind the table on each
# tce_accel level of LEVELS; "HS-TAG LEVEL TABLES-BEFORE TABLES-AFTER JSON".
vfio_runs() {	# TAG "LEVELS" HCALL-LOAD-ARGS...
	local tag=$1 levels=$2
	shift 2
	cat <<EOS
for level in $levels; do
	echo \$level > /sys/module/kvm_hv/parameters/tce_accel
	before=\$(tables)
	hcall-load -j $* > /tmp/r.json || { echo "HS-$tag-ERROR \$level"; cat /tmp/r.json; exit 1; }
	echo "HS-$tag \$level \$before \$(tables) \$(cat /tmp/r.json)"
done
echo 2 > /sys/module/kvm_hv/parameters/tce_accel
EOS
}

# A whole guest script: every e1000e to vfio-pci, the table counter
# (tests/guest/iommu-tables.sh: "tables" prints "MADE FREED"), the
# vfio_runs, the host's log check.
vfio_runs_script() {	# TAG "LEVELS" HCALL-LOAD-ARGS...
	echo "$E1000E_ALL_TO_VFIO"
	echo '. /hs/iommu-tables.sh'
	vfio_runs "$@"
	echo "$HOST_LOG_CHECK"
	echo "echo HS-ALIVE"
}

# What every run must show: as many tables freed as made, the RAM VFIO
# pinned unpinned when the VMM unregisters it, the host's log clean.
check_vfio_runs() {	# TAG "LEVELS" CONSOLE
	local tag=$1 levels=$2 console=$3 level line made0 freed0 made1 freed1 r
	! grep -q HS-NO-KPROBES "$console" || { echo "no kprobe events on the host"; return 1; }
	for level in $levels; do
		line=$(grep "^HS-$tag $level " "$console") || { echo "no $tag run at level $level"; return 1; }
		read -r _ _ made0 freed0 made1 freed1 r <<< "$line"
		echo "$r" > r$level.json
		echo "level $level: tables made $((made1 - made0)), freed $((freed1 - freed0)); RAM unregistered: $(jq -r .observed.vfio_unregister r$level.json), still pinned: $(jq -r .observed.vfio_pinned_left_kb r$level.json) kB"
		[ $((made1 - made0)) -gt 0 ] || { echo "level $level: no table made (counter broken?)"; return 1; }
		expect_eq "$((freed1 - freed0))" "$((made1 - made0))" "level $level: IOMMU tables freed vs made" || return 1
		expect_eq "$(jq -r '[.observed.vfio_unregister, .observed.vfio_pinned_left_kb] | join(" ")' r$level.json)" "ok 0" \
			"level $level: VFIO_IOMMU_SPAPR_UNREGISTER_MEMORY's answer, kB still pinned after it" || return 1
	done
	grep -q '^HS-ALIVE' "$console" || { echo "the host did not survive"; return 1; }
	! grep '^HS-HOSTLOG' "$console" || { echo "the host's log shows harm"; return 1; }
}

# The host kernel of a test: the one built in HS_KERNEL_DIR (an older
# series, say), else the build of kernel line KLINE (6.1) and flavour
# KFLAVOUR ("" or -d).
kernel_under_test() {
	if [ -n "${HS_KERNEL_DIR:-}" ]; then
		echo "$HS_KERNEL_DIR"
	else
		"$TOP/scripts/kernel-build.sh" -l "${KLINE:-6.1}" ${KFLAVOUR:-}
	fi
}

# Runs GUEST-SCRIPT on powernv8 with NIC setup NIC and kernel_under_test.
lifecycle_host() {	# NIC GUEST-SCRIPT [KERNEL-ARGS]
	local kdir
	kdir=$(kernel_under_test) || return 1
	"$TOP/scripts/power-testbed.sh" -M powernv8 -c 2 -n "$1" -k "$kdir" -t 900 ${3:+-a "$3"} \
		-f "$TOP/bench/pci-vfio.sh" -f "$TOP/tests/guest/iommu-tables.sh" \
		-f "$TOP/tests/guest/kmemleak-scan.sh" "$2" > console 2>&1 || { tail -n 30 console; return 1; }
}

# Two e1000e on two PHB3s, one VFIO container, both groups attached to
# KVM's table (as QEMU does for two passed-through NICs): the groups share
# the container's table, and the second attach finds it already known.
# Before kernel-patch 0012 that attach kept a table reference nobody
# dropped: one table per window per VM never freed.
t_kernel_lifecycle_two_groups_one_container() {
	vfio_runs_script TWO "2 1 0" -c 2 -m "$POWER_MIX" --vfio '$groups' > guest.sh
	local t0=$SECONDS
	lifecycle_host e1000e-vfio2 guest.sh || return 1
	echo "powernv8, two NICs, 3 levels: $((SECONDS - t0)) s"
	grep -q '^HS-GROUPS [0-9]*,[0-9]*' console || { grep HS-GROUPS console; echo "not two groups"; return 1; }
	check_vfio_runs TWO "2 1 0" console || return 1
	expect_eq "$(jq -r .observed.vfio_group r2.json)" "$(sed -n 's/^HS-GROUPS //p' console | tr -d '\r')" \
		"both groups behind the table"
}

# The VMM removes the DMA window (VFIO clears the table and drops its
# reference) while the group is still attached to KVM's table, then the
# guest keeps mapping.  Before kernel-patch 0015 KVM went on writing TCEs
# into that table, which nobody clears any more: the RAM could not be
# unregistered (EBUSY) and stayed pinned until the VMM exited.
t_kernel_lifecycle_window_removed_under_kvm() {
	vfio_runs_script GONE "2 1" -c 2 -m "stuff-tce-kernel=20,put-tce-kernel=100,put-tce-indirect-kernel=20" \
		--vfio '$groups' --vfio-remove-window > guest.sh
	local t0=$SECONDS
	lifecycle_host e1000e-vfio guest.sh || return 1
	echo "powernv8, window removed under KVM, 2 levels: $((SECONDS - t0)) s"
	check_vfio_runs GONE "2 1" console
}

# The pseries guest image of the bench (bench/guest-agent.sh as its
# agent), built once per test run.
bench_guest_image() {
	if [ ! -e "$WORK/bench-guest/vmlinux" ]; then
		rm -rf "$WORK/bench-guest"
		"$TOP/scripts/power-testbed.sh" -M pseries -n passthrough -o "$WORK/bench-guest" \
			"$TOP/bench/guest-agent.sh" > "$WORK/bench-guest.log" 2>&1 ||
			{ tail -n 5 "$WORK/bench-guest.log"; return 1; }
	fi
	echo "$WORK/bench-guest"
}

# Host-script lines: QEMU/KVM runs the bench's pseries guest with every
# e1000e passed through ($1: how many), iperf3 to this machine's port $2
# started in the guest; "qemu_lck" prints QEMU's VmLck in kB.
qemu_guest_start() {	# NICS PORT
	cat <<EOS
mount -t debugfs none /sys/kernel/debug 2> /dev/null
devs=\$(sh /hs/bench/pci-vfio.sh find 0x10d3 $1 | tr "\n" , | sed "s/,$//")
G=/run/hcallscope-guest
qemu_lck() { sed -n 's/^VmLck:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/\$(cat \$G/qemu.pid)/status; }
traffic() { sh /hs/bench/guest.sh exec "iperf3 -c 10.0.2.2 -p $2 -t 120 > /dev/null 2>&1 &"; }
echo "HS-TABLES-START \$(tables)"
sh /hs/bench/guest.sh start -d \$devs -k /hs/guest/vmlinux -i /hs/guest/initrd.gz -m 1G -w 300 \\
	-x cap-cfpc=broken,cap-sbbc=broken,cap-ibs=broken,cap-ccf-assist=off || { echo HS-FAILED start; exit 1; }
echo "HS-STARTED \$devs \$(date +%s)"
EOS
}

# Runs HOST-SCRIPT on powernv8 (NIC setup NIC) with the bench's guest and
# an iperf3 server on this machine's loopback at port $PORT.
qemu_lifecycle_host() {	# NIC HOST-SCRIPT
	local kdir guest srv rc=0
	kdir=$(kernel_under_test) || return 1
	guest=$(bench_guest_image) || return 1
	make -s -C "$TOP" ARCH=ppc64le tools > /dev/null || return 1
	iperf3 -s -B 127.0.0.1 -p "$PORT" > iperf3-server.log 2>&1 &
	srv=$!
	"$TOP/scripts/power-testbed.sh" -M powernv8 -n "$1" -k "$kdir" -g "$guest" -t 1800 \
		-f "$TOP/bench" -f "$TOP/tests/guest/iommu-tables.sh" -f "$TOP/tests/guest/kmemleak-scan.sh" \
		"$2" > console 2>&1 || rc=$?
	kill $srv 2> /dev/null
	wait $srv 2> /dev/null
	[ $rc = 0 ] || { tail -n 30 console; return 1; }
}

# After a QEMU run: every table made during it freed once QEMU is gone,
# QEMU's locked memory the same after every boot, the host's log clean.
check_qemu_run() {	# CONSOLE
	local start end lcks
	grep -q '^HS-STARTED' "$1" || { grep HS-FAILED "$1"; tail -n 20 "$1"; return 1; }
	start=$(sed -n 's/^HS-TABLES-START //p' "$1" | tr -d '\r')
	end=$(sed -n 's/^HS-TABLES-END //p' "$1" | tr -d '\r')
	echo "IOMMU tables made, freed: before QEMU $start, after it $end"
	[ -n "$end" ] || { echo "no count after QEMU"; return 1; }
	read -r m0 f0 <<< "$start"
	read -r m1 f1 <<< "$end"
	[ $((m1 - m0)) -gt 0 ] || { echo "no table made (counter broken?)"; return 1; }
	expect_eq "$((f1 - f0))" "$((m1 - m0))" "IOMMU tables freed vs made while QEMU ran" || return 1
	if grep -q '^HS-RE\(BOOTED\|PLUGGED\) ' "$1"; then
		lcks=$(sed -n 's/^HS-RE\(BOOTED\|PLUGGED\) [0-9]* \([0-9][0-9]*\) .*/\2/p' "$1" | tr -d '\r' | sort -u)
		[ -n "$lcks" ] || { echo "no VmLck of QEMU read after the boots"; return 1; }
		echo "QEMU VmLck after each boot (kB): $lcks"
		expect_eq "$(echo "$lcks" | wc -l)" 1 "QEMU's locked memory the same after every boot" || return 1
	fi
	grep -q '^HS-ALIVE' "$1" || { echo "the host did not survive"; return 1; }
	sed -n 's/^HS-DMESG //p' "$1" | tr -d '\r' > host-dmesg.log
	[ -s host-dmesg.log ] || { echo "no host kernel log"; return 1; }
	[ -z "$(host_harm_in host-dmesg.log)" ] || { host_harm_in host-dmesg.log; echo "the host's log shows harm"; return 1; }
	! grep -q 'vfio_file_set_kvm' host-dmesg.log || echo "the host logged the 6.1 base's kvm->lock/group_lock report at QEMU's exit"
}

# QEMU's guest (NICS e1000e passed through) rebooted HS_REBOOTS times (1)
# while iperf3 runs: QEMU resets the guest's PHB on each, removing and
# recreating the DMA windows and re-attaching the groups to KVM's table.
# Then the last NIC unplugged and plugged back in HS_REPLUGS times (3),
# traffic running (bench/guest.sh replug).
# END: "stop" (the guest powers off, QEMU exits) or "sigkill" (QEMU killed
# under traffic: the kernel alone tears down KVM's tables, the groups and
# the container).
qemu_reboots() {	# NICS NIC-SETUP END
	local n=${HS_REBOOTS:-1} r=${HS_REPLUGS:-3} t0=$SECONDS
	PORT=$((20000 + RANDOM % 10000))
	{
		echo '. /hs/iommu-tables.sh'
		qemu_guest_start "$1" $PORT
		cat <<EOS
for i in \$(seq $n); do
	traffic; sleep 1
	sh /hs/bench/guest.sh reboot || { echo "HS-FAILED reboot \$i"; break; }
	echo "HS-REBOOTED \$i \$(qemu_lck) \$(date +%s)"
done
for i in \$(seq $r); do
	traffic; sleep 1
	sh /hs/bench/guest.sh replug \${devs##*,} || { echo "HS-FAILED replug \$i"; break; }
	echo "HS-REPLUGGED \$i \$(qemu_lck) \$(sh /hs/bench/guest.sh exec 'grep -l 0x10d3 /sys/bus/pci/devices/*/device | wc -l') \$(date +%s)"
done
EOS
		if [ "$3" = sigkill ]; then
			cat <<'EOS'
traffic; sleep 3
q=$(cat $G/qemu.pid)
kill -KILL $q
while kill -0 $q 2> /dev/null; do sleep 0.1; done
echo HS-KILLED
EOS
		fi
		cat <<'EOS'
sh /hs/bench/guest.sh stop
echo "HS-TABLES-END $(tables)"
EOS
		# the debug build: kmemleak's view once QEMU is gone
		[ "${KFLAVOUR:-}" != -d ] || echo "sh /hs/kmemleak-scan.sh"
		echo 'dmesg | sed "s/^/HS-DMESG /"'
		echo "echo HS-ALIVE"
	} > host.sh
	qemu_lifecycle_host "$2" host.sh || return 1
	echo "powernv8, $1 NIC(s), $n reboots and $r hot unplug/replug cycles under traffic, then $3: $((SECONDS - t0)) s"
	! grep '^HS-FAILED' console || return 1
	expect_eq "$(grep -c '^HS-REBOOTED [0-9]' console)" "$n" "reboots done" || return 1
	expect_eq "$(grep -c '^HS-REPLUGGED [0-9]' console)" "$r" "unplug/replug cycles done" || return 1
	expect_eq "$(sed -n 's/^HS-REPLUGGED [0-9]* [0-9]* \([0-9]*\) .*/\1/p' console | tr -d '\r' | sort -u)" "$1" \
		"NICs the guest sees after each replug" || return 1
	[ "$3" != sigkill ] || grep -q '^HS-KILLED' console || { echo "QEMU not killed"; return 1; }
	check_qemu_run console
}

# Two NICs on two PHB3s in one container (QEMU's default for two
# passed-through devices), 2 reboots under traffic, then the second NIC
# hot unplugged and plugged back in 4 times (QEMU lets go of its VFIO
# group: KVM_DEV_VFIO_GROUP_DEL, and takes it again), then SIGKILL.
# Before kernel-patch 0012 each boot leaked the shared window's table (the
# second group's attach); one NIC takes the same paths minus that one.
t_kernel_lifecycle_qemu_two_nics_reboots_replugs_then_sigkill() { qemu_reboots 2 e1000e-vfio2 sigkill; }
