// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf addr --fd N [--json] [--device DEV (--hold | -- COMMAND...)]: the
 * bus address and size of a bpbuf buffer this process was given as an fd,
 * or the address one device uses for it, which lasts as long as this
 * command does: the kernel ends a mapping with the open file of /dev/bpbuf
 * it was made through.
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
	"       bpbuf addr --fd N --device DEV [--json] --hold\n"
	"       bpbuf addr --fd N --device DEV [--json] -- COMMAND [ARGS...]\n"
	"\n"
	"Print the bus address and size of the bpbuf buffer open as fd N\n"
	"(needs CAP_SYS_RAWIO unless bpbuf has bus_addr_unprivileged=1).\n"
	"With --device, map the buffer for that device (through its IOMMU,\n"
	"if it has one) and print the address it uses; the mapping, and the\n"
	"buffer with it, lasts while this command holds it (until SIGINT or\n"
	"SIGTERM) or runs COMMAND (with BPBUF_DMA_ADDR and BPBUF_DMA_DEVICE\n"
	"set), or until the device's driver is unbound.\n"
	"\n"
	"  -d, --fd N       the buffer's file descriptor\n"
	"  -D, --device DEV a PCI address (0000:00:01.0) or a platform device\n"
	"  -H, --hold       keep the mapping until SIGINT or SIGTERM\n"
	"  -j, --json       print one JSON object\n"
	"  -h, --help       show this help\n";

struct addr_opts {
	int fd;
	const char *device;
	bool hold;
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
	case 'D':
		o->device = arg;
		break;
	case 'H':
		o->hold = true;
		break;
	case 'j':
		o->json = true;
		break;
	}
}

/* Why DEV_MAP refused, in the words bpbuf(4) uses */
static const char *dev_map_why(int err)
{
	switch (err) {
	case -EPERM:
		return "needs CAP_SYS_RAWIO or bus_addr_unprivileged=1";
	case -ENODEV:
		return "no such device";
	case -ENXIO:
		return "no driver is bound to it (bind uio_pci_generic for a driver in user space)";
	case -EBUSY:
		return "its driver manages its DMA itself (vfio-pci, which cannot map bpbuf buffers: bind uio_pci_generic)";
	case -ERANGE:
		return "its DMA mask does not reach the buffer, and no IOMMU translates for it";
	case -EOPNOTSUPP:
		return "it does no DMA through the DMA API";
	default:
		return strerror(-err);
	}
}

/*
 * Map, print, then hold the mapping or run the command with it; the caller
 * frees the buffer (and so ends the mapping) after this returns.
 */
static int addr_device(struct bpbuf_buffer *buf, const struct addr_opts *o,
		       char **command)
{
	char addr_env[48], device_env[BPBUF_DEV_NAME_LEN + 16];
	char *env[] = { addr_env, device_env, NULL };
	uint64_t dma;
	int ret;

	ret = bpbuf_buffer_dev_map(buf, o->device, &dma);
	if (ret)
		die("cannot map fd %d for %s: %s", o->fd, o->device,
		    dev_map_why(ret));
	if (o->json) {
		printf("{\"fd\":%d,\"device\":", o->fd);
		json_string(o->device);
		printf(",\"dma_addr\":\"0x%016" PRIx64 "\",\"size\":%" PRIu64
		       "}\n", dma, bpbuf_buffer_size(buf));
	} else {
		char s[SIZE_STR_LEN];

		printf("device:   %s\n", o->device);
		printf("dma_addr: 0x%016" PRIx64 "\n", dma);
		printf("size:     %" PRIu64 " (%s)\n", bpbuf_buffer_size(buf),
		       format_size(bpbuf_buffer_size(buf), s, sizeof(s)));
	}
	if (!command) {
		hold_wait("the mapping");
		return EXIT_OK;
	}
	snprintf(addr_env, sizeof(addr_env), "BPBUF_DMA_ADDR=0x%016" PRIx64, dma);
	snprintf(device_env, sizeof(device_env), "BPBUF_DMA_DEVICE=%s", o->device);
	return wait_command(spawn_command(command, env), command[0]);
}

static int cmd_addr(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "fd", required_argument, NULL, 'd' },
		{ "device", required_argument, NULL, 'D' },
		{ "hold", no_argument, NULL, 'H' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct addr_opts o = { .fd = -1 };
	struct bpbuf_buffer *buf;
	struct parsed_args pa;
	struct bpbuf_dev *dev;
	uint64_t bus;
	int ret, status;

	parse_args(argc, argv, "+:d:D:Hjh", opts, addr_usage, addr_opt, &o, &pa);
	if (pa.npos)
		die_usage("unexpected argument '%s'", pa.pos[0]);
	if (o.fd < 0)
		die_usage("addr needs --fd N");
	if (pa.rest && !pa.nrest)
		die_usage("no command after '--'");
	if ((o.hold || pa.rest) && !o.device)
		die_usage("%s needs --device DEV", o.hold ? "--hold" : "a command");
	if (o.hold && pa.rest)
		die_usage("--hold and a command exclude each other");
	/* the mapping ends with this command: printed alone, it would be gone */
	if (o.device && !o.hold && !pa.rest)
		die_usage("--device needs --hold or a command: the mapping lasts as long as bpbuf addr runs");
	if (o.hold)
		hold_start();

	dev = open_device();
	ret = bpbuf_buffer_import(dev, o.fd, BPBUF_IMPORT_DUP, &buf);
	if (ret == -EINVAL)
		die("fd %d: not a dma-buf", o.fd);
	if (ret == -EXDEV)
		die("fd %d: a dma-buf from another exporter, not a bpbuf buffer",
		    o.fd);
	if (ret)
		die_errno(ret, "fd %d", o.fd);
	if (o.device) {
		status = addr_device(buf, &o, pa.rest);
		bpbuf_buffer_free(buf);
		bpbuf_dev_close(dev);
		return status;
	}
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
	.help = "show the bus address of a bpbuf fd, or map it for a device",
};
