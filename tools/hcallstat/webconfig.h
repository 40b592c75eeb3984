/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* --web-config: node_exporter's web configuration file (webconfig.c). */
#ifndef HS_WEBCONFIG_H
#define HS_WEBCONFIG_H

struct hs_webconfig {
	char *cert_file, *key_file;	/* both or neither; absolute paths */
	struct hs_web_user {
		char *name, *hash;	/* hash: bcrypt, checked */
	} *users;
	int nusers;			/* 0: no basic auth */
};

/* 0, or -1 with a one-line message in err (wc then empty) */
int hs_webconfig_load(const char *path, struct hs_webconfig *wc, char *err, size_t len);
void hs_webconfig_free(struct hs_webconfig *wc);
int hs_bcrypt_ok(const char *hash);	/* 1 if crypt() takes it as bcrypt */

#endif
