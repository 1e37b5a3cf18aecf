# Installed around the module: the udev rule that gives /dev/bpbuf to the
# bpbuf group, the sysusers.d entry that creates that group, and DKMS.
udevrules_DATA = data/udev/60-bpbuf.rules
sysusers_DATA = data/sysusers.d/bpbuf.conf
EXTRA_DIST += $(udevrules_DATA) $(sysusers_DATA) dkms.conf.in
# dkms.conf is made by configure and shipped in the tarball, which is what
# DKMS builds from.
dist-hook: dist-dkms-conf
dist-dkms-conf:
	cp dkms.conf $(distdir)/dkms.conf
.PHONY: dist-dkms-conf
