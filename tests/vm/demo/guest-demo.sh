# The demo, run inside the VM after bpbuf.ko is loaded (see scripts/demo.sh).
# The bpbuf command and the demo's helper (bpbuf-demo.c) are in /tests.
PATH=/tests:$PATH
say() { printf '\n=== %s\n' "$*"; }

say "kernel $(uname -r), CMA on the command line: $(grep -o 'cma=[^ ]*' /proc/cmdline)"
grep -E '^Cma(Total|Free)' /proc/meminfo
grep '^bpbuf ' /proc/modules
dmesg | grep 'bpbuf:'
ls -l /dev/bpbuf /dev/dma_heap/

say "1. the heap (bpbuf info)"
bpbuf info || exit 1

# Steps 2 to 5: "bpbuf alloc" allocates a 4 MiB buffer and runs the writer
# with it; the reader, another process started on its own, gets it over a
# Unix socket. Their output takes turns, in the order of the socket's
# messages.
sock=/tmp/bpbuf-demo.sock
bpbuf alloc 4M --name demo -- bpbuf-demo writer "$sock" &
writer=$!
bpbuf-demo reader "$sock" || exit 1
wait "$writer" || exit 1

say "6. everything closed: the heap is whole again"
bpbuf info || exit 1
set -- $(bpbuf info --json |
	sed -n 's/^{"heap":{"size":\([0-9]*\),"free":\([0-9]*\),.*"live_buffers":\([0-9]*\),.*/\1 \2 \3/p')
if [ "$#" = 3 ] && [ "$1" = "$2" ] && [ "$3" = 0 ]; then
	echo "no live buffer, and all $1 bytes of the heap are free"
else
	echo "demo: the heap is not whole: size, free, live buffers: $*"
	exit 1
fi

say "7. a real DMA engine: QEMU's edu device, behind the IOMMU, copies through the address bpbuf mapped for it, then fills a buffer that goes to an NVMe disk with one O_DIRECT write"
edu=
for d in /sys/bus/pci/devices/*; do
	[ "$(cat "$d/vendor"):$(cat "$d/device")" = 0x1234:0x11e8 ] && [ -e "$d/iommu_group" ] && edu=${d##*/}
done
[ -n "$edu" ] || { echo "demo: no edu device behind an IOMMU (scripts/demo.sh boots with --dma)"; exit 1; }
# the raw NVMe namespace of run-vm.sh --disks, for the device-to-disk part
disk=/dev/$(sed -n 's/.*rig\.disks=\(nvme[0-9]*n[0-9]*\).*/\1/p' /proc/cmdline)
[ -b "$disk" ] || { sleep 5; [ -b "$disk" ]; } || { echo "demo: no NVMe disk (run-vm.sh --disks)"; exit 1; }
echo "and then from the device to an NVMe disk ($disk) with no CPU copy:"
edu-demo "$edu" "$disk" || exit 1
dmesg | grep -E 'DMAR: (IOMMU enabled|Intel)' | sed 's/^\[[^]]*\] //'
echo "and bpbuf(1) gives the same kind of address from the shell:"
bpbuf alloc 64K -- sh -c "bpbuf addr --fd \$BPBUF_FD; echo uio_pci_generic > /sys/bus/pci/devices/$edu/driver_override; echo $edu > /sys/bus/pci/drivers_probe; bpbuf addr --fd \$BPBUF_FD --device $edu --json -- sh -c 'echo \"a user-space driver started here would program \$BPBUF_DMA_DEVICE with \$BPBUF_DMA_ADDR: mapped while it runs\"'; echo $edu > /sys/bus/pci/devices/$edu/driver/unbind" || exit 1

say "8. a camera driver that takes only contiguous memory: vivid (videobuf2-dma-contig) captures into a bpbuf buffer"
vivid-demo || exit 1
dmesg | grep 'contiguous chunk is too small' | tail -n 1 | sed -e 's/^\[[^]]*\] //' -e 's/^/kernel log, videobuf2-dma-contig refusing the system heap buffer: /'
