# hcallstat beside its peers on the same run (x86): perf stat on the KVM
# tracepoints, perf kvm stat record/report, and KVM's own statistics (the
# per-VM counters kvm_stat -d reads in debugfs; here through QEMU's
# query-stats, which reads the same descriptors with KVM_GET_STATS_FD,
# where lockdown keeps debugfs' writable stat files shut).
#
# What overlaps, and so must be equal:
#   perf stat kvm:kvm_pio          = hcallstat's pio rows, both paths
#   perf stat kvm:kvm_cpuid        = hcallstat's cpuid rows
#   perf stat kvm:kvm_userspace_exit = hcallstat's userspace rows (each such
#                                    exit is one userspace row: a request
#                                    moved there, or an exit:* row)
#   perf kvm stat record's kvm_pio samples, per port = hcallstat per port
#   KVM signal_exits               = hcallstat's exit:errno4 (-EINTR) rows
#   KVM io_exits                   = hcallstat's pio rows, on backends that
#                                    count them (VMX, SVM; see peers_io_exits)
# What does not: KVM "exits" counts every exit of the guest, handled
# anywhere (hcallstat counts requests and userspace exits); halt_exits of a
# guest with QEMU's in-kernel irqchip never reach userspace.

PEERS_EVENTS=kvm:kvm_pio,kvm:kvm_userspace_exit,kvm:kvm_cpuid,kvm:kvm_mmio,kvm:kvm_fast_mmio,kvm:kvm_entry

# A perf stat -x, counter of OUTFILE
perf_count() {	# PERFFILE EVENT
	awk -F, -v e="$2" '$3 == e { print ($1 ~ /^[0-9]+$/) ? $1 : "none" }' "$1"
}

# perf stat's counters on one line, for the verbose log
perf_summary() {	# PERFFILE
	awk -F, '$3 ~ /^kvm:/ { printf "%s%s=%s", sep, substr($3, 5), $1; sep = " " }' "$1"
}

# hcallstat's total for one VM and a jq condition on the rows
hs_sum() {	# STATFILE VMPID JQ-CONDITION
	stat_sum "$1" ".vm == $2 and ($3)"
}

# The same from a /metrics scrape: sum of hcallscope_requests_total whose
# labels hold every LABEL="VALUE" given
metrics_sum() {	# FILE LABEL=VALUE...
	local f=$1
	shift
	awk -v want="$*" '
		BEGIN { n = split(want, w, " ") }
		/^hcallscope_requests_total\{/ {
			ok = 1
			for (i = 1; i <= n; i++) {
				split(w[i], kv, "=")
				if (index($0, kv[1] "=\"" kv[2] "\"") == 0) ok = 0
			}
			if (ok) s += $NF
		}
		END { print s + 0 }' "$f"
}

# perf kvm stat record's kvm_pio samples: "PORT DIR COUNT" lines, port in decimal
perf_pio_ports() {	# PERFDATA
	local port dir n
	perf script -i "$1" -F trace 2> /dev/null |
		awk '/^pio_(read|write) at / { sub(/^pio_/, ""); n[$3 " " $1]++ }
		     END { for (k in n) print k, n[k] }' |
		while read -r port dir n; do printf '%d %s %s\n' "$port" "$dir" "$n"; done | sort
}

hs_pio_ports() {	# STATFILE VMPID
	stat_total "$1" | jq -r --argjson vm "$2" '
		[.rows[] | select(.vm == $vm and .kind == "pio")] |
		group_by([.arg, .code]) | .[] |
		"\(.[0].arg) \(if .[0].code == 1 then "write" else "read" end) \(map(.count) | add)"' |
		sort
}

# perf kvm stat report's IO port table pairs each kvm_pio with the vCPU's
# next kvm_entry; a KVM backend that never fires kvm_entry (this build
# machine's, PVM) leaves it empty, so its total must then be 0.
peers_check_perf_kvm_report() {	# PERFDATA PIOTOTAL ENTRIES
	local got
	# (it prints part of its report on stderr)
	perf kvm -i "$1" stat report --event=ioport > report.txt 2>&1
	got=$(awk '/^Total Samples:/ { sub(/^Total Samples:/, ""); sub(/,.*/, ""); print }' report.txt)
	[ -n "$got" ] || { echo "perf kvm stat report printed no total: $(head -n 3 report.txt)"; return 1; }
	if [ "$3" = 0 ]; then
		expect_eq "$got" 0 "perf kvm stat report's IO port samples with no kvm_entry fired"
	else
		expect_eq "$got" "$2" "perf kvm stat report's IO port samples"
	fi
}

# KVM_RUN returns -EINTR two ways: a signal arrived during the run (KVM
# counts signal_exits), or the run was entered with immediate_exit set, as
# QEMU does after a kick that came while its vCPU thread was outside
# KVM_RUN (KVM counts nothing).  Both are userspace exits with -EINTR to
# kvm_userspace_exit (perf's count agrees with hcallstat's), and the
# tracepoint cannot tell them apart (the immediate one leaves the last exit
# reason in place): signal_exits is a part of hcallstat's exit:errno4.
peers_signal_exits() {	# SIGNALEXITS ERRNO4ROWS
	[ "$1" -ge 1 ] && [ "$1" -le "$2" ] && return 0
	echo "KVM signal_exits $1 is not within 1..hcallstat's exit:errno4 ($2)"
	return 1
}

# io_exits is counted by VMX's and SVM's PIO exit handlers; PVM (kvm_pvm)
# sends port I/O through the instruction emulator and never counts it: a
# gap in that backend's statistics, not in hcallstat (perf agrees with it).
peers_io_exits() {	# IOEXITS PIOTOTAL
	if [ -d /sys/module/kvm_pvm ]; then
		expect_eq "$1" 0 "KVM io_exits under PVM (it does not count them)"
	else
		expect_eq "$1" "$2" "KVM io_exits"
	fi
}

# The end-of-run comparisons with perf, for VM $2's rows
peers_check_perf() {	# STATFILE VMPID PERFFILE PERFDATA
	local s=$1 vm=$2 pio
	pio=$(hs_sum "$s" "$vm" '.kind == "pio"')
	expect_eq "$(perf_count "$3" kvm:kvm_pio)" "$pio" "perf stat kvm:kvm_pio against hcallstat's pio rows" &&
	expect_eq "$(perf_count "$3" kvm:kvm_cpuid)" "$(hs_sum "$s" "$vm" '.kind == "cpuid"')" \
		"perf stat kvm:kvm_cpuid against hcallstat's cpuid rows" &&
	expect_eq "$(perf_count "$3" kvm:kvm_userspace_exit)" "$(hs_sum "$s" "$vm" '.path == "userspace"')" \
		"perf stat kvm:kvm_userspace_exit against hcallstat's userspace rows" &&
	expect_eq "$(perf_pio_ports "$4" | tr '\n' ';')" "$(hs_pio_ports "$s" "$vm" | tr '\n' ';')" \
		"perf kvm stat record's kvm_pio per port against hcallstat's" &&
	peers_check_perf_kvm_report "$4" "$pio" "$(perf_count "$3" kvm:kvm_entry)"
}

# QEMU as the VMM, with a firmware of our own (tests/helpers/x86-rom.sh):
# 1000 port writes to 0x700 (userspace), 2000 to the PIC (kernel), 300 cpuid.
# hcallstat follows QEMU under perf kvm stat record and perf stat, all on
# the same run; KVM's counters are read once the guest has halted, beside
# a /metrics scrape of hcallstat taken then.
t_peers_x86_qemu() {
	local user=1000 kern=2000 ncpuid=300 port=$((20000 + RANDOM % 10000)) s vm rc=0
	local qemu=(qemu-system-x86_64 -enable-kvm -M pc -nodefaults -display none -m 16
		-bios rom.bin -serial none -monitor none -qmp stdio)
	command -v qemu-system-x86_64 > /dev/null || { echo "qemu-system-x86_64 is missing (scripts/deps.sh test)"; return 1; }
	"$TOP/tests/helpers/x86-rom.sh" rom.bin $user $kern $ncpuid || return 1
	mkfifo qmp.in
	exec 3<> qmp.in	# QEMU's QMP input, open until we close it
	"$BIN/hcallstat" -v -j -o stat.json --listen "127.0.0.1:$port" -- \
		perf kvm stat record -q -o kvm.data -- \
		perf stat -x, -o perf.txt -e "$PEERS_EVENTS" -- \
		"${qemu[@]}" < qmp.in > qmp.out 2> err &
	s=$!
	exec 3>&-
	exec 4> qmp.in
	echo '{"execute":"qmp_capabilities"}' >&4
	# the guest is done when hcallstat has seen its last cpuid
	for _ in $(seq 200); do
		curl -s "http://127.0.0.1:$port/metrics" > m1.txt 2> /dev/null &&
			[ "$(metrics_sum m1.txt kind=cpuid)" = $ncpuid ] && break
		sleep 0.1
	done
	[ "$(metrics_sum m1.txt kind=cpuid)" = $ncpuid ] || { echo "the guest did not finish: $(cat err)"; exec 4>&-; kill $s; wait $s; return 1; }
	echo '{"execute":"query-stats","arguments":{"target":"vcpu"}}' >&4
	wait_line qmp.out '"stats"' 10 || { echo "no answer to query-stats: $(cat qmp.out)"; exec 4>&-; kill $s; wait $s; return 1; }
	# the vCPU was kicked for the query: that exit is in both by now
	curl -s "http://127.0.0.1:$port/metrics" > m2.txt || rc=1
	jq -c 'select(.return | type == "array") | .return[0].stats | map({(.name): .value}) | add' qmp.out > kvmstats.json
	# QEMU's PID: the vm label of the guest's rows
	vm=$(grep -o 'vm="[0-9]*",vcpu="[0-9]*",kind="cpuid"' m2.txt | sort -u | sed 's/vm="\([0-9]*\)".*/\1/')
	# what kvm_stat -d reads in debugfs is the same, where lockdown lets it be read
	[ -n "$vm" ] && peers_debugfs "$vm" kvmstats.json > debugfs.txt || rc=1
	echo '{"execute":"quit"}' >&4
	exec 4>&-
	wait $s || { echo "hcallstat -- perf -- qemu failed: $(cat err)"; return 1; }
	[ $rc = 0 ] || { echo "no scrape or debugfs reading after query-stats (VM '$vm'): $(cat debugfs.txt)"; return 1; }
	cat debugfs.txt
	expect_eq "$(stat_total stat.json | jq -c '[.rows[] | select(.kind == "cpuid") | .vm] | unique')" "[$vm]" "the VM of the cpuid rows" || return 1
	# hcallstat: the guest's exact requests
	expect_eq "$(hs_sum stat.json "$vm" '.kind == "pio" and .arg == 1792 and .path == "userspace"')" $user "port 0x700 writes in userspace" &&
	expect_eq "$(hs_sum stat.json "$vm" '.kind == "pio" and .arg == 33 and .path == "kernel"')" $kern "PIC writes in the kernel" &&
	expect_eq "$(hs_sum stat.json "$vm" '.kind == "cpuid" and .vcpu == 0')" $ncpuid "cpuid on vCPU 0" || return 1
	# KVM's counters against hcallstat's at the same moment
	peers_signal_exits "$(jq .signal_exits kvmstats.json)" "$(metrics_sum m2.txt vm="$vm" request=exit:errno4)" &&
	peers_io_exits "$(jq .io_exits kvmstats.json)" "$(metrics_sum m2.txt vm="$vm" kind=pio)" || return 1
	# perf on the whole run
	peers_check_perf stat.json "$vm" perf.txt kvm.data || return 1
	echo "hcallstat: pio $(hs_sum stat.json "$vm" '.kind == "pio"'), cpuid $(hs_sum stat.json "$vm" '.kind == "cpuid"')," \
		"userspace $(hs_sum stat.json "$vm" '.path == "userspace"');" \
		"perf stat: $(perf_summary perf.txt);" \
		"KVM at the scrape: $(jq -c '{exits, io_exits, signal_exits, halt_exits, insn_emulation}' kvmstats.json)," \
		"hcallstat then: exit:errno4 $(metrics_sum m2.txt vm="$vm" request=exit:errno4)"
}

# The VM's debugfs directory (kvm_stat -d's source) against query-stats:
# equal, or refused because the kernel is locked down (debugfs files that
# can be written, as KVM's stat files can, are shut then).
peers_debugfs() {	# QEMUPID KVMSTATSJSON
	local got rc=0 f
	# shellcheck disable=SC2016 # the script's own variables
	got=$(unshare -m --propagation private sh -c '
		[ -d /sys/kernel/debug/kvm ] || mount -t debugfs none /sys/kernel/debug || exit 3
		[ -d /sys/kernel/security/lockdown ] || [ -e /sys/kernel/security/lockdown ] ||
			mount -t securityfs none /sys/kernel/security 2> /dev/null
		set -- /sys/kernel/debug/kvm/$1-*
		[ -d "$1" ] || exit 4
		if ! cat "$1/signal_exits" > /dev/null 2>&1; then
			grep -q "\[none\]" /sys/kernel/security/lockdown 2> /dev/null && exit 5
			echo "locked down: $(cat /sys/kernel/security/lockdown 2> /dev/null)"
			exit 0
		fi
		for f in signal_exits io_exits halt_exits exits; do printf "%s %s\n" $f "$(cat "$1/$f")"; done' sh "$1") || rc=$?
	case $rc in
	0) ;;
	3) echo "cannot mount debugfs"; return 1 ;;
	4) echo "no debugfs directory for VMM $1"; return 1 ;;
	*) echo "debugfs stats of VMM $1 unreadable on a kernel not locked down"; return 1 ;;
	esac
	case $got in
	"locked down:"*) echo "debugfs KVM stats: $got (kvm_stat -d cannot read them); compared through query-stats"; return 0 ;;
	esac
	while read -r f rc; do
		expect_eq "$rc" "$(jq ".$f" "$2")" "debugfs $f against query-stats" || return 1
	done <<< "$got"
}

# hcall-load as the VMM: two vCPUs, a mix of every x86 request it has
# (VMCALL excepted); the same peers on the same run.
t_peers_x86_hcall_load() {
	local vm v
	"$BIN/hcallstat" -j -o stat.json -- \
		perf kvm stat record -q -o kvm.data -- \
		perf stat -x, -o perf.txt -e "$PEERS_EVENTS" -- \
		"$BIN/hcall-load" -j -c 2 -m pio-user=321,pio-kernel=1234,mmio-user=111,mmio-kernel=222,cpuid=77 \
		> load.json 2> err || { cat err; return 1; }
	vm=$(jq .pid load.json)
	check_load_observed load.json && check_against_load load.json stat.json || return 1
	peers_check_perf stat.json "$vm" perf.txt kvm.data || return 1
	expect_eq "$(( $(perf_count perf.txt kvm:kvm_mmio) + $(perf_count perf.txt kvm:kvm_fast_mmio) ))" \
		"$(hs_sum stat.json "$vm" '.kind == "mmio"')" "perf stat kvm_mmio + kvm_fast_mmio against hcallstat's mmio rows" || return 1
	# KVM's counters per vCPU (KVM_GET_STATS_FD, what debugfs sums per VM),
	# read by the VMM at its end: its HLT, signal and MMIO exits all reach
	# userspace here (no in-kernel irqchip)
	for v in 0 1; do
		jq -e ".observed.per_vcpu[$v].kvm_stats.halt_exits" load.json > /dev/null ||
			{ echo "hcall-load reported no KVM stats for vCPU $v"; return 1; }
		expect_eq "$(jq ".observed.per_vcpu[$v].kvm_stats.halt_exits" load.json)" \
			"$(hs_sum stat.json "$vm" ".vcpu == $v and .request == \"exit:HLT\"")" "vCPU $v: KVM halt_exits against hcallstat's exit:HLT" &&
		expect_eq "$(jq ".observed.per_vcpu[$v].kvm_stats.signal_exits" load.json)" \
			"$(hs_sum stat.json "$vm" ".vcpu == $v and .request == \"exit:errno4\"")" "vCPU $v: KVM signal_exits against hcallstat's exit:errno4" &&
		expect_eq "$(jq ".observed.per_vcpu[$v].kvm_stats.mmio_exits" load.json)" \
			"$(hs_sum stat.json "$vm" ".vcpu == $v and .kind == \"mmio\" and .path == \"userspace\"")" "vCPU $v: KVM mmio_exits against hcallstat's userspace MMIO" &&
		peers_io_exits "$(jq ".observed.per_vcpu[$v].kvm_stats.io_exits" load.json)" \
			"$(hs_sum stat.json "$vm" ".vcpu == $v and .kind == \"pio\"")" || return 1
	done
	echo "hcallstat: pio $(hs_sum stat.json "$vm" '.kind == "pio"'), mmio $(hs_sum stat.json "$vm" '.kind == "mmio"')," \
		"cpuid $(hs_sum stat.json "$vm" '.kind == "cpuid"'), userspace $(hs_sum stat.json "$vm" '.path == "userspace"');" \
		"perf stat: $(perf_summary perf.txt);" \
		"KVM per vCPU: $(jq -c '[.observed.per_vcpu[].kvm_stats]' load.json)"
}

# The firmware maker refuses what it cannot encode, in one line, leaving
# nothing behind.
t_peers_rom_bad_input() {
	EXPECT_RC=2 EXPECT_MSG="0 is not in 1..65535" expect_error "$TOP/tests/helpers/x86-rom.sh" rom.bin 0 1 1 &&
	EXPECT_RC=2 EXPECT_MSG="'x' is not a count" expect_error "$TOP/tests/helpers/x86-rom.sh" rom.bin 1 x 1 &&
	EXPECT_RC=2 EXPECT_MSG="usage" expect_error "$TOP/tests/helpers/x86-rom.sh" rom.bin 1 1 || return 1
	expect_eq "$(ls -A)" "" "files left"
}

# On emulated POWER8 (QEMU TCG powernv8, Debian's ppc64el kernel as the
# KVM-HV host, as tests/t-power.sh runs it), Debian's ppc64el perf beside
# hcallstat on the same hcall-load run: perf kvm stat record, then
# report --event=hcall.  perf pairs kvm_hcall_enter with kvm_hcall_exit,
# so its count per hcall is hcallstat's virtual-mode + userspace rows of
# that hcall (an hcall for userspace leaves KVM through kvm_hcall_exit
# too), and for an hcall completed in virtual mode only its mean is
# hcallstat's virtual-mode mean (the same two tracepoints), within the
# width of the log2 bucket that holds it.
peers_perf_tree() {	# DIR: perf and the libraries it needs, from the host tools
	local src so todo next elf
	src=$("$TOP/scripts/ppc64el-host-tools.sh") || return 1
	mkdir -p "$1"
	cp "$src/usr/bin/perf" "$src/lib/powerpc64le-linux-gnu/ld64.so.2" "$1/"
	todo=$1/perf
	while [ -n "$todo" ]; do
		next=
		for elf in $todo; do
			for so in $(powerpc64le-linux-gnu-readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
				[ -e "$1/$so" ] && continue
				cp "$src/lib/powerpc64le-linux-gnu/$so" "$1/" || { echo "perf needs $so, not in $src"; return 1; }
				next="$next $1/$so"
			done
		done
		todo=$next
	done
}

peers_powernv8() {	# [POWER-TESTBED-ARGS...]
	local bad
	# the cross-built tools (make test builds them; a run of this tier alone may not have)
	make -s -C "$TOP" ARCH=ppc64le tools > make.log 2>&1 || { tail -n 5 make.log; return 1; }
	peers_perf_tree perf || return 1
	# hcall-load --hold keeps its VM once done, for kvm_stat -d's source:
	# the VM's debugfs directory, whose files sum the vCPUs' counters
	cat > guest.sh <<EOS
. /hs/proc.sh
perf() { /hs/perf/ld64.so.2 --library-path /hs/perf /hs/perf/perf "\$@"; }
hcallstat -L -j -o /tmp/stat.json -- /hs/perf/ld64.so.2 --library-path /hs/perf /hs/perf/perf \
	kvm stat record -q -o /tmp/kvm.data -- /hs/perf/ld64.so.2 --library-path /hs/perf /hs/perf/perf \
	stat -x, -o /tmp/perf.txt -e kvm:kvm_userspace_exit -- hcall-load -j -c 2 -m $POWER_MIX --hold \
	> /tmp/load.json 2> /tmp/load.err &
P=\$!
wait_line /tmp/load.err "hcall-load: done" 300 \$P || { cat /tmp/load.err; exit 1; }
mount -t debugfs none /sys/kernel/debug
for d in /sys/kernel/debug/kvm/*-*; do
	[ -d "\$d/vcpu0" ] || continue
	echo "HS-DEBUGFS-VM \${d##*/}"
	for f in \$d/h_*tce*; do [ -e "\$f" ] && echo "HS-DEBUGFS \${f##*/} \$(cat \$f)"; done
done
kill -USR1 \$(sed -n 's/^hcall-load: done pid=//p' /tmp/load.err)
wait \$P || exit 1
echo "HS-LOAD \$(cat /tmp/load.json)"
sed 's/^/HS-PERFSTAT /' /tmp/perf.txt
echo "HS-STAT \$(cat /tmp/stat.json)"
perf kvm -i /tmp/kvm.data stat report --event=hcall > /tmp/report.txt 2>&1
sed 's/^/HS-REPORT /' /tmp/report.txt
EOS
	local t0=$SECONDS
	"$TOP/scripts/power-testbed.sh" -M powernv8 -t 400 "$@" \
		-f perf -f "$TOP/scripts/lib/proc.sh" guest.sh > console 2>&1 ||
		{ tail -n 15 console; return 1; }
	echo "powernv8 run with perf: $((SECONDS - t0)) s"
	sed -n 's/^HS-LOAD //p' console > load.json
	sed -n 's/^HS-STAT //p' console > stat.json
	sed -n 's/^HS-REPORT //p' console > report.txt
	sed -n 's/^HS-PERFSTAT //p' console > perfstat.txt
	sed -n 's/^HS-DEBUGFS //p' console | tr -d '\r' | LC_ALL=C sort > debugfs.txt
	expect_eq "$(grep -c '^HS-DEBUGFS-VM ' console)" 1 "the VM's debugfs directory, while hcall-load holds it" || return 1
	# kvm_stat -d's per-VM TCE counters (the patched kernel's; none on
	# Debian's) are the sums of the vCPUs' own (KVM_GET_STATS_FD)
	jq -r '[.observed.per_vcpu[].kvm_stats | to_entries[]] | group_by(.key)[] |
		"\(.[0].key) \(map(.value) | add)"' load.json | LC_ALL=C sort > vcpus.txt
	expect_eq "$(cat debugfs.txt)" "$(cat vcpus.txt)" "debugfs per-VM TCE counters against the vCPUs' own" || return 1
	echo "debugfs (kvm_stat -d): $(grep -c . debugfs.txt) TCE counters, equal to the vCPUs' sums"
	if [ $# = 0 ]; then
		check_against_load load.json stat.json || return 1
	else	# the patched kernel: the kernel's split per path (tests/t-kernel.sh)
		expect_eq "$(tce_path_split load.json)" "[${POWER_MIX_SPLIT[2]}]" "level 2 counters, both vCPUs" || return 1
	fi
	# every userspace exit (the PAPR_HCALL ones and the last) is one userspace row
	expect_eq "$(perf_count perfstat.txt kvm:kvm_userspace_exit)" "$(stat_sum stat.json '.path == "userspace"')" \
		"perf stat kvm:kvm_userspace_exit against hcallstat's userspace rows" &&
	expect_eq "$(stat_sum stat.json '.path == "userspace"')" \
		"$(jq '[.observed.per_vcpu[].userspace_exits[]] | add' load.json)" "hcallstat's userspace rows against the VMM's exits" || return 1
	# perf's table: NAME SAMPLES SAMPLES% TIME% MIN MAX AVG(us) ...
	awk '$1 ~ /^(H_[A-Z0-9_]+|UNKNOWN)$/ && $2 ~ /^[0-9]+$/ { a = $7; sub(/us$/, "", a); print $1, $2, a }' report.txt | sort > perf.txt
	[ -s perf.txt ] || { echo "no hcall in perf kvm stat report:"; head -n 20 report.txt; return 1; }
	stat_total stat.json | jq -r '
		[.rows[] | select(.kind == "hcall" and (.path == "virtual-mode" or .path == "userspace")) |
		 # an opcode neither names (hcall-load'"'"'s last, 0xf3fc): perf says UNKNOWN
		 .request |= (if startswith("hcall:") then "UNKNOWN" else . end)] |
		group_by(.request) | .[] |
		[.[0].request,
		 (map(.count) | add),
		 (if all(.path == "virtual-mode") then
			(map(.latency.sum_ns) | add) / (map(.latency.count) | add) else "mixed" end)] |
		@tsv' | sort > hs.txt
	expect_eq "$(cut -d' ' -f1,2 perf.txt | tr '\n' ';')" "$(cut -f1,2 hs.txt | tr '\t\n' ' ;')" \
		"hcalls per name, perf kvm stat report against hcallstat's virtual-mode + userspace rows" || return 1
	bad=$(join perf.txt <(tr '\t' ' ' < hs.txt) | awk '$5 != "mixed" {
		perf_ns = $3 * 1000; hs = $5; w = 1; while (w * 2 <= hs) w *= 2
		d = perf_ns - hs; if (d < 0) d = -d
		printf "%s perf %.0f ns, hcallstat %.0f ns, bucket width %d\n", $1, perf_ns, hs, w
		if (d >= w) bad = 1 } END { exit bad }') ||
		{ echo "mean latency past the bucket width:"; echo "$bad"; return 1; }
	echo "$bad"
}

t_peers_powernv8_perf_kvm() {
	peers_powernv8 || return 1
	expect_eq "$(stat_sum stat.json '.path == "real-mode"')" 0 "real-mode hcalls on Debian's kernel"
}

# The same on the patched kernel (kernel-patch/, tce_accel 2): real mode
# completes most TCE hcalls without an event; perf sees only those that
# reach virtual mode or userspace, hcallstat also the real-mode ones, from
# the kernel's counters (equal to them here).
t_peers_powernv8_patched_perf_kvm() {
	local kdir
	kdir=$("$TOP/scripts/kernel-build.sh") || return 1
	peers_powernv8 -k "$kdir" || return 1
	local rm
	rm=$(stat_sum stat.json '.path == "real-mode"')
	[ "$rm" -gt 0 ] || { echo "no real-mode hcall on the patched kernel"; return 1; }
	expect_eq "$rm" \
		"$(jq '[.observed.per_vcpu[].kvm_stats | to_entries[] | select(.key | endswith("_realmode")) | .value] | add' load.json)" \
		"hcallstat's real-mode rows against the kernel's real-mode counters" || return 1
	expect_eq "$(grep -c . debugfs.txt)" 9 "the series' TCE counters in the VM's debugfs directory"
}
