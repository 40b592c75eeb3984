// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The pseries guest's hcall latency pairing (bpf/power-guest.bpf.h) built
 * for this machine: its tracepoints exist only in a POWER guest, so
 * test-guest-stack feeds the programs entries and exits itself
 * (BPF_PROG_TEST_RUN), including the ones a real guest can lose.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include "hcallscope.h"

#include "counting.bpf.h"
#include "power-guest.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
