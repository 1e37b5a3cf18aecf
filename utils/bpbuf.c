// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf: the command-line tool of bpbuf.
 *
 *   bpbuf info [--json]
 *   bpbuf alloc SIZE [--align A] [--name N] [--fill BYTE] [--hold]
 *               [-- COMMAND [ARGS...]]
 *   bpbuf addr --fd N [--json]
 *
 * Exit status: 0 success, 1 failure, 2 usage error; alloc -- COMMAND exits
 * with COMMAND's status.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libbpbuf.h>

#include "size.h"
#include "tools-common.h"

struct subcommand {
	const char *name;
	int (*run)(int argc, char **argv);
};

static const char main_usage[] =
	"Usage: bpbuf [--help] [--version] COMMAND [ARGS...]\n"
	"\n"
	"Physically contiguous DMA buffers from /dev/bpbuf.\n"
	"\n"
	"Commands:\n"
	"  info     show the heap and its live buffers\n"
	"  alloc    allocate a buffer and hand it to a command, or hold it\n"
	"  addr     show the bus address and size of a bpbuf fd\n"
	"\n"
	"Run 'bpbuf COMMAND --help' for a command's options.\n"
	"Sizes are bytes or binary multiples: 4096, 64K, 16M, 1G.\n"
	"The device is /dev/bpbuf, or $" BPBUF_DEVICE_ENV " when set.\n"
	"Exit status: 0 success, 1 failure, 2 usage error.\n";

static const char info_usage[] =
	"Usage: bpbuf info [--json]\n"
	"\n"
	"Show the heap (size, free bytes, largest free extent, DMA mask width)\n"
	"and its live buffers. The buffer list comes from debugfs and needs\n"
	"root; without it only the heap is shown.\n"
	"\n"
	"  -j, --json   print one JSON object\n"
	"  -h, --help   show this help\n";

static const char alloc_usage[] =
	"Usage: bpbuf alloc SIZE [OPTIONS] [-- COMMAND [ARGS...]]\n"
	"\n"
	"Allocate a buffer of SIZE bytes (4096, 64K, 16M, 1G). With COMMAND,\n"
	"run it with the buffer's fd inherited and its number in $BPBUF_FD\n"
	"(its size in $BPBUF_SIZE); the buffer is freed once COMMAND and\n"
	"whatever it passed the fd to have closed it; the exit status is\n"
	"COMMAND's. Without COMMAND, print the buffer's fd, size and bus\n"
	"address, and free it on exit.\n"
	"\n"
	"  -a, --align A     align the bus address to A bytes (a power of two)\n"
	"  -n, --name N      name the buffer (up to 31 bytes)\n"
	"  -f, --fill BYTE   fill the buffer with BYTE (0-255, e.g. 0xab)\n"
	"  -H, --hold        keep the buffer until SIGINT or SIGTERM\n"
	"  -h, --help        show this help\n";

static const char addr_usage[] =
	"Usage: bpbuf addr --fd N [--json]\n"
	"\n"
	"Print the bus address and size of the bpbuf buffer open as fd N\n"
	"(needs CAP_SYS_RAWIO unless bpbuf has bus_addr_unprivileged=1).\n"
	"\n"
	"  -d, --fd N   the buffer's file descriptor\n"
	"  -j, --json   print one JSON object\n"
	"  -h, --help   show this help\n";

static const char *device_path(void)
{
	const char *path = getenv(BPBUF_DEVICE_ENV);

	return path && *path ? path : BPBUF_DEFAULT_PATH;
}

static struct bpbuf_dev *open_device(void)
{
	struct bpbuf_dev *dev;
	int ret = bpbuf_dev_open(NULL, &dev);

	if (ret == -ENOENT)
		die("cannot open %s: %s (is the bpbuf module loaded?)",
		    device_path(), strerror(ENOENT));
	if (ret == -ENOTTY)
		die("cannot open %s: not a bpbuf device", device_path());
	if (ret)
		die_errno(ret, "cannot open %s", device_path());
	return dev;
}

/*
 * getopt_long() for a subcommand, with positional arguments collected in
 * order and "--" ending the options: *rest points past it (NULL if absent).
 */
struct parsed_args {
	char *pos[4];
	int npos;
	char **rest;
	int nrest;
};

static void parse_args(int argc, char **argv, const char *optstring,
		       const struct option *longopts, const char *usage,
		       void (*handle)(int opt, const char *arg, void *ctx),
		       void *ctx, struct parsed_args *pa)
{
	memset(pa, 0, sizeof(*pa));
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

static uint64_t size_arg(const char *what, const char *str)
{
	const char *why;
	uint64_t size;

	if (parse_size(str, &size, &why))
		die_usage("invalid %s '%s': %s", what, str, why);
	return size;
}

/* A JSON string: quotes, backslashes and control characters escaped */
static void json_string(const char *s)
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

/* info */

/*
 * One line of <debugfs>/bpbuf/buffers: columns named by the header line
 * (size, bus_addr, pid, comm, attachments, mapped, mmaps, vmaps, name), so
 * a column the driver adds or moves does not break the tool; lines that
 * start with a tab describe the previous buffer's importers.
 */
#define MAX_COLUMNS	16

struct live_buffer {
	char *line;
	char *field[MAX_COLUMNS];
	char **importers;
	int nimporters;
};

struct live_list {
	char *header;
	char *column[MAX_COLUMNS];
	int ncolumns;
	struct live_buffer *buffers;
	int nbuffers;
	char path[300];
	char error[400];	/* why there is no list */
};

static int split_tabs(char *line, char **fields, int max)
{
	int n = 0;

	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		char *tab;

		fields[n++] = line;
		/* the last column takes the rest, tabs and all */
		if (n == max)
			break;
		tab = strchr(line, '\t');
		if (!tab)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

static const char *live_field(const struct live_list *l,
			      const struct live_buffer *b, const char *name)
{
	int i;

	for (i = 0; i < l->ncolumns; i++)
		if (!strcmp(l->column[i], name))
			return b->field[i] ? b->field[i] : "";
	return NULL;
}

static bool debugfs_dir(char *dir, size_t len)
{
	char line[512], mnt[256], type[64];
	bool found = false;
	FILE *f = fopen("/proc/self/mounts", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		if (sscanf(line, "%*s %255s %63s", mnt, type) == 2 &&
		    !strcmp(type, "debugfs")) {
			snprintf(dir, len, "%s", mnt);
			found = true;
		}
	fclose(f);
	return found;
}

static void read_live_buffers(struct live_list *l)
{
	char dir[256], *line = NULL;
	size_t cap = 0;
	FILE *f;

	if (!debugfs_dir(dir, sizeof(dir))) {
		snprintf(l->error, sizeof(l->error),
			 "debugfs is not mounted (mount -t debugfs none /sys/kernel/debug)");
		return;
	}
	snprintf(l->path, sizeof(l->path), "%s/bpbuf/buffers", dir);
	f = fopen(l->path, "re");
	if (!f) {
		snprintf(l->error, sizeof(l->error), "cannot read %s: %s%s",
			 l->path, strerror(errno),
			 errno == EACCES ? " (root only)" : "");
		return;
	}
	while (getline(&line, &cap, f) > 0) {
		if (!l->header) {
			l->header = line;
			l->ncolumns = split_tabs(line, l->column, MAX_COLUMNS);
		} else if (line[0] == '\t' && l->nbuffers) {
			struct live_buffer *b = &l->buffers[l->nbuffers - 1];
			char **imp = realloc(b->importers,
					     (size_t)(b->nimporters + 1) * sizeof(*imp));

			if (!imp)
				die_errno(ENOMEM, "cannot read %s", l->path);
			line[strcspn(line, "\n")] = '\0';
			imp[b->nimporters++] = line + 1;
			b->importers = imp;
		} else {
			struct live_buffer *bs = realloc(l->buffers,
							 (size_t)(l->nbuffers + 1) * sizeof(*bs));

			if (!bs)
				die_errno(ENOMEM, "cannot read %s", l->path);
			l->buffers = bs;
			memset(&bs[l->nbuffers], 0, sizeof(*bs));
			bs[l->nbuffers].line = line;
			split_tabs(line, bs[l->nbuffers].field,
				   l->ncolumns ? l->ncolumns : 1);
			l->nbuffers++;
		}
		line = NULL;
		cap = 0;
	}
	free(line);
	if (ferror(f))
		snprintf(l->error, sizeof(l->error), "cannot read %s: %s",
			 l->path, strerror(errno));
	fclose(f);
}

static bool is_number(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static void info_json(const struct bpbuf_heap_info *hi, uint64_t bus_cap,
		      const struct live_list *l)
{
	int i, j, k;

	printf("{\"heap\":{\"size\":%" PRIu64 ",\"free\":%" PRIu64
	       ",\"largest_free\":%" PRIu64 ",\"free_extents\":%u"
	       ",\"live_buffers\":%u,\"max_align\":%" PRIu64
	       ",\"dma_bits\":%u,\"page_size\":%u,\"bus_addr_allowed\":%s},",
	       (uint64_t)hi->heap_size, (uint64_t)hi->free_bytes,
	       (uint64_t)hi->largest_free, hi->free_extents, hi->live_buffers,
	       (uint64_t)hi->max_align, hi->dma_bits, hi->page_size,
	       bus_cap ? "true" : "false");
	if (l->error[0]) {
		printf("\"buffers\":null,\"buffers_error\":");
		json_string(l->error);
		printf("}\n");
		return;
	}
	printf("\"buffers\":[");
	for (i = 0; i < l->nbuffers; i++) {
		const struct live_buffer *b = &l->buffers[i];

		printf("%s{", i ? "," : "");
		for (j = 0; j < l->ncolumns; j++) {
			const char *v = b->field[j] ? b->field[j] : "";

			printf("%s", j ? "," : "");
			json_string(l->column[j]);
			putchar(':');
			if (is_number(v) && strlen(v) < 20)
				fputs(v, stdout);
			else
				json_string(v);
		}
		printf("%s\"importers\":[", l->ncolumns ? "," : "");
		for (k = 0; k < b->nimporters; k++) {
			printf("%s", k ? "," : "");
			json_string(b->importers[k]);
		}
		printf("]}");
	}
	printf("]}\n");
}

static void info_text(struct bpbuf_dev *dev, const struct bpbuf_heap_info *hi,
		      uint64_t bus_cap, const struct live_list *l)
{
	char s[SIZE_STR_LEN];
	const char *name, *date;
	unsigned int major, minor, patch;
	int i;

	if (!bpbuf_dev_version(dev, &major, &minor, &patch) &&
	    !bpbuf_dev_driver(dev, &name, &date, NULL))
		printf("driver:         %s %u.%u.%u (%s)\n", name, major, minor,
		       patch, date);
	printf("device:         %s\n", device_path());
	printf("heap size:      %s (%" PRIu64 " bytes)\n",
	       format_size(hi->heap_size, s, sizeof(s)), (uint64_t)hi->heap_size);
	printf("free:           %s (%" PRIu64 " bytes)\n",
	       format_size(hi->free_bytes, s, sizeof(s)), (uint64_t)hi->free_bytes);
	printf("largest free:   %s (%" PRIu64 " bytes)\n",
	       format_size(hi->largest_free, s, sizeof(s)),
	       (uint64_t)hi->largest_free);
	printf("free extents:   %u\n", hi->free_extents);
	printf("live buffers:   %u\n", hi->live_buffers);
	printf("max alignment:  %s\n", format_size(hi->max_align, s, sizeof(s)));
	printf("DMA bits:       %u\n", hi->dma_bits);
	printf("page size:      %u\n", hi->page_size);
	printf("bus addresses:  %s\n", bus_cap ? "allowed" : "not allowed (needs CAP_SYS_RAWIO)");
	putchar('\n');
	if (l->error[0]) {
		printf("buffers: not available: %s\n", l->error);
		return;
	}
	if (!l->nbuffers) {
		printf("buffers: none\n");
		return;
	}
	printf("%-10s %-18s %7s %-16s %5s %9s %s\n", "SIZE", "BUS ADDRESS",
	       "PID", "COMMAND", "MMAPS", "IMPORTERS", "NAME");
	for (i = 0; i < l->nbuffers; i++) {
		const struct live_buffer *b = &l->buffers[i];
		const char *size = live_field(l, b, "size");
		const char *bus = live_field(l, b, "bus_addr");
		const char *pid = live_field(l, b, "pid");
		const char *comm = live_field(l, b, "comm");
		const char *mmaps = live_field(l, b, "mmaps");
		const char *att = live_field(l, b, "attachments");
		const char *nm = live_field(l, b, "name");
		char hs[SIZE_STR_LEN];

		if (size && is_number(size))
			format_size(strtoull(size, NULL, 10), hs, sizeof(hs));
		else
			snprintf(hs, sizeof(hs), "%s", size ? size : "-");
		printf("%-10s %-18s %7s %-16s %5s %9s %s\n", hs,
		       bus ? bus : "-", pid ? pid : "-", comm ? comm : "-",
		       mmaps ? mmaps : "-", att ? att : "-",
		       nm && *nm ? nm : "-");
	}
}

static void info_opt(int opt, const char *arg, void *ctx)
{
	*(bool *)ctx = true;	/* 'j' */
}

static int cmd_info(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct live_list live;
	struct bpbuf_heap_info hi;
	struct parsed_args pa;
	struct bpbuf_dev *dev;
	bool json = false;
	uint64_t bus_cap = 0;
	int ret;

	parse_args(argc, argv, "+:jh", opts, info_usage, info_opt, &json, &pa);
	if (pa.npos || pa.rest)
		die_usage("info takes no arguments");

	dev = open_device();
	ret = bpbuf_dev_heap_info(dev, &hi, sizeof(hi));
	if (ret)
		die_errno(ret, "cannot read the heap's figures");
	if (bpbuf_dev_get_cap(dev, BPBUF_CAP_BUS_ADDR, &bus_cap))
		bus_cap = 0;
	memset(&live, 0, sizeof(live));
	read_live_buffers(&live);
	if (json)
		info_json(&hi, bus_cap, &live);
	else
		info_text(dev, &hi, bus_cap, &live);
	bpbuf_dev_close(dev);
	return EXIT_OK;
}

/* alloc */

struct alloc_opts {
	uint64_t align;
	const char *name;
	int fill;		/* -1: none */
	bool hold;
};

static void alloc_opt(int opt, const char *arg, void *ctx)
{
	struct alloc_opts *o = ctx;
	const char *why;
	uint64_t v;

	switch (opt) {
	case 'a':
		o->align = size_arg("alignment", arg);
		if (o->align & (o->align - 1))
			die_usage("invalid alignment '%s': not a power of two",
				  arg);
		break;
	case 'n':
		if (strlen(arg) >= BPBUF_NAME_LEN)
			die_usage("invalid name '%s': longer than %d bytes",
				  arg, BPBUF_NAME_LEN - 1);
		o->name = arg;
		break;
	case 'f':
		if (parse_uint(arg, 255, &v, &why))
			die_usage("invalid fill byte '%s': %s (0-255)", arg, why);
		o->fill = (int)v;
		break;
	case 'H':
		o->hold = true;
		break;
	}
}

static void print_buffer(struct bpbuf_buffer *buf, bool with_fd)
{
	char s[SIZE_STR_LEN];
	uint64_t bus;
	int ret;

	if (with_fd)
		printf("fd:       %d\n", bpbuf_buffer_fd(buf));
	printf("size:     %" PRIu64 " (%s)\n", bpbuf_buffer_size(buf),
	       format_size(bpbuf_buffer_size(buf), s, sizeof(s)));
	ret = bpbuf_buffer_bus_addr(buf, &bus);
	if (ret)
		printf("bus_addr: not available (%s)\n", strerror(-ret));
	else
		printf("bus_addr: 0x%016" PRIx64 "\n", bus);
	fflush(stdout);
}

static void fill_buffer(struct bpbuf_buffer *buf, int byte)
{
	void *addr;
	int ret;

	ret = bpbuf_buffer_map(buf, PROT_READ | PROT_WRITE, &addr);
	if (ret)
		die_errno(ret, "cannot map the buffer");
	ret = bpbuf_buffer_begin_cpu_access(buf, BPBUF_SYNC_WRITE);
	if (ret)
		die_errno(ret, "cannot sync the buffer");
	memset(addr, byte, (size_t)bpbuf_buffer_size(buf));
	ret = bpbuf_buffer_end_cpu_access(buf, BPBUF_SYNC_WRITE);
	if (ret)
		die_errno(ret, "cannot sync the buffer");
	ret = bpbuf_buffer_unmap(buf);
	if (ret)
		die_errno(ret, "cannot unmap the buffer");
}

/* Run argv with the buffer's fd inherited; return its exit status */
static int run_command(struct bpbuf_dev *dev, struct bpbuf_buffer *buf,
		       char **argv)
{
	struct sigaction ign = { .sa_handler = SIG_IGN }, old_int, old_quit;
	char fd_str[16], size_str[32];
	int status;
	pid_t pid;

	snprintf(fd_str, sizeof(fd_str), "%d", bpbuf_buffer_fd(buf));
	snprintf(size_str, sizeof(size_str), "%" PRIu64, bpbuf_buffer_size(buf));
	fflush(NULL);
	/* as system(): the command gets ^C, we wait for it */
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGQUIT, &ign, &old_quit);
	pid = fork();
	if (pid < 0)
		die_errno(errno, "cannot fork");
	if (!pid) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGQUIT, &old_quit, NULL);
		if (setenv("BPBUF_FD", fd_str, 1) ||
		    setenv("BPBUF_SIZE", size_str, 1)) {
			warn_msg("cannot set BPBUF_FD: %s", strerror(errno));
			_exit(126);
		}
		execvp(argv[0], argv);
		warn_msg("cannot run %s: %s", argv[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	/* our copy goes now: the buffer lives as long as the command's */
	bpbuf_buffer_free(buf);
	bpbuf_dev_close(dev);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			die_errno(errno, "cannot wait for %s", argv[0]);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return EXIT_FAIL;
}

static int cmd_alloc(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "align", required_argument, NULL, 'a' },
		{ "name", required_argument, NULL, 'n' },
		{ "fill", required_argument, NULL, 'f' },
		{ "hold", no_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct alloc_opts o = { .fill = -1 };
	struct bpbuf_buffer *buf;
	struct parsed_args pa;
	struct bpbuf_dev *dev;
	char s[SIZE_STR_LEN];
	uint64_t size;
	sigset_t stop;
	int ret, sig;

	parse_args(argc, argv, "+:a:n:f:Hh", opts, alloc_usage, alloc_opt, &o,
		   &pa);
	if (!pa.npos)
		die_usage("alloc needs a SIZE");
	if (pa.npos > 1)
		die_usage("unexpected argument '%s' (a command goes after '--')",
			  pa.pos[1]);
	size = size_arg("size", pa.pos[0]);
	if (pa.rest && !pa.nrest)
		die_usage("no command after '--'");
	if (pa.nrest && o.hold)
		die_usage("--hold and a command exclude each other");

	/* SIGINT and SIGTERM end --hold; until then they wait */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	if (o.hold) {
		/* a shell starts background jobs with SIGINT ignored */
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		sigprocmask(SIG_BLOCK, &stop, NULL);
	}

	dev = open_device();
	ret = bpbuf_buffer_alloc(dev, size, o.align,
				 pa.nrest ? 0 : BPBUF_ALLOC_CLOEXEC, o.name,
				 &buf);
	if (ret == -ENOMEM) {
		struct bpbuf_heap_info hi;
		char lf[SIZE_STR_LEN];

		if (!bpbuf_dev_heap_info(dev, &hi, sizeof(hi)))
			die("cannot allocate %s: %s (largest free extent: %s)",
			    format_size(size, s, sizeof(s)), strerror(ENOMEM),
			    format_size(hi.largest_free, lf, sizeof(lf)));
	}
	if (ret == -EINVAL && o.align) {
		char a[SIZE_STR_LEN];

		die("cannot allocate %s aligned to %s: %s",
		    format_size(size, s, sizeof(s)),
		    format_size(o.align, a, sizeof(a)), strerror(EINVAL));
	}
	if (ret)
		die_errno(ret, "cannot allocate %s", format_size(size, s, sizeof(s)));
	if (o.fill >= 0)
		fill_buffer(buf, o.fill);

	if (pa.nrest)
		return run_command(dev, buf, pa.rest);

	print_buffer(buf, true);
	if (o.hold) {
		printf("holding the buffer until SIGINT or SIGTERM\n");
		fflush(stdout);
		while (sigwait(&stop, &sig))
			;
	}
	bpbuf_buffer_free(buf);
	bpbuf_dev_close(dev);
	return EXIT_OK;
}

/* addr */

struct addr_opts {
	int fd;
	bool json;
};

static void addr_opt(int opt, const char *arg, void *ctx)
{
	struct addr_opts *o = ctx;
	const char *why;
	uint64_t v;

	switch (opt) {
	case 'd':
		if (parse_uint(arg, INT32_MAX, &v, &why))
			die_usage("invalid fd '%s': %s", arg, why);
		o->fd = (int)v;
		break;
	case 'j':
		o->json = true;
		break;
	}
}

static int cmd_addr(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fd", required_argument, NULL, 'd' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct addr_opts o = { .fd = -1 };
	struct bpbuf_buffer *buf;
	struct parsed_args pa;
	struct bpbuf_dev *dev;
	uint64_t bus;
	int ret;

	parse_args(argc, argv, "+:d:jh", opts, addr_usage, addr_opt, &o, &pa);
	if (pa.npos || pa.rest)
		die_usage("unexpected argument '%s'",
			  pa.npos ? pa.pos[0] : "--");
	if (o.fd < 0)
		die_usage("addr needs --fd N");

	dev = open_device();
	ret = bpbuf_buffer_import(dev, o.fd, BPBUF_IMPORT_DUP, &buf);
	if (ret == -EINVAL)
		die("fd %d: not a dma-buf", o.fd);
	if (ret == -EXDEV)
		die("fd %d: a dma-buf from another exporter, not a bpbuf buffer",
		    o.fd);
	if (ret)
		die_errno(ret, "fd %d", o.fd);
	ret = bpbuf_buffer_bus_addr(buf, &bus);
	if (ret == -EPERM)
		die("cannot read the bus address of fd %d: %s (needs CAP_SYS_RAWIO or bus_addr_unprivileged=1)",
		    o.fd, strerror(EPERM));
	if (ret)
		die_errno(ret, "cannot read the bus address of fd %d", o.fd);
	if (o.json) {
		printf("{\"fd\":%d,\"bus_addr\":\"0x%016" PRIx64
		       "\",\"size\":%" PRIu64 "}\n",
		       o.fd, bus, bpbuf_buffer_size(buf));
	} else {
		char s[SIZE_STR_LEN];

		printf("bus_addr: 0x%016" PRIx64 "\n", bus);
		printf("size:     %" PRIu64 " (%s)\n", bpbuf_buffer_size(buf),
		       format_size(bpbuf_buffer_size(buf), s, sizeof(s)));
	}
	bpbuf_buffer_free(buf);
	bpbuf_dev_close(dev);
	return EXIT_OK;
}

static const struct subcommand subcommands[] = {
	{ "info", cmd_info },
	{ "alloc", cmd_alloc },
	{ "addr", cmd_addr },
};

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : NULL;
	size_t i;
	int status;

	if (!cmd)
		die_usage("no command given");
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help")) {
		fputs(main_usage, stdout);
		return EXIT_OK;
	}
	if (!strcmp(cmd, "-V") || !strcmp(cmd, "--version")) {
		printf("bpbuf %s\n", PACKAGE_VERSION);
		return EXIT_OK;
	}
	if (cmd[0] == '-')
		die_usage("unknown option '%s'", cmd);
	for (i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++) {
		if (strcmp(cmd, subcommands[i].name))
			continue;
		tool_subcommand = cmd;
		status = subcommands[i].run(argc - 1, argv + 1);
		if (fflush(stdout) || ferror(stdout))
			die_errno(errno, "cannot write the output");
		return status;
	}
	die_usage("unknown command '%s'", cmd);
}
