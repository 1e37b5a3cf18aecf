// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module whose load path hits WARN_ON(1): the rig's self-test loads it and
 * expects the run to fail. It is never installed.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init rig_warn_init(void)
{
	WARN_ON(1);
	return 0;
}
module_init(rig_warn_init);

static void __exit rig_warn_exit(void)
{
}
module_exit(rig_warn_exit);

MODULE_DESCRIPTION("bpbuf test rig self-test: WARN on load");
MODULE_LICENSE("GPL");
