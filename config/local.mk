EXTRA_DIST += config/kernel.m4 config/kselftest.m4 config/cc-m32.m4 \
	config/kernel-dma-alloc-pages.m4 config/kernel-vm-flags-set.m4 \
	config/kernel-module-import-ns-string.m4 \
	config/kernel-dma-buf-map-unlocked.m4 config/kernel-nth-page.m4 \
	config/kernel-huge-pfnmap.m4 config/kernel-pud-pfnmap.m4 \
	config/kernel-vmf-insert-pfn-pmd-ulong.m4 \
	config/kernel-alloc-contig-range.m4 config/kernel-alloc-contig-range-flags.m4 \
	config/kernel-platform-remove-void.m4 config/kernel-memremap-pages.m4 \
	config/kernel-pfn-is-map-memory.m4 \
	config/install-dirs.m4

# Probe modules and the extracted kselftest harness live in build/.
distclean-local:
	rm -rf build
