# Hand-written mdoc pages, linted by tests/host/man-lint.test. A page that
# documents several functions gets a symbolic link per other function at
# install time (mandoc -Tlint calls .so links fragile): PAGE.3:FUNCTION.
dist_man_MANS += man/bpbuf.1 man/bpbuf.4 man/libbpbuf.3 man/bpalloc.3 \
	man/bpbuf_dev_open.3 man/bpbuf_buffer_alloc.3 man/bpbuf_buffer_map.3 \
	man/bpbuf_buffer_bus_addr.3 man/bpbuf_buffer_sync.3 man/bpbuf_fd_send.3 \
	man/bpbuf_buffer_dev_map.3
man3_links = \
	bpbuf_dev_open.3:bpbuf_dev_path \
	bpbuf_dev_open.3:bpbuf_dev_close bpbuf_dev_open.3:bpbuf_dev_fd \
	bpbuf_dev_open.3:bpbuf_dev_version bpbuf_dev_open.3:bpbuf_dev_driver \
	bpbuf_dev_open.3:bpbuf_dev_get_cap bpbuf_dev_open.3:bpbuf_dev_heap_info \
	bpbuf_dev_open.3:bpbuf_dev_heap_info_id bpbuf_dev_open.3:bpbuf_dev_heap_find \
	bpbuf_buffer_alloc.3:bpbuf_buffer_alloc_heap \
	bpbuf_buffer_alloc.3:bpbuf_buffer_import \
	bpbuf_buffer_alloc.3:bpbuf_buffer_free \
	bpbuf_buffer_alloc.3:bpbuf_buffer_fd \
	bpbuf_buffer_alloc.3:bpbuf_buffer_size \
	bpbuf_buffer_alloc.3:bpbuf_buffer_addr \
	bpbuf_buffer_alloc.3:bpbuf_buffer_set_name \
	bpbuf_buffer_map.3:bpbuf_buffer_map_pages \
	bpbuf_buffer_map.3:bpbuf_buffer_unmap \
	bpbuf_buffer_dev_map.3:bpbuf_buffer_dev_unmap \
	bpbuf_buffer_sync.3:bpbuf_buffer_sync_range \
	bpbuf_buffer_sync.3:bpbuf_buffer_begin_cpu_access \
	bpbuf_buffer_sync.3:bpbuf_buffer_end_cpu_access \
	bpbuf_buffer_sync.3:bpbuf_buffer_begin_cpu_access_range \
	bpbuf_buffer_sync.3:bpbuf_buffer_end_cpu_access_range \
	bpalloc.3:bpfree bpalloc.3:bpgetphys \
	bpbuf_fd_send.3:bpbuf_fd_recv bpbuf_fd_send.3:bpbuf_buffer_send \
	bpbuf_fd_send.3:bpbuf_buffer_recv

install-data-hook: install-man3-links
uninstall-hook: uninstall-man3-links
install-man3-links:
	@$(MKDIR_P) "$(DESTDIR)$(man3dir)"
	@for l in $(man3_links); do \
		page=$${l%%:*} link=$${l#*:}.3; \
		echo " LN $(man3dir)/$$link -> $$page"; \
		ln -sf "$$page" "$(DESTDIR)$(man3dir)/$$link" || exit 1; \
	done
uninstall-man3-links:
	@for l in $(man3_links); do \
		rm -f "$(DESTDIR)$(man3dir)/$${l#*:}.3"; \
	done
.PHONY: install-man3-links uninstall-man3-links
