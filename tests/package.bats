#!/usr/bin/env bats
# SPDX-License-Identifier: GPL-2.0-or-later
# The Debian package, installed as a sysadmin installs it: dpkg -i into a
# throwaway root (an overlay of this machine's, its writes on a tmpfs of
# this suite's private mount namespace), then used there as they would
# use it, then purged.  make check-deb builds the package (make deb) and
# gives its path in FUSELAUNCH_DEB.

load helpers

# A command in the throwaway root, bounded and tagged so that teardown
# finds what it started; libmount's tables there are the root's own.
in_root() {
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
		chroot "$ROOT" env -u LIBMOUNT_UTAB -u LIBMOUNT_FSTAB "$@"
}

setup_file() {
	[ -f "${FUSELAUNCH_DEB:-}" ] || {
		echo "FUSELAUNCH_DEB names no package: run this suite with make check-deb" >&2
		return 1
	}
	PKG_DIR=$(mktemp -d /tmp/fuselaunch-package.XXXXXX)
	mount -t tmpfs fuselaunch-package "$PKG_DIR"
	mkdir "$PKG_DIR/upper" "$PKG_DIR/work" "$PKG_DIR/root"
	ROOT=$PKG_DIR/root
	UPPER=$PKG_DIR/upper
	mount -t overlay overlay -o "lowerdir=/,upperdir=$UPPER,workdir=$PKG_DIR/work" "$ROOT"
	mount -t proc proc "$ROOT/proc"
	mount --rbind /sys "$ROOT/sys"
	mount --bind /dev "$ROOT/dev"
	mount -t tmpfs -o mode=755 fuselaunch-package-run "$ROOT/run"
	mount -t tmpfs -o mode=1777 fuselaunch-package-tmp "$ROOT/tmp"
	cp "$FUSELAUNCH_DEB" "$ROOT/tmp/"
	DEB_IN_ROOT=/tmp/$(basename "$FUSELAUNCH_DEB")
	# libfuse's stock example, for the plain launch.
	install -m 755 "$HELLO" "$ROOT/usr/local/bin/hello"
	mkdir -p "$ROOT/srv/package-test" "$ROOT/mnt/package-hello" "$ROOT/mnt/package-bindfs"
	echo "served through bindfs" >"$ROOT/srv/package-test/file"
	echo "/srv/package-test /mnt/package-bindfs fuselaunch.bindfs noauto 0 0" >>"$ROOT/etc/fstab"
	export PKG_DIR ROOT UPPER DEB_IN_ROOT
}

teardown_file() {
	[ -n "${PKG_DIR:-}" ] || return 0
	umount -R -l "$PKG_DIR"
	rmdir "$PKG_DIR"
}

teardown() {
	local m
	for m in $(awk -v dir="$ROOT/mnt/" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" || true
	done
	kill_test_processes
	rm -rf "$TEST_DIR"
}

@test "dpkg -i installs the programs, helpers, pages, completions and examples where they are looked for" {
	in_root dpkg -i "$DEB_IN_ROOT"
	assert_status 0
	local f
	for f in /usr/bin/fuselaunch /sbin/mount.fuselaunch /sbin/umount.fuselaunch; do
		[ -x "$ROOT$f" ] || { echo "no $f"; return 1; }
	done
	for f in /usr/share/man/man1/fuselaunch.1.gz /usr/share/man/man8/mount.fuselaunch.8.gz \
		/usr/share/man/man8/umount.fuselaunch.8.gz \
		/usr/share/bash-completion/completions/fuselaunch \
		/usr/share/bash-completion/completions/mount.fuselaunch \
		/usr/share/zsh/vendor-completions/_fuselaunch \
		/usr/share/doc/fuselaunch/copyright /usr/share/doc/fuselaunch/NEWS.gz \
		/usr/share/doc/fuselaunch/examples/fstab.example \
		/usr/share/doc/fuselaunch/examples/mnt-data.mount; do
		[ -e "$ROOT$f" ] || { echo "no $f"; return 1; }
	done
	in_root man -w umount.fuselaunch
	assert_status 0
	in_root fuselaunch --version
	assert_status 0
	assert_output_has "License GPL-2.0-or-later"
}

@test "installed: fuselaunch -- hello mounts and answers, --list shows it, -u unmounts" {
	in_root fuselaunch -- hello /mnt/package-hello
	assert_status 0
	[ "$(cat "$ROOT/mnt/package-hello/hello")" = "Hello World!" ]
	in_root fuselaunch --list --raw --noheadings --output MOUNTPOINT,SERVER
	assert_status 0
	[ "$output" = '/mnt/package-hello hello\x20/mnt/package-hello' ]
	in_root fuselaunch -u /mnt/package-hello
	assert_status 0
	! grep -q " $ROOT/mnt/package-hello " /proc/self/mountinfo
}

@test "installed: an fstab line of type fuselaunch.bindfs mounts, and its umount waits for the server" {
	command -v bindfs >/dev/null && command -v strace >/dev/null ||
		skip "bindfs or strace is not installed (README.md's first command)"
	in_root mount /mnt/package-bindfs
	assert_status 0
	[ "$(cat "$ROOT/mnt/package-bindfs/file")" = "served through bindfs" ]
	grep -q "helper=fuselaunch" "$ROOT/run/mount/utab"
	in_root fuselaunch --list --raw --noheadings --output MOUNTPOINT,SERVER,PID
	assert_status 0
	local server
	read -r _ _ server <<<"$output"
	[ "${output%% *}" = /mnt/package-bindfs ]
	kill -0 "$server"
	in_root strace -f -qq -e trace=execve -e signal=none -o /tmp/umount.trace umount /mnt/package-bindfs
	assert_status 0
	# umount(8) ran the package's umount.fuselaunch, which returns once
	# the server is gone.
	grep -q 'execve("/sbin/umount.fuselaunch"' "$ROOT/tmp/umount.trace"
	! kill -0 "$server" 2>/dev/null
	! grep -q " $ROOT/mnt/package-bindfs " /proc/self/mountinfo
}

@test "dpkg --purge leaves no file of the package behind" {
	in_root dpkg-query -L fuselaunch
	assert_status 0
	local files=$output f
	in_root dpkg --purge fuselaunch
	assert_status 0
	for f in $files; do
		[ -d "$ROOT$f" ] && continue
		[ ! -e "$ROOT$f" ] && [ ! -L "$ROOT$f" ] || { echo "left behind: $f"; return 1; }
	done
	# Nothing by that name in what the install and purge wrote (a
	# whiteout, a character device, is the record of a removal).
	run find "$UPPER" -name '*fuselaunch*' ! -type c
	[ -z "$output" ] || { echo "left behind: $output"; return 1; }
}
