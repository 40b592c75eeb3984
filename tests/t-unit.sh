# Unit tests in shell: the hcall table against the kernel's own header.

t_unit_hcall_table_matches_hvcall_h() {
	# every opcode Debian's linux-source-6.1 hvcall.h defines, by name and
	# value, is in bpf/hcalls.def and nothing else is (H_VIOCTL
	# sub-functions, defined between H_WATCHDOG and H_RTAS, are not opcodes)
	local tar=/usr/src/linux-source-6.1.tar.xz
	[ -r $tar ] || { echo "$tar missing (scripts/deps.sh test installs it)"; return 1; }
	tar -xJOf $tar linux-source-6.1/arch/powerpc/include/asm/hvcall.h > hvcall.h || return 1
	awk '/^#define H_[A-Z0-9_]+[ \t]+0x[0-9A-Fa-f]+/ {
		if ($2 == "H_GET_VIOA_DUMP_SIZE") skip = 1
		if ($2 == "H_RTAS") skip = 0
		if (!skip && $2 !~ /^H_(RPTI_|PAGE_IN_SHARED)/) print $2, $3
	}' hvcall.h | while read -r n v; do echo "$n $((v))"; done | sort > want
	sed -n 's/^HCALL(\([A-Z0-9_]*\), *\(0x[0-9a-f]*\), *[A-Z0-9]*)$/\1 \2/p' "$TOP/bpf/hcalls.def" |
		while read -r n v; do echo "$n $((v))"; done | sort > have
	[ "$(wc -l < want)" -gt 150 ] || { echo "parsed only $(wc -l < want) opcodes"; return 1; }
	diff want have
}
