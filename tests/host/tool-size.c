// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host unit test of utils/size.c: size parsing (units, garbage, overflow,
 * zero, negative) and human-readable formatting. Prints TAP.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "size.h"

static int n, failed;

static void __attribute__((format(printf, 2, 3)))
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (!cond)
		failed = 1;
}

static const struct {
	const char *in;
	uint64_t out;
} good[] = {
	{ "4096", 4096 },
	{ "1", 1 },
	{ "64K", 64ULL << 10 },
	{ "64k", 64ULL << 10 },
	{ "16M", 16ULL << 20 },
	{ "16MiB", 16ULL << 20 },
	{ "1G", 1ULL << 30 },
	{ "3g", 3ULL << 30 },
	{ "2T", 2ULL << 40 },
	{ "1P", 1ULL << 50 },
	{ "15E", 15ULL << 60 },
	{ "007", 7 },
	{ "18446744073709551615", UINT64_MAX },
	{ "16777215T", 16777215ULL << 40 },
};

static const struct {
	const char *in;
	int err;
	const char *why;
} bad[] = {
	{ "", -EINVAL, "empty" },
	{ "0", -EINVAL, "must be greater than zero" },
	{ "0K", -EINVAL, "must be greater than zero" },
	{ "-1", -EINVAL, "must not be negative" },
	{ "-4K", -EINVAL, "must not be negative" },
	{ "abc", -EINVAL, "not a number" },
	{ " 4096", -EINVAL, "not a number" },
	{ "+4096", -EINVAL, "not a number" },
	{ "0x1000", -EINVAL, "unknown unit" },
	{ "4096 ", -EINVAL, "unknown unit" },
	{ "1.5M", -EINVAL, "unknown unit" },
	{ "12Q", -EINVAL, "unknown unit" },
	{ "1KB", -EINVAL, "trailing characters" },
	{ "1MM", -EINVAL, "trailing characters" },
	{ "1Mib", -EINVAL, "trailing characters" },
	{ "18446744073709551616", -ERANGE, "too large" },
	{ "99999999999999999999999", -ERANGE, "too large" },
	{ "16E", -ERANGE, "too large" },
	{ "16777216T", -ERANGE, "too large" },
};

static const struct {
	uint64_t in;
	const char *out;
} formats[] = {
	{ 0, "0 B" },
	{ 1, "1 B" },
	{ 1023, "1023 B" },
	{ 1024, "1 KiB" },
	{ 1536, "1.5 KiB" },
	{ 4096, "4 KiB" },
	{ 1048575, "1.0 MiB" },
	{ 64ULL << 20, "64 MiB" },
	{ (1ULL << 30) + (1ULL << 29), "1.5 GiB" },
	{ (1ULL << 30) + 1, "1.0 GiB" },
	{ 1ULL << 40, "1 TiB" },
	{ UINT64_MAX, "16.0 EiB" },
};

int main(void)
{
	char buf[SIZE_STR_LEN], desc[128];
	const char *why;
	uint64_t v;
	size_t i;
	int ret;

	printf("1..%zu\n", sizeof(good) / sizeof(good[0]) +
	       sizeof(bad) / sizeof(bad[0]) +
	       sizeof(formats) / sizeof(formats[0]) + 4);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 0;
		ret = parse_size(good[i].in, &v, &why);
		ok(!ret && v == good[i].out, "parse_size accepts '%s'",
		   good[i].in);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 12345;
		why = "";
		ret = parse_size(bad[i].in, &v, &why);
		snprintf(desc, sizeof(desc), "parse_size refuses '%s' (%s)",
			 bad[i].in, bad[i].why);
		ok(ret == bad[i].err && v == 12345 &&
		   !strncmp(why, bad[i].why, strlen(bad[i].why)), "%s", desc);
		if (ret != bad[i].err || strncmp(why, bad[i].why, strlen(bad[i].why)))
			printf("# got %d, '%s'\n", ret, why);
	}
	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++) {
		format_size(formats[i].in, buf, sizeof(buf));
		snprintf(desc, sizeof(desc), "format_size(%" PRIu64 ") is '%s'",
			 formats[i].in, formats[i].out);
		ok(!strcmp(buf, formats[i].out), "%s", desc);
		if (strcmp(buf, formats[i].out))
			printf("# got '%s'\n", buf);
	}
	ok(!parse_uint("0xab", 255, &v, &why) && v == 0xab,
	   "parse_uint reads hex %s", "0xab");
	ok(!parse_uint("255", 255, &v, &why) && v == 255,
	   "parse_uint reads decimal %s", "255");
	ok(parse_uint("256", 255, &v, &why) == -ERANGE,
	   "parse_uint refuses %s above its maximum", "256");
	ok(parse_uint("12z", 255, &v, &why) == -EINVAL,
	   "parse_uint refuses garbage %s", "12z");
	return failed;
}
