/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Capturing from vivid, the kernel's virtual video test driver, loaded so
 * that its capture queue is videobuf2-dma-contig (allocators=1): a driver
 * that takes an imported dma-buf only when the buffer is one DMA-contiguous
 * range, as drivers of real cameras and codecs do. One vivid instance with
 * one webcam input and a video capture node only, single- or multi-planar.
 * For the media tests and the demo; every function returns 0 or a negative
 * errno.
 */
#ifndef BPBUF_VIVID_H
#define BPBUF_VIVID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <linux/videodev2.h>

/* vivid's one platform device, as the DMA-API debug table names it */
#define VIVID_DEVICE		"vivid.0"

struct vivid_format {
	uint32_t fourcc, width, height;
	unsigned int planes;
	uint32_t sizeimage[VIDEO_MAX_PLANES];
	uint32_t bytesperline[VIDEO_MAX_PLANES];
	/* where the picture starts in each plane (multi-planar vivid puts
	 * 128 bytes before its first): as the last dequeued buffer said */
	uint32_t data_offset[VIDEO_MAX_PLANES];
};

struct vivid {
	int fd;			/* the capture node, -1 when closed */
	uint32_t type;		/* V4L2_BUF_TYPE_VIDEO_CAPTURE(_MPLANE) */
	char node[280];		/* /dev/videoN */
	struct vivid_format fmt;
};

/* Whether the rig says this kernel has vivid (rig.vivid=1 on its command line) */
bool vivid_expected(void);
/* Load vivid (unloading it first if it is loaded), multi-planar or not */
int vivid_load(bool multiplanar);
/* delete_module(vivid) without waiting: -EBUSY/-EAGAIN while it is in use */
int vivid_unload(void);
/* Unbind vivid's platform device from its driver (the device goes away) */
int vivid_unbind(void);

/* Find vivid's capture node and open it; its buffer type from its caps */
int vivid_open(struct vivid *v);
void vivid_close(struct vivid *v);
/* Set a format (v->fmt gets what the driver chose), the fastest frame
 * rate it offers, and no text over the test pattern (frames then repeat) */
int vivid_setup(struct vivid *v, uint32_t fourcc, uint32_t width, uint32_t height);

int vivid_reqbufs(struct vivid *v, uint32_t memory, uint32_t count);
/* Queue buffer index: with one dma-buf fd per plane (DMABUF) or none (MMAP) */
int vivid_qbuf(struct vivid *v, uint32_t memory, uint32_t index, const int *fds);
/* Dequeue one filled buffer, waiting timeout_ms at most (-ETIMEDOUT);
 * bytesused (per plane) may be NULL; v->fmt.data_offset is set. A buffer
 * flagged ERROR is -EIO. */
int vivid_dqbuf(struct vivid *v, uint32_t memory, uint32_t *index,
		uint32_t *bytesused, int timeout_ms);
int vivid_stream(struct vivid *v, bool on);

/*
 * One frame as vivid writes it into its own (MMAP) buffers, copied into
 * planes[p] (malloc'd, fmt.sizeimage[p] bytes each; free them): what
 * every frame captured into imported buffers must equal.
 */
int vivid_reference(struct vivid *v, uint8_t **planes);

#endif
