// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* hcallstat's command line: pure parsing into struct hs_env, unit-tested. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "hcallstat.h"

const char hs_usage[] =
"Usage: hcallstat [-j] [-p PID] [-V VCPU] [-d SECS] [-o FILE] [--btf FILE]\n"
"                 [interval [count]] [-- COMMAND [ARGS...]]\n"
"Count guest-to-host requests (hcalls, port I/O, MMIO, ...) per VM, vCPU and\n"
"the path that completed them.  With COMMAND: trace COMMAND and every\n"
"process it starts, at any depth (wrappers such as timeout or sudo, a\n"
"script starting the VMM), from its first instruction; end when COMMAND\n"
"ends and exit with its status.\n"
"\n"
"  -p, --pid PID       trace this VMM process only (PIDs are those of\n"
"                      hcallstat's PID namespace, as in the vm column)\n"
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
"      --web-config FILE  TLS and basic auth for --listen, in node_exporter's\n"
"                      web config format (tls_server_config: cert_file,\n"
"                      key_file; basic_auth_users: USER: BCRYPT-HASH)\n"
"      --aggregate LABELS  sum rows over the labels vm, vcpu and/or arg\n"
"                      (e.g. vm,vcpu), left out of every output: fewer\n"
"                      Prometheus series for hosts with many VMs\n"
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
"  hcallstat -- hcall-load   # trace a command from its first instruction\n"
"  hcallstat -- timeout 60 ./start-vm.sh   # ... and what it starts\n"
"  hcallstat --aggregate vm,vcpu --listen 9464   # one series per request\n";

void hs_env_defaults(struct hs_env *e)
{
	memset(e, 0, sizeof(*e));
	e->vcpu = HS_VCPU_UNKNOWN;
	e->tracefs = "/sys/kernel/tracing";
}

static int parse_double(const char *s, double *v)
{
	char *end;

	errno = 0;
	*v = strtod(s, &end);
	/* written so that NaN fails too */
	return errno || end == s || *end || !(*v > 0 && *v <= 1e7) ? -1 : 0;
}

long hs_parse_long(const char *s, long min, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return LONG_MIN;
	return v;
}

/* [IPv4-ADDR:]PORT, the address defaulting to loopback; 0 or -1 */
static int parse_listen(const char *s, struct sockaddr_in *sa)
{
	const char *colon = strrchr(s, ':');
	char addr[64] = "127.0.0.1";
	long port;

	memset(sa, 0, sizeof(*sa));
	sa->sin_family = AF_INET;
	port = hs_parse_long(colon ? colon + 1 : s, 1, 65535);
	if (colon && (size_t)(colon - s) >= sizeof(addr))
		return -1;
	if (colon && colon > s)
		snprintf(addr, sizeof(addr), "%.*s", (int)(colon - s), s);
	if (port == LONG_MIN || inet_pton(AF_INET, addr, &sa->sin_addr) != 1)
		return -1;
	sa->sin_port = htons((uint16_t)port);
	return 0;
}

static int bad(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The message of a bad command line; always 2, the exit status. */
static int bad(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return 2;
}

enum { OPT_BTF = 1000, OPT_RAW_TP, OPT_TRACEFS, OPT_HOST, OPT_GUEST, OPT_LINEAR,
       OPT_TEXTFILE, OPT_LISTEN, OPT_PIN, OPT_UNPIN, OPT_AGGREGATE, OPT_WEB_CONFIG };

static const struct option opts[] = {
	{ "pid", required_argument, NULL, 'p' },
	{ "vcpu", required_argument, NULL, 'V' },
	{ "duration", required_argument, NULL, 'd' },
	{ "json", no_argument, NULL, 'j' },
	{ "latency", no_argument, NULL, 'L' },
	{ "linear", required_argument, NULL, OPT_LINEAR },
	{ "textfile", required_argument, NULL, OPT_TEXTFILE },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "web-config", required_argument, NULL, OPT_WEB_CONFIG },
	{ "aggregate", required_argument, NULL, OPT_AGGREGATE },
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

#define USAGE_ERR(...) return bad(err, len, __VA_ARGS__)
#define SEE_HELP " (see --help)"

/* The options before "--" (argc of them); 0, 1 (help) or 2 */
static int parse_opts(int argc, char **argv, struct hs_env *e, char *err, size_t len)
{
	long v;
	int c;

	optind = 0;	/* a fresh scan each call (GNU getopt) */
	opterr = 0;	/* our own one-line messages */
	while ((c = getopt_long(argc, argv, ":p:V:d:jLo:vh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if ((v = hs_parse_long(optarg, 1, INT_MAX)) == LONG_MIN)
				USAGE_ERR("invalid PID '%s'" SEE_HELP, optarg);
			e->pid = v;
			break;
		case 'V':
			if ((v = hs_parse_long(optarg, 0, HS_VCPU_UNKNOWN - 1)) == LONG_MIN)
				USAGE_ERR("invalid vCPU id '%s'" SEE_HELP, optarg);
			e->vcpu = v;
			break;
		case 'd':
			if (parse_double(optarg, &e->duration))
				USAGE_ERR("invalid duration '%s'" SEE_HELP, optarg);
			break;
		case 'j':
			e->json = 1;
			break;
		case 'L':
			if (!e->hist)
				e->hist = HS_HIST_LOG2;
			break;
		case OPT_LINEAR: {
			unsigned long long mn, st;
			char tail;

			if (sscanf(optarg, "%llu,%llu%c", &mn, &st, &tail) != 2 || !st)
				USAGE_ERR("invalid --linear '%s' (want MIN,STEP in ns, STEP > 0)"
					  SEE_HELP, optarg);
			e->hist = HS_HIST_LINEAR;
			e->lin_min = mn;
			e->lin_step = st;
			break;
		}
		case OPT_TEXTFILE:
			e->textfile = optarg;
			break;
		case OPT_LISTEN:
			if (parse_listen(optarg, &e->listen_addr))
				USAGE_ERR("invalid --listen '%s' (want [IPv4-ADDR:]PORT)" SEE_HELP,
					  optarg);
			e->listen = optarg;
			break;
		case OPT_WEB_CONFIG:
			e->web_config = optarg;
			break;
		case OPT_AGGREGATE:
			if ((v = hs_parse_agg(optarg)) < 0)
				USAGE_ERR("invalid --aggregate '%s' (want labels from vm,vcpu,arg)"
					  SEE_HELP, optarg);
			e->aggregate = v;
			break;
		case OPT_PIN:
			e->pin = 1;
			break;
		case OPT_UNPIN:
			e->unpin = 1;
			break;
		case 'o':
			e->out_path = optarg;
			break;
		case 'v':
			e->verbose = 1;
			break;
		case OPT_BTF:
			e->btf_path = optarg;
			break;
		case OPT_RAW_TP:
			e->force_raw_tp = 1;
			break;
		case OPT_TRACEFS:
			e->tracefs = optarg;
			break;
		case OPT_HOST:
			e->mode = MODE_HOST;
			break;
		case OPT_GUEST:
			e->mode = MODE_GUEST;
			break;
		case 'h':
			return 1;
		case ':':
			USAGE_ERR("option '%s' needs an argument" SEE_HELP, argv[optind - 1]);
		default:
			USAGE_ERR("unknown option '%s'" SEE_HELP, argv[optind - 1]);
		}
	}
	if (optind < argc && parse_double(argv[optind], &e->interval))
		USAGE_ERR("invalid interval '%s'" SEE_HELP, argv[optind]);
	if (optind + 1 < argc &&
	    (e->count = hs_parse_long(argv[optind + 1], 1, LONG_MAX)) == LONG_MIN)
		USAGE_ERR("invalid count '%s'" SEE_HELP, argv[optind + 1]);
	if (optind + 2 < argc)
		USAGE_ERR("unexpected argument '%s'" SEE_HELP, argv[optind + 2]);
	return 0;
}

int hs_parse_args(int argc, char **argv, struct hs_env *e, char *err, size_t len)
{
	int nargs = argc, rc;

	/* everything after "--" is the command to trace */
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--")) {
			nargs = i;
			e->cmd = &argv[i + 1];
			break;
		}
	rc = parse_opts(nargs, argv, e, err, len);
	if (rc)
		return rc;
	if (e->cmd && !e->cmd[0])
		USAGE_ERR("'--' must be followed by a command");
	if (e->web_config && !e->listen)
		USAGE_ERR("--web-config needs --listen");
	if (e->cmd && e->pid)
		USAGE_ERR("-p and a command exclude each other");
	if ((e->pin || e->unpin) &&
	    (e->cmd || e->interval || e->duration || e->json || e->out_path ||
	     e->textfile || e->listen || e->web_config || e->aggregate || (e->pin && e->unpin)))
		USAGE_ERR("--pin and --unpin take only filters, -L and BTF options");
	return 0;
}
