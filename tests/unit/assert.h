/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Minimal selftests-style assertions: print what was expected and what came. */
#ifndef HS_ASSERT_H
#define HS_ASSERT_H
#include <stdio.h>
#include <string.h>

static int hs_failed, hs_passed;

#define CHECK(cond, name, fmt, ...) do {					\
	if (cond) {								\
		hs_passed++;							\
		printf("ok %s\n", name);					\
	} else {								\
		hs_failed++;							\
		printf("FAIL %s: " fmt "\n", name, __VA_ARGS__);		\
	}									\
} while (0)

#define ASSERT_EQ(got, want, name)						\
	CHECK((long long)(got) == (long long)(want), name,			\
	      "expected %lld, got %lld", (long long)(want), (long long)(got))

#define ASSERT_STREQ(got, want, name) do {					\
	const char *g_ = (got), *w_ = (want);					\
	CHECK(g_ && !strcmp(g_, w_), name, "expected \"%s\", got \"%s\"",	\
	      w_, g_ ? g_ : "(null)");						\
} while (0)

#define ASSERT_NULL(got, name)							\
	CHECK((got) == NULL, name, "expected NULL, got \"%s\"", (got))

#endif
