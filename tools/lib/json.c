// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

void hs_json_init(struct hs_json *j, FILE *f)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
}

/* Length of the valid UTF-8 sequence at p (n bytes left), 0 if none. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
	unsigned char c = p[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4;
	else
		return 0;	/* continuation byte, C0/C1 (overlong), F5..FF */
	/* the second byte's range excludes overlongs, surrogates, > U+10FFFF */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return len;
}

void hs_json_escape(FILE *f, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;

	fputc('"', f);
	for (size_t i = 0; i < n;) {
		unsigned char c = p[i];
		size_t len;

		switch (c) {
		case '"': fputs("\\\"", f); i++; continue;
		case '\\': fputs("\\\\", f); i++; continue;
		case '\b': fputs("\\b", f); i++; continue;
		case '\f': fputs("\\f", f); i++; continue;
		case '\n': fputs("\\n", f); i++; continue;
		case '\r': fputs("\\r", f); i++; continue;
		case '\t': fputs("\\t", f); i++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		len = utf8_len(p + i, n - i);
		if (!len) {
			fputs("\\ufffd", f);	/* one per invalid byte */
			i++;
			continue;
		}
		fwrite(p + i, 1, len, f);
		i += len;
	}
	fputc('"', f);
}

/* The separator and key before a value or container. */
static void member(struct hs_json *j, const char *key)
{
	if (j->used[j->depth])
		fputc(',', j->f);
	j->used[j->depth] = 1;
	if (key && j->depth) {
		hs_json_escape(j->f, key, strlen(key));
		fputc(':', j->f);
	}
}

static void begin(struct hs_json *j, const char *key, int arr)
{
	if (j->depth == HS_JSON_MAX_DEPTH)
		abort();	/* a writer bug, not an input error */
	member(j, key);
	fputc(arr ? '[' : '{', j->f);
	j->depth++;
	j->used[j->depth] = 0;
	j->is_arr[j->depth] = arr;
}

void hs_json_obj(struct hs_json *j, const char *key)
{
	begin(j, key, 0);
}

void hs_json_arr(struct hs_json *j, const char *key)
{
	begin(j, key, 1);
}

/* Closes the innermost container; a top-level value ends its line. */
void hs_json_end(struct hs_json *j)
{
	if (!j->depth)
		abort();
	fputc(j->is_arr[j->depth] ? ']' : '}', j->f);
	if (!--j->depth) {
		fputc('\n', j->f);
		j->used[0] = 0;
	}
}

void hs_json_strn(struct hs_json *j, const char *key, const char *s, size_t n)
{
	member(j, key);
	hs_json_escape(j->f, s, n);
}

void hs_json_str(struct hs_json *j, const char *key, const char *s)
{
	if (!s) {
		hs_json_null(j, key);
		return;
	}
	hs_json_strn(j, key, s, strlen(s));
}

void hs_json_u64(struct hs_json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void hs_json_i64(struct hs_json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void hs_json_bool(struct hs_json *j, const char *key, int v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void hs_json_null(struct hs_json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void hs_json_double(struct hs_json *j, const char *key, const char *fmt, double v)
{
	if (!isfinite(v)) {	/* JSON has no NaN or Infinity */
		hs_json_null(j, key);
		return;
	}
	member(j, key);
	fprintf(j->f, fmt, v);
}

void hs_json_error(FILE *f, const char *msg)
{
	struct hs_json j;

	hs_json_init(&j, f);
	hs_json_obj(&j, NULL);
	hs_json_str(&j, "error", msg);
	hs_json_end(&j);
}
