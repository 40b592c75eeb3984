// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * hcallstat: count guest-to-host requests per VM, vCPU, request and the
 * path that completed them (real mode / virtual mode / userspace on POWER,
 * kernel / userspace on x86).  Counting happens in the kernel
 * (bpf/hcallstat.bpf.c); this side picks the probes, filters, and prints
 * interval deltas and a final total as a table or JSON lines.
 *
 * This file: the flow of a run and the cleanup every error path runs.
 */
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "atomicfile.h"
#include "hcallstat.h"
#include "json.h"

struct hs_env env;
FILE *out;
static struct hs_afile out_file;	/* -o FILE, while being written */

/* Everything die() must undo, in an order that is safe from any point. */
static void cleanup(void)
{
	http_stop();	/* it reads the maps */
	unload_probes(1);
	kill_child(SIGKILL);
	if (out_file.tmp[0]) {
		hs_afile_abort(&out_file);
		out = NULL;
	}
}

/* One line on stderr (and a JSON error object in JSON mode), exit 1. */
void die(const char *fmt, ...)
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

static void open_output(void)
{
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
	out = hs_afile_open(&out_file, env.out_path);
	if (!out)
		die("cannot write %s: %s", env.out_path, strerror(errno));
}

static void close_output(void)
{
	int err;

	if (!env.out_path)
		return;
	if (!out_file.tmp[0]) {
		err = fclose(out) ? errno : 0;
		out = NULL;
		if (err)
			die("cannot write %s: %s", env.out_path, strerror(err));
		return;
	}
	err = hs_afile_commit(&out_file, env.out_path);
	out = NULL;
	if (err)
		die("cannot write %s: %s", env.out_path, strerror(-err));
}

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

static void textfile_update(const struct hs_maps *m)
{
	int err = write_om_file(m);

	if (err)
		die("cannot write %s: %s", env.textfile, strerror(-err));
}

/* The rows that changed since prev, sorted by count, printed. */
static void report(struct hs_snapshot *cur, const struct hs_snapshot *prev,
		   struct hs_row **delta, const char *type, double elapsed,
		   const char *probes)
{
	struct hs_row *d = realloc(*delta, (cur->n ? cur->n : 1) * sizeof(**delta));
	__u64 drops = cur->drops - prev->drops;
	char title[64];
	size_t n;

	if (!d)
		die("out of memory");
	*delta = d;
	n = hs_diff(cur, prev, d);
	qsort(d, n, sizeof(*d), hs_cmp_count);
	if (env.json) {
		print_json(d, n, type, elapsed, probes, drops);
	} else if (!strcmp(type, "interval")) {
		time_t t = time(NULL);

		strftime(title, sizeof(title), "%H:%M:%S", localtime(&t));
		print_table(d, n, title, drops);
	} else {
		snprintf(title, sizeof(title), "Total (%.2f s):", elapsed);
		print_table(d, n, title, drops);
		if (env.hist)
			print_histograms(d, n);
	}
	fflush(out);
}

int main(int argc, char **argv)
{
	struct hs_snapshot cur = {}, prev = {}, none = {};
	struct hs_row *delta = NULL;
	struct hs_maps maps;
	const char *probes;
	double start, next, end = 0, om_next, om_every;
	int release = -1, status = -1, rc;
	char err[256];
	long printed = 0;

	hs_env_defaults(&env);
	rc = hs_parse_args(argc, argv, &env, err, sizeof(err));
	if (rc == 1) {
		fputs(hs_usage, stdout);
		return 0;
	}
	if (rc) {
		fprintf(stderr, "hcallstat: %s\n", err);
		return 2;
	}
	probes_quiet_libbpf();

	check_privileges();
	if (env.unpin)
		return run_unpin();
	if (env.pid)
		check_pid(env.pid);
	check_tracefs();
	if (env.pin)
		return run_pin();
	open_output();
	if (env.textfile)	/* writable? checked before anything is attached */
		textfile_update(NULL);
	if (env.listen)
		http_bind();

	sigemptyset(&waited);
	sigaddset(&waited, SIGINT);
	sigaddset(&waited, SIGTERM);
	sigaddset(&waited, SIGCHLD);
	sigprocmask(SIG_BLOCK, &waited, &saved_mask);
	if (env.cmd)
		release = start_child(env.cmd, &saved_mask);
	probes = load_probes();
	hs_maps_of_skel(&maps);
	check_realmode_counters();
	if (env.listen)
		http_start(&maps);
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
			textfile_update(&maps);
			om_next += om_every;
		}
		if (next && now_s() >= next) {
			struct hs_snapshot t;

			if (read_snapshot(&maps, &cur))
				die("out of memory");
			report(&cur, &prev, &delta, "interval", env.interval, probes);
			t = prev;
			prev = cur;
			cur = t;
			next += env.interval;
			if (env.count && ++printed >= env.count)
				break;
		}
	}
	if (status < 0)
		status = 0;

	/* final totals since start */
	if (read_snapshot(&maps, &cur))
		die("out of memory");
	report(&cur, &none, &delta, "total", now_s() - start, probes);
	if (env.textfile)
		textfile_update(&maps);
	http_stop();
	free(delta);
	hs_free_snapshot(&cur);
	hs_free_snapshot(&prev);
	unload_probes(1);
	kill_child(SIGTERM);	/* stopped by a signal or -d: let the command end */
	close_output();
	return status;
}
