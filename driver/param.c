// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf module parameter helpers.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "param.h"

/**
 * bpbuf_param_bytes - a size parameter as memparse() reads it
 * @val: what was written: 4096, 64K, 16M, 1G, with or without a newline
 * @bytes: out: the size
 *
 * Return: 0, or -EINVAL when anything else is there.
 */
int bpbuf_param_bytes(const char *val, u64 *bytes)
{
	char *end;

	*bytes = memparse(val, &end);
	if (*end == '\n')
		end++;
	return end == val || *end ? -EINVAL : 0;
}
