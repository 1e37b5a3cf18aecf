/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the bpbuf subcommands (cmd-*.c) share: their option parsing, opening
 * the device with a message that names it, size arguments and JSON strings.
 */
#ifndef BPBUF_CMD_COMMON_H
#define BPBUF_CMD_COMMON_H

#include <getopt.h>
#include <stdint.h>
#include <sys/types.h>

#include <libbpbuf.h>

/*
 * What parse_args() leaves: the positional arguments in order, and with
 * "--" the words after it in rest[0..nrest-1] (rest NULL without "--").
 */
struct parsed_args {
	char *pos[4];
	int npos;
	char **rest;
	int nrest;
};

/*
 * parse_args - getopt_long() over a subcommand's argv. -h/--help prints
 * usage and exits 0; unknown options, missing option arguments and more
 * than four positional arguments are usage errors; every other option goes
 * to handle(opt, optarg, ctx). optstring starts with "+:".
 */
void parse_args(int argc, char **argv, const char *optstring,
		const struct option *longopts, const char *usage,
		void (*handle)(int opt, const char *arg, void *ctx),
		void *ctx, struct parsed_args *pa);

/* bpbuf_dev_open(NULL, ...), or die saying why with the device's path */
struct bpbuf_dev *open_device(void);

/* parse_size() of an argument, or a usage error naming what it was for */
uint64_t size_arg(const char *what, const char *str);

/*
 * CPU modes (BPBUF_CPU_*) by name: cached, wc, uncached. cpu_mode_name(0)
 * is "cached", what a driver from before CPU modes (0.7) maps with;
 * cpu_mode_arg() is a usage error for another name; cpu_modes_str() lists
 * a bitmap of (1 << mode) comma-separated.
 */
const char *cpu_mode_name(uint32_t mode);
uint32_t cpu_mode_arg(const char *arg);
void cpu_modes_str(uint32_t modes, char *s, size_t len);

/* Print s as a JSON string: quotes, backslashes, control characters escaped */
void json_string(const char *s);

/*
 * Start argv as system() would (SIGINT and SIGQUIT ignored here until
 * wait_command()), with the environment variables env names ("NAME=VALUE",
 * NULL-terminated) set; it inherits every fd not close-on-exec.
 */
pid_t spawn_command(char **argv, char *const *env);
/* Wait for spawn_command()'s child: its exit status, 128+N for signal N */
int wait_command(pid_t pid, const char *name);

/*
 * --hold: hold_start() before the thing held exists (so that a signal
 * meanwhile waits), hold_wait() once it is printed, until SIGINT or SIGTERM
 */
void hold_start(void);
void hold_wait(const char *what);

#endif /* BPBUF_CMD_COMMON_H */
