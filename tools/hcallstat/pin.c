// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Live mode: --pin leaves the programs and maps pinned and counting for
 * bpftool; --unpin removes them.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "hcallstat.h"
#include "hcallstat.skel.h"

#define PIN_ROOT "/sys/fs/bpf"
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
		pid = hs_parse_long(e->d_name + strlen(PIN_TMP_PREFIX), 1, INT_MAX);
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
	struct bpf_link **links;
	const char **link_names;
	size_t nr_links = probe_links(&links, &link_names);

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

/* --pin: attach, pin, exit; the pins keep the programs running */
int run_pin(void)
{
	const char *probes;

	check_bpffs();
	remove_stale_pins();
	if (!access(PIN_DIR, F_OK))
		die("%s exists: hcallscope is live already (hcallstat --unpin removes it)",
		    PIN_DIR);
	probes = load_probes();
	pin_all();
	fprintf(stderr, "hcallstat: %s probes live in %s\n", probes, PIN_DIR);
	unload_probes(0);	/* the pins keep them */
	return 0;
}

/* --unpin: remove the pins and wait until the programs are gone */
int run_unpin(void)
{
	__u32 ids[64];
	size_t n;
	int err;

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
