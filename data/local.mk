# Installed around the module: the udev rule that gives /dev/bpbuf to the
# bpbuf group, the sysusers.d entry that creates that group, an example of
# the module parameters, and DKMS.
udevrules_DATA = data/udev/60-bpbuf.rules
# A commented example of the module parameters, for /etc/modprobe.d/.
modprobeexampledir = $(docdir)/examples/modprobe.d
modprobeexample_DATA = data/modprobe.d/bpbuf.conf
sysusers_DATA = data/sysusers.d/bpbuf.conf
EXTRA_DIST += $(udevrules_DATA) $(sysusers_DATA) $(modprobeexample_DATA) dkms.conf.in
# dkms.conf is made by configure and shipped in the tarball, which is what
# DKMS builds from.
dist-hook: dist-dkms-conf
dist-dkms-conf:
	cp dkms.conf $(distdir)/dkms.conf
.PHONY: dist-dkms-conf
