// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hcallstat: count guest-to-host requests per VM, vCPU, request and the
 * path that completed them (real mode / virtual mode / userspace on POWER,
 * kernel / userspace on x86).  Counting happens in the kernel
 * (bpf/hcallstat.bpf.c); this side picks the probes, filters, and prints
 * interval deltas and a final total as a table or JSON lines.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "hcallscope.h"
#include "hcallstat.skel.h"
#include "names.h"
#include "export.h"
#include "json.h"

#define SCHEMA "hcallstat/1"

#if defined(__x86_64__)
#define HS_ARCH "x86_64"
/* tracepoints the host mode cannot do without, then optional ones */
static const char *const required_tps[] = { "kvm_pio", "kvm_userspace_exit", "kvm_cpuid" };
#elif defined(__powerpc64__)
#define HS_ARCH "ppc64le"
static const char *const required_tps[] = { "kvm_hcall_enter", "kvm_hcall_exit",
					     "kvm_userspace_exit" };
/* guest mode: a pseries guest's view of its own hcalls */
static const char *const guest_tps[] = { "hcall_entry", "hcall_exit" };
#define HAVE_GUEST_MODE 1
#else
#error "hcallstat supports x86_64 and ppc64le"
#endif
#ifndef HAVE_GUEST_MODE
static const char *const guest_tps[] = { NULL };
#endif
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static struct env {
	pid_t pid;
	__u32 vcpu;
	double interval;
	long count;		/* intervals to print; 0 = until stopped */
	double duration;
	int json;
	int hist;		/* enum hs_hist_scale */
	__u64 lin_min, lin_step;	/* ns, linear histograms */
	const char *textfile;	/* metrics file for node_exporter */
	const char *listen;	/* [ADDR:]PORT of the /metrics endpoint */
	int pin, unpin;		/* live mode */
	int verbose;
	int force_raw_tp;
	int mode;		/* MODE_AUTO, MODE_HOST, MODE_GUEST */
	const char *btf_path;
	const char *out_path;
	const char *tracefs;
	char **cmd;		/* after "--" */
} env = {
	.vcpu = HS_VCPU_UNKNOWN,
	.tracefs = "/sys/kernel/tracing",
};

enum { MODE_AUTO, MODE_HOST, MODE_GUEST };

static FILE *out;
static char out_tmp[PATH_MAX];

static const char usage[] =
"Usage: hcallstat [-j] [-p PID] [-V VCPU] [-d SECS] [-o FILE] [--btf FILE]\n"
"                 [interval [count]] [-- COMMAND [ARGS...]]\n"
"Count guest-to-host requests (hcalls, port I/O, MMIO, ...) per VM, vCPU and\n"
"the path that completed them.\n"
"\n"
"  -p, --pid PID       trace this VMM process only\n"
"  -V, --vcpu VCPU     trace this vCPU id only\n"
"  -d, --duration SECS stop after SECS seconds\n"
"  -j, --json          JSON lines, one object per interval and a total\n"
"  -L, --latency       latency histograms per request and path (log2, ns)\n"
"      --linear MIN,STEP  linear latency buckets from MIN ns, STEP ns wide\n"
"      --textfile FILE metrics in the Prometheus text format, rewritten\n"
"                      atomically each interval (else every second) and at\n"
"                      exit: for node_exporter's textfile collector\n"
"      --listen [ADDR:]PORT  serve the metrics at http://ADDR:PORT/metrics,\n"
"                      OpenMetrics when asked (ADDR defaults to 127.0.0.1)\n"
"      --pin           live mode: attach, pin programs and maps under\n"
"                      /sys/fs/bpf/hcallscope and exit, leaving them running\n"
"                      (bpftool map dump pinned /sys/fs/bpf/hcallscope/hists)\n"
"      --unpin         detach and remove what --pin left\n"
"  -o, --output FILE   write the output to FILE (atomically, at exit)\n"
"      --btf FILE      BTF for a kernel without /sys/kernel/btf/vmlinux\n"
"      --raw-tp        use raw_tp programs even where tp_btf works\n"
"      --host, --guest host mode (KVM's tracepoints) or, in a pseries guest,\n"
"                      guest mode (its own hcalls); default: what exists\n"
"      --tracefs DIR   tracefs mount point (default /sys/kernel/tracing)\n"
"  -v, --verbose       show libbpf's log\n"
"  -h, --help\n"
"\n"
"Examples:\n"
"  hcallstat                 # all VMs until Ctrl-C, then the totals\n"
"  hcallstat 1 10            # ten 1-second intervals, then the totals\n"
"  hcallstat -p 4242 -V 0    # VMM with PID 4242, vCPU 0 only\n"
"  hcallstat -j -d 5         # JSON lines, stop after 5 s\n"
"  hcallstat -- hcall-load   # trace a command from its first instruction\n";

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Bad command line: one line, status 2. */
static void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "hcallstat: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see --help)\n");
	exit(2);
}

static int parse_double(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	return errno || end == s || *end || *v <= 0 || *v > 1e7 ? -1 : 0;
}

static long parse_long(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return LONG_MIN;
	return v;
}

enum { OPT_BTF = 1000, OPT_RAW_TP, OPT_TRACEFS, OPT_HOST, OPT_GUEST, OPT_LINEAR,
       OPT_TEXTFILE, OPT_LISTEN, OPT_PIN, OPT_UNPIN };

static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "vcpu", required_argument, NULL, 'V' },
		{ "duration", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "latency", no_argument, NULL, 'L' },
		{ "linear", required_argument, NULL, OPT_LINEAR },
		{ "textfile", required_argument, NULL, OPT_TEXTFILE },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "pin", no_argument, NULL, OPT_PIN },
		{ "unpin", no_argument, NULL, OPT_UNPIN },
		{ "output", required_argument, NULL, 'o' },
		{ "btf", required_argument, NULL, OPT_BTF },
		{ "raw-tp", no_argument, NULL, OPT_RAW_TP },
		{ "tracefs", required_argument, NULL, OPT_TRACEFS },
		{ "host", no_argument, NULL, OPT_HOST },
		{ "guest", no_argument, NULL, OPT_GUEST },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	long v;
	int c;

	opterr = 0;	/* our own one-line messages */
	while ((c = getopt_long(argc, argv, ":p:V:d:jLo:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if ((v = parse_long(optarg, 1, INT_MAX)) == LONG_MIN)
				usage_error("invalid PID '%s'", optarg);
			env.pid = v;
			break;
		case 'V':
			if ((v = parse_long(optarg, 0, HS_VCPU_UNKNOWN - 1)) == LONG_MIN)
				usage_error("invalid vCPU id '%s'", optarg);
			env.vcpu = v;
			break;
		case 'd':
			if (parse_double(optarg, &env.duration))
				usage_error("invalid duration '%s'", optarg);
			break;
		case 'j':
			env.json = 1;
			break;
		case 'L':
			if (!env.hist)
				env.hist = HS_HIST_LOG2;
			break;
		case OPT_LINEAR: {
			unsigned long long mn, st;
			char tail;

			if (sscanf(optarg, "%llu,%llu%c", &mn, &st, &tail) != 2 || !st)
				usage_error("invalid --linear '%s' (want MIN,STEP in ns, STEP > 0)",
					    optarg);
			env.hist = HS_HIST_LINEAR;
			env.lin_min = mn;
			env.lin_step = st;
			break;
		}
		case OPT_TEXTFILE:
			env.textfile = optarg;
			break;
		case OPT_LISTEN:
			env.listen = optarg;
			break;
		case OPT_PIN:
			env.pin = 1;
			break;
		case OPT_UNPIN:
			env.unpin = 1;
			break;
		case 'o':
			env.out_path = optarg;
			break;
		case 'v':
			env.verbose = 1;
			break;
		case OPT_BTF:
			env.btf_path = optarg;
			break;
		case OPT_RAW_TP:
			env.force_raw_tp = 1;
			break;
		case OPT_TRACEFS:
			env.tracefs = optarg;
			break;
		case OPT_HOST:
			env.mode = MODE_HOST;
			break;
		case OPT_GUEST:
			env.mode = MODE_GUEST;
			break;
		case 'h':
			fputs(usage, stdout);
			exit(0);
		case ':':
			usage_error("option '%s' needs an argument", argv[optind - 1]);
			break;
		default:
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc && parse_double(argv[optind], &env.interval))
		usage_error("invalid interval '%s'", argv[optind]);
	if (optind + 1 < argc &&
	    (env.count = parse_long(argv[optind + 1], 1, LONG_MAX)) == LONG_MIN)
		usage_error("invalid count '%s'", argv[optind + 1]);
	if (optind + 2 < argc)
		usage_error("unexpected argument '%s'", argv[optind + 2]);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !env.verbose)
		return 0;
	if (!env.verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* ---- cleanup state: everything die() must undo ---- */
static struct hcallstat_bpf *skel;
static pid_t child = -1;

static struct bpf_link *links[64];
static const char *link_names[64];
static size_t nr_links;
static int listen_fd = -1;
static pthread_t http_thread;
static int http_running;

static void stop_http(void)
{
	if (http_running) {
		shutdown(listen_fd, SHUT_RDWR);	/* accept() fails: the thread ends */
		pthread_join(http_thread, NULL);
		http_running = 0;
	}
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
}

static void cleanup(void)
{
	stop_http();	/* it reads the maps */
	for (size_t i = 0; i < nr_links; i++)
		bpf_link__destroy(links[i]);
	nr_links = 0;
	hcallstat_bpf__destroy(skel);	/* detaches and frees everything */
	skel = NULL;
	if (child > 0) {
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
		child = -1;
	}
	if (out_tmp[0]) {
		if (out)
			fclose(out);
		out = NULL;
		unlink(out_tmp);
		out_tmp[0] = '\0';
	}
}

/* One line on stderr (and a JSON error object in JSON mode), exit 1. */
static void die(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cleanup();
	fprintf(stderr, "hcallstat: %s\n", msg);
	if (env.json)
		hs_json_error(stdout, msg);
	exit(1);
}

/* ---- preflight ---- */

static int have_cap(int cap)
{
	char line[256];
	unsigned long long eff = 0;
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &eff) == 1)
			break;
	fclose(f);
	return (eff >> cap) & 1;
}

static void check_privileges(void)
{
	/* CAP_SYS_ADMIN (21), or CAP_BPF (39) with CAP_PERFMON (38) */
	if (geteuid() != 0 && !have_cap(21) && !(have_cap(39) && have_cap(38)))
		die("need root (or CAP_BPF and CAP_PERFMON) to load BPF programs");
}

/* The VMM must exist and hold a KVM VM file descriptor. */
static void check_pid(pid_t pid)
{
	char path[64], link[64];
	struct dirent *de;
	DIR *d;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", pid);
	d = opendir(path);
	if (!d) {
		if (errno == ENOENT)
			die("no process with PID %d", pid);
		die("cannot read %s: %s", path, strerror(errno));
	}
	while (!found && (de = readdir(d))) {
		char fdpath[64 + 256];
		ssize_t n;

		snprintf(fdpath, sizeof(fdpath), "%s/%s", path, de->d_name);
		n = readlink(fdpath, link, sizeof(link) - 1);
		if (n <= 0)
			continue;
		link[n] = '\0';
		found = !strcmp(link, "anon_inode:kvm-vm");
	}
	closedir(d);
	if (!found)
		die("PID %d is not a KVM VMM (it holds no kvm-vm file descriptor)", pid);
}

/* tracefs lists the tracepoints this kernel has, whatever their module. */
static int tracepoint_exists(const char *tp)
{
	static const char *const systems[] = { "kvm", "kvm_hv", "syscalls", "powerpc" };
	char path[PATH_MAX];

	for (size_t i = 0; i < ARRAY_SIZE(systems); i++) {
		snprintf(path, sizeof(path), "%s/events/%s/%s", env.tracefs,
			 systems[i], tp);
		if (access(path, F_OK) == 0)
			return 1;
	}
	return 0;
}

static int all_exist(const char *const *tps, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!tps[i] || !tracepoint_exists(tps[i]))
			return 0;
	return 1;
}

/* tracefs mounted, and the mode's tracepoints there; picks the mode */
static void check_tracefs(void)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/events", env.tracefs);
	if (access(path, F_OK))
		die("tracefs is not mounted at %s (mount -t tracefs nodev %s)",
		    env.tracefs, env.tracefs);
	if (env.mode == MODE_AUTO)
		env.mode = !all_exist(required_tps, ARRAY_SIZE(required_tps)) &&
			   all_exist(guest_tps, ARRAY_SIZE(guest_tps)) ?
			   MODE_GUEST : MODE_HOST;
	if (env.mode == MODE_GUEST) {
		if (!all_exist(guest_tps, ARRAY_SIZE(guest_tps)))
			die("no powerpc:hcall_entry/hcall_exit tracepoints: "
			    "guest mode needs a pseries guest kernel");
		if (env.pid)
			die("-p does not apply in guest mode (hcalls come from the guest kernel)");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(required_tps); i++)
		if (!tracepoint_exists(required_tps[i]))
			die("kernel has no %s tracepoint (is KVM%s loaded?)",
			    required_tps[i],
			    strcmp(HS_ARCH, "ppc64le") ? "" : " HV (kvm-hv)");
}

/*
 * tp_btf needs the tracepoint's btf_trace_* typedef in kernel BTF: vmlinux
 * or one of KVM's modules.  Parsed once, freed once the programs are loaded.
 */
static const char *const kvm_modules[] = { "kvm", "kvm_hv", "kvm_intel", "kvm_amd" };
static struct btf *kernel_btfs[1 + ARRAY_SIZE(kvm_modules)];
static int nr_kernel_btfs = -1;

static void free_kernel_btfs(void)
{
	while (nr_kernel_btfs > 0)	/* modules first: they split vmlinux */
		btf__free(kernel_btfs[--nr_kernel_btfs]);
	nr_kernel_btfs = -1;
}

static int btf_has_tracepoint(const char *tp)
{
	char name[128], path[64];

	if (nr_kernel_btfs < 0) {
		nr_kernel_btfs = 0;
		kernel_btfs[0] = btf__parse("/sys/kernel/btf/vmlinux", NULL);
		if (kernel_btfs[0])
			nr_kernel_btfs = 1;
		for (size_t i = 0; nr_kernel_btfs && i < ARRAY_SIZE(kvm_modules); i++) {
			snprintf(path, sizeof(path), "/sys/kernel/btf/%s", kvm_modules[i]);
			if (!access(path, R_OK) &&
			    (kernel_btfs[nr_kernel_btfs] = btf__parse_split(path, kernel_btfs[0])))
				nr_kernel_btfs++;
		}
	}
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	for (int i = 0; i < nr_kernel_btfs; i++)
		if (btf__find_by_name_kind(kernel_btfs[i], name, BTF_KIND_TYPEDEF) > 0)
			return 1;
	return 0;
}

/* ---- loading ---- */

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
			mine = env.mode == MODE_HOST && tracepoint_exists(name);
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
	skel->rodata->targ_tgid = env.pid > 0 ? env.pid : (child > 0 ? child : 0);
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

/*
 * A kernel without built-in BTF (Debian ppc64el) needs BTF for CO-RE from
 * a file: minimized ones (scripts/gen-min-btf.sh) are looked up by the
 * kernel's release next to the binary, in the source tree, or installed.
 */
static void find_btf_file(void)
{
	static char path[PATH_MAX];
	char exe[PATH_MAX], *dir;
	const char *dirs[4];
	struct utsname u;
	ssize_t n;
	int nd = 0;

	if (env.btf_path && access(env.btf_path, R_OK))
		die("cannot read BTF file %s: %s", env.btf_path, strerror(errno));
	if (env.btf_path || !access("/sys/kernel/btf/vmlinux", R_OK))
		return;
	uname(&u);
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[n > 0 ? n : 0] = '\0';
	dir = dirname(exe);
	if (getenv("HCALLSCOPE_BTF_DIR"))
		dirs[nd++] = getenv("HCALLSCOPE_BTF_DIR");
	dirs[nd++] = "btf";		/* relative to the binary */
	dirs[nd++] = "../../bpf/btf";	/* build/ARCH/ in the source tree */
	dirs[nd++] = "/usr/lib/hcallscope/btf";
	for (int i = 0; i < nd; i++) {
		snprintf(path, sizeof(path), "%s%s%s/%s.btf",
			 dirs[i][0] == '/' ? "" : dir, dirs[i][0] == '/' ? "" : "/",
			 dirs[i], u.release);
		if (!access(path, R_OK)) {
			env.btf_path = path;
			return;
		}
	}
	die("kernel %s has no BTF and no BTF file was found for it; pass --btf FILE "
	    "(scripts/gen-min-btf.sh makes one from the -dbg package)", u.release);
}

static const char *load_probes(void)
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

	bpf_object__for_each_program(prog, skel->obj) {
		struct bpf_link *l;

		if (!bpf_program__autoload(prog))
			continue;
		l = bpf_program__attach(prog);
		if (!l)
			die("cannot attach %s: %s", bpf_program__name(prog),
			    strerror(errno));
		if (nr_links == ARRAY_SIZE(links))
			die("more than %zu programs", ARRAY_SIZE(links));
		link_names[nr_links] = bpf_program__name(prog);
		links[nr_links++] = l;
	}
	return kind;
}

/* ---- live mode: programs and maps pinned, left running for bpftool ---- */

#define PIN_ROOT "/sys/fs/bpf"
#define PIN_DIR PIN_ROOT "/hcallscope"
#define PIN_TMP_PREFIX "hcallscope-pinning-"	/* bpffs refuses dots */

/* Unpin everything in a pin directory (links detach as they go) */
static int remove_pins(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(dir);

	if (!d)
		return -errno;
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (e->d_type == DT_DIR)
			remove_pins(path);
		else
			unlink(path);
	}
	closedir(d);
	return rmdir(dir) ? -errno : 0;
}

/*
 * The programs behind the pinned links, so that --unpin can wait for the
 * kernel to release them (links are freed from a workqueue).
 */
static size_t pinned_prog_ids(__u32 *ids, size_t max)
{
	char path[PATH_MAX];
	struct dirent *e;
	size_t n = 0;
	DIR *d = opendir(PIN_DIR "/links");

	while (d && n < max && (e = readdir(d))) {
		struct bpf_link_info info = {};
		__u32 len = sizeof(info);
		int fd;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), PIN_DIR "/links/%s", e->d_name);
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;
		if (!bpf_obj_get_info_by_fd(fd, &info, &len) && info.prog_id)
			ids[n++] = info.prog_id;
		close(fd);
	}
	if (d)
		closedir(d);
	return n;
}

static void wait_progs_gone(const __u32 *ids, size_t n)
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

/* Pin directories of runs killed while pinning: their PID is gone */
static void remove_stale_pins(void)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d = opendir(PIN_ROOT);

	if (!d)
		return;
	while ((e = readdir(d))) {
		long pid;

		if (strncmp(e->d_name, PIN_TMP_PREFIX, strlen(PIN_TMP_PREFIX)))
			continue;
		pid = parse_long(e->d_name + strlen(PIN_TMP_PREFIX), 1, INT_MAX);
		if (pid != LONG_MIN && (kill((pid_t)pid, 0) == 0 || errno != ESRCH))
			continue;
		snprintf(path, sizeof(path), PIN_ROOT "/%s", e->d_name);
		if (!remove_pins(path) && env.verbose)
			fprintf(stderr, "hcallstat: removed %s, left by a killed run\n", path);
	}
	closedir(d);
}

static void check_bpffs(void)
{
	struct statfs st;

	if (statfs(PIN_ROOT, &st) || st.f_type != BPF_FS_MAGIC)
		die("%s is not a BPF filesystem (mount -t bpf bpf %s)", PIN_ROOT, PIN_ROOT);
}

/*
 * Pin maps and links in a directory of our own, then rename it into
 * place: PIN_DIR appears complete or not at all.
 */
static void pin_all(void)
{
	char tmp[64], path[PATH_MAX];
	struct bpf_map *map;

	snprintf(tmp, sizeof(tmp), PIN_ROOT "/" PIN_TMP_PREFIX "%d", (int)getpid());
	if (mkdir(tmp, 0700) || (snprintf(path, sizeof(path), "%s/links", tmp),
				 mkdir(path, 0700)))
		die("cannot create %s: %s", tmp, strerror(errno));
	bpf_object__for_each_map(map, skel->obj) {
		if (bpf_map__fd(map) < 0 || strchr(bpf_map__name(map), '.'))
			continue;	/* not created, or .rodata/.bss */
		snprintf(path, sizeof(path), "%s/%s", tmp, bpf_map__name(map));
		if (bpf_map__pin(map, path))
			goto fail;
	}
	for (size_t i = 0; i < nr_links; i++) {
		snprintf(path, sizeof(path), "%s/links/%s", tmp, link_names[i]);
		if (bpf_link__pin(links[i], path))
			goto fail;
	}
	if (rename(tmp, PIN_DIR))
		goto fail;
	for (size_t i = 0; i < nr_links; i++)
		bpf_link__disconnect(links[i]);	/* the pins keep them attached */
	return;
fail:
	snprintf(path, sizeof(path), "%s", strerror(errno));
	remove_pins(tmp);
	die("cannot pin to %s: %s", PIN_DIR, path);
}

/*
 * Whether this kernel counts real-mode completions (kernel-patch/): its
 * struct kvm_vcpu_stat has h_put_tce_realmode.  NULL where the question
 * does not arise (x86, guest mode).
 */
static const char *realmode_status;

static void check_realmode_counters(void)
{
	const struct btf_member *m;
	const struct btf_type *t;
	struct btf *btf;
	int id;

	if (strcmp(HS_ARCH, "ppc64le") || env.mode != MODE_HOST)
		return;
	realmode_status = "absent";
	btf = env.btf_path ? btf__parse(env.btf_path, NULL) : btf__load_vmlinux_btf();
	if (!btf)
		return;
	id = btf__find_by_name_kind(btf, "kvm_vcpu_stat", BTF_KIND_STRUCT);
	t = id > 0 ? btf__type_by_id(btf, id) : NULL;
	m = t ? btf_members(t) : NULL;
	for (int i = 0; t && i < btf_vlen(t); i++, m++)
		if (!strcmp(btf__name_by_offset(btf, m->name_off), "h_put_tce_realmode"))
			realmode_status = "counted";
	btf__free(btf);
}

/* ---- reading and printing ---- */

struct row {
	struct hs_key key;
	__s64 count;	/* total, or delta in an interval */
	struct hs_hist lat;	/* latencies (id unused), when histograms are on */
};

struct snapshot {
	struct row *rows;
	size_t n, cap;
	__u64 drops, hist_drops;
};

static int cmp_key(const void *a, const void *b)
{
	return memcmp(&((const struct row *)a)->key, &((const struct row *)b)->key,
		      sizeof(struct hs_key));
}

static int cmp_count(const void *a, const void *b)
{
	const struct row *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return cmp_key(a, b);
}

static __u64 sum_percpu(int fd, const void *key, __u64 *vals, int ncpu)
{
	__u64 sum = 0;

	if (bpf_map_lookup_elem(fd, key, vals))
		return 0;
	for (int c = 0; c < ncpu; c++)
		sum += vals[c];	/* wraps: per-CPU moves may be negative */
	return sum;
}

static struct row *new_row(struct snapshot *s)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->rows = realloc(s->rows, s->cap * sizeof(*s->rows));
		if (!s->rows)
			die("out of memory");
	}
	return &s->rows[s->n++];
}

/* Real-mode rows from the per-vCPU counters (kernels with kernel-patch/). */
static void read_realmode(struct snapshot *s)
{
#if defined(__powerpc64__)
	static const __u32 opcode[HS_RM_MAX] = {
		[HS_RM_PUT_TCE] = HS_H_PUT_TCE,
		[HS_RM_PUT_TCE_INDIRECT] = HS_H_PUT_TCE_INDIRECT,
		[HS_RM_STUFF_TCE] = HS_H_STUFF_TCE,
	};
	int fd = bpf_map__fd(skel->maps.realmode);
	struct hs_vcpu_key key, next, *prev = NULL;
	struct hs_rm_counts c;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &c) ||
		    (env.vcpu != HS_VCPU_UNKNOWN && key.vcpu != env.vcpu))
			continue;
		for (int i = 0; i < HS_RM_MAX; i++) {
			struct row *r;

			if (c.last[i] == c.first[i])
				continue;
			r = new_row(s);
			memset(r, 0, sizeof(*r));
			r->key.pid = key.pid;
			r->key.vcpu = key.vcpu;
			r->key.kind = HS_KIND_HCALL;
			r->key.path = HS_PATH_REALMODE;
			r->key.code = opcode[i];
			r->count = c.last[i] - c.first[i];
		}
	}
#else
	(void)s;
#endif
}

static void read_snapshot(struct snapshot *s)
{
	int slots_fd = bpf_map__fd(skel->maps.slots);
	int counts_fd = bpf_map__fd(skel->maps.counts);
	int hists_fd = bpf_map__fd(skel->maps.hists);
	int ncpu = libbpf_num_possible_cpus();
	__u64 *vals = calloc(ncpu, sizeof(__u64));
	struct hs_key key, next, *prev = NULL;
	__u32 idx = HS_STAT_DROPS, slot;
	struct row *r;

	if (!vals)
		die("out of memory");
	s->n = 0;
	while (!bpf_map_get_next_key(slots_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(slots_fd, &key, &slot))
			continue;
		r = new_row(s);
		memset(r, 0, sizeof(*r));
		r->key = key;
		r->count = (__s64)sum_percpu(counts_fd, &slot, vals, ncpu);
		if (env.hist && slot < bpf_map__max_entries(skel->maps.hists))
			bpf_map_lookup_elem(hists_fd, &slot, &r->lat);
	}
	s->drops = sum_percpu(bpf_map__fd(skel->maps.stats), &idx, vals, ncpu);
	idx = HS_STAT_HIST_DROPS;
	s->hist_drops = sum_percpu(bpf_map__fd(skel->maps.stats), &idx, vals, ncpu);
	free(vals);
	read_realmode(s);
	qsort(s->rows, s->n, sizeof(*s->rows), cmp_key);
}

/* rows of cur minus prev (both sorted by key); keeps non-zero rows */
static size_t diff(const struct snapshot *cur, const struct snapshot *prev,
		   struct row *outr)
{
	size_t i = 0, j = 0, n = 0;

	for (; i < cur->n; i++) {
		const struct row *p = NULL;
		__s64 before = 0;

		while (j < prev->n && cmp_key(&prev->rows[j], &cur->rows[i]) < 0)
			j++;
		if (j < prev->n && !cmp_key(&prev->rows[j], &cur->rows[i])) {
			p = &prev->rows[j];
			before = p->count;
		}
		if (cur->rows[i].count != before ||
		    cur->rows[i].lat.timed != (p ? p->lat.timed : 0)) {
			struct hs_hist *l = &outr[n].lat;

			outr[n] = cur->rows[i];
			outr[n].count -= before;
			if (p) {
				l->timed -= p->lat.timed;
				l->sum_ns -= p->lat.sum_ns;
				for (int b = 0; b < HS_HIST_SLOTS; b++)
					l->slots[b] -= p->lat.slots[b];
			}
			n++;
		}
	}
	return n;
}

static const struct hs_scale *scale(void)
{
	static struct hs_scale sc;

	sc.kind = env.hist;
	sc.min = env.lin_min;
	sc.step = env.lin_step;
	return &sc;
}

/* p50/p90/p99 per row that has latencies, estimated from the buckets */
static void print_latency_table(const struct row *rows, size_t n)
{
	char req[32], vcpu[12], p[3][16];
	int header = 0;

	for (size_t i = 0; i < n; i++) {
		const struct hs_key *k = &rows[i].key;
		static const double pct[3] = { 50, 90, 99 };

		if (!rows[i].lat.timed)
			continue;
		if (!header++)
			fprintf(out, "%-7s %4s %-20s %-12s %8s %7s %7s %7s\n", "VM", "VCPU",
				"LATENCY", "PATH", "COUNT", "P50", "P90", "P99");
		snprintf(vcpu, sizeof(vcpu), "-");
		if (k->vcpu != HS_VCPU_UNKNOWN)
			snprintf(vcpu, sizeof(vcpu), "%u", k->vcpu);
		hs_request_str(k, req, sizeof(req));
		for (int j = 0; j < 3; j++)
			hs_fmt_ns(hs_percentile(scale(), &rows[i].lat, pct[j]), p[j],
				  sizeof(p[j]));
		fprintf(out, "%-7u %4s %-20s %-12s %8llu %7s %7s %7s\n", k->pid, vcpu,
			req, hs_path_name(k->path), (unsigned long long)rows[i].lat.timed,
			p[0], p[1], p[2]);
	}
}

/* libbpf-tools style: one histogram per row, for the totals */
static void print_histograms(const struct row *rows, size_t n)
{
	char req[32], arg[32], lo_s[16], hi_s[16], avg[16];

	for (size_t i = 0; i < n; i++) {
		const struct hs_hist *h = &rows[i].lat;
		int first = -1, last = -1;
		__u64 max = 0, lo, hi;

		for (int b = 0; b < HS_HIST_SLOTS; b++)
			if (h->slots[b]) {
				if (first < 0)
					first = b;
				last = b;
				if (h->slots[b] > max)
					max = h->slots[b];
			}
		if (first < 0)
			continue;
		hs_request_str(&rows[i].key, req, sizeof(req));
		hs_arg_str(&rows[i].key, arg, sizeof(arg));
		hs_fmt_ns((double)h->sum_ns / h->timed, avg, sizeof(avg));
		fprintf(out, "\nVM %u vCPU ", rows[i].key.pid);
		if (rows[i].key.vcpu == HS_VCPU_UNKNOWN)
			fprintf(out, "-");
		else
			fprintf(out, "%u", rows[i].key.vcpu);
		fprintf(out, " %s %s %s: %llu, avg %s\n", req, arg,
			hs_path_name(rows[i].key.path), (unsigned long long)h->timed, avg);
		fprintf(out, "%24s : %-9s %s\n", "latency", "count", "distribution");
		for (int b = first; b <= last; b++) {
			int stars = (int)(h->slots[b] * 40 / max);
			char bar[41];

			hs_bucket_bounds(scale(), b, &lo, &hi);
			hs_fmt_ns((double)lo, lo_s, sizeof(lo_s));
			if (hi == HS_OPEN_BOUND)
				snprintf(hi_s, sizeof(hi_s), "inf");
			else
				hs_fmt_ns((double)hi, hi_s, sizeof(hi_s));
			memset(bar, '*', stars);
			bar[stars] = '\0';
			fprintf(out, "%10s -> %-10s : %-9llu |%-40s|\n", lo_s, hi_s,
				(unsigned long long)h->slots[b], bar);
		}
	}
}

static void print_table(const struct row *rows, size_t n, const char *title,
			__u64 drops)
{
	__s64 per_path[HS_PATH_MAX] = {};
	char req[32], arg[32];

	fprintf(out, "%s\n", title);
	fprintf(out, "%-7s %4s %-20s %-18s %-12s %9s\n", "VM", "VCPU", "REQUEST",
		"ARG", "PATH", "COUNT");
	for (size_t i = 0; i < n; i++) {
		const struct hs_key *k = &rows[i].key;
		char vcpu[12] = "-";

		if (k->vcpu != HS_VCPU_UNKNOWN)
			snprintf(vcpu, sizeof(vcpu), "%u", k->vcpu);
		hs_request_str(k, req, sizeof(req));
		hs_arg_str(k, arg, sizeof(arg));
		fprintf(out, "%-7u %4s %-20s %-18s %-12s %9lld\n", k->pid, vcpu,
			req, arg, hs_path_name(k->path), (long long)rows[i].count);
		if (k->path < HS_PATH_MAX)
			per_path[k->path] += rows[i].count;
	}
	if (!n)
		fprintf(out, "(no requests)\n");
	fprintf(out, "paths:");
	for (int p = 1; p < HS_PATH_MAX; p++)
		if (per_path[p])
			fprintf(out, " %s=%lld", hs_path_name(p), (long long)per_path[p]);
	fprintf(out, "%s\n", n ? "" : " none");
	if (realmode_status && strcmp(realmode_status, "counted"))
		fprintf(out, "real-mode: n/a (kernel without hcallscope's counters)\n");
	if (drops)
		fprintf(out, "WARNING: %llu events not counted (counter map full)\n",
			(unsigned long long)drops);
	if (env.hist)
		print_latency_table(rows, n);
	fprintf(out, "\n");
}

/*
 * The programs' own run time, when the kernel keeps it
 * (sysctl kernel.bpf_stats_enabled=1): the in-kernel cost of tracing.
 */
static void bpf_run_stats(__u64 *runs, __u64 *ns)
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

static void print_json(const struct row *rows, size_t n, const char *type,
		       double elapsed, const char *probes, __u64 drops)
{
	struct hs_json j;
	__u64 runs, run_ns;
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	hs_json_init(&j, out);
	hs_json_obj(&j, NULL);
	hs_json_str(&j, "schema", SCHEMA);
	hs_json_str(&j, "type", type);
	hs_json_str(&j, "time", when);
	hs_json_double(&j, "elapsed_s", "%.6f", elapsed);
	hs_json_str(&j, "arch", HS_ARCH);
	hs_json_str(&j, "mode", env.mode == MODE_GUEST ? "guest" : "host");
	hs_json_str(&j, "probes", probes);
	hs_json_u64(&j, "drops", drops);
	if (realmode_status)
		hs_json_str(&j, "realmode", realmode_status);
	hs_json_arr(&j, "rows");
	for (size_t i = 0; i < n; i++) {
		const struct hs_key *k = &rows[i].key;
		char req[32];

		hs_request_str(k, req, sizeof(req));
		hs_json_obj(&j, NULL);
		hs_json_u64(&j, "vm", k->pid);
		if (k->vcpu == HS_VCPU_UNKNOWN)
			hs_json_null(&j, "vcpu");
		else
			hs_json_u64(&j, "vcpu", k->vcpu);
		hs_json_str(&j, "kind", hs_kind_name(k->kind));
		hs_json_str(&j, "request", req);
		hs_json_u64(&j, "code", k->code);
		hs_json_u64(&j, "arg", k->arg);
		hs_json_str(&j, "arg_name", hs_arg_name(k));
		hs_json_str(&j, "path", hs_path_name(k->path));
		hs_json_i64(&j, "count", rows[i].count);
		if (env.hist) {
			const struct hs_hist *h = &rows[i].lat;

			hs_json_obj(&j, "latency");
			hs_json_u64(&j, "count", h->timed);
			hs_json_u64(&j, "sum_ns", h->sum_ns);
			hs_json_double(&j, "p50_ns", "%.0f", hs_percentile(scale(), h, 50));
			hs_json_double(&j, "p90_ns", "%.0f", hs_percentile(scale(), h, 90));
			hs_json_double(&j, "p99_ns", "%.0f", hs_percentile(scale(), h, 99));
			hs_json_arr(&j, "buckets");
			for (int b = 0; b < HS_HIST_SLOTS; b++)
				hs_json_u64(&j, NULL, h->slots[b]);
			hs_json_end(&j);
			hs_json_end(&j);
		}
		hs_json_end(&j);
	}
	hs_json_end(&j);
	if (env.hist) {
		__u64 lo, hi;

		hs_json_str(&j, "latency_scale",
			    env.hist == HS_HIST_LINEAR ? "linear" : "log2");
		hs_json_arr(&j, "latency_le_ns");
		for (int b = 0; b < HS_HIST_SLOTS; b++) {
			hs_bucket_bounds(scale(), b, &lo, &hi);
			if (hi == HS_OPEN_BOUND)
				hs_json_null(&j, NULL);
			else
				hs_json_i64(&j, NULL, (long long)hi - 1);
		}
		hs_json_end(&j);
	}
	bpf_run_stats(&runs, &run_ns);
	if (runs) {
		hs_json_obj(&j, "bpf_stats");
		hs_json_u64(&j, "runs", runs);
		hs_json_u64(&j, "run_ns", run_ns);
		hs_json_end(&j);
	}
	hs_json_end(&j);
	fflush(out);
}

/* ---- OpenMetrics: a file for node_exporter, an HTTP endpoint ---- */

static void write_metrics(FILE *f, int om)
{
	struct snapshot s = {};
	struct hs_series *v;

	read_snapshot(&s);
	v = calloc(s.n ? s.n : 1, sizeof(*v));
	if (!v)
		die("out of memory");
	for (size_t i = 0; i < s.n; i++) {
		v[i].key = s.rows[i].key;
		v[i].count = s.rows[i].count;
		v[i].lat = env.hist ? &s.rows[i].lat : NULL;
	}
	hs_write_metrics(f, v, s.n, scale(), s.drops + s.hist_drops, om);
	free(v);
	free(s.rows);
}

/* FILE appears whole or not at all; 0 or -errno */
static int write_om_file(void)
{
	char tmp[PATH_MAX];
	int fd, err = 0;
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp.XXXXXX", env.textfile);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f = fdopen(fd, "w");
	if (!f) {
		err = -errno;
		close(fd);
		unlink(tmp);
		return err;
	}
	if (skel)
		write_metrics(f, 0);
	fchmod(fd, 0644);
	if (ferror(f))
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	if (!err && rename(tmp, env.textfile))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

/* Bind before anything is attached: a busy port leaves nothing behind. */
static void open_listener(void)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const char *colon = strrchr(env.listen, ':');
	char addr[64] = "127.0.0.1";
	long port;
	int one = 1;

	port = parse_long(colon ? colon + 1 : env.listen, 1, 65535);
	if (colon && (size_t)(colon - env.listen) >= sizeof(addr))
		port = LONG_MIN;
	if (colon && colon > env.listen)
		snprintf(addr, sizeof(addr), "%.*s", (int)(colon - env.listen), env.listen);
	if (port == LONG_MIN || inet_pton(AF_INET, addr, &sa.sin_addr) != 1)
		usage_error("invalid --listen '%s' (want [IPv4-ADDR:]PORT)", env.listen);
	sa.sin_port = htons((uint16_t)port);
	listen_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		die("socket: %s", strerror(errno));
	setsockopt(listen_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(listen_fd, (struct sockaddr *)&sa, sizeof(sa)) || listen(listen_fd, 16))
		die("cannot listen on %s:%ld: %s", addr, port, strerror(errno));
}

static void send_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		p += w;
		n -= (size_t)w;
	}
}

/* GET /metrics: the counters and histograms as they are now */
static void *http_main(void *arg)
{
	struct timeval tv = { .tv_sec = 2 };
	(void)arg;

	for (;;) {
		char req[2048], head[256], *body = NULL;
		size_t len = 0;
		ssize_t n;
		FILE *ms;
		int c = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

		if (c < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			return NULL;	/* shut down */
		}
		setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		n = recv(c, req, sizeof(req) - 1, 0);
		req[n > 0 ? n : 0] = '\0';
		if (!strncmp(req, "GET /metrics", 12) && (req[12] == ' ' || req[12] == '?') &&
		    (ms = open_memstream(&body, &len))) {
			/* OpenMetrics for who asks for it (Prometheus does) */
			int om = strstr(req, "application/openmetrics-text") != NULL;

			write_metrics(ms, om);
			fclose(ms);
			snprintf(head, sizeof(head), "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n"
				 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
				 om ? "application/openmetrics-text; version=1.0.0; charset=utf-8" :
				 "text/plain; version=0.0.4; charset=utf-8", len);
			send_all(c, head, strlen(head));
			send_all(c, body, len);
			free(body);
		} else {
			static const char nf[] = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n"
						 "Connection: close\r\n\r\n";
			send_all(c, nf, sizeof(nf) - 1);
		}
		close(c);
	}
}

/* ---- main loop ---- */

/* SIGINT, SIGTERM and SIGCHLD stay blocked and are taken by wait_signal() */
static sigset_t waited, saved_mask;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait for a signal until t (0: no limit); the signal, or 0 on timeout. */
static int wait_signal(double t)
{
	struct timespec ts;
	double d;
	int sig;

	if (!t)
		return sigwaitinfo(&waited, NULL);
	d = t - now_s();
	if (d <= 0)
		return 0;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - ts.tv_sec) * 1e9);
	sig = sigtimedwait(&waited, NULL, &ts);
	return sig < 0 ? 0 : sig;
}

/* Fork COMMAND stopped on a pipe, so it is traced from its first instruction. */
static int start_child(char **cmd)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC))
		die("pipe: %s", strerror(errno));
	child = fork();
	if (child < 0)
		die("fork: %s", strerror(errno));
	if (child == 0) {
		char c;

		close(p[1]);
		sigprocmask(SIG_SETMASK, &saved_mask, NULL);
		if (read(p[0], &c, 1) != 1)
			_exit(127);	/* parent gave up */
		execvp(cmd[0], cmd);
		fprintf(stderr, "hcallstat: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	close(p[0]);
	return p[1];
}

static int reap_child(void)
{
	int status;

	if (child <= 0 || waitpid(child, &status, WNOHANG) != child)
		return -1;
	child = -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

static void open_output(void)
{
	int fd;

	struct stat st;

	out = stdout;
	if (!env.out_path)
		return;
	/* a device or FIFO (e.g. /dev/null) is written in place, not replaced */
	if (!stat(env.out_path, &st) && !S_ISREG(st.st_mode)) {
		out = fopen(env.out_path, "we");
		if (!out)
			die("cannot write %s: %s", env.out_path, strerror(errno));
		return;
	}
	/* a regular file appears whole or not at all: temp file + rename */
	snprintf(out_tmp, sizeof(out_tmp), "%s.tmp.XXXXXX", env.out_path);
	fd = mkostemp(out_tmp, O_CLOEXEC);
	if (fd < 0) {
		out_tmp[0] = '\0';
		die("cannot write %s: %s", env.out_path, strerror(errno));
	}
	out = fdopen(fd, "w");
	if (!out)
		die("cannot write %s: %s", env.out_path, strerror(errno));
}

static void close_output(void)
{
	if (!env.out_path)
		return;
	if (!out_tmp[0]) {
		if (fclose(out))
			die("cannot write %s: %s", env.out_path, strerror(errno));
		out = NULL;
		return;
	}
	fchmod(fileno(out), 0644);
	if (fclose(out) || rename(out_tmp, env.out_path)) {
		out = NULL;
		die("cannot write %s: %s", env.out_path, strerror(errno));
	}
	out = NULL;
	out_tmp[0] = '\0';
}

int main(int argc, char **argv)
{
	struct snapshot cur = {}, prev = {};
	struct row *delta = NULL;
	const char *probes;
	double start, next, end = 0, om_next, om_every;
	int nargs = argc, release = -1, status = -1;
	long printed = 0;

	/* everything after "--" is the command to trace */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			nargs = i;
			env.cmd = &argv[i + 1];
			break;
		}
	parse_args(nargs, argv);
	if (env.cmd && !env.cmd[0]) {
		fprintf(stderr, "hcallstat: '--' must be followed by a command\n");
		return 2;
	}
	if (env.cmd && env.pid) {
		fprintf(stderr, "hcallstat: -p and a command exclude each other\n");
		return 2;
	}
	if ((env.pin || env.unpin) &&
	    (env.cmd || env.interval || env.duration || env.json || env.out_path ||
	     env.textfile || env.listen || (env.pin && env.unpin))) {
		fprintf(stderr, "hcallstat: --pin and --unpin take only filters, -L and BTF options\n");
		return 2;
	}
	libbpf_set_print(libbpf_print);

	check_privileges();
	if (env.unpin) {
		int err;

		__u32 ids[64];
		size_t n;

		check_bpffs();
		remove_stale_pins();
		n = pinned_prog_ids(ids, ARRAY_SIZE(ids));
		err = remove_pins(PIN_DIR);
		if (err == -ENOENT)
			die("nothing pinned at %s", PIN_DIR);
		if (err)
			die("cannot remove %s: %s", PIN_DIR, strerror(-err));
		wait_progs_gone(ids, n);
		fprintf(stderr, "hcallstat: removed %s\n", PIN_DIR);
		return 0;
	}
	if (env.pid)
		check_pid(env.pid);
	check_tracefs();
	if (env.pin) {
		check_bpffs();
		remove_stale_pins();
		if (!access(PIN_DIR, F_OK))
			die("%s exists: hcallscope is live already (hcallstat --unpin removes it)",
			    PIN_DIR);
		probes = load_probes();
		pin_all();
		fprintf(stderr, "hcallstat: %s probes live in %s\n", probes, PIN_DIR);
		cleanup();
		return 0;
	}
	open_output();
	if (env.textfile) {	/* writable? checked before anything is attached */
		int err = write_om_file();

		if (err)
			die("cannot write %s: %s", env.textfile, strerror(-err));
	}
	if (env.listen)
		open_listener();

	sigemptyset(&waited);
	sigaddset(&waited, SIGINT);
	sigaddset(&waited, SIGTERM);
	sigaddset(&waited, SIGCHLD);
	sigprocmask(SIG_BLOCK, &waited, &saved_mask);
	if (env.cmd)
		release = start_child(env.cmd);
	probes = load_probes();
	check_realmode_counters();
	if (env.listen) {
		if (pthread_create(&http_thread, NULL, http_main, NULL))
			die("cannot start the HTTP thread");
		http_running = 1;
	}
	if (env.verbose)
		fprintf(stderr, "hcallstat: attached %s probes\n", probes);
	if (!env.json && !env.cmd)
		fprintf(stderr, "Tracing %s... Ctrl-C to end.\n",
			env.pid ? "one VMM" : "all VMs");

	start = now_s();
	if (release >= 0) {
		if (write(release, "g", 1) != 1)
			die("cannot start %s", env.cmd[0]);
		close(release);
	}
	if (env.duration)
		end = start + env.duration;
	next = env.interval ? start + env.interval : 0;
	/* the textfile is rewritten each interval, or every second */
	om_every = env.interval ? env.interval : 1;
	om_next = env.textfile ? start + om_every : 0;

	for (;;) {
		double wake = next ? next : end;
		int sig;

		if (end && (!wake || end < wake))
			wake = end;
		if (om_next && (!wake || om_next < wake))
			wake = om_next;
		sig = wait_signal(wake);
		if (sig == SIGINT || sig == SIGTERM)
			break;
		if (sig == SIGCHLD && (status = reap_child()) >= 0)
			break;
		if (end && now_s() >= end)
			break;
		if (om_next && now_s() >= om_next) {
			int err = write_om_file();

			if (err)
				die("cannot write %s: %s", env.textfile, strerror(-err));
			om_next += om_every;
		}
		if (next && now_s() >= next) {
			char title[64];
			time_t t = time(NULL);
			size_t n;

			read_snapshot(&cur);
			delta = realloc(delta, (cur.n ? cur.n : 1) * sizeof(*delta));
			if (!delta)
				die("out of memory");
			n = diff(&cur, &prev, delta);
			qsort(delta, n, sizeof(*delta), cmp_count);
			if (env.json) {
				print_json(delta, n, "interval", env.interval, probes,
					   cur.drops - prev.drops);
			} else {
				strftime(title, sizeof(title), "%H:%M:%S", localtime(&t));
				print_table(delta, n, title, cur.drops - prev.drops);
			}
			fflush(out);
			{ struct snapshot t2 = prev; prev = cur; cur = t2; }
			next += env.interval;
			if (env.count && ++printed >= env.count)
				break;
		}
	}
	if (status < 0)
		status = 0;

	/* final totals since start */
	read_snapshot(&cur);
	{
		struct snapshot none = {};
		double elapsed = now_s() - start;
		size_t n;

		delta = realloc(delta, (cur.n ? cur.n : 1) * sizeof(*delta));
		if (!delta)
			die("out of memory");
		n = diff(&cur, &none, delta);
		qsort(delta, n, sizeof(*delta), cmp_count);
		if (env.json) {
			print_json(delta, n, "total", elapsed, probes, cur.drops);
		} else {
			char title[64];

			snprintf(title, sizeof(title), "Total (%.2f s):", elapsed);
			print_table(delta, n, title, cur.drops);
			if (env.hist)
				print_histograms(delta, n);
		}
	}
	if (env.textfile) {
		int err = write_om_file();

		if (err)
			die("cannot write %s: %s", env.textfile, strerror(-err));
	}
	stop_http();
	free(delta);
	free(cur.rows);
	free(prev.rows);
	hcallstat_bpf__destroy(skel);
	skel = NULL;
	if (child > 0) {	/* stopped by a signal or -d: let the command end */
		kill(child, SIGTERM);
		waitpid(child, NULL, 0);
		child = -1;
	}
	close_output();
	return status;
}
