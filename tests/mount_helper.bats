#!/usr/bin/env bats
# mount.fuselaunch: mount(8)'s helper convention, the option split, utab.

load helpers

HELPER=$BUILDDIR/src/mount.fuselaunch

setup_file() {
	overlay_sbin
	# The contrib units name /usr/local/bin/fuselaunch.
	BIN_EXTRA=$(mktemp -d /tmp/fuselaunch-bin.XXXXXX)
	ln -s "$BUILDDIR/src/fuselaunch" "$BIN_EXTRA/fuselaunch"
	mount -t overlay fuselaunch-tests -o lowerdir="$BIN_EXTRA:/usr/local/bin" /usr/local/bin
	export BIN_EXTRA
}

teardown_file() {
	umount /usr/local/bin
	rm -rf "$BIN_EXTRA"
	remove_sbin_overlay
}

fstab() {
	echo "$*" >>"$LIBMOUNT_FSTAB"
}

# mount(8) and the helper, tagged and bounded like launch().
tagged() {
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" "$@"
}

helper() {
	tagged "$HELPER" "$@"
}

utab_options() {
	sed -n "s|.* TARGET=$MNT ROOT=/ OPTS=||p" "$LIBMOUNT_UTAB" 2>/dev/null
}

@test "mount(8) with an fstab entry of type fuselaunch.TYPE: 0 once answering" {
	fstab "tfs:src1 $MNT fuselaunch.testfs _netdev,allow_other,nofail,x-fuselaunch.timeout=20,record=$RECORD 0 0"
	tagged mount "$MNT"
	assert_status 0
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
	[ "$(mount_field fstype)" = fuse.testfs ]
	[ "$(mount_field source)" = tfs:src1 ]
	[[ ",$(mount_field super)," == *",allow_other,"* ]]
	[ "$(recorded source)" = tfs:src1 ]
	[ "$(recorded options)" = "record=$RECORD" ]
	[ "$(utab_options)" = "_netdev,x-fuselaunch.timeout=20,helper=fuselaunch" ]
}

@test "mount(8) with the TYPE#SOURCE form" {
	fstab "testfs#src2 $MNT fuselaunch record=$RECORD 0 0"
	tagged mount "$MNT"
	assert_status 0
	[ "$(recorded source)" = src2 ]
	[ "$(mount_field fstype)" = fuse.testfs ]
	[ "$(mount_field source)" = src2 ]
}

@test "mount -a again does not stack a TYPE#SOURCE line's mount; x-fuselaunch.stack does" {
	fstab "testfs#src2 $MNT fuselaunch defaults 0 0"
	tagged mount -a
	assert_status 0
	tagged mount -a
	[ "$status" -ne 0 ]
	assert_output_has "mount.fuselaunch: mountpoint '$MNT' already has a FUSE mount (fuse.testfs from 'src2'): unmount it first, or give -o x-fuselaunch.stack to mount on top of it"
	[ "$(mountinfo_of "$MNT" | wc -l)" = 1 ]
	# mount(8) passes no x-* to a helper; fstab's reach it all the same.
	echo "testfs#src3 $MNT fuselaunch x-fuselaunch.stack 0 0" >"$LIBMOUNT_FSTAB"
	tagged mount -a
	assert_status 0
	[ "$(mountinfo_of "$MNT" | wc -l)" = 2 ]
}

@test "mount -t fuselaunch.TYPE on the command line" {
	tagged mount -t fuselaunch.testfs src3 "$MNT" -o ro,record="$RECORD"
	assert_status 0
	[ "$(mount_field options)" = ro,nosuid,nodev,relatime ]
	[ "$(recorded source)" = src3 ]
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
}

@test "options split three ways; fstab-only words reach neither kernel nor server" {
	PATH=$SBIN_EXTRA:$PATH helper -t fuselaunch.testfs src "$MNT" \
		-o ro,nosuid,allow_other,max_read=65536,x-fuselaunch.timeout=5,_netdev,nofail \
		-o comment=note,x-systemd.automount,record="$RECORD",content=abc
	assert_status 0
	[ "$(mount_field options)" = ro,nosuid,nodev,relatime ]
	[[ ",$(mount_field super)," == *",allow_other,max_read=65536,"* ]]
	[ "$(recorded options)" = "record=$RECORD,content=abc" ]
	[ "$(cat "$MNT/hello")" = abc ]
	[ "$(utab_options)" = "x-fuselaunch.timeout=5,_netdev,x-systemd.automount,helper=fuselaunch" ]
}

@test "x-fuselaunch.timeout in fstab bounds INIT though mount(8) withholds x-* from helpers" {
	fstab "tfs:src $MNT fuselaunch.testfs hang,x-fuselaunch.timeout=0.5 0 0"
	tagged mount "$MNT"
	assert_status 32
	assert_output_has "mount.fuselaunch: server 'testfs' did not answer FUSE_INIT within 0.500 s"
	assert_nothing_left
}

@test "fuselaunch.timeout (no x-) in fstab bounds INIT: mount(8) passes it on" {
	fstab "tfs:src $MNT fuselaunch.testfs hang,fuselaunch.timeout=0.5 0 0"
	tagged mount "$MNT"
	assert_status 32
	assert_output_has "mount.fuselaunch: server 'testfs' did not answer FUSE_INIT within 0.500 s"
	assert_nothing_left
}

@test "mount -o fuselaunch.timeout on the command line bounds INIT" {
	tagged mount -t fuselaunch.testfs tfs:src "$MNT" -o hang,fuselaunch.timeout=0.5
	assert_status 32
	assert_output_has "mount.fuselaunch: server 'testfs' did not answer FUSE_INIT within 0.500 s"
	assert_nothing_left
}

@test "source and options with quotes, spaces, \$ and ; reach the server literally" {
	local source='a b;$(id)"q'"'"
	PATH=$SBIN_EXTRA:$PATH helper -t fuselaunch.testfs "$source" "$MNT" \
		-o 'record='"$RECORD"',content=$HOME;`id` "x"'
	assert_status 0
	[ "$(recorded source)" = "$source" ]
	[ "$(cat "$MNT/hello")" = '$HOME;`id` "x"' ]
}

@test "umount ends the server and the daemon and clears utab" {
	fstab "tfs:src $MNT fuselaunch.testfs _netdev 0 0"
	tagged mount "$MNT"
	assert_status 0
	[ "$(utab_options)" = _netdev,helper=fuselaunch ]
	umount "$MNT"
	assert_nothing_left
	[ -z "$(utab_options)" ]
}

@test "helper=fuselaunch written in fstab (for users' sake) is recorded once for root" {
	fstab "tfs:src $MNT fuselaunch.testfs user,noauto,helper=fuselaunch,record=$RECORD 0 0"
	tagged mount "$MNT"
	assert_status 0
	# 'user' stays in utab, as libmount itself records it for root.
	[ "$(utab_options)" = user,helper=fuselaunch ]
	[ "$(recorded options)" = "record=$RECORD" ]
	tagged umount "$MNT"
	assert_status 0
	assert_nothing_left
	[ -z "$(utab_options)" ]
}

@test "umount(8) runs umount.fuselaunch: it returns only once the server has exited" {
	fstab "tfs:src $MNT fuselaunch.testfs record=$RECORD,exit-delay=700 0 0"
	tagged mount "$MNT"
	assert_status 0
	tagged umount "$MNT"
	assert_status 0
	[ -z "$output" ]
	# testfs records its exit after the delay, just before exiting.
	grep -qx exit "$RECORD"
	! kill -0 "$(recorded pid)" 2>/dev/null
	assert_nothing_left
	[ -z "$(utab_options)" ]
}

@test "umount(8) fails when the server fails after the unmount, saying how" {
	fstab "tfs:src $MNT fuselaunch.testfs exit-status=3 0 0"
	tagged mount "$MNT"
	assert_status 0
	tagged umount "$MNT"
	assert_status 32
	[ "$output" = "umount.fuselaunch: server 'testfs' exited with status 3 after the unmount of $MNT" ]
	assert_nothing_left
	[ -z "$(utab_options)" ]
}

# umount(8) of $MNT, timed: ELAPSED_MS.
timed_umount() {
	local start
	start=$(date +%s%N)
	tagged umount "$MNT"
	ELAPSED_MS=$((($(date +%s%N) - start) / 1000000))
}

# The fstab line $1 (its server exits 1 s after the unmount, with status 3)
# mounted by mount(8): umount(8) joins utab's entry to the kernel's (by
# root, target and source), so it runs umount.fuselaunch, which waits for
# the server and says how it ended.
umount_waits_for_the_server() {
	local joined
	fstab "$1"
	tagged mount "$MNT"
	assert_status 0
	joined=$(grep -F "SRC=$(mount_field source) TARGET=$MNT ROOT=/ OPTS=" "$LIBMOUNT_UTAB" || true)
	timed_umount
	assert_status 32
	[ "$output" = "umount.fuselaunch: server 'testfs' exited with status 3 after the unmount of $MNT" ]
	[ "$ELAPSED_MS" -ge 1000 ]
	assert_nothing_left
	# Every entry for the mountpoint went with it (mount(8) adds one of
	# its own when fstab's source is not the kernel's).
	[ ! -s "$LIBMOUNT_UTAB" ]
	[[ "$joined" == *helper=fuselaunch* ]]
}

@test "umount(8) waits for the server of a fuselaunch.TYPE entry, and fails with its status" {
	umount_waits_for_the_server "tfs:src $MNT fuselaunch.testfs exit-delay=1000,exit-status=3 0 0"
}

@test "umount(8) waits for the server of a TYPE#SOURCE entry, whose source the kernel shows without TYPE#" {
	umount_waits_for_the_server "testfs#tfs:src $MNT fuselaunch _netdev,x-fuselaunch.timeout=20,exit-delay=1000,exit-status=3 0 0"
}

@test "umount(8) waits for a watch-mode server that names its own source" {
	umount_waits_for_the_server \
		"tfs:src $MNT fuselaunch.testfs x-fuselaunch.mode=watch,exit-delay=1000,exit-status=3 0 0"
}

@test "umount(8) of a busy mount: fails naming who holds it, still mounted" {
	fstab "tfs:src $MNT fuselaunch.testfs defaults 0 0"
	tagged mount "$MNT"
	assert_status 0
	sleep 30 <"$MNT/hello" &
	local holder=$!
	wait_until eval '[ "$(readlink /proc/$holder/fd/0)" = "$MNT/hello" ]'
	tagged umount "$MNT"
	kill "$holder"
	assert_status 32
	[ "$output" = "umount.fuselaunch: $MNT is busy: held by $holder (sleep: open file)" ]
	is_mounted "$MNT"
	[ "$(utab_options)" = helper=fuselaunch ]
}

@test "umount(8) of a mount whose supervisor was killed: unmounted all the same" {
	fstab "tfs:src $MNT fuselaunch.testfs defaults 0 0"
	tagged mount "$MNT"
	assert_status 0
	local sup
	sup=$(sed -n 's/^supervisor=//p' /run/fuselaunch/*.launch)
	kill -KILL "$sup"
	wait_until test ! -d "/proc/$sup"
	tagged umount "$MNT"
	assert_status 0
	is_not_mounted "$MNT"
	[ -z "$(utab_options)" ]
}

@test "a server that dies: the daemon detaches its mount and its utab entry" {
	fstab "tfs:src $MNT fuselaunch.testfs _netdev 0 0"
	tagged mount "$MNT"
	assert_status 0
	run stat "$MNT/crash"
	wait_until is_not_mounted "$MNT"
	assert_nothing_left
	[ -z "$(utab_options)" ]
}

@test "the program name mount.fuselaunch.TYPE names the server" {
	ln -s "$HELPER" "$TEST_DIR/mount.fuselaunch.testfs"
	PATH=$SBIN_EXTRA:$PATH tagged "$TEST_DIR/mount.fuselaunch.testfs" src4 "$MNT" -o record="$RECORD"
	assert_status 0
	[ "$(recorded source)" = src4 ]
}

@test "-n records nothing in utab" {
	PATH=$SBIN_EXTRA:$PATH helper -n -t fuselaunch.testfs src "$MNT" -o _netdev
	assert_status 0
	is_mounted "$MNT"
	[ -z "$(utab_options)" ]
}

@test "-f checks everything and mounts nothing" {
	PATH=$SBIN_EXTRA:$PATH helper -f -t fuselaunch.testfs src "$MNT" -o allow_other
	assert_status 0
	assert_nothing_left
}

@test "a network server in fstab without _netdev: one line of warning, not a refusal" {
	fstab "user@host:/data $MNT fuselaunch.sshfs allow_other 0 0"
	helper -f -t fuselaunch.sshfs user@host:/data "$MNT" -o allow_other
	assert_status 0
	[ "$output" = "mount.fuselaunch: warning: sshfs is a network file system: add _netdev to its entry in $LIBMOUNT_FSTAB, or systemd mounts it before the network is up" ]
	# With _netdev, or given on the command line alone: nothing to say.
	echo "user@host:/data $MNT fuselaunch.sshfs _netdev,allow_other 0 0" >"$LIBMOUNT_FSTAB"
	helper -f -t fuselaunch.sshfs user@host:/data "$MNT" -o _netdev,allow_other
	assert_status 0
	[ -z "$output" ]
	: >"$LIBMOUNT_FSTAB"
	helper -f -t fuselaunch.sshfs user@host:/data "$MNT"
	assert_status 0
	[ -z "$output" ]
}

@test "allow_root as mount.fuse3 has it: root and the owner get in, no one else; auto_unmount accepted" {
	chmod 755 "$TEST_DIR"
	chown nobody "$MNT"
	PATH=$SBIN_EXTRA:$PATH helper -t fuselaunch.testfs src "$MNT" \
		-o allow_root,setuid=nobody,auto_unmount
	assert_status 0
	[[ ",$(mount_field super)," == *",allow_other,"* ]]
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
	[ "$(setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$MNT/hello")" = "hello from testfs" ]
	run setpriv --reuid=daemon --regid=daemon --clear-groups cat "$MNT/hello"
	[ "$status" -ne 0 ]
	assert_output_has "Permission denied"
}

@test "an unknown server type: exit 32 naming it" {
	helper -t fuselaunch.no-such-server src "$MNT"
	assert_status 32
	[ "$output" = "mount.fuselaunch: server 'no-such-server' not found in PATH" ]
	assert_nothing_left
}

@test "no type (no -t, no TYPE#): exit 1" {
	helper src "$MNT"
	assert_status 1
	[ "$output" = "mount.fuselaunch: no server type for 'src': use -t fuselaunch.TYPE or TYPE#SOURCE" ]
}

@test "a type that is not fuselaunch.TYPE: exit 1" {
	helper -t fuse.sshfs src "$MNT"
	assert_status 1
	assert_output_has "file system type 'fuse.sshfs' is not fuselaunch.TYPE"
}

@test "an empty source: exit 1" {
	helper -t fuselaunch testfs# "$MNT"
	assert_status 1
	[ "$output" = "mount.fuselaunch: empty source for server type 'testfs'" ]
}

@test "an option the kernel refuses: exit 32 with the kernel's words" {
	PATH=$SBIN_EXTRA:$PATH helper -t fuselaunch.testfs src "$MNT" -o blksize=4096
	assert_status 32
	assert_output_has "the kernel refused mount option 'blksize=4096': fuse: blksize only supported for fuseblk"
	assert_nothing_left
}

@test "an option the server refuses: exit 32 with the server's words" {
	fstab "tfs:src $MNT fuselaunch.testfs bogus 0 0"
	tagged mount "$MNT"
	assert_status 32
	assert_output_has "testfs: unknown option 'bogus'"
	assert_output_has "mount.fuselaunch: server 'testfs' exited with status 2 before answering FUSE_INIT"
	assert_nothing_left
	[ -z "$(utab_options)" ]
}

@test "an unknown x-fuselaunch option: exit 1" {
	PATH=$SBIN_EXTRA:$PATH helper -t fuselaunch.testfs src "$MNT" -o x-fuselaunch.colour=blue
	assert_status 1
	[ "$output" = "mount.fuselaunch: unknown option 'x-fuselaunch.colour=blue'" ]
}

@test "mount.fuselaunch --help lists every exit code, as the man page does" {
	run "$HELPER" --help
	assert_status 0
	local code page=$BUILDDIR/man/mount.fuselaunch.8
	[ -r "$page" ] || page=$(dirname "$BATS_TEST_FILENAME")/../man/mount.fuselaunch.8
	for code in 0 1 2 4 8 16 32; do
		[[ "$output" == *" $code  "* ]]
		grep -q "^\.IP $code\$" "$page"
	done
}

@test "the contrib systemd units pass systemd-analyze verify" {
	command -v systemd-analyze >/dev/null || skip "no systemd-analyze"
	local units=$(dirname "$BATS_TEST_FILENAME")/../contrib/systemd
	cp "$units/mnt-data.mount" "$TEST_DIR/"
	cp "$units/fuselaunch-sshfs@.service" "$TEST_DIR/fuselaunch-sshfs@mnt-data.service"
	cd "$TEST_DIR"
	run timeout "$BOUND" systemd-analyze verify --man=no ./mnt-data.mount ./fuselaunch-sshfs@mnt-data.service
	assert_status 0
	[ -z "$output" ]
}

@test "mount.fuselaunch keeps none of the caller's descriptors: a pipe on fd 3 ends with it" {
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=1 10 bash -c \
		'( "$1" -t fuselaunch.testfs src "$2" -o record="$3" 3>&1 ) | cat' \
		sh "$HELPER" "$MNT" "$RECORD"
	assert_status 0
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
}

@test "mount.fuselaunch started with stdin closed: the server's stdin is /dev/null" {
	# libfuse servers open /dev/null for a closed stdin themselves: this
	# one says what it was given, and fails.
	mkdir "$TEST_DIR/bin"
	printf '#!/bin/sh\nreadlink /proc/self/fd/0 >%s || echo closed >%s\nexit 1\n' \
		"$TEST_DIR/stdin" "$TEST_DIR/stdin" >"$TEST_DIR/bin/stdinfs"
	chmod 755 "$TEST_DIR/bin/stdinfs"
	PATH=$TEST_DIR/bin:$PATH tagged bash -c 'exec "$@" <&-' sh "$HELPER" -t fuselaunch.stdinfs src "$MNT"
	assert_status 32
	[ "$(cat "$TEST_DIR/stdin")" = /dev/null ]
	assert_nothing_left
}

@test "x-fuselaunch.pidfile and x-fuselaunch.log that are symbolic links: refused, targets untouched" {
	echo precious >"$TEST_DIR/victim"
	ln -s "$TEST_DIR/victim" "$TEST_DIR/pid"
	ln -s "$TEST_DIR/victim" "$TEST_DIR/log"
	helper -t fuselaunch.testfs src "$MNT" -o x-fuselaunch.pidfile="$TEST_DIR/pid",record="$RECORD"
	[ "$status" -ne 0 ]
	[ "$output" = "mount.fuselaunch: pidfile '$TEST_DIR/pid': a symbolic link (not followed)" ]
	helper -t fuselaunch.testfs src "$MNT" -o x-fuselaunch.log="$TEST_DIR/log",record="$RECORD"
	[ "$status" -ne 0 ]
	[ "$output" = "mount.fuselaunch: log file '$TEST_DIR/log': a symbolic link (not followed)" ]
	[ "$(cat "$TEST_DIR/victim")" = precious ]
	[ ! -s "$RECORD" ]
	assert_nothing_left
}

@test "x-fuselaunch.pidfile that cannot be written: the mount fails, nothing left" {
	mkdir "$TEST_DIR/ro"
	mount -t tmpfs -o ro fuselaunch-test "$TEST_DIR/ro"
	helper -t fuselaunch.testfs src "$MNT" -o x-fuselaunch.pidfile="$TEST_DIR/ro/pid",record="$RECORD"
	assert_status 2
	[ "$output" = "mount.fuselaunch: cannot write pidfile '$TEST_DIR/ro/pid': Read-only file system" ]
	assert_nothing_left
}

@test "an fstab that cannot be read fails the mount: its entries are not skipped" {
	fstab "tfs:src $MNT fuselaunch.testfs noauto,record=$RECORD 0 0"
	rm "$LIBMOUNT_FSTAB"
	mkfifo "$LIBMOUNT_FSTAB"
	helper -t fuselaunch.testfs tfs:src "$MNT"
	assert_status 2
	[ "$output" = "mount.fuselaunch: cannot read $LIBMOUNT_FSTAB: Invalid argument" ]
	[ ! -s "$RECORD" ]
	assert_nothing_left
}

@test "no fstab at all is an empty one: root mounts what the command line says" {
	rm "$LIBMOUNT_FSTAB"
	helper -t fuselaunch.testfs src "$MNT" -o record="$RECORD"
	assert_status 0
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
}

# Whether a thread of process $1 is blocked (D state): on a FUSE mount
# that does not answer.
blocked() {
	local task
	for task in /proc/"$1"/task/*/stat; do
		[ "$(awk '{ print $3 }' "$task" 2>/dev/null)" = D ] && return 0
	done
	return 1
}

@test "a target under a hung FUSE mount: a signal ends the checks, exit 8" {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$FUSELAUNCH" -t 0 --sync-init=never -- \
		"$TESTFS" --hang --record="$RECORD" "$MNT" 2>/dev/null &
	local pending=$! pid helper code=0
	wait_until test -s "$RECORD"
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=1 10 \
		"$HELPER" tfs:src "$MNT" -t fuselaunch.testfs 2>"$TEST_DIR/err" &
	pid=$!
	wait_until pgrep -P "$pid" >/dev/null
	helper=$(pgrep -P "$pid")
	# Signalled once it is in the checks, blocked on the mount.
	wait_until blocked "$helper"
	kill -TERM "$helper"
	wait "$pid" || code=$?
	[ "$code" -eq 8 ]
	[ "$(cat "$TEST_DIR/err")" = "mount.fuselaunch: launch of 'testfs' cancelled by signal 15 (Terminated)" ]
	kill -TERM "$pending"
	wait "$pending" || true
	assert_nothing_left
}
