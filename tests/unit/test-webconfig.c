// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of tools/hcallstat/webconfig.c: --web-config's file. */
#include <crypt.h>
#include <stdlib.h>
#include <unistd.h>
#include "assert.h"
#include "webconfig.h"

static char dir[] = "/tmp/hs-webconfig-XXXXXX", path[64], err[512];
static struct hs_webconfig wc;

/* write TEXT as the config file and load it; the status */
static int load(const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
	err[0] = '\0';
	return hs_webconfig_load(path, &wc, err, sizeof(err));
}

/* err without the "DIR/web.yml: " in front */
static const char *msg(void)
{
	size_t n = strlen(path);

	return strncmp(err, path, n) ? err : err + n + 2;
}

int main(void)
{
	char text[512], hash[64];
	struct crypt_data *cd = calloc(1, sizeof(*cd));
	const char *salt;

	if (!mkdtemp(dir))
		return 1;
	snprintf(path, sizeof(path), "%s/web.yml", dir);
	/* a real bcrypt hash, cost 4 (the fastest) */
	salt = crypt_gensalt_rn("$2b$", 4, NULL, 0, text, sizeof(text));
	snprintf(hash, sizeof(hash), "%s", crypt_r("pw", salt, cd));

	ASSERT_EQ(load(""), 0, "an empty file");
	ASSERT_NULL(wc.cert_file, "empty: no TLS");
	ASSERT_EQ(wc.nusers, 0, "empty: no users");

	snprintf(text, sizeof(text), "tls_server_config:\n  cert_file: c.pem\n"
		 "  key_file: /etc/k.pem\nbasic_auth_users:\n  alice: %s\n  'bob b': \"%s\"\n",
		 hash, hash);
	ASSERT_EQ(load(text), 0, "TLS and two users");
	snprintf(text, sizeof(text), "%s/c.pem", dir);
	ASSERT_STREQ(wc.cert_file, text, "a relative cert_file is the config's directory's");
	ASSERT_STREQ(wc.key_file, "/etc/k.pem", "an absolute key_file stays");
	ASSERT_EQ(wc.nusers, 2, "two users");
	ASSERT_STREQ(wc.users[1].name, "bob b", "a quoted user name");
	ASSERT_STREQ(wc.users[1].hash, hash, "the hash");
	hs_webconfig_free(&wc);

	ASSERT_EQ(hs_bcrypt_ok(hash), 1, "bcrypt hash accepted");
	hash[1] = 'x';
	ASSERT_EQ(hs_bcrypt_ok(hash), 0, "$2x$ refused");
	hash[1] = '2';
	ASSERT_EQ(hs_bcrypt_ok("$6$salt$abc"), 0, "sha512crypt refused");
	ASSERT_EQ(hs_bcrypt_ok("$2y$04$short"), 0, "a short bcrypt refused");

	ASSERT_EQ(load("tls_server_config:\n  cert_file: c\n  key_file: k\n  min_version: TLS13\n"),
		  -1, "min_version");
	ASSERT_STREQ(msg(), "line 4: tls_server_config.min_version is not supported by hcallstat",
		     "min_version's message");
	ASSERT_EQ(load("tls_server_config:\n  key_file: k\n"), -1, "no cert_file");
	ASSERT_STREQ(msg(), "tls_server_config needs cert_file and key_file", "its message");
	ASSERT_EQ(load("tls_server_config:\n  cert_file: a\n  cert_file: b\n  key_file: k\n"),
		  -1, "cert_file twice");
	ASSERT_STREQ(msg(), "line 3: cert_file given twice", "its message");
	ASSERT_EQ(load("basic_auth_users:\n  u: plain\n"), -1, "a plain password");
	ASSERT_EQ(!strstr(err, "line 2: the password of u is not a bcrypt hash"), 0,
		  "its message");
	ASSERT_EQ(load("basic_auth_users:\n  'a:b': x\n"), -1, "a user with ':'");
	ASSERT_EQ(load("basic_auth_users: {}\n"), -1, "no user");
	ASSERT_STREQ(msg(), "basic_auth_users lists no user", "its message");
	ASSERT_EQ(load("- a\n- b\n"), -1, "a list");
	ASSERT_EQ(load("bogus: 1\n"), -1, "an unknown key");
	ASSERT_STREQ(msg(), "line 1: unknown key bogus", "its message");
	ASSERT_EQ(load("tls_server_config: [\n"), -1, "not YAML");
	ASSERT_EQ(wc.cert_file == NULL && wc.nusers == 0, 1, "nothing kept after an error");

	unlink(path);
	ASSERT_EQ(load("") , 0, "(rewritten)");
	unlink(path);
	err[0] = '\0';
	ASSERT_EQ(hs_webconfig_load(path, &wc, err, sizeof(err)), -1, "no file");
	ASSERT_EQ(!strstr(err, "No such file or directory"), 0, "its message");
	rmdir(dir);
	free(cd);
	return hs_failed ? 1 : 0;
}
