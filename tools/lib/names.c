// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "names.h"

struct hcall_name {
	uint32_t opcode;
	const char *name;
};

static const struct hcall_name hcalls[] = {
#define HCALL(name, op, flags) { op, #name },
#include "hcalls.def"
#undef HCALL
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char *hs_hcall_name(uint32_t opcode)
{
	for (size_t i = 0; i < ARRAY_SIZE(hcalls); i++)
		if (hcalls[i].opcode == opcode)
			return hcalls[i].name;
	return NULL;
}

long hs_hcall_parse(const char *s)
{
	char *end;
	unsigned long v;

	for (size_t i = 0; i < ARRAY_SIZE(hcalls); i++)
		if (!strcasecmp(hcalls[i].name, s))
			return hcalls[i].opcode;
	v = strtoul(s, &end, 0);
	if (!*s || *end || v > UINT32_MAX)
		return -1;
	return (long)v;
}

#define NAME_ENTRY(sym, name) name,
static const char *const kinds[] = { "none", HS_KIND_LIST(NAME_ENTRY) };
static const char *const paths[] = { "none", HS_PATH_LIST(NAME_ENTRY) };
#undef NAME_ENTRY

const char *hs_kind_name(unsigned int kind)
{
	return kind < ARRAY_SIZE(kinds) ? kinds[kind] : "?";
}

const char *hs_path_name(unsigned int path)
{
	return path < ARRAY_SIZE(paths) ? paths[path] : "?";
}

int hs_path_parse(const char *s)
{
	for (size_t i = 1; i < ARRAY_SIZE(paths); i++)
		if (!strcmp(paths[i], s))
			return (int)i;
	return -1;
}

/* include/uapi/linux/kvm.h, KVM_EXIT_* */
static const char *const exits[] = {
	"UNKNOWN", "EXCEPTION", "IO", "HYPERCALL", "DEBUG", "HLT", "MMIO",
	"IRQ_WINDOW_OPEN", "SHUTDOWN", "FAIL_ENTRY", "INTR", "SET_TPR",
	"TPR_ACCESS", "S390_SIEIC", "S390_RESET", "DCR", "NMI",
	"INTERNAL_ERROR", "OSI", "PAPR_HCALL", "S390_UCONTROL", "WATCHDOG",
	"S390_TSCH", "EPR", "SYSTEM_EVENT", "S390_STSI", "IOAPIC_EOI",
	"HYPERV", "ARM_NISV", "X86_RDMSR", "X86_WRMSR", "DIRTY_RING_FULL",
	"AP_RESET_HOLD", "X86_BUS_LOCK", "XEN", "RISCV_SBI", "RISCV_CSR",
	"NOTIFY",
};

const char *hs_exit_name(uint32_t reason)
{
	return reason < ARRAY_SIZE(exits) ? exits[reason] : NULL;
}

void hs_request_str(const struct hs_key *k, char *buf, size_t len)
{
	const char *n, *dir = k->code == HS_DIR_WRITE ? "write" : "read";

	switch (k->kind) {
	case HS_KIND_HCALL:
	case HS_KIND_HCALL_ERROR:
		n = hs_hcall_name(k->code);
		if (n)
			snprintf(buf, len, "%s", n);
		else
			snprintf(buf, len, "hcall:0x%x", k->code);
		break;
	case HS_KIND_PIO:
		snprintf(buf, len, "pio-%s", k->code == HS_DIR_WRITE ? "out" : "in");
		break;
	case HS_KIND_MMIO:
		snprintf(buf, len, "mmio-%s", dir);
		break;
	case HS_KIND_HYPERCALL:
		snprintf(buf, len, "hypercall:%u", k->code);
		break;
	case HS_KIND_EXIT:
		if (k->code > 0x10000)
			snprintf(buf, len, "exit:errno%u", k->code - 0x10000);
		else if ((n = hs_exit_name(k->code)))
			snprintf(buf, len, "exit:%s", n);
		else
			snprintf(buf, len, "exit:%u", k->code);
		break;
	default:
		snprintf(buf, len, "%s", hs_kind_name(k->kind));
	}
}

const char *hs_arg_name(const struct hs_key *k)
{
	switch (k->kind) {
	case HS_KIND_HCALL:
		/* real-mode counts are per vCPU and hcall, not per LIOBN */
		return (hs_hcall_flags(k->code) & HS_HCALL_LIOBN) && k->path != HS_PATH_REALMODE ?
		       "liobn" : NULL;
	case HS_KIND_PIO:
		return "port";
	case HS_KIND_MMIO:
		return "gpa";
	case HS_KIND_CPUID:
		return "leaf";
	case HS_KIND_HCALL_ERROR:
		return "rc";
	}
	return NULL;
}

void hs_arg_str(const struct hs_key *k, char *buf, size_t len)
{
	const char *n = hs_arg_name(k);

	if (k->kind == HS_KIND_HCALL_ERROR)	/* a PAPR return code, e.g. -4 */
		snprintf(buf, len, "%s=%lld", n, (long long)k->arg);
	else if (n)
		snprintf(buf, len, "%s=0x%llx", n, (unsigned long long)k->arg);
	else if (len)
		buf[0] = '\0';
}
