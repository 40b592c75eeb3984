// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/* Unit tests of tools/lib/json.c: escaping and the writer's structure. */
#include <math.h>
#include <stdlib.h>
#include "assert.h"
#include "json.h"

/* s (n bytes) escaped, in a static buffer */
static const char *esc(const char *s, size_t n)
{
	static char *buf;
	size_t len;
	FILE *f;

	free(buf);
	buf = NULL;
	f = open_memstream(&buf, &len);
	hs_json_escape(f, s, n);
	fclose(f);
	return buf;
}
#define ESC(lit) esc(lit, sizeof(lit) - 1)

static void test_escape(void)
{
	ASSERT_STREQ(ESC("plain"), "\"plain\"", "escape: plain ASCII as is");
	ASSERT_STREQ(ESC(""), "\"\"", "escape: empty string");
	ASSERT_STREQ(ESC("a\"b"), "\"a\\\"b\"", "escape: quote");
	ASSERT_STREQ(ESC("a\\b"), "\"a\\\\b\"", "escape: backslash");
	ASSERT_STREQ(ESC("/"), "\"/\"", "escape: slash left as is");
	ASSERT_STREQ(ESC("\b\f\n\r\t"), "\"\\b\\f\\n\\r\\t\"", "escape: short control escapes");
	ASSERT_STREQ(ESC("\x01\x1f\x7f"), "\"\\u0001\\u001f\\u007f\"",
		     "escape: other control characters as \\u00XX");
	ASSERT_STREQ(esc("a\0b", 3), "\"a\\u0000b\"", "escape: NUL inside a counted string");
	ASSERT_STREQ(ESC("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
		     "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
		     "escape: valid 2, 3 and 4 byte UTF-8 copied");
	ASSERT_STREQ(ESC("\xff"), "\"\\ufffd\"", "escape: byte 0xff -> U+FFFD");
	ASSERT_STREQ(ESC("a\x80z"), "\"a\\ufffdz\"", "escape: stray continuation byte");
	ASSERT_STREQ(ESC("\xc3"), "\"\\ufffd\"", "escape: sequence cut at the end");
	ASSERT_STREQ(ESC("\xe2\x82z"), "\"\\ufffd\\ufffdz\"",
		     "escape: truncated 3-byte sequence, one U+FFFD per byte");
	ASSERT_STREQ(ESC("\xc0\xaf"), "\"\\ufffd\\ufffd\"", "escape: overlong 2-byte '/'");
	ASSERT_STREQ(ESC("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\"", "escape: overlong 3-byte");
	ASSERT_STREQ(ESC("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"", "escape: UTF-16 surrogate");
	ASSERT_STREQ(ESC("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"",
		     "escape: above U+10FFFF");
	ASSERT_STREQ(ESC("\xf4\x8f\xbf\xbf"), "\"\xf4\x8f\xbf\xbf\"", "escape: U+10FFFF kept");
	ASSERT_STREQ(ESC("\xef\xbf\xbd"), "\"\xef\xbf\xbd\"", "escape: U+FFFD itself kept");
}

static char *out_buf;
static size_t out_len;

static FILE *start(struct hs_json *j)
{
	FILE *f;

	free(out_buf);
	out_buf = NULL;
	f = open_memstream(&out_buf, &out_len);
	hs_json_init(j, f);
	return f;
}

static void test_writer(void)
{
	struct hs_json j;
	FILE *f;

	f = start(&j);
	hs_json_obj(&j, NULL);
	hs_json_str(&j, "s", "x\"y");
	hs_json_u64(&j, "u", UINT64_MAX);
	hs_json_i64(&j, "i", INT64_MIN);
	hs_json_bool(&j, "t", 1);
	hs_json_bool(&j, "f", 0);
	hs_json_null(&j, "n");
	hs_json_str(&j, "ns", NULL);
	hs_json_double(&j, "d", "%.6f", 1.5);
	hs_json_double(&j, "nan", "%.0f", NAN);
	hs_json_double(&j, "inf", "%.0f", INFINITY);
	hs_json_end(&j);
	fclose(f);
	ASSERT_STREQ(out_buf, "{\"s\":\"x\\\"y\",\"u\":18446744073709551615,"
		     "\"i\":-9223372036854775808,\"t\":true,\"f\":false,\"n\":null,"
		     "\"ns\":null,\"d\":1.500000,\"nan\":null,\"inf\":null}\n",
		     "writer: scalars, commas, a newline after the top-level object");

	f = start(&j);
	hs_json_obj(&j, NULL);
	hs_json_arr(&j, "a");
	hs_json_end(&j);
	hs_json_obj(&j, "o");
	hs_json_end(&j);
	hs_json_arr(&j, "nest");
	hs_json_arr(&j, NULL);
	hs_json_u64(&j, NULL, 1);
	hs_json_u64(&j, NULL, 2);
	hs_json_end(&j);
	hs_json_obj(&j, NULL);
	hs_json_str(&j, "k\n", "v");
	hs_json_end(&j);
	hs_json_end(&j);
	hs_json_end(&j);
	hs_json_obj(&j, NULL);
	hs_json_end(&j);
	fclose(f);
	ASSERT_STREQ(out_buf, "{\"a\":[],\"o\":{},\"nest\":[[1,2],{\"k\\n\":\"v\"}]}\n{}\n",
		     "writer: empty and nested containers, escaped keys, two lines");
	ASSERT_EQ(j.depth, 0, "writer: depth back to 0");

	f = start(&j);
	hs_json_strn(&j, NULL, "abcdef", 3);
	fclose(f);
	ASSERT_STREQ(out_buf, "\"abc\"", "writer: counted string at the top");

	free(out_buf);
	f = open_memstream(&out_buf, &out_len);
	hs_json_error(f, "cannot write /nonexistent/a\"b.json: No such file");
	fclose(f);
	ASSERT_STREQ(out_buf, "{\"error\":\"cannot write /nonexistent/a\\\"b.json: No such file\"}\n",
		     "error object escapes the message");
}

int main(void)
{
	test_escape();
	test_writer();
	free(out_buf);
	return hs_failed ? 1 : 0;
}
