#!/usr/bin/env bats
# Real servers from Debian, each launched for success (content readable at
# once) and for a truthful failure (non-zero, the server's own words,
# nothing mounted).  --mode=auto picks fd or watch by the executable.

load helpers

PASSTHROUGH=$BUILDDIR/tests/passthrough

# README's first command installs every server used here: a missing one is
# a broken set-up, not a reason to skip.
need() {
	command -v "$1" >/dev/null || {
		echo "$1 is not installed (see README.md's first command)" >&2
		return 1
	}
}

setup() {
	# helpers.bash's setup, plus a source tree to serve.
	TEST_DIR=$(mktemp -d /tmp/fuselaunch-test.XXXXXX)
	MNT=$TEST_DIR/mnt
	RECORD=$TEST_DIR/record
	SRC=$TEST_DIR/src
	export LIBMOUNT_UTAB=$TEST_DIR/utab LIBMOUNT_FSTAB=$TEST_DIR/fstab
	mkdir "$MNT" "$SRC"
	echo "served data" >"$SRC/file"
	private_registry
}

# A TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 40000))
		(exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null || break
	done
	echo "$port"
}

port_listens() {
	(exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null
}

# An SFTP server on a local port (sshfs -o directport= speaks SFTP to it
# directly, without ssh), tagged so that teardown stops it.
start_sftp_server() {
	SFTP_PORT=$(free_port)
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" socat \
		TCP-LISTEN:"$SFTP_PORT",bind=127.0.0.1,reuseaddr,fork \
		EXEC:/usr/lib/openssh/sftp-server 2>/dev/null &
	wait_until port_listens "$SFTP_PORT"
}

@test "sshfs (libfuse 3: fd): mounted and readable at once" {
	need sshfs
	need /usr/lib/openssh/sftp-server
	start_sftp_server
	launch -v -- sshfs -o directport="$SFTP_PORT" 127.0.0.1:"$SRC" "$MNT"
	assert_status 0
	assert_output_has "links libfuse3.so.3: fd"
	[ "$(cat "$MNT/file")" = "served data" ]
	[ "$(mount_field fstype)" = fuse.sshfs ]
	[ "$(mount_field source)" = "127.0.0.1:$SRC" ]
}

@test "sshfs to a port where nothing listens: exit 4 with sshfs's words" {
	need sshfs
	launch -- sshfs -o directport="$(free_port)" 127.0.0.1:"$SRC" "$MNT"
	assert_status 4
	assert_output_has "Connection refused"
	assert_output_has "fuselaunch: server 'sshfs' exited with status 1 before answering FUSE_INIT"
	assert_nothing_left
}

# tests/getoptfs parses its own command line with getopt, as libyal's
# qcowmount and vhdimount, grub-mount and wimmount do: it knows no -o and
# fails on anything added to its arguments.
GETOPTFS=$BUILDDIR/tests/getoptfs
need_getoptfs() {
	[ -x "$GETOPTFS" ] || skip "tests/getoptfs not built: libfuse 2 (libfuse-dev) missing"
}

@test "a server with its own getopt (libfuse 2: watch): its command line as given, mounted, nosuid and nodev" {
	need_getoptfs
	echo image >"$TEST_DIR/image"
	launch -v -- "$GETOPTFS" -r "$RECORD" "$TEST_DIR/image" "$MNT"
	assert_status 0
	assert_output_has "links libfuse.so.2: watch"
	[ "$(recorded argv)" = "$GETOPTFS -r $RECORD $TEST_DIR/image $MNT" ]
	[ "$(cat "$MNT/hello")" = "hello from getoptfs" ]
	[[ ",$(mount_field options)," == *",nosuid,nodev,"* ]]
	"$FUSELAUNCH" -u "$MNT"
	assert_nothing_left
}

@test "a server with its own getopt that mounts with suid,dev: root sets nosuid and nodev, and -o ro" {
	need_getoptfs
	echo image >"$TEST_DIR/image"
	launch -o ro -- "$GETOPTFS" -X suid,dev "$TEST_DIR/image" "$MNT"
	assert_status 0
	[[ ",$(mount_field options)," == *",ro,nosuid,nodev,"* ]]
}

@test "a server with its own getopt, its image missing: exit 4 with its words" {
	need_getoptfs
	launch -- "$GETOPTFS" "$TEST_DIR/absent" "$MNT"
	assert_status 4
	assert_output_has "getoptfs: unable to open source file: $TEST_DIR/absent: No such file or directory"
	assert_output_has "fuselaunch: server 'getoptfs' exited with status 1 before its mount answered"
	assert_nothing_left
}

@test "mount.fuselaunch -t fuselaunch.getoptfs: TYPE SOURCE MOUNTPOINT, no -o it would reject" {
	need_getoptfs
	echo image >"$TEST_DIR/image"
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" PATH="$BUILDDIR/tests:$PATH" timeout --kill-after=5 "$BOUND" \
		"$BUILDDIR/src/mount.fuselaunch" "$TEST_DIR/image" "$MNT" -t fuselaunch.getoptfs -o rw,noexec
	assert_status 0
	[ "$(cat "$MNT/hello")" = "hello from getoptfs" ]
	[[ ",$(mount_field options)," == *",nosuid,nodev,noexec,"* ]]
	umount "$MNT"
	assert_nothing_left
}

@test "bindfs (libfuse 2: watch): mounted and readable at once" {
	need bindfs
	launch -v -- bindfs "$SRC" "$MNT"
	assert_status 0
	assert_output_has "links libfuse.so.2: watch"
	[ "$(cat "$MNT/file")" = "served data" ]
	[ "$(mount_field source)" = "$SRC" ]
}

@test "bindfs in watch mode: -o ro is set on its mount, its command line is the user's" {
	need bindfs
	launch -o ro,noexec -- bindfs "$SRC" "$MNT"
	assert_status 0
	[[ ",$(mount_field options)," == *",ro,nosuid,nodev,noexec,"* ]]
	[ "$(tr '\0' ' ' </proc/"$(pgrep -x bindfs)"/cmdline)" = "bindfs $SRC $MNT " ]
}

@test "bindfs with a missing source: exit 4 with bindfs's words" {
	need bindfs
	launch -- bindfs "$TEST_DIR/absent" "$MNT"
	assert_status 4
	assert_output_has "Failed to resolve source directory"
	assert_nothing_left
}

@test "bindfs: umount ends server and daemon" {
	need bindfs
	launch -- bindfs "$SRC" "$MNT"
	assert_status 0
	umount "$MNT"
	assert_nothing_left
}

@test "mount.fuselaunch -t fuselaunch.bindfs: watch mode, ro set on its mount" {
	need bindfs
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
		"$BUILDDIR/src/mount.fuselaunch" -v "$SRC" "$MNT" -t fuselaunch.bindfs -o ro,x-fuselaunch.mode=auto
	assert_status 0
	assert_output_has "links libfuse.so.2: watch"
	[ "$(cat "$MNT/file")" = "served data" ]
	[[ ",$(mount_field options)," == *",ro,"* ]]
	umount "$MNT"
	assert_nothing_left
}

@test "fuse-overlayfs (libfuse 3: fd): mounted and readable at once" {
	need fuse-overlayfs
	mkdir "$TEST_DIR/upper" "$TEST_DIR/work"
	launch -v -- fuse-overlayfs -o lowerdir="$SRC",upperdir="$TEST_DIR/upper",workdir="$TEST_DIR/work" "$MNT"
	assert_status 0
	assert_output_has "links libfuse3.so.3: fd"
	[ "$(cat "$MNT/file")" = "served data" ]
	[ "$(mount_field fstype)" = fuse.fuse-overlayfs ]
}

@test "fuse-overlayfs with a missing lowerdir: exit 4 with its words" {
	need fuse-overlayfs
	mkdir "$TEST_DIR/upper" "$TEST_DIR/work"
	launch -- fuse-overlayfs -o lowerdir="$TEST_DIR/absent",upperdir="$TEST_DIR/upper",workdir="$TEST_DIR/work" "$MNT"
	assert_status 4
	assert_output_has "cannot read lower dirs"
	assert_nothing_left
}

# rclone is Go: its own FUSE library (bazil.org/fuse) mounts through
# fusermount3, no libfuse linked, so watch mode.  Given /dev/fd/N (fd mode)
# it hands that path to fusermount3, which fails.  It ignores the -o
# nosuid,nodev that watch mode gives it ("-o/--option not supported with
# this FUSE backend"); fusermount3 sets both anyway.  A plain path is a
# local remote; --config /dev/null keeps its configuration in memory.
@test "rclone mount (Go, links no libfuse: watch): mounted and readable at once" {
	need rclone
	launch -v -- rclone --config /dev/null mount "$SRC" "$MNT"
	assert_status 0
	assert_output_has "/usr/bin/rclone links no libfuse: watch"
	[ "$(cat "$MNT/file")" = "served data" ]
	[ "$(mount_field fstype)" = fuse.rclone ]
	[ "$(mount_field source)" = "$SRC" ]
}

@test "rclone mount of a remote that is not configured: exit 4 with rclone's words" {
	need rclone
	launch -- rclone --config /dev/null mount nosuch:data "$MNT"
	assert_status 4
	assert_output_has "didn't find section in config file"
	assert_output_has "fuselaunch: server 'rclone' exited with status 1 before its mount answered"
	assert_nothing_left
}

# ntfs-3g carries its own FUSE (libntfs-3g's fuse-lite, the libfuse 2 API),
# links no libfuse, and mounts by itself: watch mode.  Its fuseblk mount
# needs a block device: a loop device over an image, which teardown
# detaches.  A machine without loop devices skips, saying so.
attach_loop() {
	local err
	err=$(losetup -f 2>&1 >/dev/null) ||
		skip "fuseblk needs a loop device, and losetup -f finds none here: $err"
	LOOP_DEVICE=$(losetup -f --show "$1")
}

# An NTFS image holding $SRC/file, on a loop device.
ntfs_device() {
	need mkntfs
	truncate -s 16M "$TEST_DIR/ntfs.img"
	mkntfs -F -f -q "$TEST_DIR/ntfs.img" >"$TEST_DIR/mkntfs.log" 2>&1 ||
		{ cat "$TEST_DIR/mkntfs.log"; return 1; }
	ntfscp -q "$TEST_DIR/ntfs.img" "$SRC/file" file
	attach_loop "$TEST_DIR/ntfs.img"
}

@test "ntfs-3g (fuseblk, its own FUSE: watch): mounted and readable at once" {
	need ntfs-3g
	ntfs_device
	launch -v -- ntfs-3g "$LOOP_DEVICE" "$MNT"
	assert_status 0
	assert_output_has "/usr/bin/ntfs-3g links no libfuse: watch"
	[ "$(cat "$MNT/file")" = "served data" ]
	[ "$(mount_field fstype)" = fuseblk ]
	[ "$(mount_field source)" = "$LOOP_DEVICE" ]
}

# fuseblk's unmount waits for the server's answer to DESTROY; --unmount
# waits for the server itself: what it wrote is on the device.
@test "ntfs-3g: --unmount returns once the written data is on the device" {
	need ntfs-3g
	ntfs_device
	launch -- ntfs-3g "$LOOP_DEVICE" "$MNT"
	assert_status 0
	echo "written through the mount" >"$MNT/new"
	launch -u "$MNT"
	assert_status 0
	assert_nothing_left
	[ "$(ntfscat "$LOOP_DEVICE" new)" = "written through the mount" ]
}

@test "ntfs-3g on a device that holds no NTFS: exit 4 with its words" {
	need ntfs-3g
	truncate -s 16M "$TEST_DIR/zero.img"
	attach_loop "$TEST_DIR/zero.img"
	launch -- ntfs-3g "$LOOP_DEVICE" "$MNT"
	assert_status 4
	assert_output_has "NTFS signature is missing."
	assert_output_has "fuselaunch: server 'ntfs-3g' exited with status 12 before its mount answered"
	assert_nothing_left
}

# python3-fuse binds libfuse 2 (its _fuse module links libfuse.so.2), and
# libfuse 2 takes /dev/fd/N for a path: watch mode, which --mode=auto picks
# by the script's interpreter.
HELLOFS=$BATS_TEST_DIRNAME/hellofs.py

need_python_fuse() {
	/usr/bin/python3 -c 'import fuse' 2>/dev/null || {
		echo "python3-fuse is not installed (see README.md's first command)" >&2
		return 1
	}
}

@test "hellofs.py (python3-fuse, libfuse 2: watch): mounted and readable at once" {
	need_python_fuse
	launch -v -- "$HELLOFS" "$MNT"
	assert_status 0
	assert_output_has "/usr/bin/python3 links no libfuse: watch"
	[ "$(cat "$MNT/hello")" = "hello from python" ]
	[ "$(mount_field fstype)" = fuse.hellofs.py ]
}

@test "hellofs.py raising before it mounts: exit 4 with its traceback's words" {
	need_python_fuse
	launch -- "$HELLOFS" --raise-before-mount "$MNT"
	assert_status 4
	assert_output_has "RuntimeError: hellofs: raised before mounting, as asked"
	assert_output_has "fuselaunch: server 'hellofs.py' exited with status 1 before its mount answered"
	assert_nothing_left
}

# Gone before fuselaunch looks at its mount or not (the next test makes
# certain it is), its dead mount is detached.
@test "hellofs.py exiting in INIT after its mount: exit 4 with its status" {
	need_python_fuse
	launch -- "$HELLOFS" --exit-in-init=3 "$MNT"
	assert_status 4
	assert_output_has "fuselaunch: server 'hellofs.py' exited with status 3 before its mount answered"
	assert_nothing_left
}

# The test's processes whose name (comm) is $1.
test_processes_named() {
	local pid
	for pid in $(test_processes); do
		[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$1" ] && echo "$pid"
	done
	return 0
}

has_process_named() {
	[ -n "$(test_processes_named "$1")" ]
}

no_process_named() {
	[ -z "$(test_processes_named "$1")" ]
}

# A server that mounts and dies before the watcher looks (here fuselaunch is
# stopped meanwhile, as a loaded machine may leave it) leaves a dead mount
# that no process holds: the launch made it, the launch must detach it.
@test "hellofs.py dying in INIT before fuselaunch looked: exit 4, no dead mount left" {
	need_python_fuse
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" "$FUSELAUNCH" -- \
		"$HELLOFS" --wait-for="$TEST_DIR/go" --exit-in-init=3 "$MNT" 2>"$TEST_DIR/err" &
	local launcher=$! code=0 fuselaunch
	wait_until has_process_named hellofs.py
	fuselaunch=$(test_processes_named fuselaunch)
	kill -STOP $fuselaunch
	touch "$TEST_DIR/go"
	wait_until is_mounted "$MNT"
	wait_until no_process_named hellofs.py
	kill -CONT $fuselaunch
	wait "$launcher" || code=$?
	cat "$TEST_DIR/err"
	[ "$code" -eq 4 ]
	assert_nothing_left
}

# Given /dev/fd/N, libfuse 2 mounts on the path it names, /dev/fuse.
@test "hellofs.py in fd mode mounts /dev/fuse: exit 1, told to use --mode=watch" {
	need_python_fuse
	launch --mode=fd -- "$HELLOFS" "$MNT"
	assert_status 1
	assert_output_has "use --mode=watch"
	[[ "$output" != *"-m /dev/fuse"* ]]
	is_not_mounted /dev/fuse
	assert_nothing_left
}

@test "libfuse's passthrough example serves a directory" {
	[ -x "$PASSTHROUGH" ] || skip "libfuse's passthrough example was not built"
	launch -- "$PASSTHROUGH" -o modules=subdir,subdir="$SRC" "$MNT"
	assert_status 0
	[ "$(cat "$MNT/file")" = "served data" ]
}

@test "watch mode: testfs mounting itself, readable at once" {
	launch --mode=watch -- "$TESTFS" --record="$RECORD" --record-mountpoint="$MNT" "$MNT"
	assert_status 0
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
	[ "$(sed -n 's/^init mounted=//p' "$RECORD")" = yes ]
}

@test "watch mode: a server that never answers INIT times out, its mount detached" {
	launch --mode=watch -t 0.5 -- "$TESTFS" --hang "$MNT"
	assert_status 7
	assert_nothing_left
}

@test "watch mode: a server that exits before mounting" {
	launch --mode=watch -- "$TESTFS" --exit-before-init=3 "$MNT"
	assert_status 4
	assert_output_has "exited with status 3 before its mount answered"
	assert_nothing_left
}

# libfuse answers a refused INIT, unmounts and exits before fuselaunch,
# which does not hold the device in watch mode, could see the refusal: the
# message says what fuselaunch saw, not that INIT went unanswered.
@test "watch mode: a server that refuses INIT and exits is said to exit before its mount answered" {
	launch --mode=watch -- "$TESTFS" --refuse-init "$MNT"
	assert_status 4
	assert_output_has "fuselaunch: server 'testfs' exited with status 1 before its mount answered"
	assert_nothing_left
}

# The mount's connection dies with the server's device, before the server
# is reaped; a child that outlives it for a moment makes that order sure.
@test "watch mode: a server that exits before INIT while its child lingers is reported as exited" {
	launch --mode=watch -- sh -c 'sleep 0.5 & exec "$0" "$@"' "$TESTFS" --exit-before-init=3 "$MNT"
	assert_status 4
	assert_output_has "exited with status 3 before its mount answered"
	assert_nothing_left
}

@test "watch mode: a mount that was there before is never touched" {
	mount -t tmpfs before "$MNT"
	launch --mode=watch -t 0.5 -- "$TESTFS" --hang "$MNT"
	assert_status 7
	wait_until no_test_process
	[ "$(mount_field fstype)" = tmpfs ]
}

@test "watch mode: a server that dies later leaves no dead mount" {
	launch --mode=watch -- "$TESTFS" "$MNT"
	assert_status 0
	run stat "$MNT/crash"
	wait_until is_not_mounted "$MNT"
	assert_nothing_left
}

@test "auto mode: a shell script is launched in watch mode" {
	printf '#!/bin/sh\nexec "%s" "$@"\n' "$TESTFS" >"$TEST_DIR/wrapper"
	chmod +x "$TEST_DIR/wrapper"
	launch -v -- "$TEST_DIR/wrapper" "$MNT"
	assert_status 0
	assert_output_has "/bin/sh links no libfuse: watch"
}

@test "an unknown --mode: exit 1" {
	launch --mode=guess -- "$TESTFS" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: invalid --mode 'guess': use auto, fd or watch" ]
}
