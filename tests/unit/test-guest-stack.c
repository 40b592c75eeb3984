// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The guest's hcall latencies (bpf/power-guest.bpf.h), run by the kernel
 * here with BPF_PROG_TEST_RUN on one CPU: nesting, and exits that never
 * come (an hcall in flight while hcallstat attached its probes) - which
 * once left a CPU with no latency at all for the rest of a run.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include <bpf/bpf.h>
#include "assert.h"
#include "hcallscope.h"
#include "guest-stack.skel.h"

static struct guest_stack_bpf *skel;

static void run(struct bpf_program *prog, unsigned long long op, long long arg)
{
	unsigned long long ctx[2] = { op, (unsigned long long)arg };
	LIBBPF_OPTS(bpf_test_run_opts, o, .ctx_in = ctx, .ctx_size_in = sizeof(ctx),
		    .flags = BPF_F_TEST_RUN_ON_CPU, .cpu = 0);

	if (bpf_prog_test_run_opts(bpf_program__fd(prog), &o)) {
		printf("FAIL test run of %s: %s\n", bpf_program__name(prog), strerror(errno));
		exit(1);
	}
}

/* args is a pointer the programs only read through a fault-safe helper */
static void entry(unsigned op) { run(skel->progs.raw_tp_hcall_entry, op, 0); }
static void exit_(unsigned op) { run(skel->progs.raw_tp_hcall_exit, op, 0); }

/* latencies recorded for an opcode so far */
static long long timed(unsigned op)
{
	struct hs_hist h;
	long long n = 0;

	for (__u32 i = 0; i < skel->bss->next_slot && i < 4096; i++)
		if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.hists), &i, &h) &&
		    h.id.kind == HS_KIND_HCALL && h.id.code == op)
			n += h.timed;
	return n;
}

int main(void)
{
	struct bpf_program *prog;
	unsigned put = HS_H_PUT_TCE, eoi = HS_H_EOI, cede = HS_H_CEDE;

	skel = guest_stack_bpf__open();
	if (!skel) {
		printf("FAIL open: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->hist_scale = HS_HIST_LOG2;
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, prog == skel->progs.raw_tp_hcall_entry ||
					  prog == skel->progs.raw_tp_hcall_exit);
	if (guest_stack_bpf__load(skel)) {
		printf("FAIL load: %s\n", strerror(errno));
		return 1;
	}

	/* an exit whose entry came before the probes: nothing timed */
	exit_(cede);
	ASSERT_EQ(timed(cede), 0, "exit without entry times nothing");

	/* the plain case, then an interrupt's hcall inside another */
	entry(put); exit_(put);
	ASSERT_EQ(timed(put), 1, "one hcall, one latency");
	entry(put); entry(eoi); exit_(eoi); exit_(put);
	ASSERT_EQ(timed(eoi), 1, "nested hcall timed");
	ASSERT_EQ(timed(put), 2, "hcall around it timed");

	/* five hcalls whose exits were lost (more than the stack holds),
	 * then 100 whole ones: every one of those timed */
	for (int i = 0; i < 5; i++)
		entry(cede);
	for (int i = 0; i < 100; i++) {
		entry(put);
		exit_(put);
	}
	ASSERT_EQ(timed(put), 102, "latencies after lost exits");

	/* a lost exit inside a nesting: the outer hcall still timed, and the
	 * stack back to where it was */
	entry(put); entry(eoi); exit_(put);
	ASSERT_EQ(timed(put), 103, "outer hcall timed past a lost inner exit");
	ASSERT_EQ(timed(eoi), 1, "the inner one, its exit lost, untimed");
	entry(eoi); exit_(eoi);
	ASSERT_EQ(timed(eoi), 2, "next hcall timed");

	guest_stack_bpf__destroy(skel);
	printf("%d passed, %d failed\n", hs_passed, hs_failed);
	return hs_failed != 0;
}
