// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf: the command-line tool of bpbuf. This file is only its front door:
 * --help, --version and the table that dispatches to the subcommands, one
 * per cmd-*.c file.
 *
 *   bpbuf info [--json]
 *   bpbuf alloc SIZE [--align A] [--name N] [--fill BYTE] [--hold]
 *               [-- COMMAND [ARGS...]]
 *   bpbuf addr --fd N [--json]
 *   bpbuf addr --fd N --device DEV [--json] (--hold | -- COMMAND [ARGS...])
 *
 * Exit status: 0 success, 1 failure, 2 usage error; alloc -- COMMAND and
 * addr -- COMMAND exit with COMMAND's status.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <libbpbuf.h>

#include "bpbuf-tool.h"
#include "tools-common.h"

/* The one list of commands: dispatch and the usage text both read it */
static const struct bpbuf_cmd *const commands[] = {
	&bpbuf_cmd_info,
	&bpbuf_cmd_alloc,
	&bpbuf_cmd_addr,
};

#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static const char usage_head[] =
	"Usage: bpbuf [--help] [--version] COMMAND [ARGS...]\n"
	"\n"
	"Physically contiguous DMA buffers from " BPBUF_DEFAULT_PATH ".\n"
	"\n"
	"Commands:\n";

static const char usage_tail[] =
	"\n"
	"Run 'bpbuf COMMAND --help' for a command's options.\n"
	"Sizes are bytes or binary multiples: 4096, 64K, 16M, 1G.\n"
	"The device is " BPBUF_DEFAULT_PATH ", or $" BPBUF_DEVICE_ENV " when set.\n"
	"Exit status: 0 success, 1 failure, 2 usage error.\n";

static void usage(void)
{
	size_t i;

	fputs(usage_head, stdout);
	for (i = 0; i < NCOMMANDS; i++)
		printf("  %-8s %s\n", commands[i]->name, commands[i]->help);
	fputs(usage_tail, stdout);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	size_t i;
	int status;

	if (!cmd)
		die_usage("no command given");
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		usage();
		return EXIT_OK;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("bpbuf %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (cmd[0] == '-')
		die_usage("unknown option '%s'", cmd);
	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(cmd, commands[i]->name))
			continue;
		tool_subcommand = cmd;
		status = commands[i]->run(argc - 1, argv + 1);
		/* a full disk or a closed pipe is a failure, not silence */
		if (fflush(stdout) || ferror(stdout))
			die_errno(errno, "cannot write the output");
		return status;
	}
	die_usage("unknown command '%s'", cmd);
}
