// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf accounting and the per-user quota.
 *
 * Every buffer, from BPBUF_IOCTL_ALLOC or the dma-heap node, is charged,
 * before the heap is touched, to the real uid of the allocating task (as
 * RLIMIT_MEMLOCK and io_uring charge a struct user_struct), and stays
 * charged to that uid until the buffer is released, wherever its fds
 * travel: the buffer keeps its charge (bpbuf_buffer.charge). The uid_quota
 * module parameter caps the bytes one uid may hold at once: an allocation
 * past it fails with EDQUOT and leaves the heap as it was. 0 means no quota;
 * tasks with CAP_SYS_RESOURCE are charged but never refused, as with
 * rlimits.
 *
 * <debugfs>/bpbuf/accounting (root only) shows the quota, the bytes and
 * buffers of every uid, and of every process that allocated buffers still
 * alive. What a process holds through its fds is in /proc/PID/fdinfo/FD
 * (dma-buf's "size:" and "exp_name:\tbpbuf"), which its owner can read.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/err.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/overflow.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>

#include "account.h"
#include "param.h"

/**
 * struct bpbuf_usage - what one uid, or one allocating process, holds
 * @uid: the uid (for a process: its real uid when it allocated)
 * @pid: the process (its thread group), or NULL in a uid's entry: a
 *	reference, so that a recycled pid number is another entry
 * @comm: the process's name
 * @bytes: bytes in its live buffers
 * @nr_buffers: its live buffers; the entry goes when this drops to 0
 * @node: entry in bpbuf_uids or bpbuf_procs
 */
struct bpbuf_usage {
	kuid_t uid;
	struct pid *pid;
	char comm[TASK_COMM_LEN];
	u64 bytes;
	unsigned int nr_buffers;
	struct list_head node;
};

/**
 * struct bpbuf_charge - one buffer's charge, held by the buffer
 * @user: the uid it is charged to
 * @proc: the process that allocated it
 * @bytes: size charged
 */
struct bpbuf_charge {
	struct bpbuf_usage *user;
	struct bpbuf_usage *proc;
	u64 bytes;
};

/* The usage lists and every entry's counts; a leaf: nothing is taken under it */
static DEFINE_SPINLOCK(bpbuf_account_lock);
static LIST_HEAD(bpbuf_uids);
static LIST_HEAD(bpbuf_procs);

static u64 uid_quota;

/* uid_quota takes what memparse() reads: 0 (none), 4096, 64K, 16M, 1G */
static int uid_quota_set(const char *val, const struct kernel_param *kp)
{
	u64 quota;

	if (bpbuf_param_bytes(val, &quota))
		return -EINVAL;
	WRITE_ONCE(*(u64 *)kp->arg, quota);
	return 0;
}

static int uid_quota_get(char *buf, const struct kernel_param *kp)
{
	return sysfs_emit(buf, "%llu\n", READ_ONCE(*(u64 *)kp->arg));
}

static const struct kernel_param_ops uid_quota_ops = {
	.set = uid_quota_set,
	.get = uid_quota_get,
};

module_param_cb(uid_quota, &uid_quota_ops, &uid_quota, 0644);
MODULE_PARM_DESC(uid_quota,
		 "Most bytes of buffers one uid may hold at once, e.g. 64M; past it an allocation fails with EDQUOT (default 0: no quota; CAP_SYS_RESOURCE is exempt)");

/* The entry of uid (pid NULL) or of process pid, made from *fresh if none */
static struct bpbuf_usage *get_usage(struct list_head *list, kuid_t uid,
				     struct pid *pid,
				     struct bpbuf_usage **fresh)
{
	struct bpbuf_usage *u;

	lockdep_assert_held(&bpbuf_account_lock);
	list_for_each_entry(u, list, node)
		if (pid ? u->pid == pid : uid_eq(u->uid, uid))
			return u;
	u = *fresh;
	*fresh = NULL;
	u->uid = uid;
	if (pid) {
		u->pid = get_pid(pid);
		get_task_comm(u->comm, current);
	}
	list_add_tail(&u->node, list);
	return u;
}

static void put_usage(struct bpbuf_usage *u, u64 bytes)
{
	lockdep_assert_held(&bpbuf_account_lock);
	u->bytes -= bytes;
	if (!--u->nr_buffers) {
		list_del(&u->node);
		put_pid(u->pid);
		kfree(u);
	}
}

/**
 * bpbuf_account_charge - charge @bytes to the caller's uid and process
 * @bytes: size of the buffer about to be allocated
 *
 * Return: the charge, for bpbuf_account_uncharge() once the buffer is gone
 * (or was never made), or ERR_PTR(-EDQUOT) when the uid would go past
 * uid_quota, ERR_PTR(-ENOMEM).
 */
struct bpbuf_charge *bpbuf_account_charge(u64 bytes)
{
	u64 quota = READ_ONCE(uid_quota), total;
	struct bpbuf_usage *user_fresh, *proc_fresh, *user;
	struct pid *pid = task_tgid(current);
	kuid_t uid = current_uid();
	struct bpbuf_charge *c;
	bool enforce;
	int ret = -ENOMEM;

	/* before the lock: capable() may sleep in an LSM */
	enforce = quota && !capable(CAP_SYS_RESOURCE);

	/* a user can make these fail: no warning, the caller gets ENOMEM */
	c = kzalloc(sizeof(*c), GFP_KERNEL | __GFP_NOWARN);
	user_fresh = kzalloc(sizeof(*user_fresh), GFP_KERNEL | __GFP_NOWARN);
	proc_fresh = kzalloc(sizeof(*proc_fresh), GFP_KERNEL | __GFP_NOWARN);
	if (!c || !user_fresh || !proc_fresh)
		goto free;

	spin_lock(&bpbuf_account_lock);
	user = get_usage(&bpbuf_uids, uid, 0, &user_fresh);
	if (check_add_overflow(user->bytes, bytes, &total) ||
	    (enforce && total > quota)) {
		/* refused: the heap is not touched, the entry not kept */
		if (!user->nr_buffers) {
			list_del(&user->node);
			user_fresh = user;
		}
		spin_unlock(&bpbuf_account_lock);
		ret = -EDQUOT;
		goto free;
	}
	user->bytes = total;
	user->nr_buffers++;
	c->user = user;
	c->proc = get_usage(&bpbuf_procs, uid, pid, &proc_fresh);
	c->proc->bytes += bytes;
	c->proc->nr_buffers++;
	c->bytes = bytes;
	spin_unlock(&bpbuf_account_lock);

	kfree(user_fresh);
	kfree(proc_fresh);
	return c;

free:
	kfree(proc_fresh);
	kfree(user_fresh);
	kfree(c);
	return ERR_PTR(ret);
}

/* Give the bytes back: the buffer was released, or never made */
void bpbuf_account_uncharge(struct bpbuf_charge *charge)
{
	spin_lock(&bpbuf_account_lock);
	put_usage(charge->user, charge->bytes);
	put_usage(charge->proc, charge->bytes);
	spin_unlock(&bpbuf_account_lock);
	kfree(charge);
}

static int accounting_show(struct seq_file *m, void *unused)
{
	struct user_namespace *ns = seq_user_ns(m);
	struct bpbuf_usage *u;

	seq_printf(m, "uid_quota:\t%llu\n", READ_ONCE(uid_quota));
	seq_puts(m, "uid\tbytes\tbuffers\n");
	spin_lock(&bpbuf_account_lock);
	list_for_each_entry(u, &bpbuf_uids, node)
		seq_printf(m, "%u\t%llu\t%u\n", from_kuid_munged(ns, u->uid),
			   u->bytes, u->nr_buffers);
	/* the allocating process, even after its fds went elsewhere */
	seq_puts(m, "pid\tcomm\tuid\tbytes\tbuffers\n");
	list_for_each_entry(u, &bpbuf_procs, node)
		seq_printf(m, "%d\t%s\t%u\t%llu\t%u\n", pid_nr(u->pid), u->comm,
			   from_kuid_munged(ns, u->uid), u->bytes,
			   u->nr_buffers);
	spin_unlock(&bpbuf_account_lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(accounting);

void bpbuf_account_debugfs_init(struct dentry *dir)
{
	debugfs_create_file("accounting", 0400, dir, NULL, &accounting_fops);
}
