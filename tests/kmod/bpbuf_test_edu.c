// SPDX-License-Identifier: GPL-2.0-only
/*
 * bpbuf tests: a kernel driver for QEMU's edu device (1234:11e8) that does
 * what a real driver does first, enable the device and set its DMA mask,
 * and nothing else: the tests drive the device from user space through
 * sysfs, and ask bpbuf for this device's address. It binds only where the
 * test asks (driver_override), never by itself.
 *
 * The mask is the dma_bits parameter: 64 by default, what the rig's edu
 * devices reach (run-vm.sh --dma sets their dma_mask; QEMU's default is 28
 * bits, which a kernel without ZONE_DMA refuses as a mask). dma_limit, if
 * not 0, is the highest address the device's bus reaches (bus_dma_limit,
 * as platforms set for interconnects narrower than the device): the way
 * to put a buffer out of a device's reach wherever the heap lies, read at
 * each bind.
 */
#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/pci.h>

#define EDU_VENDOR	0x1234
#define EDU_DEVICE	0x11e8

static unsigned int dma_bits = 64;
module_param(dma_bits, uint, 0444);
MODULE_PARM_DESC(dma_bits, "DMA mask width to set, 24..64 (default 64)");

static unsigned long long dma_limit;
module_param(dma_limit, ullong, 0644);
MODULE_PARM_DESC(dma_limit, "Highest bus address the device reaches, 0 for no limit (default 0)");

static int edu_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	u64 *limit;	/* the bus limit before ours, for edu_remove() */
	int ret;

	if (pdev->vendor != EDU_VENDOR || pdev->device != EDU_DEVICE)
		return -ENODEV;
	ret = pci_enable_device_mem(pdev);
	if (ret)
		return ret;
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(dma_bits));
	if (ret) {
		pci_disable_device(pdev);
		return ret;
	}
	limit = devm_kmalloc(&pdev->dev, sizeof(*limit), GFP_KERNEL);
	if (!limit) {
		pci_disable_device(pdev);
		return -ENOMEM;
	}
	*limit = pdev->dev.bus_dma_limit;
	pci_set_drvdata(pdev, limit);
	if (READ_ONCE(dma_limit))
		pdev->dev.bus_dma_limit = READ_ONCE(dma_limit);
	return 0;
}

/*
 * A device's DMA mask and bus limit outlive its driver: put back PCI's
 * default mask and the bus limit found at probe, so that the next driver
 * (uio_pci_generic, which sets none) finds what it would on a fresh boot.
 */
static void edu_remove(struct pci_dev *pdev)
{
	u64 *limit = pci_get_drvdata(pdev);

	pdev->dev.bus_dma_limit = *limit;
	dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(32));
	pci_disable_device(pdev);
}

/* No IDs: only a device whose driver_override names us binds */
static const struct pci_device_id edu_ids[] = {
	{ }
};

static struct pci_driver edu_driver = {
	.name = "bpbuf_test_edu",
	.id_table = edu_ids,
	.probe = edu_probe,
	.remove = edu_remove,
};

static int __init edu_init(void)
{
	if (dma_bits < 24 || dma_bits > 64)
		return -EINVAL;
	return pci_register_driver(&edu_driver);
}

static void __exit edu_exit(void)
{
	pci_unregister_driver(&edu_driver);
}

module_init(edu_init);
module_exit(edu_exit);
MODULE_DESCRIPTION("bpbuf tests: the edu device with a DMA mask and no more");
MODULE_LICENSE("GPL");
