# bpbuf.ko, built by Kbuild. Kbuild (from Kbuild.in) carries the flags, so a
# plain `make -C $(LINUX_OBJ) M=$PWD/driver` (what DKMS runs) builds the same.
# Every .c and .h in driver/ belongs to the module; Kbuild.in lists the objects.
driver_sources = $(patsubst $(srcdir)/%,%,$(filter-out %.mod.c,$(wildcard $(srcdir)/driver/*.[ch])))
EXTRA_DIST += driver/Kbuild.in $(driver_sources)

if BUILD_MODULE
KBUILD_MAKE = $(MAKE) -C $(LINUX_OBJ) $(KERNEL_MAKE_FLAGS) M=$(abs_top_builddir)/driver

all-local: driver/bpbuf.ko
# Kbuild tracks its own dependencies; always ask it.
driver/bpbuf.ko: FORCE
	@if test "$(abs_top_srcdir)" != "$(abs_top_builddir)"; then \
		for f in $(driver_sources); do \
			ln -sf "$(abs_top_srcdir)/$$f" "$(abs_top_builddir)/$$f"; \
		done; \
	fi
	+$(KBUILD_MAKE) modules
FORCE:

clean-module:
	-$(KBUILD_MAKE) clean
	@if test "$(abs_top_srcdir)" != "$(abs_top_builddir)"; then \
		for f in $(driver_sources); do rm -f "$(abs_top_builddir)/$$f"; done; \
	fi

install-exec-local: driver/bpbuf.ko
	$(MKDIR_P) "$(DESTDIR)$(kmoddir)"
	$(INSTALL_DATA) driver/bpbuf.ko "$(DESTDIR)$(kmoddir)/bpbuf.ko"
	@if test -z "$(DESTDIR)" && test -d "/lib/modules/$(LINUX_VERSION)"; then \
		echo " DEPMOD $(LINUX_VERSION)"; depmod -a "$(LINUX_VERSION)"; fi

uninstall-local:
	rm -f "$(DESTDIR)$(kmoddir)/bpbuf.ko"

else
clean-module:
endif
.PHONY: FORCE clean-module

# distcheck builds the module too, against the same kernel, and installs it
# under its own prefix instead of /lib/modules.
AM_DISTCHECK_CONFIGURE_FLAGS = \
	$(if $(LINUX_OBJ),--with-linux=$(LINUX) --with-linux-obj=$(LINUX_OBJ) \
	--with-kmoddir="$$dc_install_base/lib/modules/extra",--disable-module) \
	--with-udevrulesdir="$$dc_install_base/lib/udev/rules.d" \
	--with-sysusersdir="$$dc_install_base/lib/sysusers.d"
