/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * bpbuf accounting: bytes held per uid, capped by the uid_quota module
 * parameter, and shown per uid and per process in <debugfs>/bpbuf/accounting.
 */
#ifndef BPBUF_ACCOUNT_H
#define BPBUF_ACCOUNT_H

#include <linux/types.h>

struct bpbuf_charge;
struct dentry;

struct bpbuf_charge *bpbuf_account_charge(u64 bytes);
void bpbuf_account_uncharge(struct bpbuf_charge *charge);
void bpbuf_account_debugfs_init(struct dentry *dir);

#endif /* BPBUF_ACCOUNT_H */
