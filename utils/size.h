/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Sizes on the command line and in output: "4096", "64K", "16M", "1G"
 * (binary multiples) in, "64 MiB", "1.5 GiB" out. No dependencies, so the
 * host tests (tests/host/tool-size.c) run it without the device.
 */
#ifndef BPBUF_SIZE_H
#define BPBUF_SIZE_H

#include <stddef.h>
#include <stdint.h>

/* Long enough for any format_size() result */
#define SIZE_STR_LEN	16

/*
 * parse_size - read a size: decimal digits, then optionally one of K, M, G,
 * T, P, E (either case, powers of 1024), optionally followed by "iB".
 * Returns 0 with *size set, or -EINVAL (garbage, empty, negative, zero) or
 * -ERANGE (more than 2^64 - 1) with *why saying what is wrong.
 */
int parse_size(const char *str, uint64_t *size, const char **why);

/*
 * parse_uint - read a number in C syntax (decimal, 0x hex, 0 octal) up to
 * max. Returns 0, or -EINVAL or -ERANGE with *why set.
 */
int parse_uint(const char *str, uint64_t max, uint64_t *value,
	       const char **why);

/*
 * format_size - "512 B", "4 KiB", "1.5 MiB": the largest unit the size
 * reaches, with one decimal when it is not a whole number of units.
 * Returns buf.
 */
const char *format_size(uint64_t size, char *buf, size_t len);

#endif /* BPBUF_SIZE_H */
