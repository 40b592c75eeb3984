/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The one JSON writer of the tools: streams to a FILE, puts the commas
 * itself and escapes every string, so no caller writes JSON syntax.
 *
 * Strings: '"', '\\' and the control characters U+0000-U+001F and U+007F
 * are escaped (\n, \t, ... or \u00XX); valid UTF-8 is copied as is; each
 * byte that is not part of a valid UTF-8 sequence (stray continuation,
 * truncated or overlong sequence, surrogate, above U+10FFFF) becomes
 * U+FFFD, so the output is always valid UTF-8 and the same input always
 * gives the same output.
 */
#ifndef HS_JSON_H
#define HS_JSON_H

#include <stdint.h>
#include <stdio.h>

#define HS_JSON_MAX_DEPTH 16

struct hs_json {
	FILE *f;
	int depth;
	unsigned char used[HS_JSON_MAX_DEPTH + 1];	/* the level has a member */
	unsigned char is_arr[HS_JSON_MAX_DEPTH + 1];	/* the level is an array */
};

void hs_json_init(struct hs_json *j, FILE *f);

/* containers; key may be NULL inside arrays and at the top */
void hs_json_obj(struct hs_json *j, const char *key);
void hs_json_arr(struct hs_json *j, const char *key);
/* ends the innermost object or array; at depth 0 ends the line */
void hs_json_end(struct hs_json *j);

/* values, with a key when inside an object (NULL in arrays) */
void hs_json_str(struct hs_json *j, const char *key, const char *s);	/* NULL: null */
void hs_json_strn(struct hs_json *j, const char *key, const char *s, size_t n);
void hs_json_u64(struct hs_json *j, const char *key, uint64_t v);
void hs_json_i64(struct hs_json *j, const char *key, int64_t v);
void hs_json_bool(struct hs_json *j, const char *key, int v);
void hs_json_null(struct hs_json *j, const char *key);
/* a number printed with fmt (e.g. "%.6f"); null when not finite */
void hs_json_double(struct hs_json *j, const char *key, const char *fmt, double v);

/* s as a JSON string (quotes included) */
void hs_json_escape(FILE *f, const char *s, size_t n);

/* {"error":"MSG"} and a newline: the error object of -j mode */
void hs_json_error(FILE *f, const char *msg);

#endif
