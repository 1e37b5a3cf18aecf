# Sourced by bash scripts: a private apt state for Debian packages of any
# suite and architecture, so that the rig can download (never install)
# another release's or architecture's kernel without touching the host's
# apt sources, its dpkg architectures or its package lists.
#
#   debian_apt SUITE ARCH   prepare the state (apt-get update at most once
#                           a day) and set the array APT_OPTS to the
#                           options that select it
#   apt-get "${APT_OPTS[@]}" download PKG...
#   apt-cache "${APT_OPTS[@]}" show PKG
#
# The mirrors are the host's own: those of its configured Debian release
# (apt-get indextargets), with that release's name changed to SUITE, so the
# rig names no archive of its own. The state lives in
# $BPBUF_KERNEL_CACHE/apt/SUITE-ARCH; the host's keyrings check it.

# debian_host_suite: the host's Debian release (codename), e.g. bookworm.
debian_host_suite()
{
	local suite
	suite=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	[ -n "$suite" ] || { echo "debian-apt.sh: /etc/os-release names no release" >&2; return 1; }
	echo "$suite"
}

# debian_sources SUITE ARCH: print sources.list lines for SUITE at the
# host's Debian mirrors, with its updates and security suites where it has
# them (a release: not sid, not a suite like bookworm-backports).
debian_sources()
{
	local suite=$1 arch=$2 host_suite site release
	host_suite=$(debian_host_suite) || return 1
	while read -r site release; do
		case $release in
		"$host_suite") ;;
		"$host_suite"-*) case $suite in sid|unstable|*-*) continue ;; esac ;;
		*) continue ;;
		esac
		echo "deb [arch=$arch] $site $suite${release#"$host_suite"} main"
	done < <(apt-get indextargets --no-release-info --format '$(SITE) $(RELEASE)' 'Created-By: Packages' | sort -u)
}

# debian_apt_fresh STATE SOURCES: the state's last successful update was of
# these sources and within the last day (its stamp, written after it).
debian_apt_fresh()
{
	[ "$2" = "$(cat "$1/updated" 2>/dev/null)" ] &&
		[ -n "$(find "$1/updated" -mtime -1 2>/dev/null)" ]
}

debian_apt()
{
	local suite=$1 arch=$2 state sources
	state=${BPBUF_KERNEL_CACHE:-/var/cache/bpbuf/kernels}/apt/$suite-$arch
	sources=$(debian_sources "$suite" "$arch") || return 1
	[ -n "$sources" ] || { echo "debian-apt.sh: the host's apt sources name no Debian release" >&2; return 1; }
	APT_OPTS=(-q -o "Dir::Etc::SourceList=$state/sources.list" -o Dir::Etc::SourceParts=/nonexistent
		  -o "Dir::State::Lists=$state/lists" -o "Dir::State::status=$state/status"
		  -o "Dir::Cache=$state/cache" -o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
		  -o APT::Sandbox::User=root)
	# Fresh lists for these sources: nothing to write (the cache may be
	# read-only, as scripts/fresh-check.sh --share-cache lays it out).
	debian_apt_fresh "$state" "$sources" && return 0
	mkdir -p "$state/lists/partial" "$state/cache/archives/partial"
	# One update at a time per state (make -j check runs tests side by
	# side); who waited finds the lists fresh.
	(
		flock 9
		debian_apt_fresh "$state" "$sources" && exit 0
		rm -f "$state/updated"
		: >"$state/status"
		echo "$sources" >"$state/sources.list"
		echo "debian-apt.sh: apt-get update for $suite/$arch (log: $state/update.log)" >&2
		apt-get "${APT_OPTS[@]}" update >"$state/update.log" 2>&1 || {
			tail -n 20 "$state/update.log" >&2
			exit 1
		}
		echo "$sources" >"$state/updated"
	) 9>"$state/update.lock"
}
