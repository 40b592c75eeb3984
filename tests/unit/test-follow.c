// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of tools/hcallstat/follow.c: the PID offsets in the sched
 * tracepoints' formats, old (comm inline) and new (comm __data_loc). */
#include <stdlib.h>
#include "assert.h"
#include "hcallstat.h"

struct hs_env env;	/* follow_setup's, unused here */
pid_t child;

void die(const char *fmt, ...)
{
	(void)fmt;
	exit(3);
}

static int offset_in(const char *format, const char *field)
{
	FILE *f = fmemopen((void *)format, strlen(format), "r");
	int off = hs_tp_field_offset(f, field);

	fclose(f);
	return off;
}

#define COMMON \
	"format:\n" \
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n" \
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n\n"

static const char fork_6_1[] = COMMON
	"\tfield:char parent_comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t parent_pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:char child_comm[16];\toffset:28;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t child_pid;\toffset:44;\tsize:4;\tsigned:1;\n";
static const char fork_6_18[] = COMMON
	"\tfield:__data_loc char[] parent_comm;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:pid_t parent_pid;\toffset:12;\tsize:4;\tsigned:1;\n"
	"\tfield:__data_loc char[] child_comm;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:pid_t child_pid;\toffset:20;\tsize:4;\tsigned:1;\n";
static const char free_6_1[] = COMMON
	"\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
	"\tfield:pid_t pid;\toffset:24;\tsize:4;\tsigned:1;\n"
	"\tfield:int prio;\toffset:28;\tsize:4;\tsigned:1;\n";
static const char wide[] = COMMON "\tfield:u64 pid;\toffset:8;\tsize:8;\tsigned:0;\n";

int main(void)
{
	ASSERT_EQ(offset_in(fork_6_1, "child_pid"), 44, "6.1 sched_process_fork child_pid");
	ASSERT_EQ(offset_in(fork_6_18, "child_pid"), 20, "6.18 sched_process_fork child_pid");
	ASSERT_EQ(offset_in(free_6_1, "pid"), 24, "sched_process_free pid, not common_pid");
	ASSERT_EQ(offset_in(fork_6_1, "pid"), -1, "parent_pid and child_pid are not pid");
	ASSERT_EQ(offset_in(wide, "pid"), -1, "a PID that is not 4 bytes is refused");
	ASSERT_EQ(offset_in("", "pid"), -1, "empty format");
	return hs_failed ? 1 : 0;
}
