// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers the bpbuf subcommands share, so that every command parses options,
 * reports a missing device and writes JSON the same way.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libbpbuf.h>

#include "cmd-common.h"
#include "size.h"
#include "tools-common.h"

void parse_args(int argc, char **argv, const char *optstring,
		const struct option *longopts, const char *usage,
		void (*handle)(int opt, const char *arg, void *ctx),
		void *ctx, struct parsed_args *pa)
{
	memset(pa, 0, sizeof(*pa));
	/* our own messages, in the tool's words */
	opterr = 0;
	optind = 0;
	for (;;) {
		int before = optind ? optind : 1;
		int opt = getopt_long(argc, argv, optstring, longopts, NULL);

		if (opt == -1) {
			if (optind > before && !strcmp(argv[before], "--")) {
				pa->rest = argv + optind;
				pa->nrest = argc - optind;
				return;
			}
			if (optind >= argc)
				return;
			/* "+" stopped at a positional argument: take it, go on */
			if (pa->npos == (int)(sizeof(pa->pos) / sizeof(pa->pos[0])))
				die_usage("too many arguments");
			pa->pos[pa->npos++] = argv[optind++];
			continue;
		}
		switch (opt) {
		case 'h':
			fputs(usage, stdout);
			exit(EXIT_OK);
		case '?':
			if (optopt)
				die_usage("unknown option '-%c'", optopt);
			die_usage("unknown option '%s'", argv[optind - 1]);
		case ':':
			die_usage("option '%s' needs an argument",
				  argv[optind - 1]);
		default:
			handle(opt, optarg, ctx);
		}
	}
}

struct bpbuf_dev *open_device(void)
{
	/* the library's choice of node, so that the message names that one */
	const char *path = bpbuf_dev_path();
	struct bpbuf_dev *dev;
	int ret = bpbuf_dev_open(NULL, &dev);

	if (ret == -ENOENT)
		die("cannot open %s: %s (is the bpbuf module loaded?)",
		    path, strerror(ENOENT));
	if (ret == -ENOTTY)
		die("cannot open %s: not a bpbuf device", path);
	if (ret)
		die_errno(ret, "cannot open %s", path);
	return dev;
}

uint64_t size_arg(const char *what, const char *str)
{
	const char *why;
	uint64_t size;

	if (parse_size(str, &size, &why))
		die_usage("invalid %s '%s': %s", what, str, why);
	return size;
}

static const char *const cpu_modes[] = {
	[BPBUF_CPU_CACHED] = "cached",
	[BPBUF_CPU_WRITECOMBINE] = "wc",
	[BPBUF_CPU_UNCACHED] = "uncached",
};

const char *cpu_mode_name(uint32_t mode)
{
	if (!mode)
		return cpu_modes[BPBUF_CPU_CACHED];
	if (mode >= sizeof(cpu_modes) / sizeof(cpu_modes[0]) || !cpu_modes[mode])
		return "?";
	return cpu_modes[mode];
}

uint32_t cpu_mode_arg(const char *arg)
{
	uint32_t mode;

	for (mode = BPBUF_CPU_CACHED; mode < sizeof(cpu_modes) / sizeof(cpu_modes[0]); mode++)
		if (!strcmp(arg, cpu_modes[mode]))
			return mode;
	die_usage("invalid CPU mode '%s': cached, wc or uncached", arg);
	return 0;
}

void cpu_modes_str(uint32_t modes, char *s, size_t len)
{
	uint32_t mode;
	size_t n = 0;

	s[0] = '\0';
	for (mode = BPBUF_CPU_CACHED; mode < sizeof(cpu_modes) / sizeof(cpu_modes[0]); mode++)
		if (modes & (1U << mode) && n < len)
			n += (size_t)snprintf(s + n, len - n, "%s%s", n ? "," : "",
					      cpu_modes[mode]);
}

void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static struct sigaction saved_int, saved_quit;

pid_t spawn_command(char **argv, char *const *env)
{
	struct sigaction ign = { .sa_handler = SIG_IGN };
	pid_t pid;

	fflush(NULL);
	/* as system(): the command gets ^C, we wait for it */
	sigaction(SIGINT, &ign, &saved_int);
	sigaction(SIGQUIT, &ign, &saved_quit);
	pid = fork();
	if (pid < 0)
		die_errno(errno, "cannot fork");
	if (pid)
		return pid;
	sigaction(SIGINT, &saved_int, NULL);
	sigaction(SIGQUIT, &saved_quit, NULL);
	for (; *env; env++) {
		if (putenv(*env)) {
			warn_msg("cannot set %s: %s", *env, strerror(errno));
			_exit(126);
		}
	}
	execvp(argv[0], argv);
	warn_msg("cannot run %s: %s", argv[0], strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

int wait_command(pid_t pid, const char *name)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno(errno, "cannot wait for %s", name);
	sigaction(SIGINT, &saved_int, NULL);
	sigaction(SIGQUIT, &saved_quit, NULL);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_FAIL;
}

static sigset_t hold_signals;

void hold_start(void)
{
	sigemptyset(&hold_signals);
	sigaddset(&hold_signals, SIGINT);
	sigaddset(&hold_signals, SIGTERM);
	/* a shell starts background jobs with SIGINT ignored */
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	sigprocmask(SIG_BLOCK, &hold_signals, NULL);
}

void hold_wait(const char *what)
{
	int sig;

	/* stderr: what stdout carries (JSON, say) stays whole */
	fflush(stdout);
	fprintf(stderr, "holding %s until SIGINT or SIGTERM\n", what);
	while (sigwait(&hold_signals, &sig))
		;
}
