// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf alloc SIZE [--heap H] [--cpu MODE] [--align A] [--name N]
 * [--fill BYTE] [--hold]
 * [-- COMMAND [ARGS...]]: allocate a buffer, then print it, hold it or hand
 * its fd to a command.
 */
#include <errno.h>
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

#include "bpbuf-tool.h"
#include "cmd-common.h"
#include "size.h"
#include "tools-common.h"

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
	"  -p, --heap H      take it from heap H, by name or id (default: the\n"
	"                    default heap; 'bpbuf info' lists the heaps)\n"
	"  -c, --cpu MODE    map it cached, wc (write-combined) or uncached\n"
	"                    (default: the heap's mode; 'bpbuf info' lists\n"
	"                    the modes each heap allows)\n"
	"  -a, --align A     align the bus address to A bytes (a power of two)\n"
	"  -n, --name N      name the buffer (up to 31 bytes)\n"
	"  -f, --fill BYTE   fill the buffer with BYTE (0-255, e.g. 0xab)\n"
	"  -H, --hold        keep the buffer until SIGINT or SIGTERM\n"
	"  -h, --help        show this help\n";

struct alloc_opts {
	const char *heap;	/* NULL: the default heap */
	uint32_t cpu_mode;	/* 0: the heap's */
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
	case 'p':
		o->heap = arg;
		break;
	case 'c':
		o->cpu_mode = cpu_mode_arg(arg);
		break;
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

/* A heap by name, or by id; exits when the device has no such heap */
static uint32_t heap_arg(struct bpbuf_dev *dev, const char *arg)
{
	struct bpbuf_heap_info hi;
	const char *why;
	uint32_t id;
	uint64_t v;
	int ret;

	ret = bpbuf_dev_heap_find(dev, arg, &id);
	if (ret == -ENOENT && !parse_uint(arg, UINT32_MAX, &v, &why)) {
		id = (uint32_t)v;
		ret = bpbuf_dev_heap_info_id(dev, id, &hi, sizeof(hi));
	}
	if (ret == -ENOENT)
		die("no heap named %s ('bpbuf info' lists the heaps)", arg);
	if (ret)
		die_errno(ret, "cannot look heap %s up", arg);
	return id;
}

static void print_buffer(struct bpbuf_buffer *buf, uint32_t cpu_mode,
			 bool with_fd)
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
	printf("cpu_mode: %s\n", cpu_mode_name(cpu_mode));
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
	char fd_env[32], size_env[48];
	char *env[] = { fd_env, size_env, NULL };
	pid_t pid;

	snprintf(fd_env, sizeof(fd_env), "BPBUF_FD=%d", bpbuf_buffer_fd(buf));
	snprintf(size_env, sizeof(size_env), "BPBUF_SIZE=%" PRIu64,
		 bpbuf_buffer_size(buf));
	pid = spawn_command(argv, env);
	/* our copy goes now: the buffer lives as long as the command's */
	bpbuf_buffer_free(buf);
	bpbuf_dev_close(dev);
	return wait_command(pid, argv[0]);
}

static int cmd_alloc(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "heap", required_argument, NULL, 'p' },
		{ "cpu", required_argument, NULL, 'c' },
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
	uint32_t heap_id;
	uint64_t size;
	int ret;

	parse_args(argc, argv, "+:p:c:a:n:f:Hh", opts, alloc_usage, alloc_opt, &o,
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
	if (o.hold)
		hold_start();

	dev = open_device();
	heap_id = o.heap ? heap_arg(dev, o.heap) : BPBUF_HEAP_DEFAULT;
	ret = bpbuf_buffer_alloc_heap(dev, heap_id, size, o.align,
				      (pa.nrest ? 0 : BPBUF_ALLOC_CLOEXEC) |
				      o.cpu_mode << BPBUF_ALLOC_CPU_SHIFT,
				      o.name, &buf);
	if (ret == -EOPNOTSUPP && o.cpu_mode)
		die("cannot allocate a buffer mapped %s from this heap: %s ('bpbuf info' lists the modes each heap allows)",
		    cpu_mode_name(o.cpu_mode), strerror(EOPNOTSUPP));
	if (ret == -ENOMEM) {
		struct bpbuf_heap_info hi;
		char lf[SIZE_STR_LEN];

		if (!bpbuf_dev_heap_info_id(dev, heap_id, &hi, sizeof(hi)))
			die("cannot allocate %s: %s (largest free extent: %s)",
			    format_size(size, s, sizeof(s)), strerror(ENOMEM),
			    format_size(hi.largest_free, lf, sizeof(lf)));
	}
	if (ret == -EINVAL && o.cpu_mode) {
		uint64_t modes;

		if (bpbuf_dev_get_cap(dev, BPBUF_CAP_CPU_MODES, &modes))
			die("cannot allocate a buffer mapped %s: this driver maps every buffer cached (CPU modes came with driver 0.7)",
			    cpu_mode_name(o.cpu_mode));
	}
	if (ret == -EINVAL && o.align) {
		char a[SIZE_STR_LEN];

		die("cannot allocate %s aligned to %s: %s",
		    format_size(size, s, sizeof(s)),
		    format_size(o.align, a, sizeof(a)), strerror(EINVAL));
	}
	if (ret)
		die_errno(ret, "cannot allocate %s", format_size(size, s, sizeof(s)));
	if (!o.cpu_mode) {
		struct bpbuf_heap_info hi;

		/* 0 from a driver before CPU modes: cached */
		if (!bpbuf_dev_heap_info_id(dev, heap_id, &hi, sizeof(hi)))
			o.cpu_mode = hi.cpu_mode;
	}
	if (o.fill >= 0)
		fill_buffer(buf, o.fill);

	if (pa.nrest)
		return run_command(dev, buf, pa.rest);

	print_buffer(buf, o.cpu_mode, true);
	if (o.hold)
		hold_wait("the buffer");
	bpbuf_buffer_free(buf);
	bpbuf_dev_close(dev);
	return EXIT_OK;
}

const struct bpbuf_cmd bpbuf_cmd_alloc = {
	.name = "alloc",
	.run = cmd_alloc,
	.help = "allocate a buffer and hand it to a command, or hold it",
};
