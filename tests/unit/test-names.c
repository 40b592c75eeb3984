// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of tools/lib/names.c: the hcall table and the key formatting. */
#include <stdlib.h>
#include "assert.h"
#include "names.h"

static void test_hcall_table(void)
{
	ASSERT_STREQ(hs_hcall_name(0x20), "H_PUT_TCE", "name H_PUT_TCE");
	ASSERT_STREQ(hs_hcall_name(0x138), "H_STUFF_TCE", "name H_STUFF_TCE");
	ASSERT_STREQ(hs_hcall_name(0x13c), "H_PUT_TCE_INDIRECT", "name H_PUT_TCE_INDIRECT");
	ASSERT_STREQ(hs_hcall_name(0x1c), "H_GET_TCE", "name H_GET_TCE");
	ASSERT_STREQ(hs_hcall_name(0xe0), "H_CEDE", "name H_CEDE");
	ASSERT_STREQ(hs_hcall_name(0xf804), "H_ENTER_NESTED", "name H_ENTER_NESTED");
	ASSERT_NULL(hs_hcall_name(0x21), "unknown opcode has no name");
	ASSERT_EQ(hs_hcall_parse("H_PUT_TCE_INDIRECT"), 0x13c, "parse name");
	ASSERT_EQ(hs_hcall_parse("h_stuff_tce"), 0x138, "parse lower-case name");
	ASSERT_EQ(hs_hcall_parse("0x20"), 0x20, "parse hex number");
	ASSERT_EQ(hs_hcall_parse("H_NOPE"), -1, "parse unknown name");
	ASSERT_EQ(hs_hcall_parse(""), -1, "parse empty");
	ASSERT_EQ(hs_hcall_flags(0x20), HS_HCALL_TCE | HS_HCALL_LIOBN, "flags H_PUT_TCE");
	ASSERT_EQ(hs_hcall_flags(0x13c), HS_HCALL_TCE | HS_HCALL_LIOBN, "flags H_PUT_TCE_INDIRECT");
	ASSERT_EQ(hs_hcall_flags(0x138), HS_HCALL_TCE | HS_HCALL_LIOBN, "flags H_STUFF_TCE");
	ASSERT_EQ(hs_hcall_flags(0x1c), HS_HCALL_LIOBN, "flags H_GET_TCE: a LIOBN, no TCE change");
	ASSERT_EQ(hs_hcall_flags(0xe0), 0, "flags H_CEDE: none");
	ASSERT_EQ(hs_hcall_flags(0x124), 0, "flags H_BULK_REMOVE: none");
}

static void test_names(void)
{
	ASSERT_STREQ(hs_path_name(HS_PATH_REALMODE), "real-mode", "path real-mode");
	ASSERT_STREQ(hs_path_name(HS_PATH_VIRTMODE), "virtual-mode", "path virtual-mode");
	ASSERT_STREQ(hs_path_name(HS_PATH_USERSPACE), "userspace", "path userspace");
	ASSERT_EQ(hs_path_parse("kernel"), HS_PATH_KERNEL, "parse path");
	ASSERT_EQ(hs_path_parse("kernal"), -1, "parse bad path");
	ASSERT_STREQ(hs_kind_name(HS_KIND_PIO), "pio", "kind pio");
	ASSERT_STREQ(hs_exit_name(19), "PAPR_HCALL", "exit 19");
	ASSERT_STREQ(hs_exit_name(5), "HLT", "exit 5");
	ASSERT_NULL(hs_exit_name(1000), "exit out of range");
}

static void test_key_strings(void)
{
	struct hs_key tce = { .kind = HS_KIND_HCALL, .code = 0x13c, .arg = 0x80000000 };
	struct hs_key cede = { .kind = HS_KIND_HCALL, .code = 0xe0 };
	struct hs_key odd = { .kind = HS_KIND_HCALL, .code = 0x21 };
	struct hs_key pio = { .kind = HS_KIND_PIO, .code = HS_DIR_WRITE, .arg = 0x3f8 };
	struct hs_key intr = { .kind = HS_KIND_EXIT, .code = 0x10000 + 4 };
	char buf[32];

	hs_request_str(&tce, buf, sizeof(buf));
	ASSERT_STREQ(buf, "H_PUT_TCE_INDIRECT", "request of a TCE key");
	hs_arg_str(&tce, buf, sizeof(buf));
	ASSERT_STREQ(buf, "liobn=0x80000000", "LIOBN argument");
	hs_arg_str(&cede, buf, sizeof(buf));
	ASSERT_STREQ(buf, "", "no argument for H_CEDE");
	tce.path = HS_PATH_REALMODE;
	hs_arg_str(&tce, buf, sizeof(buf));
	ASSERT_STREQ(buf, "", "no LIOBN on real-mode rows");
	hs_request_str(&odd, buf, sizeof(buf));
	ASSERT_STREQ(buf, "hcall:0x21", "unknown opcode shown as number");
	hs_request_str(&pio, buf, sizeof(buf));
	ASSERT_STREQ(buf, "pio-out", "pio request");
	hs_arg_str(&pio, buf, sizeof(buf));
	ASSERT_STREQ(buf, "port=0x3f8", "pio argument");
	hs_request_str(&intr, buf, sizeof(buf));
	ASSERT_STREQ(buf, "exit:errno4", "exit with errno");
}

int main(void)
{
	test_hcall_table();
	test_names();
	test_key_strings();
	return hs_failed ? 1 : 0;
}
