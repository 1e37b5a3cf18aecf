// SPDX-License-Identifier: GPL-2.0-only
/*
 * The /dev/bpbuf node: present while the module is loaded, a character
 * device, owned by root with mode 0660, openable by root.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define BPBUF_NODE "/dev/bpbuf"

TEST(node_is_a_char_device)
{
	struct stat st;

	ASSERT_EQ(0, stat(BPBUF_NODE, &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
}

TEST(node_mode_is_0660)
{
	struct stat st;

	ASSERT_EQ(0, stat(BPBUF_NODE, &st));
	EXPECT_EQ(0660, st.st_mode & 07777);
	EXPECT_EQ(0, st.st_uid);
}

TEST(root_opens_the_node)
{
	int fd = open(BPBUF_NODE, O_RDWR | O_CLOEXEC);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, close(fd));
}

TEST_HARNESS_MAIN
