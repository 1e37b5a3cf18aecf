/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The bpbuf command's subcommands, as bpbuf.c dispatches them: one entry
 * per cmd-*.c file, so that adding a command is one file and one line in
 * bpbuf.c's table, and the main usage text lists it by itself.
 */
#ifndef BPBUF_TOOL_H
#define BPBUF_TOOL_H

struct bpbuf_cmd {
	const char *name;
	/* argv[0] is the command's name; returns the exit status */
	int (*run)(int argc, char **argv);
	/* one line for the "Commands:" list of 'bpbuf --help' */
	const char *help;
};

extern const struct bpbuf_cmd bpbuf_cmd_info;
extern const struct bpbuf_cmd bpbuf_cmd_alloc;
extern const struct bpbuf_cmd bpbuf_cmd_addr;

#endif /* BPBUF_TOOL_H */
