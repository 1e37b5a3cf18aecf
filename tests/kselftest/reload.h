/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * For tests that load the module themselves (another heap size, source or
 * set of heaps) and then load it back as the rig had it.
 */
#ifndef BPBUF_TEST_RELOAD_H
#define BPBUF_TEST_RELOAD_H

#include <sys/syscall.h>

#include "bpbuf_test.h"

/* The module file: where the VM rig puts it, or $BPBUF_KO */
static inline const char *bp_module_file(void)
{
	return getenv("BPBUF_KO") ? getenv("BPBUF_KO") : "/lib/modules/bpbuf.ko";
}

/* A text module parameter of bpbuf without its newline, or "" (free it) */
static inline char *bp_param_text(const char *name)
{
	char path[128], *text;

	snprintf(path, sizeof(path), BPBUF_PARAMS "/%s", name);
	text = read_text(path);
	if (!text)
		return strdup("");
	text[strcspn(text, "\n")] = '\0';
	return text;
}

/* The loaded module's parameters, as finit_module() takes them */
static inline void bp_load_args(char *args, size_t len)
{
	char *source = bp_param_text("heap_source");
	char *heaps = bp_param_text("heaps");

	snprintf(args, len,
		 "heap_size=%lld heap_source=%s dma_bits=%lld bus_addr_unprivileged=%lld%s%s",
		 bp_param("heap_size"), *source ? source : "auto",
		 bp_param("dma_bits"), bp_param("bus_addr_unprivileged"),
		 *heaps ? " heaps=" : "", heaps);
	free(source);
	free(heaps);
}

/*
 * The module file open, the loaded module's parameters in @args, the test's
 * fd of the device closed and the module unloaded. Return: the module
 * file's fd; -1 when the test cannot do that here (SKIP: *@why says why);
 * -2 when unloading failed.
 */
static inline int bp_unload_for_reload(int *dev, char *args, size_t len,
				       const char **why)
{
	int ko_fd;

	*why = "delete_module and finit_module need CAP_SYS_MODULE";
	if (geteuid())
		return -1;
	*why = "no module file (set BPBUF_KO)";
	ko_fd = open(bp_module_file(), O_RDONLY | O_CLOEXEC);
	if (ko_fd < 0)
		return -1;
	bp_load_args(args, len);
	if (*dev >= 0)
		close(*dev);
	*dev = -1;
	*why = "the module would not unload";
	if (bp_unload(200)) {
		close(ko_fd);
		return -2;
	}
	return ko_fd;
}

/* Load the module from @ko_fd with @args: 0 or the errno */
static inline int bp_load(int ko_fd, const char *args)
{
	return syscall(SYS_finit_module, ko_fd, args, 0) ? errno : 0;
}

/*
 * Load the module from @ko_fd with @args, and collect in @said what the
 * kernel logged of bpbuf meanwhile: 0 or the load's errno
 */
static inline int bp_load_logged(int ko_fd, const char *args, char *said,
				 size_t len)
{
	int kmsg = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC), ret;
	char record[1024];
	ssize_t n;

	said[0] = '\0';
	/* only what the kernel logs from here on */
	if (kmsg >= 0)
		lseek(kmsg, 0, SEEK_END);
	ret = bp_load(ko_fd, args);
	while (kmsg >= 0 && (n = read(kmsg, record, sizeof(record) - 1)) > 0) {
		record[n] = '\0';
		if (strstr(record, "bpbuf: "))
			snprintf(said + strlen(said), len - strlen(said), "%s",
				 strchr(record, ';') ? strchr(record, ';') + 1 : record);
	}
	if (kmsg >= 0)
		close(kmsg);
	return ret;
}

/* Load the module from @ko_fd (closed) with @args: the device, or -errno */
static inline int bp_reload_and_open(int ko_fd, const char *args)
{
	int ret = bp_load(ko_fd, args);

	close(ko_fd);
	if (ret)
		return -ret;
	ret = bp_open();
	return ret < 0 ? -errno : ret;
}

#endif /* BPBUF_TEST_RELOAD_H */
