# kernel-patch/: each series against its Debian linux-source (6.1, 6.12),
# and their effect on a POWER8 host under QEMU (powernv8).  The checks of a
# series' text and build are written once (kseries_*) and run per line:
# t_kernel_* on 6.1, t_kernel612_* on 6.12.
. "$TOP/scripts/lib/kernel-series.sh"

# The pristine tree of LINE, extracted once per test run.
pristine_tree() {	# LINE
	# tests run two at a time: one unpacks (under a lock, then renames),
	# the other waits and never sees half a tree
	mkdir -p "$WORK/pristine"
	(
		flock 9
		[ -d "$WORK/pristine/linux-source-$1" ] && exit 0
		rm -rf "$WORK/pristine/unpack-$1" && mkdir "$WORK/pristine/unpack-$1" &&
		tar -xJf "$(hs_kernel_tarball "$1")" -C "$WORK/pristine/unpack-$1" &&
		mv "$WORK/pristine/unpack-$1/linux-source-$1" "$WORK/pristine/linux-source-$1" &&
		rmdir "$WORK/pristine/unpack-$1"
	) 9> "$WORK/pristine/.lock-$1" || return 1
	echo "$WORK/pristine/linux-source-$1"
}

kseries_applies_and_refuses() {	# LINE
	local src dir ver
	src=$(pristine_tree "$1") || return 1
	dir=$(hs_series_dir "$1") || return 1
	cp -a "$src" tree
	"$TOP/scripts/kernel-apply.sh" tree > out || { cat out; return 1; }
	grep -q "$(grep -c . "$dir/series") patches of the $1 series applied" out || { cat out; return 1; }
	# a second time: refused, and the tree is left as it was
	(cd tree && find arch drivers -name '*.[ch]' -newer Makefile -print0 | xargs -0 md5sum) > before
	EXPECT_MSG="does not apply" expect_error "$TOP/scripts/kernel-apply.sh" tree || return 1
	(cd tree && find arch drivers -name '*.[ch]' -newer Makefile -print0 | xargs -0 md5sum) > after
	cmp -s before after || { echo "tree changed by a refused apply"; return 1; }
	# another release of the same line, and a line with no series
	ver=$(cat "$dir/base")
	mkdir other && sed "s/^SUBLEVEL = .*/SUBLEVEL = $((${ver##*.} - 1))/" "$src/Makefile" > other/Makefile
	EXPECT_MSG="is Linux ${ver%.*}.$((${ver##*.} - 1))" expect_error "$TOP/scripts/kernel-apply.sh" other || return 1
	mkdir none && sed "s/^PATCHLEVEL = .*/PATCHLEVEL = 99/" "$src/Makefile" > none/Makefile
	EXPECT_MSG="no kernel series for Linux 6.99" expect_error "$TOP/scripts/kernel-apply.sh" none
}
t_kernel_series_applies_and_refuses() { kseries_applies_and_refuses 6.1; }
t_kernel612_series_applies_and_refuses() { kseries_applies_and_refuses 6.12; }

kseries_checkpatch_strict() {	# LINE
	local src dir p bad=0 res
	src=$(pristine_tree "$1") || return 1
	dir=$(hs_series_dir "$1") || return 1
	while read -r p; do
		res=$(cd "$src" && perl scripts/checkpatch.pl --strict --no-tree -q \
			"$dir/$p" | grep '^total:' || true)
		echo "$p: ${res:-clean}"
		case $res in ""|"total: 0 errors, 0 warnings, 0 checks"*) ;; *) bad=1 ;; esac
	done < "$dir/series"
	return $bad
}
t_kernel_checkpatch_strict() { kseries_checkpatch_strict 6.1; }
t_kernel612_checkpatch_strict() { kseries_checkpatch_strict 6.12; }

# scripts/kernel-signoff.sh gives every patch of every series the
# submitter's identity (checkpatch then finds From and Signed-off-by
# matching, no placeholder left) and refuses what is not an identity,
# leaving nothing behind.
t_kernel_signoff_identity() {
	local src id='Ada Lovelace <ada@example.org>' p n=0 line
	"$TOP/scripts/kernel-signoff.sh" "$id" "$PWD/out" || return 1
	for line in $(hs_kernel_lines); do
		src=$(pristine_tree "$line") || return 1
		while read -r p; do
			expect_eq "$(grep -c "^From: $id\$\|^Signed-off-by: $id\$" "out/$line/$p")" 2 "$line/$p signed by the submitter" || return 1
			(cd "$src" && perl scripts/checkpatch.pl --strict --no-tree -q "$OLDPWD/out/$line/$p") > cp.out 2>&1 ||
				{ echo "$line/$p:"; cat cp.out; return 1; }
			n=$((n + 1))
		done < "out/$line/series"
		cmp -s "out/$line/base" "$TOP/kernel-patch/$line/base" || { echo "$line: base not copied"; return 1; }
	done
	expect_eq "$n" "$(cat "$TOP"/kernel-patch/*/series | grep -c .)" "patches signed, every line" || return 1
	! grep -rl 'hcallscope@localhost' out || { echo "placeholder left"; return 1; }
	echo "$n patches of $(hs_kernel_lines | tr '\n' ' ')signed by $id, checkpatch --strict clean"
	mkdir keep
	for id in 'bob' 'hcallscope <hcallscope@localhost>' 'Eve <eve@host>' 'Eve <a@b.c> <d@e.f>'; do
		EXPECT_RC=2 EXPECT_MSG=kernel-signoff expect_error "$TOP/scripts/kernel-signoff.sh" "$id" "$PWD/keep/x" || return 1
	done
	expect_eq "$(ls -A keep)" "" "nothing left by the refusals" || return 1
	EXPECT_RC=2 EXPECT_MSG=exists expect_error "$TOP/scripts/kernel-signoff.sh" 'Ada <a@b.c>' "$PWD/out"
}

# What the kernel's path counters show per vCPU of a POWER_MIX run on each
# tce_accel level (see tce_path_split): level 2 finishes in real mode all
# but the first H_PUT_TCE (its table page is missing), 1 in virtual mode,
# 0 in userspace; with or without VFIO behind the table.
declare -A POWER_MIX_SPLIT=(
	[2]='[[303,1,33],[55,0,5],[66,0,9]]'
	[1]='[[0,304,33],[0,55,5],[0,66,9]]'
	[0]='[[0,0,337],[0,0,60],[0,0,75]]'
)

# The kernel's path counters of a hcall-load run, the same for every vCPU:
# [[real mode, virtual mode, userspace] for H_PUT_TCE, H_PUT_TCE_INDIRECT,
# H_STUFF_TCE]; more than one element if the vCPUs differ.
tce_path_split() {	# LOADJSON
	jq -c '[.observed.per_vcpu[].kvm_stats |
		[[.h_put_tce_realmode, .h_put_tce_virtmode, .h_put_tce_user],
		 [.h_put_tce_indirect_realmode, .h_put_tce_indirect_virtmode, .h_put_tce_indirect_user],
		 [.h_stuff_tce_realmode, .h_stuff_tce_virtmode, .h_stuff_tce_user]]] | unique' "$1"
}

# The patched kernel on powernv8: every TCE hcall counted once, on the
# path it took, tce_accel moving the counts, and the guest seeing the same
# return codes and table contents on every path.  hcallstat (CO-RE on the
# kernel's own BTF) must agree with the counters.
t_kernel_powernv8_path_counters() {
	local kdir
	kdir=$(kernel_under_test) || return 1
	cat > guest.sh <<EOS
P=/sys/module/kvm_hv/parameters/tce_accel
echo "HS-LEVEL \$(cat \$P)"
for level in 2 1 0; do
	echo \$level > \$P
	hcallstat -L -j -o /tmp/stat.json -- hcall-load -j -c 2 -m $POWER_MIX > /tmp/load.json || exit 1
	echo "HS-LOAD-\$level \$(cat /tmp/load.json)"
	echo "HS-STAT-\$level \$(cat /tmp/stat.json)"
done
if echo 3 > \$P 2>/dev/null; then echo "HS-BAD-LEVEL-ACCEPTED"; fi
EOS
	local t0=$SECONDS
	"$TOP/scripts/power-testbed.sh" -M powernv8 -k "$kdir" -t 300 \
		guest.sh > console 2>&1 || { tail -n 20 console; return 1; }
	echo "powernv8 run, 3 levels: $((SECONDS - t0)) s"
	grep -q "^HS-LEVEL 2$" console || { echo "tce_accel default is not 2"; return 1; }
	! grep -q HS-BAD-LEVEL-ACCEPTED console || { echo "tce_accel accepted 3"; return 1; }
	local level got view view2=
	for level in 2 1 0; do
		sed -n "s/^HS-LOAD-$level //p" console > load$level.json
		sed -n "s/^HS-STAT-$level //p" console > stat$level.json
		got=$(tce_path_split load$level.json)
		expect_eq "$got" "[${POWER_MIX_SPLIT[$level]}]" "level $level counters, both vCPUs" || return 1
		view=$(check_guest_view load$level.json) || { echo "$view"; return 1; }
		echo "level $level: table digests $view"
		[ -z "$view2" ] || expect_eq "$view" "$view2" "table digests, level $level vs 2" || return 1
		view2=$view
		expect_eq "$(stat_total stat$level.json | jq -r '.probes + " " + .realmode')" "tp_btf counted" \
			"probes and real-mode counters on a kernel with BTF" || return 1
		# hcallstat's view equals the kernel's counters, path by path
		expect_eq "$(stat_sum stat$level.json '.kind == "hcall" and .path == "real-mode"')" \
			"$(jq '[.observed.per_vcpu[].kvm_stats | (.h_put_tce_realmode + .h_put_tce_indirect_realmode + .h_stuff_tce_realmode)] | add' load$level.json)" \
			"hcallstat real-mode TCE hcalls vs kernel counters, level $level" || return 1
		expect_eq "$(stat_sum stat$level.json ".kind == \"hcall\" and .path == \"virtual-mode\" and $(hcall_jq_code TCE)")" \
			"$(jq '[.observed.per_vcpu[].kvm_stats | (.h_put_tce_virtmode + .h_put_tce_indirect_virtmode + .h_stuff_tce_virtmode)] | add' load$level.json)" \
			"hcallstat virtual-mode TCE hcalls vs kernel counters, level $level" || return 1
		expect_eq "$(stat_sum stat$level.json ".kind == \"hcall\" and .path == \"userspace\" and $(hcall_jq_code TCE)")" \
			"$(jq '[.observed.per_vcpu[].kvm_stats | (.h_put_tce_user + .h_put_tce_indirect_user + .h_stuff_tce_user)] | add' load$level.json)" \
			"hcallstat userspace TCE hcalls vs kernel counters, level $level" || return 1
		[ $level != 1 ] || check_against_load load1.json stat1.json || return 1
		# latencies: one per hcall seen in virtual mode or userspace but
		# the guest's last (no KVM_RUN follows it)
		expect_eq "$(stat_total stat$level.json | jq -c '[.rows[] | select(.kind == "hcall" and
			.path != "real-mode" and .code != 62460 and .latency.count != .count)] | length')" 0 \
			"rows whose latency count differs from their count, level $level" || return 1
		echo "level $level: H_PUT_TCE p50 $(stat_total stat$level.json | jq -r '[.rows[] |
			select(.code == '"$(hcall_opcode H_PUT_TCE)"' and .vcpu == 0 and .arg == '"$(liobn KERNEL)"' and .path != "real-mode")][0] |
			"\(.latency.p50_ns) ns (\(.path))"')"
	done
}

# The objects built from the .c and .S files LINE's series touches, as
# far as they exist in TREE (new files do not exist before their patch).
series_objects() {	# LINE TREE
	local f
	for f in $(sed -n 's|^+++ b/\(.*\.[cS]\)$|\1|p' "$TOP/kernel-patch/$1"/*.patch | sort -u); do
		[ -f "$2/$f" ] && echo "${f%.*}.o"
	done
}

# The objects the series touches, cross-built with W=1 and sparse (C=1),
# give no warning the unpatched tree does not give too.
kernel_object_warnings() {	# TREE OBJDIR OBJECTS... -> warnings, paths stripped
	local tree=$1 obj=$2
	shift 2
	local mk="make -C $tree O=$obj ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu-"
	$mk powernv_defconfig > /dev/null 2>&1 && cat "$TOP/kernel-patch/config" >> "$obj/.config" &&
	$mk olddefconfig > /dev/null 2>&1 && $mk -j"$(nproc)" prepare > "$obj.log" 2>&1 ||
		{ tail -5 "$obj.log"; return 1; }
	$mk -j"$(nproc)" W=1 C=1 "$@" > "$obj.log" 2>&1 || { grep -m5 error "$obj.log"; return 1; }
	grep -E 'warning:' "$obj.log" | sed "s|$tree/||; s|:[0-9]*:[0-9]*:|:|" | sort -u
}

kseries_no_new_warnings() {	# LINE
	local src objs
	src=$(pristine_tree "$1") || return 1
	cp -a "$src" patched
	"$TOP/scripts/kernel-apply.sh" patched > /dev/null || return 1
	objs=$(series_objects "$1" "$PWD/patched")
	[ -n "$objs" ] || { echo "no .c files in the series?"; return 1; }
	# shellcheck disable=SC2086
	kernel_object_warnings "$src" "$PWD/obj-pristine" $(series_objects "$1" "$src") > before || return 1
	# shellcheck disable=SC2086
	kernel_object_warnings "$PWD/patched" "$PWD/obj-patched" $objs > after || return 1
	echo "objects: $objs; warnings before $(wc -l < before), after $(wc -l < after)"
	comm -13 before after > new
	[ ! -s new ] || { echo "new warnings:"; cat new; return 1; }
}
t_kernel_no_new_warnings() { kseries_no_new_warnings 6.1; }
t_kernel612_no_new_warnings() { kseries_no_new_warnings 6.12; }

# Bisectability: after each patch of the series, KVM (arch/powerpc/kvm/,
# kvm.o and kvm-hv.o included) and every other object the series touches
# build.  One tree, the patches applied one by one, make incremental.
kseries_every_prefix_builds() {	# LINE
	local src dir p n=0 t0
	src=$(pristine_tree "$1") || return 1
	dir=$(hs_series_dir "$1") || return 1
	cp -a "$src" tree
	local mk="make -C $PWD/tree O=$PWD/obj ARCH=powerpc CROSS_COMPILE=powerpc64le-linux-gnu-"
	$mk powernv_defconfig > /dev/null 2>&1 && cat "$TOP/kernel-patch/config" >> obj/.config &&
	$mk olddefconfig > /dev/null 2>&1 && $mk -j"$(nproc)" prepare > prepare.log 2>&1 ||
		{ tail -5 prepare.log; return 1; }
	while read -r p; do
		[ -n "$p" ] || continue
		n=$((n + 1))
		(cd tree && patch -p1 -s -f < "$dir/$p") || { echo "$p does not apply"; return 1; }
		t0=$SECONDS
		# shellcheck disable=SC2046
		$mk -j"$(nproc)" arch/powerpc/kvm/ $(series_objects "$1" "$PWD/tree") > build$n.log 2>&1 ||
			{ echo "after $p:"; grep -m5 -E 'error|Error' build$n.log; return 1; }
		echo "prefix $n ($p): builds, $((SECONDS - t0)) s"
	done < "$dir/series"
}
t_kernel_every_prefix_builds() { kseries_every_prefix_builds 6.1; }
t_kernel612_every_prefix_builds() { kseries_every_prefix_builds 6.12; }

# The seed's host side on powernv8: an e1000e on a PHB3 root port bound to
# vfio-pci (possible on Debian's 6.1 only with the series' first patch), its
# group attached to KVM's TCE table the way QEMU does it, and hcall-load's
# TCE hcalls then programming the host IOMMU for the device: in real mode
# at level 2 (the same split as for an emulated table: the first use of a
# vCPU's table page needs virtual mode), in virtual mode at level 1, by the
# VMM through VFIO at level 0.  The guest sees the same results as without
# VFIO, and the host survives real-mode IOMMU updates.
# Guest-script lines: the first e1000e (PCI device ID 0x10d3) to vfio-pci
# (bench/pci-vfio.sh, shipped with -f), its address in $dev and IOMMU group
# in $group; says "HS-BOUND DEV DRIVER group N".
E1000E_TO_VFIO='bound=$(pci-vfio.sh bind $(pci-vfio.sh find 0x10d3 1)) || exit 1
dev=${bound%% *} group=${bound##* }
echo "HS-BOUND $dev $(basename $(readlink /sys/bus/pci/devices/$dev/driver)) group $group"'

t_kernel_powernv8_vfio_backed_table() {
	local kdir
	kdir=$("$TOP/scripts/kernel-build.sh") || return 1
	cat > guest.sh <<EOS
$E1000E_TO_VFIO
hcall-load -j -c 2 -m $POWER_MIX > /tmp/plain.json || exit 1
echo "HS-PLAIN \$(cat /tmp/plain.json)"
P=/sys/module/kvm_hv/parameters/tce_accel
for level in 2 1 0; do
	echo \$level > \$P
	hcall-load -j -c 2 -m $POWER_MIX --vfio \$group > /tmp/load.json || { cat /tmp/load.json; exit 1; }
	echo "HS-LOAD-\$level \$(cat /tmp/load.json)"
done
EOS
	local t0=$SECONDS
	"$TOP/scripts/power-testbed.sh" -M powernv8 -n e1000e-vfio -k "$kdir" -t 300 \
		-f "$TOP/bench/pci-vfio.sh" guest.sh > console 2>&1 || { tail -n 20 console; return 1; }
	echo "powernv8 + e1000e run, 3 levels: $((SECONDS - t0)) s"
	grep "^HS-BOUND" console
	grep -q "^HS-BOUND .* vfio-pci group" console || { echo "vfio-pci did not bind"; return 1; }
	local level got view plain
	sed -n "s/^HS-PLAIN //p" console > plain.json
	plain=$(check_guest_view plain.json) || { echo "$plain"; return 1; }
	for level in 2 1 0; do
		sed -n "s/^HS-LOAD-$level //p" console > load$level.json
		expect_eq "$(jq -r .observed.vfio_group load$level.json)" \
			"$(sed -n 's/^HS-BOUND .* group //p' console)" "VFIO group behind the table" || return 1
		got=$(tce_path_split load$level.json)
		expect_eq "$got" "[${POWER_MIX_SPLIT[$level]}]" "level $level counters with VFIO, both vCPUs" || return 1
		view=$(check_guest_view load$level.json) || { echo "$view"; return 1; }
		expect_eq "$view" "$plain" "table digests, level $level with VFIO vs without" || return 1
		echo "level $level: table digests $view"
	done
}

# The seed's scenario, emulated (bench/emulated.sh): the patched kernel on
# powernv8 hosts Debian's QEMU/KVM, whose pseries guest drives the
# e1000e passed through with VFIO while iperf3 runs to this machine's
# loopback.  Every TCE hcall the guest makes (its own hist trigger) is
# counted by the host kernel exactly once, on the path the level allows;
# hcallstat agrees with the kernel; traffic flows on every level; with DDW
# the guest maps its memory once and makes no TCE hcalls during traffic.
t_kernel_seed_scenario_vfio_iperf3() {
	local t0=$SECONDS
	"$TOP/bench/emulated.sh" -o "$PWD/res" -R 0 -t 3 > out 2>&1 || { tail -n 20 out; return 1; }
	echo "emulated bench, 12 cells: $((SECONDS - t0)) s"
	check_seed_run res 12
}

# An emulated bench run in DIR (CELLS cells): complete, every TCE hcall of
# the guest counted once by the host on the path its level allows,
# hcallstat agreeing, traffic on every cell, the host's log clean.
check_seed_run() {	# DIR CELLS
	local r=$1/run.json
	expect_eq "$(jq -c '[.schema, .source, .complete, (.cells | length)]' $r)" \
		"[\"hcallscope.iperf/1\",\"emulated\",true,$2]" "run schema, source, completeness, cells" || return 1
	[ -s "$1/host-dmesg.log" ] || { echo "no host kernel log in $1"; return 1; }
	[ -z "$(host_harm_in "$1/host-dmesg.log")" ] ||
		{ host_harm_in "$1/host-dmesg.log"; echo "the host's log shows harm"; return 1; }
	! grep -q 'vfio_file_set_kvm' "$1/host-dmesg.log" || echo "the host logged the 6.1 base's kvm->lock/group_lock report at QEMU's exit"
	local bad
	bad=$(jq -r --argjson vfio_liobn "$(liobn QEMU_PHB0)" -f "$TOP/tests/jq/seed-run.jq" $r) ||
		{ echo "jq failed on $r"; return 1; }
	[ -z "$bad" ] || { echo "$bad"; return 1; }
	# the figures (emulated: TCG, not POWER8 silicon)
	jq -r '.cells[] | select(.ddw | not) | "\(.direction) \(.level_name): \(.throughput_MBps * 10 | round / 10) MB/s, \(.tce_hcalls.guest_total) TCE hcalls (\(.hcalls_per_MB.total | round)/MB)"' $r
	jq -r '[.cells[] | select(.ddw | not)] | group_by(.direction)[] |
		(map({(.level | tostring): .throughput_MBps}) | add) as $t |
		"\(.[0].direction): real mode / userspace \($t["2"] / $t["0"] * 10 | round / 10)x, virtual mode / userspace \($t["1"] / $t["0"] * 10 | round / 10)x"' $r
}

# POWER9 (powernv9, PHB4): 6.1's KVM runs every guest, hash ones too,
# through the P9 entry path, which handles hcalls in virtual mode only, so
# the series' real-mode handlers (and PHB4's real-mode TCE kill through
# OPAL) are never reached there.  What must hold: vfio-pci binds on PHB4
# (patch 0001), and at level 2 every TCE hcall completes in virtual mode,
# counted exactly, with the same guest view as on POWER8.
t_kernel_powernv9_phb4_virtual_mode() {
	local kdir
	kdir=$(kernel_under_test) || return 1
	cat > guest.sh <<EOS
$E1000E_TO_VFIO
echo "HS-LEVEL \$(cat /sys/module/kvm_hv/parameters/tce_accel)"
hcall-load -j -c 2 -m $POWER_MIX --vfio \$group > /tmp/load.json || { cat /tmp/load.json; exit 1; }
echo "HS-LOAD \$(cat /tmp/load.json)"
EOS
	"$TOP/scripts/power-testbed.sh" -M powernv9 -n e1000e-vfio -k "$kdir" -t 300 \
		-f "$TOP/bench/pci-vfio.sh" guest.sh > console 2>&1 || { tail -n 20 console; return 1; }
	grep -q "^HS-BOUND .* vfio-pci group" console || { echo "vfio-pci did not bind on PHB4"; return 1; }
	grep -q "^HS-LEVEL 2$" console || { echo "not at level 2"; return 1; }
	sed -n "s/^HS-LOAD //p" console > load.json
	expect_eq "$(tce_path_split load.json)" "[${POWER_MIX_SPLIT[1]}]" \
		"POWER9 level 2 counters with VFIO, both vCPUs" || return 1
	local view
	view=$(check_guest_view load.json) || { echo "$view"; return 1; }
	expect_eq "$view" "43d5a8e30422ab25,54df1db8bfe86f5d" "table digests (as on POWER8)"
}

# Patch 0001's IOMMU core side on powernv8 with two e1000e on two PHB3s:
# an IOMMU device per PHB, each device linked to its PHB's; a group
# claimed by VFIO (VFIO_GROUP_SET_CONTAINER alone, tests/helpers/
# vfio-claim) is blocked at once - the kernel's DMA window of its PE is
# taken away (its table freed) and comes back when the claim ends; a NIC
# removed and found again by a rescan is probed by the IOMMU core again,
# binds to vfio-pci and carries KVM's TCE hcalls as before.  Before the
# blocking domain took the table group's ownership, a claimed group kept
# its kernel DMA until VFIO_SET_IOMMU.
t_kernel_powernv8_iommu_groups_claim_and_hotplug() {
	local kdir
	kdir=$("$TOP/scripts/kernel-build.sh") || return 1
	{
		echo "$E1000E_ALL_TO_VFIO"
		echo '. /hs/iommu-tables.sh'
		cat <<'EOS'
. /hs/proc.sh
echo "HS-IOMMUS $(ls /sys/class/iommu | wc -l)"
for d in $(pci-vfio.sh find 0x10d3); do
	echo "HS-DEVIOMMU $d $(basename $(readlink /sys/bus/pci/devices/$d/iommu))"
done
g=${groups%%,*}
before=$(tables)
vfio-claim $g 3 > /tmp/claim.out &
p=$!
wait_line /tmp/claim.out claimed 10 $p
during=$(tables)
wait $p
after=$(tables)
echo "HS-CLAIM $before $during $after"
d=$(pci-vfio.sh find 0x10d3 1)
echo 1 > /sys/bus/pci/devices/$d/remove
echo 1 > /sys/bus/pci/rescan
echo "HS-REPROBED $d $(basename $(readlink /sys/bus/pci/devices/$d/iommu 2> /dev/null) 2> /dev/null)"
g=$(pci-vfio.sh bind $d | cut -d" " -f3)
EOS
		echo "hcall-load -j -c 2 -m \"$POWER_MIX\" --vfio \$g > /tmp/r.json && echo \"HS-AFTER-HOTPLUG \$(cat /tmp/r.json)\""
		echo "$HOST_LOG_CHECK"
		echo "echo HS-ALIVE"
	} > guest.sh
	"$TOP/scripts/power-testbed.sh" -M powernv8 -c 2 -n e1000e-vfio2 -k "$kdir" -t 600 \
		-f "$PPC_BIN/vfio-claim" -f "$TOP/bench/pci-vfio.sh" \
		-f "$TOP/scripts/lib/proc.sh" -f "$TOP/tests/guest/iommu-tables.sh" guest.sh > console 2>&1 ||
		{ tail -n 30 console; return 1; }
	grep -q '^HS-ALIVE' console || { tail -n 20 console; echo "the host did not survive"; return 1; }
	! grep '^HS-HOSTLOG' console || { echo "the host's log shows harm"; return 1; }
	tr -d '\r' < console | grep -E '^HS-(IOMMUS|DEVIOMMU|CLAIM|REPROBED)'
	expect_eq "$(sed -n 's/^HS-IOMMUS //p' console | tr -d '\r')" 2 "IOMMU devices (one per PHB)" || return 1
	expect_eq "$(sed -n 's/^HS-DEVIOMMU [^ ]* //p' console | tr -d '\r' | sort -u | wc -l)" 2 \
		"distinct IOMMU devices of the two NICs" || return 1
	local m0 f0 m1 f1 m2 f2
	read -r m0 f0 m1 f1 m2 f2 <<< "$(sed -n 's/^HS-CLAIM //p' console | tr -d '\r')"
	expect_eq "$((f1 - f0)) $((m1 - m0))" "1 0" "tables freed, made when the group was claimed" || return 1
	expect_eq "$((m2 - m1)) $((f2 - f1))" "1 0" "tables made, freed when the claim ended" || return 1
	sed -n 's/^HS-REPROBED [^ ]* *//p' console | tr -d '\r' | grep -q . ||
		{ echo "the rescanned NIC has no IOMMU device"; return 1; }
	sed -n 's/^HS-AFTER-HOTPLUG //p' console > r.json
	expect_eq "$(tce_path_split r.json)" "[${POWER_MIX_SPLIT[2]}]" \
		"level 2 counters with VFIO after the rescan, both vCPUs"
}
