# kernel-patch/ against a hostile guest, on emulated POWER8 with the
# patched kernel: nothing a guest does may crash, hang or stall the host,
# or leave an invalid TCE in a table.

# The host's log lines that mean it was harmed (printed as HS-HOSTLOG)
HOST_HARM="BUG:|kernel BUG|Oops|WARNING:|Unable to handle|Kernel panic|rcu.*(stall|detected)|soft lockup|hard LOCKUP|suspected memory leak|list_(add|del) corruption|circular locking|inconsistent lock state|suspicious RCU usage|lock held when returning"
HOST_LOG_CHECK='dmesg | grep -E "'$HOST_HARM'" | sed "s/^/HS-HOSTLOG /"'
# The same for a whole kernel log in a file (a VMM's runs in the emulated
# host keep it): the harm lines, but for one report of the 6.1 base that
# a VMM exiting with VFIO MSIs routed through KVM's irq bypass triggers,
# which the series touches nothing of: kvm_vfio_release() calls
# vfio_file_set_kvm() (VFIO's group_lock) under kvm->lock, while powerpc's
# irq bypass producer takes kvm->lock under VFIO's locks (upstream changed
# VFIO's locking in 6.2).  Lockdep stops after it; it comes at the VMM's
# exit, after everything the tests do.  Known by both ends of its chain.
host_harm_in() {	# DMESG-FILE
	awk -v harm="$HOST_HARM" '{ l[NR] = $0 } END {
		for (i = 1; i <= NR; i++) {
			if (l[i] !~ harm)
				continue
			if (l[i] ~ /circular locking dependency/) {
				known = 0
				for (k = i + 1; k <= i + 8 && k <= NR; k++)
					if (l[k] ~ /group_lock.*vfio_file_set_kvm/)
						known++
				for (k = i + 1; k <= i + 8 && k <= NR; k++)
					if (l[k] ~ /kvm->lock.*kvm_device_release/)
						known++
				if (known == 2)
					continue
			}
			print l[i]
		}
	}' "$1"
}
# The same for what the log gained after HOST_LOG_MARK ran; what it held
# before (the boot) is printed as HS-BOOTLOG
HOST_LOG_MARK='hs_log_lines=$(dmesg | wc -l)'
HOST_LOG_CHECK_SINCE_MARK='dmesg | tail -n +$((hs_log_lines + 1)) | grep -E "'$HOST_HARM'" | sed "s/^/HS-HOSTLOG /"
dmesg | head -n $hs_log_lines | grep -E "'$HOST_HARM'" | sed "s/^/HS-BOOTLOG /"'

# Guest-script lines: hcall-load ARGS on each tce_accel level of LEVELS,
# first with an emulated table, then with the e1000e's VFIO group ($group,
# from E1000E_TO_VFIO) behind it; each result as "HS-TAG BACKING LEVEL
# JSON"; tce_accel back to 2 at the end.
each_backing_and_level() {	# TAG "LEVELS" HCALL-LOAD-ARGS...
	local tag=$1 levels=$2
	shift 2
	cat <<EOS
for backing in emulated vfio; do
	args=
	[ \$backing = vfio ] && args="--vfio \$group"
	for level in $levels; do
		echo \$level > /sys/module/kvm_hv/parameters/tce_accel
		hcall-load -j $* \$args > /tmp/r.json ||
			{ echo "HS-$tag-ERROR \$backing \$level"; cat /tmp/r.json; exit 1; }
		echo "HS-$tag \$backing \$level \$(cat /tmp/r.json)"
	done
done
echo 2 > /sys/module/kvm_hv/parameters/tce_accel
EOS
}

# H_PUT_TCE_INDIRECT of 512 TCEs while another CPU keeps flipping an
# offset bit of the list's last entry (checked last by a first pass, used
# last by a second): on every tce_accel level, with an emulated table and
# with a VFIO group behind it.  Before kernel-patch 0005/0007/0008 the
# value re-read for use was not checked again: the emulated table stored
# misaligned TCEs, and with VFIO the host hit BUG_ON() in pnv_tce_xchg().
t_kernel_hostile_indirect_list_race() {
	local kdir
	kdir=$(kernel_under_test) || return 1
	{
		echo "$E1000E_TO_VFIO"
		each_backing_and_level RACE "2 1 0" -m put-tce-indirect-race=${HS_RACE_CALLS:-300}
		echo "$HOST_LOG_CHECK"
		echo "echo HS-ALIVE"
	} > guest.sh
	local t0=$SECONDS
	"$TOP/scripts/power-testbed.sh" -M powernv8 -c 2 -n e1000e-vfio -k "$kdir" -t 600 \
		-f "$TOP/bench/pci-vfio.sh" guest.sh > console 2>&1 || { tail -n 30 console; return 1; }
	echo "powernv8, 2 CPUs, 6 racing runs: $((SECONDS - t0)) s"
	grep -q '^HS-ALIVE' console || { tail -n 30 console; echo "the host did not survive"; return 1; }
	! grep '^HS-HOSTLOG' console || { echo "the host's log shows harm"; return 1; }
	check_race_runs console
}

# The race runs' outcome in CONSOLE: no invalid TCE stored, every call
# answered H_SUCCESS or H_PARAMETER, the entry really flipped.
check_race_runs() {	# CONSOLE
	local backing level r
	for backing in emulated vfio; do
		for level in 2 1 0; do
			r=$(sed -n "s/^HS-RACE $backing $level //p" "$1")
			[ -n "$r" ] || { echo "no result for $backing level $level"; return 1; }
			# no invalid TCE stored (the guest reads the last TCE back
			# after each success; none left in the table); every call
			# answered H_SUCCESS or H_PARAMETER; the entry really flipped
			echo "$r" | jq -r --arg b "$backing" --arg l "$level" '
				(.mix[0].per_vcpu) as $n | .observed as $o |
				($o.per_vcpu[0].returns["put-tce-indirect-race"]) as $ret |
				"\($b) level \($l): \($n) calls, \($ret.failed) H_PARAMETER, " +
				"\($n - $ret.failed) H_SUCCESS, \($o.race_list_flips) flips, " +
				"invalid TCEs read back \($o.per_vcpu[0].race_invalid_stored), left \($o.tce_tables[0].entries_invalid), " +
				"paths \($o.per_vcpu[0].kvm_stats | [.h_put_tce_indirect_realmode, .h_put_tce_indirect_virtmode, .h_put_tce_indirect_user])"'
			echo "$r" | jq -e '.observed as $o | ($o.per_vcpu[0].returns["put-tce-indirect-race"]) as $ret |
				$o.per_vcpu[0].race_invalid_stored == 0 and
				$o.tce_tables[0].entries_invalid == 0 and $o.race_list_flips > 1000 and
				($ret.failed == 0 or $ret.last_error == -4) and
				(($o.vfio_group != null) == ($b == "vfio"))' \
				--arg b "$backing" > /dev/null || { echo "$backing level $level: wrong outcome"; return 1; }
		done
	done
}

# Real mode takes a bounded amount of work (kernel-patch 0009): an
# H_STUFF_TCE of 4096 TCEs completes in virtual mode at tce_accel=2, with
# and without VFIO, while the 8-TCE ones of the same run stay in real mode.
t_kernel_hostile_realmode_work_bounded() {
	local kdir
	kdir=$(kernel_under_test) || return 1
	cat > guest.sh <<EOS
$E1000E_TO_VFIO
echo 2 > /sys/module/kvm_hv/parameters/tce_accel
hcall-load -j -m stuff-tce-large=40 > /tmp/e.json || exit 1
echo "HS-LARGE emulated \$(cat /tmp/e.json)"
hcall-load -j -m stuff-tce-large=40 --vfio \$group > /tmp/v.json || exit 1
echo "HS-LARGE vfio \$(cat /tmp/v.json)"
hcall-load -j -m stuff-tce-kernel=40 --vfio \$group > /tmp/s.json || exit 1
echo "HS-SMALL vfio \$(cat /tmp/s.json)"
$HOST_LOG_CHECK
EOS
	"$TOP/scripts/power-testbed.sh" -M powernv8 -n e1000e-vfio -k "$kdir" -t 300 \
		-f "$TOP/bench/pci-vfio.sh" guest.sh > console 2>&1 || { tail -n 30 console; return 1; }
	! grep '^HS-HOSTLOG' console || { echo "the host's log shows harm"; return 1; }
	local what got
	for what in "LARGE emulated" "LARGE vfio" "SMALL vfio"; do
		sed -n "s/^HS-$what //p" console > r.json
		got=$(jq -c '.observed.per_vcpu[0] | [(.kvm_stats | .h_stuff_tce_realmode, .h_stuff_tce_virtmode, .h_stuff_tce_user),
			.returns[].failed]' r.json) || { echo "no result for $what"; return 1; }
		echo "$what: H_STUFF_TCE [real, virtual, user, failed] = $got"
		case $what in
		LARGE*) expect_eq "$got" "[0,40,0,0]" "$what" || return 1 ;;
		SMALL*) expect_eq "$got" "[40,0,0,0]" "$what" || return 1 ;;
		esac
	done
}

# No kprobe can be placed on the real-mode TCE path (kernel-patch 0010):
# every function the patch blacklists that the kernel has as a symbol is
# refused by kprobe_events, and the host then runs real-mode TCE hcalls.
t_kernel_hostile_no_kprobe_in_real_mode() {
	local kdir fns
	kdir=$(kernel_under_test) || return 1
	fns=$(sed -n 's/^+NOKPROBE_SYMBOL(\(.*\));$/\1/p' "$TOP/kernel-patch/${KLINE:-6.1}"/*.patch | sort -u | tr '\n' ' ')
	[ -n "$fns" ] || { echo "no NOKPROBE_SYMBOL in the series"; return 1; }
	cat > guest.sh <<EOS
for f in $fns; do
	grep -q " \$f\\\$" /proc/kallsyms || { echo "HS-NOSYM \$f"; continue; }
	if echo "p:hs_probe \$f" >> /sys/kernel/tracing/kprobe_events 2> /dev/null; then
		echo "HS-PROBED \$f"
		echo "-:hs_probe" >> /sys/kernel/tracing/kprobe_events
	else
		echo "HS-REFUSED \$f"
	fi
done
echo 2 > /sys/module/kvm_hv/parameters/tce_accel
hcall-load -j -c 2 -m $POWER_MIX > /tmp/l.json || exit 1
echo "HS-LOAD \$(cat /tmp/l.json)"
$HOST_LOG_CHECK
EOS
	"$TOP/scripts/power-testbed.sh" -M powernv8 -k "$kdir" -t 300 \
		guest.sh > console 2>&1 || { tail -n 30 console; return 1; }
	echo "refused: $(grep -c '^HS-REFUSED' console), no symbol (inlined): $(sed -n 's/^HS-NOSYM //p' console | tr '\n' ' ')"
	! grep '^HS-PROBED' console || { echo "a probe was accepted on the real-mode path"; return 1; }
	local f
	for f in kvmppc_rm_h_put_tce kvmppc_rm_h_put_tce_indirect kvmppc_rm_h_stuff_tce; do
		grep -qx "HS-REFUSED $f" console || { echo "$f: not refused"; return 1; }
	done
	! grep '^HS-HOSTLOG' console || { echo "the host's log shows harm"; return 1; }
	sed -n 's/^HS-LOAD //p' console > l.json
	expect_eq "$(tce_path_split l.json)" "[${POWER_MIX_SPLIT[2]}]" "level 2 split after the probes" 
}

# The differential fuzzer: hcall-load --fuzz SEED,CALLS makes each of 2
# vCPUs issue CALLS random TCE hcalls (random LIOBN, ioba, TCE values and
# permission bits, list pages and lengths, page counts; bad ones
# included), once per tce_accel level, with an emulated table and with a
# VFIO group behind it.  Every return code, every TCE H_GET_TCE reads and
# both tables' final contents must equal those of the userspace-only run
# with the emulated table (the VMM's implementation of PAPR with KVM's
# checks).  A divergence names the seed and the first differing call, so
# it replays: HS_FUZZ_SEED=S HS_FUZZ_CALLS=N tests/run.sh hostile_fuzz
t_kernel_hostile_fuzz() {
	local kdir seed=${HS_FUZZ_SEED:-20261129} calls=${HS_FUZZ_CALLS:-600}
	kdir=$(kernel_under_test) || return 1
	{
		echo "$E1000E_TO_VFIO"
		each_backing_and_level FUZZ "0 1 2" -c 2 --fuzz "$seed,$calls"
		echo "$HOST_LOG_CHECK"
		echo "echo HS-ALIVE"
	} > guest.sh
	local t0=$SECONDS
	"$TOP/scripts/power-testbed.sh" -M powernv8 -n e1000e-vfio -k "$kdir" -t 600 \
		-f "$TOP/bench/pci-vfio.sh" guest.sh > console 2>&1 || { tail -n 30 console; return 1; }
	grep -q '^HS-ALIVE' console || { tail -n 30 console; echo "the host did not survive"; return 1; }
	! grep '^HS-HOSTLOG' console || { echo "the host's log shows harm"; return 1; }
	sed -n "s/^HS-FUZZ emulated 0 //p" console > ref.json
	[ -s ref.json ] || { echo "no reference run"; return 1; }
	local backing level bad
	for backing in emulated vfio; do
		for level in 0 1 2; do
			sed -n "s/^HS-FUZZ $backing $level //p" console > run.json
			[ -s run.json ] || { echo "no run for $backing level $level"; return 1; }
			bad=$(jq -r --slurpfile R ref.json --arg w "$backing level $level" -f "$TOP/tests/jq/fuzz-diff.jq" run.json) ||
				{ echo "jq failed on $backing level $level"; return 1; }
			[ -z "$bad" ] || { echo "$bad"; return 1; }
			jq -r --arg w "$backing level $level" '"\($w): \(.vcpus) x \(.observed.per_vcpu[0].fuzz.returns | length) calls, " +
				"\([.observed.per_vcpu[].fuzz.returns[] | select(. == 0)] | length) H_SUCCESS, " +
				"\([.observed.per_vcpu[].fuzz.returns[] | select(. == -4)] | length) H_PARAMETER, paths " +
				"\([.observed.per_vcpu[].kvm_stats | to_entries[] | select(.key | test("realmode")) | .value] | add)/" +
				"\([.observed.per_vcpu[].kvm_stats | to_entries[] | select(.key | test("virtmode")) | .value] | add)/" +
				"\([.observed.per_vcpu[].kvm_stats | to_entries[] | select(.key | test("_user$")) | .value] | add) real/virtual/user"' run.json
		done
	done
	echo "seed $seed: $((calls * 2 * 6)) calls in $((SECONDS - t0)) s, identical on every level and backing"
}

# The VMM detaches the VFIO group from KVM's table and attaches it again,
# over and over, while two vCPUs issue TCE hcalls on it (hot unplug and
# replug as KVM sees them).  Before kernel-patch 0013 the group's removal
# neither took the lock the table fd's release takes nor waited for hcalls
# in flight.  Pass: the host lives with a clean log, every table made is
# freed, the RAM unpins at the end.
t_kernel_hostile_group_churn_under_hcalls() {
	vfio_runs_script CHURN "2 1" -c 2 -m "put-tce-kernel=100000,put-tce-indirect-kernel=5000,stuff-tce-kernel=5000" \
		--vfio '$groups' --vfio-churn > guest.sh
	local t0=$SECONDS
	lifecycle_host e1000e-vfio guest.sh || return 1
	echo "powernv8, group churn under hcalls, 2 levels: $((SECONDS - t0)) s"
	check_vfio_runs CHURN "2 1" console || return 1
	local level
	for level in 2 1; do
		echo "level $level: $(jq -c .observed.vfio_churn r$level.json) group detach/attach rounds"
		jq -e '.observed.vfio_churn | .error == null and .rounds >= 5' r$level.json > /dev/null ||
			{ echo "level $level: the churn did not run"; return 1; }
	done
}

# The table-closing runs' lines (each_backing_and_level CLOSE "2 1" ...):
# the guest's two vCPUs issue H_STUFF_TCE of 7936 TCEs (virtual mode on
# every level: more than real mode takes) and H_PUT_TCE on a LIOBN whose
# table a VMM thread keeps making and closing (with the e1000e's group
# attached to it in the vfio runs).
TABLE_CLOSE_MIX="stuff-tce-churn=${HS_CLOSE_CALLS:-4000},put-tce-churn=${HS_CLOSE_CALLS:-4000}"

# Every run: the tables came and went, every call answered H_SUCCESS (the
# table was there) or H_PARAMETER (it was not: the VMM refuses the LIOBN),
# some of both.
check_table_close_runs() {	# CONSOLE
	local backing level r
	for backing in emulated vfio; do
		for level in 2 1; do
			r=$(sed -n "s/^HS-CLOSE $backing $level //p" "$1")
			[ -n "$r" ] || { echo "no result for $backing level $level"; return 1; }
			echo "$r" | jq -r --arg b "$backing" --arg l "$level" '
				(.mix[0].per_vcpu) as $n | .observed as $o |
				"\($b) level \($l): tables made and closed \($o.table_churn.rounds); " +
				([$o.per_vcpu[].returns | to_entries[] | "\(.key) \($n - .value.failed)/\($n) H_SUCCESS"] | join(", "))'
			echo "$r" | jq -e --arg b "$backing" '.observed as $o | (.mix[0].per_vcpu) as $n |
				$o.table_churn.error == null and $o.table_churn.rounds >= 1 and
				([$o.per_vcpu[].returns[] | .last_error == 0 or .last_error == -4] | all) and
				([$o.per_vcpu[].returns[].failed] | add) > 0 and
				([$o.per_vcpu[].returns[].failed] | add) < 4 * $n and
				(($o.vfio_group != null) == ($b == "vfio"))' > /dev/null ||
				{ echo "$backing level $level: wrong outcome"; return 1; }
		done
	done
}

# The VMM closes a LIOBN's table fd while its vCPUs issue TCE hcalls on
# that LIOBN (QEMU does so on a PHB reset or hot unplug), with and without
# a VFIO group behind the table.  Virtual mode looked the table up without
# holding anything across its use, while the fd's release freed it after
# an RCU grace period only; a long H_STUFF_TCE reschedules between chunks
# (0018), which lets that grace period end mid-call.  Since kernel-patch
# 0019 the handlers hold kvm->srcu and the release waits for it.
# One boot of the emulated POWER8 host with the e1000e bound to vfio-pci:
# GENERATOR's guest-script lines, then the host's log checked; the host
# must come through with a clean log.  The console is left in ./console.
hostile_boot() {	# GENERATOR KERNEL-ARGS WHAT
	{
		echo "$E1000E_TO_VFIO"
		$1
		echo "$HOST_LOG_CHECK"
		echo "echo HS-ALIVE"
	} > guest.sh
	local t0=$SECONDS
	lifecycle_host e1000e-vfio guest.sh "$2" || return 1
	echo "powernv8, $3: $((SECONDS - t0)) s"
	grep -q '^HS-ALIVE' console || { tail -n 30 console; echo "the host did not survive"; return 1; }
	! grep '^HS-HOSTLOG' console || { echo "the host's log shows harm"; return 1; }
}

table_close_runs() { each_backing_and_level CLOSE "2 1" -c 2 -m "$TABLE_CLOSE_MIX"; }
t_kernel_hostile_table_closed_under_hcalls() {
	hostile_boot table_close_runs "${HS_CLOSE_KARGS-rcutree.jiffies_till_sched_qs=1}" \
		"tables closed under hcalls, 4 runs" || return 1
	check_table_close_runs console
}

# The host's MMU notifier (and with it the guest's page faults: both wait
# for kvm->mmu_lock) while two vCPUs issue the most work real mode takes
# in one call, H_PUT_TCE_INDIRECT of 512 TCEs with the e1000e's group
# behind the table (mmu_lock held across 512 maps and invalidations):
# a VMM thread times madvise(MADV_DONTNEED) of a page of a memslot of its
# own (hcall-load --notifier-probe), at level 2 (real mode), level 1
# (virtual mode) and beside a quiet guest (H_GET_TCE only).  The figures
# are printed side by side; the test asserts that the notifier kept
# going (HS_STORM_MIN_CALLS, 500, calls in every run) and that the host
# logged no stall or lockup.
t_kernel_hostile_realmode_storm_notifier_latency() {
	local n=${HS_STORM_CALLS:-150}
	cat > guest.sh <<EOS
$E1000E_TO_VFIO
for run in "storm-realmode 2 put-tce-indirect-512=$n" "storm-virtmode 1 put-tce-indirect-512=$n" "quiet 2 get-tce-kernel=$((n * 20))"; do
	set -- \$run
	echo \$2 > /sys/module/kvm_hv/parameters/tce_accel
	hcall-load -j -c 2 -m \$3 --vfio \$group --notifier-probe > /tmp/r.json || { echo "HS-STORM-ERROR \$1"; cat /tmp/r.json; exit 1; }
	echo "HS-STORM \$1 \$(cat /tmp/r.json)"
done
echo 2 > /sys/module/kvm_hv/parameters/tce_accel
$HOST_LOG_CHECK
echo HS-ALIVE
EOS
	local t0=$SECONDS
	lifecycle_host e1000e-vfio guest.sh || return 1
	echo "powernv8, notifier under TCE hcall storms, 3 runs: $((SECONDS - t0)) s"
	grep -q '^HS-ALIVE' console || { tail -n 30 console; echo "the host did not survive"; return 1; }
	! grep '^HS-HOSTLOG' console || { echo "the host's log shows harm"; return 1; }
	local run r
	for run in storm-realmode storm-virtmode quiet; do
		r=$(sed -n "s/^HS-STORM $run //p" console)
		[ -n "$r" ] || { echo "no $run run"; return 1; }
		echo "$r" | jq -r --arg run "$run" '.observed.notifier as $p | .observed.per_vcpu[0].kvm_stats as $k |
			"\($run): notifier calls \($p.calls), p50 \($p.p50_ns / 1000 | floor) us, p99 \($p.p99_ns / 1000 | floor) us, max \($p.max_ns / 1000 | floor) us; vCPU 0 INDIRECT real/virt \($k.h_put_tce_indirect_realmode)/\($k.h_put_tce_indirect_virtmode)"'
		echo "$r" | jq -e --argjson min "${HS_STORM_MIN_CALLS:-500}" '.observed.notifier | .error == null and .calls >= $min' > /dev/null ||
			{ echo "$run: the notifier did not keep going"; return 1; }
	done
	# the storm really ran on the path it names
	echo "$(sed -n 's/^HS-STORM storm-realmode //p' console)" |
		jq -e '[.observed.per_vcpu[].kvm_stats.h_put_tce_indirect_realmode] | add > 0' > /dev/null ||
		{ echo "no real-mode H_PUT_TCE_INDIRECT in the real-mode storm"; return 1; }
}

# What a hostile VMM attaches to a LIOBN (tests/helpers/kvm-tce-attach):
# - a VFIO group it never put in a container: the group's table group
#   then holds the host's own DMA window.  Before kernel-patch 0020 (6.12:
#   0019) KVM took that table and would write the guest's TCEs into it
#   (in real mode, a WARN with the MMU off): now EPERM.
# - a LIOBN whose TCE pages each cover more than 4096 pages of the
#   container's IOMMU window (32M over 4K): before 0023 (6.12: 0022) one
#   TCE was that many exchanges in one RCU section, up to 4M with 16G
#   pages: now EINVAL; 16M over 4K (4096) still attaches.
# - 20 rounds of a window created, attached and removed, the LIOBN kept
#   open: before 0024 (6.12: 0023) KVM held all 20 retired tables until
#   the LIOBN's fd closed (VFIO had already given back the locked memory
#   it charged for them); now each attach lets go of the retired ones.
# Then the same group in a container carries TCE hcalls as ever, and the
# host's log is clean.
t_kernel_hostile_vmm_attach_refusals() {
	local kdir
	kdir=$(kernel_under_test) || return 1
	cat > guest.sh <<EOS
$E1000E_TO_VFIO
echo "HS-ATTACH \$(kvm-tce-attach \$group)"
echo "HS-ATTACH-16M \$(kvm-tce-attach -c 12 -s 24 \$group)"
echo "HS-ATTACH-32M \$(kvm-tce-attach -c 12 -s 25 \$group)"
sleep 1		# the tables of the runs above freed before counting starts
. /hs/iommu-tables.sh
echo "HS-RETIRE-BEFORE \$(tables)"
mkfifo /tmp/go
kvm-tce-attach -c 12 -r 20 \$group < /tmp/go > /tmp/rounds &
p=\$!
exec 3> /tmp/go
for i in \$(seq 300); do grep -q attached /tmp/rounds && break; sleep 0.1; done
sleep 1		# the grace period before a table let go of is put
echo "HS-RETIRE-HELD \$(cat /tmp/rounds) \$(tables)"
echo >&3; exec 3>&-; wait \$p
sleep 1
echo "HS-RETIRE-AFTER \$(tables)"
hcall-load -j -m put-tce-kernel=10 --vfio \$group > /tmp/l.json || { cat /tmp/l.json; exit 1; }
echo "HS-CONTAINED \$(cat /tmp/l.json)"
$HOST_LOG_CHECK
EOS
	"$TOP/scripts/power-testbed.sh" -M powernv8 -n e1000e-vfio -k "$kdir" -t 300 \
		-f "$PPC_BIN/kvm-tce-attach" -f "$TOP/bench/pci-vfio.sh" -f "$TOP/tests/guest/iommu-tables.sh" \
		guest.sh > console 2>&1 || { tail -n 30 console; return 1; }
	grep -E '^HS-(ATTACH|RETIRE)' console
	expect_eq "$(sed -n 's/^HS-ATTACH //p' console)" "refused: EPERM" \
		"attaching a group outside any container to a LIOBN" || return 1
	expect_eq "$(sed -n 's/^HS-ATTACH-16M //p' console)" "attached" \
		"a LIOBN of 16M pages over a 4K IOMMU window (4096 entries a TCE)" || return 1
	expect_eq "$(sed -n 's/^HS-ATTACH-32M //p' console)" "refused: EINVAL" \
		"a LIOBN of 32M pages over a 4K IOMMU window (8192 entries a TCE)" || return 1
	# tables alive (made - freed): with the LIOBN still open, the last
	# round's more and the host's own table of the group less (freed while
	# the group is in a container, made again after): at most one more
	# than before (measured: as many); none more once the VMM is gone
	local before held after
	before=$(sed -n 's/^HS-RETIRE-BEFORE \([0-9]*\) \([0-9]*\).*/\1 - \2/p' console | tr -d '\r')
	held=$(sed -n 's/^HS-RETIRE-HELD attached 20 \([0-9]*\) \([0-9]*\).*/\1 - \2/p' console | tr -d '\r')
	after=$(sed -n 's/^HS-RETIRE-AFTER \([0-9]*\) \([0-9]*\).*/\1 - \2/p' console | tr -d '\r')
	[ -n "$before" ] && [ -n "$held" ] && [ -n "$after" ] || { echo "no table counts for the 20 rounds"; return 1; }
	echo "tables alive: before $((before)), after 20 rounds with the LIOBN open $((held)), closed $((after))"
	[ $((held - before)) -le 1 ] || { echo "KVM holds $((held - before)) more tables after 20 rounds (retired ones kept)"; return 1; }
	expect_eq $((after)) $((before)) "tables alive once the VMM is gone" || return 1
	sed -n 's/^HS-CONTAINED //p' console > l.json
	expect_eq "$(jq -c '[.observed.vfio_group != null, ([.observed.per_vcpu[0].returns[].failed] | add),
		(.observed.per_vcpu[0].kvm_stats | .h_put_tce_realmode + .h_put_tce_virtmode)]' l.json)" \
		"[true,0,10]" "the group in a container: attached, 10 H_PUT_TCE done in the kernel" || return 1
	! grep '^HS-HOSTLOG' console || { echo "the host's log shows harm"; return 1; }
}

# Guest-script lines: the hostile and lifecycle runs one boot with two
# e1000e can hold ($group, $groups bound; the table counter sourced; the
# host booted with HUGE_KARGS): the racing indirect list, two groups in
# one container, the window removed under KVM, the group churned under
# hcalls, tables closed under hcalls, one entry shared by racing vCPUs, a
# TCE whose host page is misaligned to the IOMMU's.
one_boot_hostile_runs() {
	each_backing_and_level RACE "2 1 0" -m put-tce-indirect-race=${HS_RACE_CALLS:-300}
	vfio_runs TWO "2 1 0" -c 2 -m "$POWER_MIX" --vfio '$groups'
	vfio_runs GONE "2 1" -c 2 -m "stuff-tce-kernel=20,put-tce-kernel=100,put-tce-indirect-kernel=20" \
		--vfio '$group' --vfio-remove-window
	vfio_runs CHURN "2 1" -c 2 -m "put-tce-kernel=100000,put-tce-indirect-kernel=5000,stuff-tce-kernel=5000" \
		--vfio '$group' --vfio-churn
	each_backing_and_level CLOSE "2 1" -c 2 -m "$TABLE_CLOSE_MIX"
	shared_entry_runs
	misaligned_runs
}

# What those runs must show in CONSOLE.
check_one_boot_hostile_runs() {	# CONSOLE
	check_race_runs "$1" || return 1
	check_vfio_runs TWO "2 1 0" "$1" || return 1
	check_vfio_runs GONE "2 1" "$1" || return 1
	check_vfio_runs CHURN "2 1" "$1" || return 1
	check_table_close_runs "$1" || return 1
	check_shared_entry_runs "$1" || return 1
	check_misaligned_runs "$1"
}

# Two vCPUs map one TCE entry at once, each call to a page of the other
# half of RAM (hcall-load's put-tce-shared; RAM registered with VFIO as
# two regions), the e1000e's group behind the table, at level 2 (real
# mode) and 1 (virtual mode).  KVM exchanges the IOMMU entry and then
# records the page's userspace address beside it; racing there (before
# kernel-patch 0022, 6.12: 0021), both calls dropped the count of the same
# old page and the other page's never came down: VmLck stayed up after
# the VMM unregistered its RAM, and destroy_context() warned at its exit.
# The same again with a VMM thread mapping and unmapping that entry
# through VFIO meanwhile (--vfio-map-race), as a VMM does for an hcall KVM
# left to it: VFIO's map and unmap make the same steps on the entry.
# Pass: every call H_SUCCESS on the kernel's paths, VFIO unregisters both
# halves, nothing stays locked, the host's log clean.
shared_entry_runs() {	# the guest script's lines; $group is the e1000e's
	cat <<EOS
for run in "2 " "1 " "2 --vfio-map-race" "1 --vfio-map-race"; do
	set -- \$run
	echo \$1 > /sys/module/kvm_hv/parameters/tce_accel
	hcall-load -j -c 2 -m put-tce-shared=${HS_SHARED_CALLS:-20000} --vfio \$group \$2 > /tmp/r.json || { echo "HS-SHARED-ERROR \$run"; cat /tmp/r.json; exit 1; }
	echo "HS-SHARED \$1\${2:+ vfio} \$(cat /tmp/r.json)"
done
echo 2 > /sys/module/kvm_hv/parameters/tce_accel
EOS
}
check_shared_entry_runs() {	# CONSOLE
	local level r n=${HS_SHARED_CALLS:-20000}
	for level in 2 1 "2 vfio" "1 vfio"; do
		r=$(sed -n "s/^HS-SHARED $level {/{/p" "$1")
		[ -n "$r" ] || { echo "no shared-entry run at level $level"; return 1; }
		echo "$r" | jq -r --arg l "$level" '"shared entry, level \($l): real/virt " +
			([.observed.per_vcpu[].kvm_stats | "\(.h_put_tce_realmode)/\(.h_put_tce_virtmode)"] | join(", ")) +
			", VFIO unregister \(.observed.vfio_unregister), left locked \(.observed.vfio_pinned_left_kb) kB" +
			(if .observed.vfio_map_race then ", VFIO maps \(.observed.vfio_map_race.rounds)" else "" end)'
		case $level in *vfio)
			echo "$r" | jq -e '.observed.vfio_map_race.error == null and .observed.vfio_map_race.rounds > 100' > /dev/null ||
				{ echo "shared entry, level $level: the VFIO thread did not keep mapping: $(echo "$r" | jq -c .observed.vfio_map_race)"; return 1; } ;;
		esac
		echo "$r" | jq -e --argjson n "$n" '[.observed.per_vcpu[].returns["put-tce-shared"].failed] == [0, 0] and
			([.observed.per_vcpu[].kvm_stats | .h_put_tce_realmode + .h_put_tce_virtmode] == [$n, $n])' > /dev/null ||
			{ echo "shared entry, level $level: calls failed or off the kernel's paths"; return 1; }
		echo "$r" | jq -e '.observed.vfio_unregister == "ok" and .observed.vfio_pinned_left_kb == 0' > /dev/null ||
			{ echo "shared entry, level $level: guest RAM left pinned after the VMM let go of it"; return 1; }
	done
	# real mode took its share of the race at level 2
	sed -n 's/^HS-SHARED 2 {/{/p' "$1" | jq -e '[.observed.per_vcpu[].kvm_stats.h_put_tce_realmode] | add > 0' > /dev/null ||
		{ echo "shared entry: no real-mode H_PUT_TCE at level 2"; return 1; }
}
t_kernel_hostile_shared_entry_race() {
	hostile_boot shared_entry_runs "" \
		"one entry shared by 2 vCPUs, ${HS_SHARED_CALLS:-20000} calls each, levels 2 and 1" || return 1
	check_shared_entry_runs console
}

# The upper half of guest RAM in 16M huge pages, its memslot starting 64K
# into the first (hcall-load --hugetlb-offset 64), the LIOBN's and the VFIO
# window's pages 16M as well: a TCE there (put-tce-high) has its host
# address 64K past the IOMMU page it names, which pnv_tce_xchg() meets
# with BUG_ON() (6.12 before 0020: an oops in virtual mode with interrupts
# off, the VMM's vCPU thread dead, the guest script never finishing).
# kernel-patch 0021 (6.12: 0020) answers H_PARAMETER.  First the slot
# aligned (offset 0): every call maps, so the 16M setup itself works.
# Levels 2 and 1; the host needs HUGE_KARGS on its command line.
HUGE_KARGS="hugepagesz=16M hugepages=4"
misaligned_runs() {	# the guest script's lines; $group is the e1000e's
	cat <<EOS
for off in 0 64; do
	for level in 2 1; do
		echo \$level > /sys/module/kvm_hv/parameters/tce_accel
		hcall-load -j -m put-tce-high=50 --vfio \$group --hugetlb-offset \$off > /tmp/r.json ||
			{ echo "HS-HUGE-ERROR \$off \$level"; cat /tmp/r.json; exit 1; }
		echo "HS-HUGE \$off \$level \$(cat /tmp/r.json)"
	done
done
echo 2 > /sys/module/kvm_hv/parameters/tce_accel
EOS
}
check_misaligned_runs() {	# CONSOLE
	local off level r want
	for off in 0 64; do
		for level in 2 1; do
			r=$(sed -n "s/^HS-HUGE $off $level //p" "$1")
			[ -n "$r" ] || { echo "no 16M run with offset $off at level $level"; return 1; }
			# aligned: all 50 map (H_SUCCESS); misaligned: all 50 H_PARAMETER (-4), nothing stored
			want='{"failed":0,"last_error":0}'
			[ $off = 0 ] || want='{"failed":50,"last_error":-4}'
			expect_eq "$(echo "$r" | jq -c '.observed.per_vcpu[0].returns["put-tce-high"]')" "$want" \
				"offset $off KB, level $level: put-tce-high's returns" || return 1
			expect_eq "$(echo "$r" | jq -c '[.observed.tce_tables[0].entries_set, .observed.vfio_unregister, .observed.vfio_pinned_left_kb]')" \
				"[$([ $off = 0 ] && echo 1 || echo 0),\"ok\",0]" \
				"offset $off KB, level $level: [entries set, VFIO's unregister, kB left locked]" || return 1
			echo "$r" | jq -r --arg o "$off" --arg l "$level" '"16M pages, offset \($o) KB, level \($l): " +
				(.observed.per_vcpu[0].kvm_stats | "real/virt/user \(.h_put_tce_realmode)/\(.h_put_tce_virtmode)/\(.h_put_tce_user)")'
		done
	done
}
t_kernel_hostile_misaligned_host_page() {
	hostile_boot misaligned_runs "$HUGE_KARGS" \
		"16M pages, a slot aligned and one 64K into its page, levels 2 and 1" || return 1
	check_misaligned_runs console
}
