// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * The BPF side: pick one flavour (tp_btf or raw_tp) of each program whose
 * tracepoint exists, load the skeleton with the filters, attach.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "hcallstat.h"
#include "hcallstat.skel.h"

struct hcallstat_bpf *skel;

static struct bpf_link *links[64];
static const char *link_names[64];
static size_t nr_links;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	(void)level;
	if (!env.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* libbpf's own messages only with -v: ours are one line */
void probes_quiet_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}


/* Autoload one flavour of each program whose tracepoint exists. */
static int select_programs(int use_tp_btf)
{
	const char *prefix = use_tp_btf ? "tp_btf_" : "raw_tp_";
	struct bpf_program *prog;
	int n = 0;

	bpf_object__for_each_program(prog, skel->obj) {
		const char *name = bpf_program__name(prog);
		int mine = !strncmp(name, prefix, strlen(prefix));
		const char *tp = name + strlen(prefix);

		/* classic tracepoints have one flavour, named after the event */
		if (!strncmp(bpf_program__section_name(prog), "tracepoint/", 11)) {
			mine = env.mode == MODE_HOST && tracepoint_exists(name) &&
			       (strncmp(name, "sched_process_f", 15) || skel->rodata->follow);
			bpf_program__set_autoload(prog, mine);
			n += mine;
			continue;
		}
		if (mine && (!tracepoint_exists(tp) ||
			     (env.mode == MODE_GUEST) != !strncmp(tp, "hcall_", 6)))
			mine = 0;
		/* x86 guest entries end latencies only: no cost without -L */
		if (mine && !env.hist && !strcmp(tp, "kvm_entry"))
			mine = 0;
		if (mine && use_tp_btf && !btf_has_tracepoint(tp))
			return -ENOENT;
		bpf_program__set_autoload(prog, mine);
		n += mine;
	}
	return n;
}

static int open_and_load(int use_tp_btf)
{
	LIBBPF_OPTS(bpf_object_open_opts, oopts, .btf_custom_path = env.btf_path);
	int err;

	skel = hcallstat_bpf__open_opts(&oopts);
	if (!skel)
		die("cannot open BPF object: %s", strerror(errno));
	follow_setup(skel);
	skel->rodata->targ_vcpu = env.vcpu;
	skel->rodata->hist_scale = env.hist;
	skel->rodata->lin_min_ns = env.lin_min;
	skel->rodata->lin_step_ns = env.lin_step ? env.lin_step : 1;
	skel->rodata->live_counts = env.pin;
	/* task storage needs kernel BTF; else per-thread state in a hash */
	skel->rodata->use_task_storage = !access("/sys/kernel/btf/vmlinux", R_OK);
	if (!skel->rodata->use_task_storage)
		bpf_map__set_autocreate(skel->maps.tasks, false);
	err = select_programs(use_tp_btf);
	if (err < 0) {
		hcallstat_bpf__destroy(skel);
		skel = NULL;
		return err;
	}
	err = hcallstat_bpf__load(skel);
	if (err) {
		hcallstat_bpf__destroy(skel);
		skel = NULL;
	}
	return err;
}
const char *load_probes(void)
{
	struct bpf_program *prog;
	const char *kind = "raw_tp";
	int err;

	find_btf_file();
	if (env.verbose && env.btf_path)
		fprintf(stderr, "hcallstat: BTF from %s\n", env.btf_path);
	err = env.force_raw_tp || env.btf_path ? -1 : open_and_load(1);
	free_kernel_btfs();
	if (!err)
		kind = "tp_btf";
	else if ((err = open_and_load(0)))
		die("cannot load BPF programs: %s (run with -v for libbpf's log)",
		    strerror(-err));

	/* Last defined, first attached: the object defines each latency's
	 * start before its end (hcall_entry before hcall_exit), so no hcall
	 * starts a latency while the probe that ends it is missing. */
	struct bpf_program *progs[ARRAY_SIZE(links)];
	size_t n = 0;

	bpf_object__for_each_program(prog, skel->obj) {
		if (!bpf_program__autoload(prog))
			continue;
		if (n == ARRAY_SIZE(progs))
			die("more than %zu programs", ARRAY_SIZE(links));
		progs[n++] = prog;
	}
	while (n--) {
		struct bpf_link *l = bpf_program__attach(progs[n]);

		if (!l)
			die("cannot attach %s: %s", bpf_program__name(progs[n]),
			    strerror(errno));
		link_names[nr_links] = bpf_program__name(progs[n]);
		links[nr_links++] = l;
	}
	return kind;
}


/* Until the kernel has freed the programs (it may do so after the last
 * fd is closed), at most 2 s */
void wait_progs_gone(const __u32 *ids, size_t n)
{
	for (int tries = 0; tries < 200; tries++) {
		size_t alive = 0;

		for (size_t i = 0; i < n; i++) {
			int fd = bpf_prog_get_fd_by_id(ids[i]);

			if (fd >= 0) {
				alive++;
				close(fd);
			}
		}
		if (!alive)
			return;
		usleep(10000);
	}
}

/*
 * Detach and free everything; safe to call twice.  With wait, return only
 * once the programs are gone, so that nothing of ours outlives the run.
 */
void unload_probes(int wait)
{
	struct bpf_program *prog;
	__u32 ids[64];
	size_t n = 0;

	if (skel && wait)
		bpf_object__for_each_program(prog, skel->obj) {
			struct bpf_prog_info info = {};
			__u32 len = sizeof(info);

			if (n < ARRAY_SIZE(ids) && bpf_program__fd(prog) >= 0 &&
			    !bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
				ids[n++] = info.id;
		}
	while (nr_links)	/* starts go before their ends */
		bpf_link__destroy(links[--nr_links]);
	hcallstat_bpf__destroy(skel);
	skel = NULL;
	wait_progs_gone(ids, n);
}

size_t probe_links(struct bpf_link ***l, const char ***names)
{
	*l = links;
	*names = link_names;
	return nr_links;
}

/*
 * The programs' own run time, when the kernel keeps it
 * (sysctl kernel.bpf_stats_enabled=1): the in-kernel cost of tracing.
 */
void bpf_run_stats(__u64 *runs, __u64 *ns)
{
	struct bpf_program *prog;

	*runs = *ns = 0;
	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);

		if (bpf_program__fd(prog) < 0 ||
		    bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
			continue;
		*runs += info.run_cnt;
		*ns += info.run_time_ns;
	}
}

