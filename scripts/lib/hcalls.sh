# shellcheck shell=bash
# The hcall facts for shell (sourced), read from their one home:
# opcodes and flags from bpf/hcalls.def, hcall-load's LIOBNs from
# tools/hcall-load/hcall-load.h.  Numbers are printed in decimal, as jq
# and hcallstat's JSON have them.
_hs_top=$(cd "$(dirname "${BASH_SOURCE[0]:-$0}")/../.." && pwd)

# Opcode of an hcall by name: hcall_opcode H_PUT_TCE -> 32
hcall_opcode() {
	local v
	v=$(sed -n "s/^HCALL($1, *\(0x[0-9a-f]*\), *[A-Z0-9]*)$/\1/p" "$_hs_top/bpf/hcalls.def")
	[ -n "$v" ] || { echo "hcall_opcode: no hcall $1 in bpf/hcalls.def" >&2; return 1; }
	echo $((v))
}

# Opcodes whose flag column is FLAG (TCE, or LIOBN which TCE implies),
# one line, ascending: hcall_opcodes TCE -> "32 312 316"
hcall_opcodes() {
	local v f out=
	while IFS=" " read -r _ v f; do
		case $1:$f in TCE:TCE|LIOBN:TCE|LIOBN:LIOBN) out="$out $((v))" ;; esac
	done <<-EOF
	$(sed -n 's/^HCALL(\([A-Z0-9_]*\), *\(0x[0-9a-f]*\), *\([A-Z0-9]*\))$/\1 \2 \3/p' "$_hs_top/bpf/hcalls.def")
	EOF
	[ -n "$out" ] || { echo "hcall_opcodes: no hcall flagged $1" >&2; return 1; }
	echo $out | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//'
	echo
}

# A jq condition on a row's .code: hcall_jq_code TCE -> (.code == 32 or ...)
hcall_jq_code() {
	local ops
	ops=$(hcall_opcodes "$1") || return 1
	echo "($(echo "$ops" | sed 's/\([0-9]*\)/.code == \1/g; s/ \./ or ./g'))"
}

# hcall-load's LIOBNs: liobn KERNEL (in-kernel table), USER (none), NONE,
# CHURN (a table the VMM keeps making and closing);
# QEMU_PHB0: what QEMU gives its first PCI host bridge's DMA window
# (SPAPR_PCI_LIOBN(0, 0)), where a passed-through device's TCEs go
liobn() {
	local v
	[ "$1" != QEMU_PHB0 ] || { echo $((0x80000000)); return; }
	v=$(sed -n "s/^#define HL_LIOBN_$1[[:space:]]*\(0x[0-9a-f]*\)u.*/\1/p" \
		"$_hs_top/tools/hcall-load/hcall-load.h")
	[ -n "$v" ] || { echo "liobn: no HL_LIOBN_$1 in hcall-load.h" >&2; return 1; }
	echo $((v))
}
