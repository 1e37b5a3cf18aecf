/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf module parameter helpers, shared by the files that own parameters
 * (device.c, account.c).
 */
#ifndef BPBUF_PARAM_H
#define BPBUF_PARAM_H

#include <linux/types.h>

int bpbuf_param_bytes(const char *val, u64 *bytes);

#endif /* BPBUF_PARAM_H */
