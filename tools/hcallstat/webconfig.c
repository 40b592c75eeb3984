// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * --web-config FILE: node_exporter's web configuration format (YAML),
 * the part hcallstat implements: tls_server_config's cert_file and
 * key_file, and basic_auth_users (user: bcrypt hash).  Anything else in
 * the file is refused by name rather than ignored, so a setting the user
 * relies on never silently does nothing.  Pure: no global, no exit.
 */
#include <crypt.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>
#include "webconfig.h"

static int fail(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* key settings of node_exporter we know and do not implement */
static const char *const unsupported_tls[] = {
	"client_auth_type", "client_ca_file", "client_allowed_sans", "min_version",
	"max_version", "cipher_suites", "curve_preferences",
	"prefer_server_cipher_suites", "cert", "key",
};

static const char *scalar(yaml_node_t *n)
{
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* FILE relative to the config file's directory, as node_exporter does */
static char *resolve(const char *cfg, const char *file)
{
	char *copy, *base, *dir, *p;

	if (file[0] == '/')
		return strdup(file);
	copy = strdup(cfg);
	if (!copy)
		return NULL;
	/* absolute, so that messages and a later chdir cannot mislead */
	base = dirname(copy);
	dir = realpath(base, NULL);
	if (asprintf(&p, "%s/%s", dir ? dir : base, file) < 0)
		p = NULL;
	free(dir);
	free(copy);
	return p;
}

/* A bcrypt hash crypt() accepts: $2a$, $2b$ or $2y$, cost, 53 chars */
int hs_bcrypt_ok(const char *hash)
{
	struct crypt_data *cd;
	const char *out;
	int ok;

	if (strncmp(hash, "$2a$", 4) && strncmp(hash, "$2b$", 4) && strncmp(hash, "$2y$", 4))
		return 0;
	if (strlen(hash) != 60)
		return 0;
	cd = calloc(1, sizeof(*cd));
	if (!cd)
		return 0;
	/* hashing anything with it as the setting must give a hash of its form */
	out = crypt_r("", hash, cd);
	ok = out && !strncmp(out, hash, 29) && strlen(out) == 60;
	free(cd);
	return ok;
}

static int load_tls(const char *path, yaml_document_t *doc, yaml_node_t *map,
		    struct hs_webconfig *wc, char *err, size_t len)
{
	if (map->type != YAML_MAPPING_NODE)
		return fail(err, len, "%s: line %zu: tls_server_config must be a mapping",
			    path, map->start_mark.line + 1);
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		const char *key = scalar(k), *val = scalar(yaml_document_get_node(doc, p->value));
		char **dst = NULL;

		if (!key)
			return fail(err, len, "%s: line %zu: a key must be a string", path,
				    k->start_mark.line + 1);
		if (!strcmp(key, "cert_file"))
			dst = &wc->cert_file;
		else if (!strcmp(key, "key_file"))
			dst = &wc->key_file;
		for (size_t i = 0; !dst && i < sizeof(unsupported_tls) / sizeof(*unsupported_tls); i++)
			if (!strcmp(key, unsupported_tls[i]))
				return fail(err, len, "%s: line %zu: tls_server_config.%s is not "
					    "supported by hcallstat", path, k->start_mark.line + 1, key);
		if (!dst)
			return fail(err, len, "%s: line %zu: unknown key tls_server_config.%s",
				    path, k->start_mark.line + 1, key);
		if (*dst)
			return fail(err, len, "%s: line %zu: %s given twice", path,
				    k->start_mark.line + 1, key);
		if (!val || !*val)
			return fail(err, len, "%s: line %zu: %s must be a file name", path,
				    k->start_mark.line + 1, key);
		if (!(*dst = resolve(path, val)))
			return fail(err, len, "out of memory");
	}
	if (!wc->cert_file || !wc->key_file)
		return fail(err, len, "%s: tls_server_config needs cert_file and key_file", path);
	return 0;
}

static int load_users(const char *path, yaml_document_t *doc, yaml_node_t *map,
		      struct hs_webconfig *wc, char *err, size_t len)
{
	size_t n;

	if (map->type != YAML_MAPPING_NODE)
		return fail(err, len, "%s: line %zu: basic_auth_users must be a mapping "
			    "of user: bcrypt-hash", path, map->start_mark.line + 1);
	n = map->data.mapping.pairs.top - map->data.mapping.pairs.start;
	wc->users = calloc(n ? n : 1, sizeof(*wc->users));
	if (!wc->users)
		return fail(err, len, "out of memory");
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
	     p < map->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		const char *user = scalar(k), *hash = scalar(yaml_document_get_node(doc, p->value));
		size_t line = k->start_mark.line + 1;

		if (!user || !*user || strchr(user, ':'))
			return fail(err, len, "%s: line %zu: a user name must be a string "
				    "without ':'", path, line);
		for (int i = 0; i < wc->nusers; i++)
			if (!strcmp(wc->users[i].name, user))
				return fail(err, len, "%s: line %zu: user %s given twice", path,
					    line, user);
		if (!hash || !hs_bcrypt_ok(hash))
			return fail(err, len, "%s: line %zu: the password of %s is not a bcrypt "
				    "hash ($2y$, $2b$ or $2a$; mkpasswd -m bcrypt makes one)",
				    path, line, user);
		wc->users[wc->nusers].name = strdup(user);
		wc->users[wc->nusers].hash = strdup(hash);
		if (!wc->users[wc->nusers++].hash || !wc->users[wc->nusers - 1].name)
			return fail(err, len, "out of memory");
	}
	if (!wc->nusers)
		return fail(err, len, "%s: basic_auth_users lists no user", path);
	return 0;
}

static int load_doc(const char *path, yaml_document_t *doc, struct hs_webconfig *wc,
		    char *err, size_t len)
{
	yaml_node_t *root = yaml_document_get_root_node(doc);
	int seen_tls = 0, seen_users = 0;

	if (!root)	/* an empty file: nothing to set, as in node_exporter */
		return 0;
	if (root->type != YAML_MAPPING_NODE)
		return fail(err, len, "%s: line %zu: want a mapping (tls_server_config, "
			    "basic_auth_users)", path, root->start_mark.line + 1);
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++) {
		yaml_node_t *k = yaml_document_get_node(doc, p->key);
		yaml_node_t *v = yaml_document_get_node(doc, p->value);
		const char *key = scalar(k);
		size_t line = k->start_mark.line + 1;
		int rc;

		if (!key)
			return fail(err, len, "%s: line %zu: a key must be a string", path, line);
		if (!strcmp(key, "tls_server_config")) {
			if (seen_tls++)
				return fail(err, len, "%s: line %zu: %s given twice", path, line, key);
			rc = load_tls(path, doc, v, wc, err, len);
		} else if (!strcmp(key, "basic_auth_users")) {
			if (seen_users++)
				return fail(err, len, "%s: line %zu: %s given twice", path, line, key);
			rc = load_users(path, doc, v, wc, err, len);
		} else if (!strcmp(key, "http_server_config")) {
			rc = fail(err, len, "%s: line %zu: http_server_config is not supported "
				  "by hcallstat", path, line);
		} else {
			rc = fail(err, len, "%s: line %zu: unknown key %s", path, line, key);
		}
		if (rc)
			return rc;
	}
	return 0;
}

int hs_webconfig_load(const char *path, struct hs_webconfig *wc, char *err, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	FILE *f;
	int rc;

	memset(wc, 0, sizeof(*wc));
	f = fopen(path, "r");
	if (!f)
		return fail(err, len, "cannot read web config %s: %s", path, strerror(errno));
	if (!yaml_parser_initialize(&parser)) {
		fclose(f);
		return fail(err, len, "out of memory");
	}
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		rc = fail(err, len, "%s: line %zu: %s", path, parser.problem_mark.line + 1,
			  parser.problem ? parser.problem : "not YAML");
	} else {
		rc = load_doc(path, &doc, wc, err, len);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	if (rc)
		hs_webconfig_free(wc);
	return rc;
}

void hs_webconfig_free(struct hs_webconfig *wc)
{
	for (int i = 0; i < wc->nusers; i++) {
		free(wc->users[i].name);
		free(wc->users[i].hash);
	}
	free(wc->users);
	free(wc->cert_file);
	free(wc->key_file);
	memset(wc, 0, sizeof(*wc));
}
