/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Names for the numbers in struct hs_key: hcalls, kinds, paths, exits. */
#ifndef HS_NAMES_H
#define HS_NAMES_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "hcallscope.h"

/* NULL when the opcode is not in hcalls.def */
const char *hs_hcall_name(uint32_t opcode);
/* opcode for a name ("H_PUT_TCE", case-insensitive) or a number; -1 if neither */
long hs_hcall_parse(const char *s);

const char *hs_kind_name(unsigned int kind);
const char *hs_path_name(unsigned int path);
/* -1 when unknown */
int hs_path_parse(const char *s);
/* "HLT" for KVM_EXIT_HLT; NULL when unknown */
const char *hs_exit_name(uint32_t reason);

/* Human request ("H_PUT_TCE", "pio-out", "exit:HLT") and argument
 * ("liobn=0x80000000", "port=0x3f8") of a key; "" when it has none. */
void hs_request_str(const struct hs_key *k, char *buf, size_t len);
void hs_arg_str(const struct hs_key *k, char *buf, size_t len);
/* Name of the field hs_key.arg holds ("liobn", "port", "gpa", "leaf"), or NULL */
const char *hs_arg_name(const struct hs_key *k);

#endif
