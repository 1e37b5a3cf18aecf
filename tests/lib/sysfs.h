/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small helpers for the VM tests that drive devices through the kernel's
 * text interfaces: a sysfs write, a kernel command line parameter.
 */
#ifndef BPBUF_SYSFS_H
#define BPBUF_SYSFS_H

#include <stddef.h>

/* Write value to a sysfs file in one write(): 0 or a negative errno */
int sysfs_write(const char *path, const char *value);
/* The value of "key=" on the kernel's command line into val: 0 or -ENOENT */
int cmdline_value(const char *key, char *val, size_t len);

#endif
