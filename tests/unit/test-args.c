// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of tools/hcallstat/args.c: hcallstat's command line. */
#include <stdarg.h>
#include <arpa/inet.h>
#include "assert.h"
#include "hcallstat.h"

struct hs_env env;	/* args.c parses into the caller's; this one is unused */

static struct hs_env e;
static char err[256];

/* parse a NULL-terminated list of words; the status */
static int parse(const char *w0, ...)
{
	static char *argv[32];
	va_list ap;
	int argc = 0;

	argv[argc++] = "hcallstat";
	va_start(ap, w0);
	for (const char *w = w0; w && argc < 31; w = va_arg(ap, const char *))
		argv[argc++] = (char *)w;
	va_end(ap);
	argv[argc] = NULL;
	hs_env_defaults(&e);
	err[0] = '\0';
	return hs_parse_args(argc, argv, &e, err, sizeof(err));
}

static void test_good(void)
{
	ASSERT_EQ(parse(NULL), 0, "no arguments");
	ASSERT_EQ(e.vcpu, HS_VCPU_UNKNOWN, "default: every vCPU");
	ASSERT_STREQ(e.tracefs, "/sys/kernel/tracing", "default tracefs");

	ASSERT_EQ(parse("-j", "-p", "4242", "-V", "3", "-d", "2.5", "1", "10", NULL), 0,
		  "filters, duration, interval and count");
	ASSERT_EQ(e.json && e.pid == 4242 && e.vcpu == 3, 1, "-j -p -V stored");
	ASSERT_EQ(e.duration == 2.5 && e.interval == 1 && e.count == 10, 1,
		  "duration 2.5, interval 1, count 10");

	ASSERT_EQ(parse("-L", "--linear", "100,250", NULL), 0, "-L then --linear");
	ASSERT_EQ(e.hist, HS_HIST_LINEAR, "--linear wins over -L");
	ASSERT_EQ(e.lin_min == 100 && e.lin_step == 250, 1, "--linear MIN,STEP");
	ASSERT_EQ(parse("--linear", "0,5", "-L", NULL), 0, "--linear then -L");
	ASSERT_EQ(e.hist, HS_HIST_LINEAR, "-L does not undo --linear");

	ASSERT_EQ(parse("--aggregate", "vm,arg", NULL), 0, "--aggregate vm,arg");
	ASSERT_EQ(e.aggregate, HS_AGG_VM | HS_AGG_ARG, "--aggregate's labels");
	ASSERT_EQ(parse(NULL), 0, "no --aggregate");
	ASSERT_EQ(e.aggregate, 0, "default: nothing aggregated");

	ASSERT_EQ(parse("--listen", "9464", NULL), 0, "--listen PORT");
	ASSERT_EQ(ntohs(e.listen_addr.sin_port), 9464, "port");
	ASSERT_EQ(ntohl(e.listen_addr.sin_addr.s_addr), 0x7f000001, "loopback by default");
	ASSERT_EQ(parse("--listen", "9464", "--web-config", "w.yml", NULL), 0, "--web-config");
	ASSERT_STREQ(e.web_config, "w.yml", "--web-config's file");
	ASSERT_EQ(parse("--listen", "0.0.0.0:80", NULL), 0, "--listen ADDR:PORT");
	ASSERT_EQ(e.listen_addr.sin_addr.s_addr, 0, "any address");

	ASSERT_EQ(parse("-j", "-o", "x.json", "--", "cmd", "-p", "1", NULL), 0,
		  "options after -- belong to the command");
	ASSERT_EQ(e.pid, 0, "the command's -p is not ours");
	ASSERT_STREQ(e.cmd ? e.cmd[0] : NULL, "cmd", "command");
	ASSERT_STREQ(e.cmd ? e.cmd[1] : NULL, "-p", "command's first argument");
	ASSERT_STREQ(e.out_path, "x.json", "-o");

	ASSERT_EQ(parse("--pin", "-L", "-p", "7", NULL), 0, "--pin with -L and a filter");
	ASSERT_EQ(parse("--guest", "--raw-tp", "--btf", "f.btf", "-v", NULL), 0, "mode and BTF options");
	ASSERT_EQ(e.mode == MODE_GUEST && e.force_raw_tp && e.verbose, 1, "--guest --raw-tp -v");
	ASSERT_EQ(parse("-h", "--bogus", NULL), 1, "--help first wins");
}

/* a bad command line: status 2 and exactly this message */
#define BAD(msg, ...) do {							\
	int rc_ = parse(__VA_ARGS__, NULL);					\
	ASSERT_EQ(rc_, 2, "status of: " msg);					\
	ASSERT_STREQ(err, msg, "message: " msg);				\
} while (0)

static void test_bad(void)
{
	BAD("invalid PID 'abc' (see --help)", "-p", "abc");
	BAD("invalid PID '0' (see --help)", "-p", "0");
	BAD("invalid PID '99999999999' (see --help)", "-p", "99999999999");
	BAD("invalid vCPU id '-1' (see --help)", "-V", "-1");
	BAD("invalid vCPU id '4294967295' (see --help)", "-V", "4294967295");
	BAD("invalid duration '0' (see --help)", "-d", "0");
	BAD("invalid duration '1e9' (see --help)", "-d", "1e9");
	BAD("invalid duration 'nan' (see --help)", "-d", "nan");
	BAD("invalid interval 'x' (see --help)", "x");
	BAD("invalid count '0' (see --help)", "1", "0");
	BAD("unexpected argument '3' (see --help)", "1", "2", "3");
	BAD("unknown option '--bogus' (see --help)", "--bogus");
	BAD("option '-p' needs an argument (see --help)", "-p");
	BAD("invalid --linear '10,0' (want MIN,STEP in ns, STEP > 0) (see --help)",
	    "--linear", "10,0");
	BAD("invalid --linear '1,2,3' (want MIN,STEP in ns, STEP > 0) (see --help)",
	    "--linear", "1,2,3");
	BAD("invalid --listen '127.0.0.1:99999' (want [IPv4-ADDR:]PORT) (see --help)",
	    "--listen", "127.0.0.1:99999");
	BAD("invalid --listen 'host:80' (want [IPv4-ADDR:]PORT) (see --help)",
	    "--listen", "host:80");
	BAD("invalid --listen ':0' (want [IPv4-ADDR:]PORT) (see --help)", "--listen", ":0");
	BAD("'--' must be followed by a command", "--");
	BAD("-p and a command exclude each other", "-p", "1", "--", "true");
	BAD("--pin and --unpin take only filters, -L and BTF options", "--pin", "--unpin");
	BAD("--pin and --unpin take only filters, -L and BTF options", "--pin", "-j");
	BAD("--pin and --unpin take only filters, -L and BTF options", "--unpin", "1");
	BAD("invalid --aggregate 'vm,bogus' (want labels from vm,vcpu,arg) (see --help)",
	    "--aggregate", "vm,bogus");
	BAD("--pin and --unpin take only filters, -L and BTF options",
	    "--pin", "--aggregate", "vm");
	BAD("--web-config needs --listen", "--web-config", "web.yml");
	BAD("--pin and --unpin take only filters, -L and BTF options",
	    "--pin", "--listen", "1", "--web-config", "web.yml");
}

int main(void)
{
	test_good();
	test_bad();
	return hs_failed ? 1 : 0;
}
