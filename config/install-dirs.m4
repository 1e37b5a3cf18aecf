dnl Where the udev rule and the sysusers.d entry go. The defaults are where
dnl udev and systemd read them (asked of pkg-config where it knows), so that
dnl a plain `make install` takes effect; distcheck installs under its prefix.
AC_DEFUN([BPBUF_INSTALL_DIRS], [
	AC_ARG_WITH([udevrulesdir],
		[AS_HELP_STRING([--with-udevrulesdir=DIR], [udev rules @<:@udev's, else /lib/udev/rules.d@:>@])],
		[udevrulesdir=$withval],
		[udevrulesdir=$($PKG_CONFIG --variable=udevdir udev 2>/dev/null)
		 udevrulesdir=${udevrulesdir:-/lib/udev}/rules.d])
	AC_ARG_WITH([sysusersdir],
		[AS_HELP_STRING([--with-sysusersdir=DIR], [sysusers.d entries @<:@systemd's, else /usr/lib/sysusers.d@:>@])],
		[sysusersdir=$withval],
		[sysusersdir=$($PKG_CONFIG --variable=sysusersdir systemd 2>/dev/null)
		 sysusersdir=${sysusersdir:-/usr/lib/sysusers.d}])
	AC_SUBST([udevrulesdir])
	AC_SUBST([sysusersdir])
])
