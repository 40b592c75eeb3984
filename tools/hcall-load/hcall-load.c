// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hcall-load: run a guest that issues an exact mix of requests and say
 * what it issued.  See hcall-load.h for the backend interface.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <getopt.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <linux/kvm.h>
#include <linux/perf_event.h>
#include "hcall-load.h"
#include "names.h"

static const char usage[] =
"Usage: hcall-load [-c VCPUS] [-m MIX] [-j] [-w] [--hold] [-l] [--vfio GROUP[,GROUP]]\n"
"                  [--vfio-remove-window] [--vfio-churn] [--notifier-probe]\n"
"                  [--fuzz SEED,CALLS] [--instructions] [--hugetlb-offset KB]\n"
"                  [--vfio-map-race]\n"
"Run a KVM guest that issues an exact mix of requests, then report them.\n"
"\n"
"  -c, --vcpus N     vCPUs; each runs the whole mix (default 1, max 64)\n"
"  -m, --mix MIX     comma-separated REQUEST=COUNT (per vCPU); -l lists them\n"
"  -j, --json        report as one JSON object\n"
"  -w, --wait        set up, print 'ready' on stderr, run on SIGUSR1\n"
"      --hold        after the report, print 'done' on stderr and keep the\n"
"                    VM until SIGUSR1 (its debugfs stats stay readable)\n"
"  -l, --list        list this backend's requests\n"
"      --vfio GROUP  POWER: back the in-kernel TCE table with VFIO group\n"
"                    GROUP (/dev/vfio/GROUP, a device bound to vfio-pci), so\n"
"                    the TCE hcalls program the host IOMMU for that device;\n"
"                    two groups share one container (and the table); at the\n"
"                    end the window is removed and the RAM unregistered, and\n"
"                    -j reports VFIO's answer as vfio_unregister\n"
"      --vfio-remove-window  POWER: remove the window right after attaching\n"
"                    it to KVM, so the guest's TCE hcalls meet a table VFIO\n"
"                    has cleared and let go of\n"
"      --vfio-churn  POWER: while the vCPUs run, detach the group from KVM's\n"
"                    table and attach it again, over and over (hot unplug\n"
"                    and replug as KVM sees them)\n"
"      --vfio-map-race  POWER: while the vCPUs run, map the window's first\n"
"                    entry through VFIO to one page, then another, then\n"
"                    unmap it, over and over (a VMM completing TCE hcalls\n"
"                    KVM left to it); -j reports the rounds\n"
"      --notifier-probe  POWER: while the vCPUs run, time the host's MMU\n"
"                    notifier (madvise(MADV_DONTNEED) of a page of a memslot\n"
"                    the guest does not use); -j reports calls, p50, p99, max\n"
"      --fuzz SEED,CALLS  POWER: each vCPU (at most 8) issues CALLS random TCE\n"
"                    hcalls (bad values too) made from SEED instead of the mix;\n"
"                    -j reports every call and its return code\n"
"      --hugetlb-offset KB  POWER, with --vfio: the upper half of guest RAM\n"
"                    in 16M huge pages from KB into the first, the LIOBN's\n"
"                    and the VFIO window's pages 16M too (KB other than 0:\n"
"                    a TCE there has its host address misaligned to the\n"
"                    IOMMU page; put-tce-high maps one)\n"
"      --instructions  POWER: count the instructions each vCPU retires,\n"
"                    under the host's PMU (the vCPU thread: KVM's virtual\n"
"                    mode, this VMM) and under the guest's (the guest and\n"
"                    KVM's real mode); needs a PMU that counts instructions\n"
"  -h, --help\n"
"\n"
"Examples:\n"
"  hcall-load                               # the backend's default mix\n"
"  hcall-load -c 2 -m pio-user=100,cpuid=50 -j\n";

struct vcpu_thread {
	pthread_t tid;
	unsigned int idx;
	struct hl_vcpu_result res;
};

static const struct hl_request *find_request(const char *name, size_t len)
{
	for (unsigned int i = 0; i < hl_backend.nr_requests; i++) {
		const char *n = hl_backend.requests[i].name;

		if (strlen(n) == len && !strncmp(n, name, len))
			return &hl_backend.requests[i];
	}
	return NULL;
}

/* "a=1,b=2" -> items; one-line error and -1 on bad input */
static int parse_mix(const char *spec, struct hl_item *items, unsigned int *nr)
{
	const char *p = spec;

	*nr = 0;
	while (*p) {
		const char *eq = strchr(p, '='), *end = strchr(p, ',');
		const struct hl_request *req;
		char *num_end;
		unsigned long long n;

		if (!end)
			end = p + strlen(p);
		if (!eq || eq > end) {
			fprintf(stderr, "hcall-load: bad mix item '%.*s' (want REQUEST=COUNT)\n",
				(int)(end - p), p);
			return -1;
		}
		req = find_request(p, eq - p);
		if (!req) {
			fprintf(stderr, "hcall-load: unknown request '%.*s' for the %s backend (see -l)\n",
				(int)(eq - p), p, hl_backend.name);
			return -1;
		}
		errno = 0;
		n = strtoull(eq + 1, &num_end, 10);
		if (errno || num_end != end || eq + 1 == end || n > UINT32_MAX) {
			fprintf(stderr, "hcall-load: bad count in '%.*s' (0..%u)\n",
				(int)(end - p), p, UINT32_MAX);
			return -1;
		}
		if (*nr == HL_MAX_ITEMS) {
			fprintf(stderr, "hcall-load: more than %d mix items\n", HL_MAX_ITEMS);
			return -1;
		}
		for (unsigned int i = 0; i < *nr; i++)
			if (items[i].req == req) {
				fprintf(stderr, "hcall-load: '%s' given twice\n", req->name);
				return -1;
			}
		items[*nr].req = req;
		items[*nr].count = n;
		(*nr)++;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int hl_vcpu_fds[HL_MAX_VCPUS];
struct kvm_run *hl_runs[HL_MAX_VCPUS];

/* vCPUs before the VM: closing the VM fd last frees what KVM holds for it */
static void teardown(void)
{
	for (unsigned int i = 0; i < HL_MAX_VCPUS; i++)
		if (hl_vcpu_fds[i] >= 0)
			close(hl_vcpu_fds[i]);
	hl_backend.teardown();
}

/*
 * "kvm_stats": the vCPU's KVM statistics (KVM_GET_STATS_FD, the counters
 * debugfs shows per VM) whose names "want" accepts; single values only.
 */
void hl_report_kvm_stats(unsigned int idx, int (*want)(const char *name),
			 struct hs_json *j)
{
	struct kvm_stats_header h;
	size_t dsz;
	char *descs = NULL;
	int fd;

	hs_json_obj(j, "kvm_stats");
	fd = ioctl(hl_vcpu_fds[idx], KVM_GET_STATS_FD, NULL);
	if (fd < 0 || pread(fd, &h, sizeof(h), 0) != sizeof(h))
		goto out;
	dsz = sizeof(struct kvm_stats_desc) + h.name_size;
	descs = malloc(dsz * h.num_desc);
	if (!descs || pread(fd, descs, dsz * h.num_desc, h.desc_offset) !=
	    (ssize_t)(dsz * h.num_desc))
		goto out;
	for (unsigned int i = 0; i < h.num_desc; i++) {
		struct kvm_stats_desc *d = (void *)(descs + i * dsz);
		uint64_t v;

		if (d->size != 1 || !want(d->name) ||
		    pread(fd, &v, sizeof(v), h.data_offset + d->offset) != sizeof(v))
			continue;
		/* the kernel's name, bounded by its buffer */
		hs_json_u64(j, d->name, v);
	}
out:
	hs_json_end(j);
	free(descs);
	if (fd >= 0)
		close(fd);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static int count_insns;	/* --instructions */

/* this thread's instructions, user and kernel, from now on */
static int open_insns_counter(void)
{
	struct perf_event_attr a = {
		.type = PERF_TYPE_HARDWARE, .size = sizeof(a),
		.config = PERF_COUNT_HW_INSTRUCTIONS,
	};

	return syscall(SYS_perf_event_open, &a, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
}

/* KVM_RUN until the backend says the guest is done */
static void run_vcpu(unsigned int idx, struct hl_vcpu_result *res)
{
	struct kvm_run *run = hl_runs[idx];
	uint64_t t0 = thread_cpu_ns();
	enum hl_exit e = HL_EXIT_CONTINUE;
	int pfd = -1, rc;

	if (count_insns) {
		rc = hl_backend.guest_insns_start(idx);
		if (rc < 0) {
			res->error = -rc;
			res->what = "cannot start the guest's instruction counter";
			return;
		}
		pfd = open_insns_counter();
		if (pfd < 0) {
			res->error = errno;
			res->what = "cannot count the host's instructions (perf_event_open)";
			return;
		}
	}

	while (e == HL_EXIT_CONTINUE) {
		if (ioctl(hl_vcpu_fds[idx], KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			res->error = errno;
			break;
		}
		if (run->exit_reason < 64)
			res->exits[run->exit_reason]++;
		e = hl_backend.handle_exit(run);
		if (e == HL_EXIT_UNEXPECTED)
			res->error = EIO;
	}
	res->cpu_ns = thread_cpu_ns() - t0;
	if (pfd < 0)
		return;
	if (read(pfd, &res->host_insns, sizeof(res->host_insns)) != sizeof(res->host_insns) && !res->error) {
		res->error = errno ? errno : EIO;
		res->what = "cannot read the host's instruction count";
	}
	close(pfd);
	rc = hl_backend.guest_insns_read(idx, &res->guest_insns);
	if (rc < 0 && !res->error) {
		res->error = -rc;
		res->what = "cannot read the guest's instruction counter";
	}
}

static void *vcpu_main(void *arg)
{
	struct vcpu_thread *t = arg;
	char name[16];

	snprintf(name, sizeof(name), "vcpu%u", t->idx);
	pthread_setname_np(pthread_self(), name);
	run_vcpu(t->idx, &t->res);
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void report_json(const struct hl_item *items, unsigned int nr,
			const struct vcpu_thread *th, unsigned int nr_vcpus,
			double elapsed)
{
	struct hs_json j;

	hs_json_init(&j, stdout);
	hs_json_obj(&j, NULL);
	hs_json_str(&j, "schema", "hcall-load/1");
	hs_json_str(&j, "backend", hl_backend.name);
	hs_json_i64(&j, "pid", getpid());
	hs_json_u64(&j, "vcpus", nr_vcpus);
	hs_json_double(&j, "elapsed_s", "%.6f", elapsed);
	hs_json_arr(&j, "mix");
	for (unsigned int i = 0; i < nr; i++) {
		const struct hl_request *r = items[i].req;

		hs_json_obj(&j, NULL);
		hs_json_str(&j, "request", r->name);
		hs_json_str(&j, "kind", hs_kind_name(r->kind));
		hs_json_str(&j, "path", hs_path_name(r->path));
		hs_json_u64(&j, "code", r->code);
		hs_json_u64(&j, "arg", r->arg);
		hs_json_u64(&j, "per_vcpu", items[i].count);
		hs_json_end(&j);
	}
	hs_json_end(&j);
	hs_json_obj(&j, "observed");
	hl_backend.report_kernel_side(&j);
	hs_json_arr(&j, "per_vcpu");
	for (unsigned int v = 0; v < nr_vcpus; v++) {
		hs_json_obj(&j, NULL);
		hs_json_u64(&j, "vcpu", v);
		hs_json_u64(&j, "cpu_ns", th[v].res.cpu_ns);
		if (count_insns) {
			hs_json_obj(&j, "instructions");
			hs_json_u64(&j, "guest", th[v].res.guest_insns);
			hs_json_u64(&j, "host", th[v].res.host_insns);
			hs_json_end(&j);
		}
		hs_json_obj(&j, "userspace_exits");
		for (unsigned int e = 0; e < 64; e++) {
			const char *n = hs_exit_name(e);

			if (th[v].res.exits[e])
				hs_json_u64(&j, n ? n : "?", th[v].res.exits[e]);
		}
		hs_json_end(&j);
		if (hl_backend.report_vcpu)
			hl_backend.report_vcpu(v, &j);
		hs_json_end(&j);
	}
	hs_json_end(&j);
	hs_json_end(&j);
	hs_json_end(&j);
}

static void report_text(const struct hl_item *items, unsigned int nr,
			const struct vcpu_thread *th, unsigned int nr_vcpus,
			double elapsed)
{
	uint64_t total = 0, cpu = 0, guest = 0, host = 0;

	printf("hcall-load (%s backend, pid %d): %u vCPU(s), %.3f s\n",
	       hl_backend.name, (int)getpid(), nr_vcpus, elapsed);
	printf("%-18s %-8s %-12s %14s\n", "REQUEST", "KIND", "PATH", "PER-VCPU");
	for (unsigned int i = 0; i < nr; i++) {
		printf("%-18s %-8s %-12s %14llu\n", items[i].req->name,
		       hs_kind_name(items[i].req->kind),
		       hs_path_name(items[i].req->path),
		       (unsigned long long)items[i].count);
		total += items[i].count;
	}
	for (unsigned int v = 0; v < nr_vcpus; v++) {
		cpu += th[v].res.cpu_ns;
		guest += th[v].res.guest_insns;
		host += th[v].res.host_insns;
	}
	if (total)
		printf("vCPU CPU time per request: %.0f ns\n",
		       (double)cpu / (double)(total * nr_vcpus));
	if (total && count_insns)
		printf("instructions per request: %.0f guest + %.0f host\n",
		       (double)guest / (double)(total * nr_vcpus),
		       (double)host / (double)(total * nr_vcpus));
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vcpus", required_argument, NULL, 'c' },
		{ "mix", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ "wait", no_argument, NULL, 'w' },
		{ "hold", no_argument, NULL, 'H' },
		{ "list", no_argument, NULL, 'l' },
		{ "vfio", required_argument, NULL, 'V' },
		{ "vfio-remove-window", no_argument, NULL, 'R' },
		{ "vfio-churn", no_argument, NULL, 'C' },
		{ "notifier-probe", no_argument, NULL, 'N' },
		{ "fuzz", required_argument, NULL, 'F' },
		{ "instructions", no_argument, NULL, 'I' },
		{ "hugetlb-offset", required_argument, NULL, 'U' },
		{ "vfio-map-race", no_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct hl_item items[HL_MAX_ITEMS];
	struct vcpu_thread th[HL_MAX_VCPUS] = {};
	const char *mix = hl_backend.default_mix;
	unsigned int nr_items, nr_vcpus = 1;
	int json = 0, wait_sig = 0, hold = 0, fuzz = 0, c, err = 0;
	char msg[256] = "";
	double t0;
	char *end;

	while ((c = getopt_long(argc, argv, "c:m:jwlh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			errno = 0;
			nr_vcpus = strtoul(optarg, &end, 10);
			if (errno || *end || !nr_vcpus || nr_vcpus > HL_MAX_VCPUS) {
				fprintf(stderr, "hcall-load: bad vCPU count '%s' (1..%d)\n",
					optarg, HL_MAX_VCPUS);
				return 2;
			}
			break;
		case 'm':
			mix = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'w':
			wait_sig = 1;
			break;
		case 'H':
			hold = 1;
			break;
		case 'V':
			if (!hl_backend.set_vfio_group) {
				fprintf(stderr, "hcall-load: --vfio needs the POWER backend\n");
				return 2;
			}
			hl_backend.set_vfio_group(optarg);
			break;
		case 'R':
			if (!hl_backend.set_vfio_remove_window) {
				fprintf(stderr, "hcall-load: --vfio-remove-window needs the POWER backend\n");
				return 2;
			}
			hl_backend.set_vfio_remove_window();
			break;
		case 'C':
			if (!hl_backend.set_vfio_churn) {
				fprintf(stderr, "hcall-load: --vfio-churn needs the POWER backend\n");
				return 2;
			}
			hl_backend.set_vfio_churn();
			break;
		case 'N':
			if (!hl_backend.set_notifier_probe) {
				fprintf(stderr, "hcall-load: --notifier-probe needs the POWER backend\n");
				return 2;
			}
			hl_backend.set_notifier_probe();
			break;
		case 'F':
			if (!hl_backend.set_fuzz) {
				fprintf(stderr, "hcall-load: --fuzz needs the POWER backend\n");
				return 2;
			}
			if (hl_backend.set_fuzz(optarg, msg, sizeof(msg))) {
				fprintf(stderr, "hcall-load: %s\n", msg);
				return 2;
			}
			fuzz = 1;
			break;
		case 'M':
			if (!hl_backend.set_vfio_map_race) {
				fprintf(stderr, "hcall-load: --vfio-map-race needs the POWER backend\n");
				return 2;
			}
			hl_backend.set_vfio_map_race();
			break;
		case 'U':
			if (!hl_backend.set_hugetlb_offset) {
				fprintf(stderr, "hcall-load: --hugetlb-offset needs the POWER backend\n");
				return 2;
			}
			if (hl_backend.set_hugetlb_offset(optarg, msg, sizeof(msg))) {
				fprintf(stderr, "hcall-load: %s\n", msg);
				return 2;
			}
			break;
		case 'I':
			if (!hl_backend.guest_insns_start) {
				fprintf(stderr, "hcall-load: --instructions needs the POWER backend\n");
				return 2;
			}
			count_insns = 1;
			break;
		case 'l':
			for (unsigned int i = 0; i < hl_backend.nr_requests; i++)
				printf("%-20s %s\n", hl_backend.requests[i].name,
				       hl_backend.requests[i].help);
			return 0;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "hcall-load: unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (fuzz && mix != hl_backend.default_mix) {
		fprintf(stderr, "hcall-load: -m and --fuzz exclude each other\n");
		return 2;
	}
	if (fuzz)
		mix = "";	/* the calls come from the seed */
	if (parse_mix(mix, items, &nr_items))
		return 2;
	for (unsigned int v = 0; v < HL_MAX_VCPUS; v++)
		hl_vcpu_fds[v] = -1;

	if (hl_backend.setup(items, nr_items, nr_vcpus, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "hcall-load: %s\n", msg);
		teardown();
		return 1;
	}
	sigset_t usr1;
	int sig;

	/* blocked from here on, so that no SIGUSR1 sent early is lost */
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	if (wait_sig || hold)
		sigprocmask(SIG_BLOCK, &usr1, NULL);
	if (wait_sig) {
		fprintf(stderr, "hcall-load: ready pid=%d\n", (int)getpid());
		sigwait(&usr1, &sig);
	}

	t0 = now_s();
	for (unsigned int v = 0; v < nr_vcpus; v++) {
		th[v].idx = v;
		if (pthread_create(&th[v].tid, NULL, vcpu_main, &th[v])) {
			fprintf(stderr, "hcall-load: cannot start vCPU thread %u\n", v);
			return 1;
		}
	}
	for (unsigned int v = 0; v < nr_vcpus; v++) {
		pthread_join(th[v].tid, NULL);
		if (th[v].res.error && !err) {
			err = th[v].res.error;
			if (th[v].res.what)
				fprintf(stderr, "hcall-load: vCPU %u: %s: %s\n", v,
					th[v].res.what, strerror(err));
			else
				fprintf(stderr, "hcall-load: vCPU %u: %s\n", v,
					err == EIO ? "unexpected exit" : strerror(err));
		}
	}
	if (json)
		report_json(items, nr_items, th, nr_vcpus, now_s() - t0);
	else
		report_text(items, nr_items, th, nr_vcpus, now_s() - t0);
	if (hold) {
		fflush(stdout);
		fprintf(stderr, "hcall-load: done pid=%d\n", (int)getpid());
		sigwait(&usr1, &sig);
	}
	teardown();
	return err ? 1 : 0;
}
