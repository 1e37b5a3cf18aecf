// SPDX-License-Identifier: GPL-2.0-only
/*
 * vivid from user space (see vivid.h). Module parameters are vivid's own
 * (drivers/media/test-drivers/vivid/vivid-core.c): node_types bit 0 is the
 * video capture node alone, num_inputs=1 keeps input 0, a webcam.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sysfs.h"
#include "vivid.h"

#define V4L2_CLASS		"/sys/class/video4linux"
#define VIVID_CAPTURE_NAME	"vivid-000-vid-cap"
#define VIVID_UNBIND		"/sys/bus/platform/drivers/vivid/unbind"
/* Frames the reference capture skips: the first may precede a settled format */
#define REFERENCE_SKIP		1

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do
		ret = ioctl(fd, cmd, arg);
	while (ret && errno == EINTR);
	return ret ? -errno : 0;
}

bool vivid_expected(void)
{
	char val[8];

	return !cmdline_value("rig.vivid", val, sizeof(val)) && !strcmp(val, "1");
}

int vivid_unload(void)
{
	if (access("/sys/module/vivid", F_OK))
		return 0;
	return syscall(SYS_delete_module, "vivid", O_NONBLOCK) ? -errno : 0;
}

int vivid_load(bool multiplanar)
{
	char cmd[256];
	int ret = vivid_unload();

	if (ret)
		return ret;
	snprintf(cmd, sizeof(cmd),
		 "modprobe vivid n_devs=1 allocators=1 multiplanar=%d node_types=0x1 "
		 "num_inputs=1 no_error_inj=1 2>&1", multiplanar ? 2 : 1);
	return system(cmd) ? -ENOENT : 0;
}

int vivid_unbind(void)
{
	return sysfs_write(VIVID_UNBIND, VIVID_DEVICE);
}

/* The /dev node of vivid's capture device, by its name in sysfs */
static int find_node(char *node, size_t len)
{
	struct dirent *d;
	DIR *dir = opendir(V4L2_CLASS);
	int ret = -ENODEV;

	if (!dir)
		return -ENODEV;
	while (ret && (d = readdir(dir))) {
		char path[300], name[64] = "";
		FILE *f;

		if (strncmp(d->d_name, "video", 5))
			continue;
		snprintf(path, sizeof(path), V4L2_CLASS "/%s/name", d->d_name);
		f = fopen(path, "re");
		if (!f)
			continue;
		if (fgets(name, sizeof(name), f) && !strncmp(name, VIVID_CAPTURE_NAME,
							     strlen(VIVID_CAPTURE_NAME))) {
			snprintf(node, len, "/dev/%s", d->d_name);
			ret = 0;
		}
		fclose(f);
	}
	closedir(dir);
	return ret;
}

int vivid_open(struct vivid *v)
{
	struct v4l2_capability cap;
	int ret;

	memset(v, 0, sizeof(*v));
	v->fd = -1;
	ret = find_node(v->node, sizeof(v->node));
	if (ret)
		return ret;
	v->fd = open(v->node, O_RDWR | O_CLOEXEC);
	if (v->fd < 0)
		return -errno;
	memset(&cap, 0, sizeof(cap));
	ret = xioctl(v->fd, VIDIOC_QUERYCAP, &cap);
	if (ret)
		return ret;
	if (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE_MPLANE)
		v->type = V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
	else if (cap.device_caps & V4L2_CAP_VIDEO_CAPTURE)
		v->type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
	else
		return -ENODEV;
	return 0;
}

void vivid_close(struct vivid *v)
{
	if (v->fd >= 0)
		close(v->fd);
	v->fd = -1;
}

static bool is_mplane(const struct vivid *v)
{
	return v->type == V4L2_BUF_TYPE_VIDEO_CAPTURE_MPLANE;
}

static int set_format(struct vivid *v, uint32_t fourcc, uint32_t width, uint32_t height)
{
	struct v4l2_format f = { .type = v->type };
	unsigned int p;
	int ret;

	if (is_mplane(v)) {
		f.fmt.pix_mp.width = width;
		f.fmt.pix_mp.height = height;
		f.fmt.pix_mp.pixelformat = fourcc;
		f.fmt.pix_mp.field = V4L2_FIELD_NONE;
	} else {
		f.fmt.pix.width = width;
		f.fmt.pix.height = height;
		f.fmt.pix.pixelformat = fourcc;
		f.fmt.pix.field = V4L2_FIELD_NONE;
	}
	ret = xioctl(v->fd, VIDIOC_S_FMT, &f);
	if (ret)
		return ret;
	if (is_mplane(v)) {
		v->fmt.fourcc = f.fmt.pix_mp.pixelformat;
		v->fmt.width = f.fmt.pix_mp.width;
		v->fmt.height = f.fmt.pix_mp.height;
		v->fmt.planes = f.fmt.pix_mp.num_planes;
		for (p = 0; p < v->fmt.planes; p++) {
			v->fmt.sizeimage[p] = f.fmt.pix_mp.plane_fmt[p].sizeimage;
			v->fmt.bytesperline[p] = f.fmt.pix_mp.plane_fmt[p].bytesperline;
		}
	} else {
		v->fmt.fourcc = f.fmt.pix.pixelformat;
		v->fmt.width = f.fmt.pix.width;
		v->fmt.height = f.fmt.pix.height;
		v->fmt.planes = 1;
		v->fmt.sizeimage[0] = f.fmt.pix.sizeimage;
		v->fmt.bytesperline[0] = f.fmt.pix.bytesperline;
	}
	/* the format asked for, or the test's frame checks would be wrong */
	if (v->fmt.fourcc != fourcc || v->fmt.width != width || v->fmt.height != height)
		return -EINVAL;
	return 0;
}

/* The shortest frame interval: ask for far too short, the driver rounds up */
static int set_fastest(struct vivid *v)
{
	struct v4l2_streamparm parm = { .type = v->type };

	parm.parm.capture.timeperframe.numerator = 1;
	parm.parm.capture.timeperframe.denominator = 1000;
	return xioctl(v->fd, VIDIOC_S_PARM, &parm);
}

/* A menu control found by name, set to the item named item */
static int set_menu_by_name(struct vivid *v, const char *control, const char *item)
{
	struct v4l2_queryctrl q = { .id = V4L2_CTRL_FLAG_NEXT_CTRL };

	while (!xioctl(v->fd, VIDIOC_QUERYCTRL, &q)) {
		if (!strcmp((const char *)q.name, control) && q.type == V4L2_CTRL_TYPE_MENU) {
			struct v4l2_querymenu m = { .id = q.id };

			for (m.index = (uint32_t)q.minimum; m.index <= (uint32_t)q.maximum; m.index++) {
				struct v4l2_control c = { .id = q.id, .value = (int32_t)m.index };

				if (xioctl(v->fd, VIDIOC_QUERYMENU, &m) ||
				    strcmp((const char *)m.name, item))
					continue;
				return xioctl(v->fd, VIDIOC_S_CTRL, &c);
			}
			return -ENOENT;
		}
		q.id |= V4L2_CTRL_FLAG_NEXT_CTRL;
	}
	return -ENOENT;
}

int vivid_setup(struct vivid *v, uint32_t fourcc, uint32_t width, uint32_t height)
{
	int ret = set_format(v, fourcc, width, height);

	if (!ret)
		ret = set_fastest(v);
	/* the time and frame counter over the picture would differ per frame */
	if (!ret)
		ret = set_menu_by_name(v, "OSD Text Mode", "None");
	return ret;
}

int vivid_reqbufs(struct vivid *v, uint32_t memory, uint32_t count)
{
	struct v4l2_requestbuffers r = { .count = count, .type = v->type, .memory = memory };
	int ret = xioctl(v->fd, VIDIOC_REQBUFS, &r);

	if (!ret && count && r.count != count)
		return -ENOBUFS;
	return ret;
}

int vivid_qbuf(struct vivid *v, uint32_t memory, uint32_t index, const int *fds)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b = { .index = index, .type = v->type, .memory = memory };
	unsigned int p;

	memset(planes, 0, sizeof(planes));
	if (is_mplane(v)) {
		b.m.planes = planes;
		b.length = v->fmt.planes;
		for (p = 0; fds && p < v->fmt.planes; p++)
			planes[p].m.fd = fds[p];
	} else if (fds) {
		b.m.fd = fds[0];
	}
	return xioctl(v->fd, VIDIOC_QBUF, &b);
}

int vivid_dqbuf(struct vivid *v, uint32_t memory, uint32_t *index,
		uint32_t *bytesused, int timeout_ms)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b = { .type = v->type, .memory = memory };
	struct pollfd pfd = { .fd = v->fd, .events = POLLIN };
	unsigned int p;
	int ret;

	ret = poll(&pfd, 1, timeout_ms);
	if (ret < 0)
		return -errno;
	if (!ret)
		return -ETIMEDOUT;
	memset(planes, 0, sizeof(planes));
	if (is_mplane(v)) {
		b.m.planes = planes;
		b.length = v->fmt.planes;
	}
	ret = xioctl(v->fd, VIDIOC_DQBUF, &b);
	if (ret)
		return ret;
	*index = b.index;
	for (p = 0; p < v->fmt.planes; p++) {
		if (bytesused)
			bytesused[p] = is_mplane(v) ? planes[p].bytesused : b.bytesused;
		v->fmt.data_offset[p] = is_mplane(v) ? planes[p].data_offset : 0;
	}
	return (b.flags & V4L2_BUF_FLAG_ERROR) ? -EIO : 0;
}

int vivid_stream(struct vivid *v, bool on)
{
	int type = (int)v->type;

	return xioctl(v->fd, on ? VIDIOC_STREAMON : VIDIOC_STREAMOFF, &type);
}

/* Map buffer index's planes (MMAP memory) into maps[] */
static int map_mmap_buffer(struct vivid *v, uint32_t index, void **maps, uint32_t *lens)
{
	struct v4l2_plane planes[VIDEO_MAX_PLANES];
	struct v4l2_buffer b = { .index = index, .type = v->type, .memory = V4L2_MEMORY_MMAP };
	unsigned int p;
	int ret;

	memset(planes, 0, sizeof(planes));
	if (is_mplane(v)) {
		b.m.planes = planes;
		b.length = v->fmt.planes;
	}
	ret = xioctl(v->fd, VIDIOC_QUERYBUF, &b);
	for (p = 0; !ret && p < v->fmt.planes; p++) {
		uint32_t len = is_mplane(v) ? planes[p].length : b.length;
		off_t off = is_mplane(v) ? planes[p].m.mem_offset : b.m.offset;

		lens[p] = len;
		maps[p] = mmap(NULL, len, PROT_READ, MAP_SHARED, v->fd, off);
		if (maps[p] == MAP_FAILED) {
			maps[p] = NULL;
			ret = -errno;
		}
	}
	return ret;
}

#define REFERENCE_BUFFERS	2

int vivid_reference(struct vivid *v, uint8_t **planes)
{
	void *maps[REFERENCE_BUFFERS][VIDEO_MAX_PLANES] = { { NULL } };
	uint32_t lens[REFERENCE_BUFFERS][VIDEO_MAX_PLANES] = { { 0 } };
	uint32_t i, index = 0, frame, p;
	int ret;

	ret = vivid_reqbufs(v, V4L2_MEMORY_MMAP, REFERENCE_BUFFERS);
	for (i = 0; !ret && i < REFERENCE_BUFFERS; i++) {
		ret = map_mmap_buffer(v, i, maps[i], lens[i]);
		if (!ret)
			ret = vivid_qbuf(v, V4L2_MEMORY_MMAP, i, NULL);
	}
	if (!ret)
		ret = vivid_stream(v, true);
	for (frame = 0; !ret && frame <= REFERENCE_SKIP; frame++) {
		ret = vivid_dqbuf(v, V4L2_MEMORY_MMAP, &index, NULL, 10000);
		if (!ret && frame < REFERENCE_SKIP)
			ret = vivid_qbuf(v, V4L2_MEMORY_MMAP, index, NULL);
	}
	for (p = 0; !ret && p < v->fmt.planes; p++) {
		planes[p] = malloc(v->fmt.sizeimage[p]);
		if (!planes[p])
			ret = -ENOMEM;
		else
			memcpy(planes[p], maps[index][p], v->fmt.sizeimage[p]);
	}
	vivid_stream(v, false);
	for (i = 0; i < REFERENCE_BUFFERS; i++)
		for (p = 0; p < v->fmt.planes; p++)
			if (maps[i][p])
				munmap(maps[i][p], lens[i][p]);
	if (vivid_reqbufs(v, V4L2_MEMORY_MMAP, 0) && !ret)
		ret = -EBUSY;
	return ret;
}
