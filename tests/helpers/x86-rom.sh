#!/bin/sh
# A 64 KiB firmware image for qemu-system-x86_64 -bios: no OS, a guest whose
# every request is known.  From the reset vector, in real mode:
#   USER x  out 0x700  (no device: an exit to QEMU)
#   KERN x  out 0x21   (the in-kernel PIC: completed in KVM)
#   CPUID x cpuid, leaf 0
# then cli; hlt for good (with QEMU's in-kernel irqchip, no exit).
#   tests/helpers/x86-rom.sh OUT USER KERN CPUID     (each 1..65535)
set -eu
[ $# -eq 4 ] || { echo "usage: x86-rom.sh OUT USER KERN CPUID" >&2; exit 2; }
out=$1
for n in "$2" "$3" "$4"; do
	case $n in '' | *[!0-9]*) echo "x86-rom.sh: '$n' is not a count" >&2; exit 2 ;; esac
	if [ "$n" -lt 1 ] || [ "$n" -gt 65535 ]; then
		echo "x86-rom.sh: $n is not in 1..65535" >&2
		exit 2
	fi
done

# a little-endian 16-bit immediate as printf escapes
le16() { printf '\\%03o\\%03o' $(($1 & 255)) $(($1 >> 8)); }

code=$(
	printf '\\271%s' "$(le16 "$2")"		# mov cx, USER
	printf '\\272\\000\\007'			# mov dx, 0x700
	printf '\\356\\342\\375'			# 1: out dx, al; loop 1b
	printf '\\260\\377'				# mov al, 0xff (PIC: all masked)
	printf '\\271%s' "$(le16 "$3")"		# mov cx, KERN
	printf '\\346\\041\\342\\374'		# 2: out 0x21, al; loop 2b
	printf '\\276%s' "$(le16 "$4")"		# mov si, CPUID
	printf '\\146\\061\\300\\017\\242'	# 3: xor eax, eax; cpuid
	printf '\\116\\165\\370'			# dec si; jnz 3b
	printf '\\372\\364\\353\\375'		# cli; 4: hlt; jmp 4b
)
tmp=$out.tmp.$$
trap 'rm -f "$tmp"' EXIT
{
	# the code at F000:F000, the reset vector (F000:FFF0) jumps to it
	head -c 61440 /dev/zero
	# shellcheck disable=SC2059
	printf "$code"
} > "$tmp"
len=$(wc -c < "$tmp")
{
	head -c $((65520 - len)) /dev/zero
	printf '\351\015\360'	# jmp near 0xf000 (from 0xfff3)
	head -c 13 /dev/zero
} >> "$tmp"
[ "$(wc -c < "$tmp")" -eq 65536 ] || { echo "x86-rom.sh: image is not 64 KiB" >&2; exit 1; }
mv "$tmp" "$out"
trap - EXIT
