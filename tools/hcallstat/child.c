// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* The traced command: forked stopped on a pipe, released once attached. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "hcallstat.h"

pid_t child = -1;

/* Fork COMMAND stopped on a pipe, so it is traced from its first instruction. */
int start_child(char **cmd, const void *saved_mask)
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
		sigprocmask(SIG_SETMASK, saved_mask, NULL);
		if (read(p[0], &c, 1) != 1)
			_exit(127);	/* parent gave up */
		execvp(cmd[0], cmd);
		fprintf(stderr, "hcallstat: cannot run %s: %s\n", cmd[0], strerror(errno));
		_exit(127);
	}
	close(p[0]);
	return p[1];
}

int reap_child(void)
{
	int status;

	if (child <= 0 || waitpid(child, &status, WNOHANG) != child)
		return -1;
	child = -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

void kill_child(int sig)
{
	if (child > 0) {
		kill(child, sig);
		waitpid(child, NULL, 0);
		child = -1;
	}
}
