// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf addr --fd N [--json]: the bus address and size of a bpbuf buffer
 * this process was given as an fd.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <libbpbuf.h>

#include "bpbuf-tool.h"
#include "cmd-common.h"
#include "size.h"
#include "tools-common.h"

static const char addr_usage[] =
	"Usage: bpbuf addr --fd N [--json]\n"
	"\n"
	"Print the bus address and size of the bpbuf buffer open as fd N\n"
	"(needs CAP_SYS_RAWIO unless bpbuf has bus_addr_unprivileged=1).\n"
	"\n"
	"  -d, --fd N   the buffer's file descriptor\n"
	"  -j, --json   print one JSON object\n"
	"  -h, --help   show this help\n";

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

const struct bpbuf_cmd bpbuf_cmd_addr = {
	.name = "addr",
	.run = cmd_addr,
	.help = "show the bus address and size of a bpbuf fd",
};
