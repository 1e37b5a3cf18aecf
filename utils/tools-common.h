/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What every bpbuf tool shares: error reporting and exit statuses.
 * Messages read "bpbuf: <what failed>: <why>" on stderr.
 */
#ifndef BPBUF_TOOLS_COMMON_H
#define BPBUF_TOOLS_COMMON_H

/* Exit statuses, as bpbuf(1) documents them */
#define EXIT_OK		0
#define EXIT_FAIL	1
#define EXIT_USAGE	2

extern const char *tool_name;
extern const char *tool_subcommand;

/* "bpbuf: MESSAGE", exit EXIT_FAIL */
void die(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
/* "bpbuf: MESSAGE: strerror(err)", err positive or negative; exit EXIT_FAIL */
void die_errno(int err, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 2, 3)));
/* "bpbuf: MESSAGE" and a hint to --help, exit EXIT_USAGE */
void die_usage(const char *fmt, ...)
	__attribute__((noreturn, format(printf, 1, 2)));
/* "bpbuf: MESSAGE" without exiting */
void warn_msg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif /* BPBUF_TOOLS_COMMON_H */
