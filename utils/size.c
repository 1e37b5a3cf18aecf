// SPDX-License-Identifier: GPL-2.0-only
/*
 * Size parsing and formatting for the bpbuf tools.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "size.h"

static const char units[] = "KMGTPE";

int parse_size(const char *str, uint64_t *size, const char **why)
{
	const char *p = str, *unit;
	uint64_t value = 0;
	unsigned int shift = 0;

	if (!*p) {
		*why = "empty";
		return -EINVAL;
	}
	if (*p == '-') {
		*why = "must not be negative";
		return -EINVAL;
	}
	if (!isdigit((unsigned char)*p)) {
		*why = "not a number (use e.g. 4096, 64K, 16M, 1G)";
		return -EINVAL;
	}
	for (; isdigit((unsigned char)*p); p++) {
		unsigned int digit = (unsigned int)(*p - '0');

		if (value > (UINT64_MAX - digit) / 10) {
			*why = "too large";
			return -ERANGE;
		}
		value = value * 10 + digit;
	}
	if (*p) {
		unit = strchr(units, toupper((unsigned char)*p));
		if (!unit) {
			*why = "unknown unit (use K, M, G, T, P or E)";
			return -EINVAL;
		}
		shift = 10 * (unsigned int)(unit - units + 1);
		p++;
		if (!strcmp(p, "iB"))
			p += 2;
		if (*p) {
			*why = "trailing characters after the unit";
			return -EINVAL;
		}
	}
	if (!value) {
		*why = "must be greater than zero";
		return -EINVAL;
	}
	if (shift && value > UINT64_MAX >> shift) {
		*why = "too large";
		return -ERANGE;
	}
	*size = value << shift;
	return 0;
}

int parse_uint(const char *str, uint64_t max, uint64_t *value,
	       const char **why)
{
	const char *p = str;
	unsigned int base = 10;
	uint64_t v = 0;

	if (!*p) {
		*why = "empty";
		return -EINVAL;
	}
	if (*p == '-') {
		*why = "must not be negative";
		return -EINVAL;
	}
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X') && p[2]) {
		base = 16;
		p += 2;
	} else if (p[0] == '0' && p[1]) {
		base = 8;
		p++;
	}
	for (; *p; p++) {
		unsigned int digit;

		if (isdigit((unsigned char)*p))
			digit = (unsigned int)(*p - '0');
		else if (isxdigit((unsigned char)*p))
			digit = (unsigned int)(tolower((unsigned char)*p) - 'a' + 10);
		else
			digit = 16;
		if (digit >= base) {
			*why = "not a number";
			return -EINVAL;
		}
		if (v > (UINT64_MAX - digit) / base) {
			*why = "too large";
			return -ERANGE;
		}
		v = v * base + digit;
	}
	if (v > max) {
		*why = "too large";
		return -ERANGE;
	}
	*value = v;
	return 0;
}

const char *format_size(uint64_t size, char *buf, size_t len)
{
	static const char *const names[] = {
		"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
	};
	unsigned int u = 0, tenths;
	uint64_t whole, rem, unit = 1;

	while (u + 1 < sizeof(names) / sizeof(names[0]) &&
	       size >> (10 * (u + 1)))
		u++;
	unit = (uint64_t)1 << (10 * u);
	whole = size >> (10 * u);
	rem = size & (unit - 1);
	/* rem < 2^60, so rem * 10 fits */
	tenths = (unsigned int)((rem * 10 + unit / 2) >> (10 * u));
	if (tenths == 10) {
		whole++;
		tenths = 0;
		if (whole == 1024 && u + 1 < sizeof(names) / sizeof(names[0])) {
			whole = 1;
			u++;
		}
	}
	if (!rem)
		snprintf(buf, len, "%llu %s", (unsigned long long)whole,
			 names[u]);
	else
		snprintf(buf, len, "%llu.%u %s", (unsigned long long)whole,
			 tenths, names[u]);
	return buf;
}
