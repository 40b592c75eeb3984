// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Whose events count: the traced command and every process it starts
 * (followed in BPF from the sched tracepoints), with PIDs as the PID
 * namespace hcallstat runs in sees them (a container's, not the host's).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include "hcallstat.h"
#include "hcallstat.skel.h"

#define PROC_PID_INIT_INO 0xeffffffcu	/* the initial PID namespace's */

int hs_tp_field_offset(FILE *f, const char *field)
{
	char line[256], want[64];
	unsigned off, size;

	snprintf(want, sizeof(want), " %s;", field);
	/* "\tfield:pid_t child_pid;\toffset:20;\tsize:4;\tsigned:1;" */
	while (fgets(line, sizeof(line), f)) {
		const char *o = strstr(line, "offset:");

		if (strstr(line, "field:") && strstr(line, want) && o &&
		    sscanf(o, "offset:%u;%*[ \t]size:%u;", &off, &size) == 2 && size == 4)
			return (int)off;
	}
	return -1;
}

/* The offset of a 4-byte field in a sched tracepoint's record, -1 if none. */
static int field_offset(const char *tp, const char *field)
{
	char path[PATH_MAX];
	FILE *f;
	int off;

	snprintf(path, sizeof(path), "%s/events/sched/%s/format", env.tracefs, tp);
	f = fopen(path, "re");
	if (!f)
		return -1;
	off = hs_tp_field_offset(f, field);
	fclose(f);
	return off;
}

void follow_setup(struct hcallstat_bpf *s)
{
	int fork_off, free_off;
	struct stat st;

	s->rodata->targ_tgid = env.pid > 0 ? env.pid : (child > 0 ? child : 0);
	/* BPF sees host PIDs; in a PID namespace of our own, ask for ours */
	if (!stat("/proc/self/ns/pid", &st) && st.st_ino != PROC_PID_INIT_INO) {
		s->rodata->pidns_dev = st.st_dev;
		s->rodata->pidns_ino = st.st_ino;
	}
	if (child <= 0 || env.mode != MODE_HOST)
		return;
	fork_off = field_offset("sched_process_fork", "child_pid");
	free_off = field_offset("sched_process_free", "pid");

	if (fork_off < 0 || free_off < 0)
		die("cannot follow %s's children: no sched_process_fork/free tracepoint in %s",
		    env.cmd[0], env.tracefs);
	s->rodata->follow = 1;
	s->rodata->fork_child_off = fork_off;
	s->rodata->free_pid_off = free_off;
}
