/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * hcallstat's parts and the state they share.  main.c owns the flow and
 * the cleanup every error path runs; each other file owns one concern.
 */
#ifndef HCALLSTAT_H
#define HCALLSTAT_H

#include <stdio.h>
#include <netinet/in.h>
#include <sys/types.h>
#include <linux/types.h>
#include "hcallscope.h"
#include "export.h"
#include "rows.h"

#define SCHEMA "hcallstat/1"
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#if defined(__x86_64__)
#define HS_ARCH "x86_64"
#elif defined(__powerpc64__)
#define HS_ARCH "ppc64le"
#define HAVE_GUEST_MODE 1
#else
#error "hcallstat supports x86_64 and ppc64le"
#endif

enum { MODE_AUTO, MODE_HOST, MODE_GUEST };

/* The command line, as args.c parses it. */
struct hs_env {
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
	struct sockaddr_in listen_addr;	/* ... parsed */
	const char *web_config;	/* TLS and basic auth for it (webconfig.c) */
	int pin, unpin;		/* live mode */
	int verbose;
	int force_raw_tp;
	int mode;		/* MODE_AUTO, MODE_HOST, MODE_GUEST */
	const char *btf_path;
	const char *out_path;
	const char *tracefs;
	unsigned aggregate;	/* HS_AGG_* labels summed away */
	char **cmd;		/* after "--" */
};

extern struct hs_env env;

/* args.c: 0 to run, 1 for --help (usage printed), 2 with a one-line
 * message in err on a bad command line; no exit, no global but env */
int hs_parse_args(int argc, char **argv, struct hs_env *e, char *err, size_t len);
void hs_env_defaults(struct hs_env *e);
long hs_parse_long(const char *s, long min, long max);	/* LONG_MIN if bad */
extern const char hs_usage[];

/* main.c: one line on stderr (and a JSON error object with -j), cleanup, exit 1 */
void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
extern FILE *out;

/* preflight.c: each check dies with a clear line */
void check_privileges(void);
void check_pid(pid_t pid);
void check_tracefs(void);
int tracepoint_exists(const char *tp);
int btf_has_tracepoint(const char *tp);
void free_kernel_btfs(void);
void find_btf_file(void);
void check_realmode_counters(void);
extern const char *realmode_status;	/* "counted"/"absent"; NULL: n/a */

/* probes.c: the skeleton, loaded and attached */
struct hcallstat_bpf;
struct bpf_link;
extern struct hcallstat_bpf *skel;
void probes_quiet_libbpf(void);
const char *load_probes(void);	/* "tp_btf" or "raw_tp" */
void unload_probes(int wait);	/* wait: until the kernel freed them */
void wait_progs_gone(const __u32 *ids, size_t n);
size_t probe_links(struct bpf_link ***links, const char ***names);
void bpf_run_stats(__u64 *runs, __u64 *ns);

/* follow.c: the filter's PIDs (-p, the command and what it starts) and
 * PID namespace, into the skeleton's rodata; dies */
void follow_setup(struct hcallstat_bpf *s);
/* the offset of "FIELD;" (4 bytes) in a tracepoint's format file, or -1 */
int hs_tp_field_offset(FILE *f, const char *field);

/* snapshot.c: the maps' file descriptors, taken once after loading, so
 * that any thread can read them without touching the skeleton */
struct hs_maps {
	int slots, counts, hists, stats, realmode;	/* realmode: -1 on x86 */
	__u32 hists_max;
	int hist;		/* read the histograms too */
	struct hs_scale scale;	/* their buckets */
	__u32 vcpu;		/* -V filter for real-mode rows */
	unsigned agg;		/* --aggregate */
};
void hs_maps_of_skel(struct hs_maps *m);
int read_snapshot(const struct hs_maps *m, struct hs_snapshot *s);	/* 0 or -ENOMEM */

/* output-text.c, output-json.c */
const struct hs_scale *scale(void);
void print_table(const struct hs_row *rows, size_t n, const char *title, __u64 drops);
void print_histograms(const struct hs_row *rows, size_t n);
void print_json(const struct hs_row *rows, size_t n, const char *type,
		double elapsed, const char *probes, __u64 drops);

/* metrics.c: the exposition of what the maps hold now */
int render_metrics(const struct hs_maps *m, FILE *f, int om);	/* 0 or -errno */
int write_om_file(const struct hs_maps *m);	/* m NULL: an empty file */

/* http.c: /metrics served by a thread of its own */
void http_bind(void);		/* before anything is attached; dies */
void http_start(const struct hs_maps *m);	/* dies */
void http_stop(void);		/* idempotent, safe in cleanup */

/* pin.c: --pin and --unpin, whole; the exit status */
int run_pin(void);
int run_unpin(void);
#define PIN_DIR "/sys/fs/bpf/hcallscope"

/* child.c: COMMAND, started stopped so it is traced from its start */
extern pid_t child;
int start_child(char **cmd, const void *saved_mask);	/* the release fd */
int reap_child(void);		/* exit status, or -1 while it runs */
void kill_child(int sig);	/* and wait for it */

#endif
