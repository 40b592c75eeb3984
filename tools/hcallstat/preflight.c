// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Checks before anything is loaded, each ending the run with one clear
 * line: privileges, the VMM, tracefs and the mode's tracepoints, BTF.
 */
#include <dirent.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/utsname.h>
#include <bpf/btf.h>
#include "hcallstat.h"
#include "paths.h"

#if defined(__x86_64__)
/* tracepoints the host mode cannot do without, then optional ones */
static const char *const required_tps[] = { "kvm_pio", "kvm_userspace_exit", "kvm_cpuid" };
#else
static const char *const required_tps[] = { "kvm_hcall_enter", "kvm_hcall_exit",
					     "kvm_userspace_exit" };
#endif
#ifdef HAVE_GUEST_MODE
/* guest mode: a pseries guest's view of its own hcalls */
static const char *const guest_tps[] = { "hcall_entry", "hcall_exit" };
#else
static const char *const guest_tps[] = { NULL };
#endif

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

void check_privileges(void)
{
	/* CAP_SYS_ADMIN (21), or CAP_BPF (39) with CAP_PERFMON (38) */
	if (geteuid() != 0 && !have_cap(21) && !(have_cap(39) && have_cap(38)))
		die("need root (or CAP_BPF and CAP_PERFMON) to load BPF programs");
}

/* The VMM must exist and hold a KVM VM file descriptor. */
void check_pid(pid_t pid)
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
int tracepoint_exists(const char *tp)
{
	static const char *const systems[] = { "kvm", "kvm_hv", "syscalls", "powerpc", "sched" };
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
void check_tracefs(void)
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

void free_kernel_btfs(void)
{
	while (nr_kernel_btfs > 0)	/* modules first: they split vmlinux */
		btf__free(kernel_btfs[--nr_kernel_btfs]);
	nr_kernel_btfs = -1;
}

int btf_has_tracepoint(const char *tp)
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

/*
 * A kernel without built-in BTF (Debian ppc64el) needs BTF for CO-RE from
 * a file: minimized ones (scripts/gen-min-btf.sh) are looked up by the
 * kernel's release next to the binary, in the source tree, or installed
 * (HS_BTF_DIR: make install's $(BTFDIR), written by the Makefile).
 */
void find_btf_file(void)
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
	dirs[nd++] = HS_BTF_DIR;	/* make install's, compiled in */
	for (int i = 0; i < nd; i++) {
		snprintf(path, sizeof(path), "%s%s%s/%s.btf",
			 dirs[i][0] == '/' ? "" : dir, dirs[i][0] == '/' ? "" : "/",
			 dirs[i], u.release);
		if (!access(path, R_OK)) {
			env.btf_path = path;
			return;
		}
	}
	die("kernel %s has no BTF and no BTF file was found for it in %s; pass --btf FILE "
	    "(scripts/gen-min-btf.sh makes one from the -dbg package)", u.release, HS_BTF_DIR);
}

/*
 * Whether this kernel counts real-mode completions (kernel-patch/): its
 * struct kvm_vcpu_stat has h_put_tce_realmode.  NULL where the question
 * does not arise (x86, guest mode).
 */
const char *realmode_status;

void check_realmode_counters(void)
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

