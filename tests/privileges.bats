#!/usr/bin/env bats
# Users who are not root (through fusermount3, both protocols, and
# through mount(8) with /etc/fstab), and root launching a server as someone
# else (--user, --drop-privileges).

load helpers

# For this suite only (the run has a private mount namespace): the test
# users and a /dev/fuse they may open (helpers.bash's test_users_setup).
# For mount(8), which ignores LIBMOUNT_* when it runs setuid for a user:
# an empty /etc/fstab bound over the real one, a tmpfs for utab (on /run
# if there is no /run/mount to cover), and the helper in /usr/sbin.
setup_file() {
	test_users_setup
	install -m 644 /dev/null "$PRIV_DIR/fstab"
	mount --bind "$PRIV_DIR/fstab" /etc/fstab
	if [ -d /run/mount ]; then
		RUN_TMPFS=/run/mount
		mount -t tmpfs -o mode=755 fuselaunch-tests /run/mount
	else
		RUN_TMPFS=/run
		mount -t tmpfs -o mode=755 fuselaunch-tests /run
		mkdir -m 755 /run/mount
	fi
	overlay_sbin
	mkdir -m 755 "$PRIV_DIR/sync-helper"
	# A fusermount3 with --sync-init, setuid root as the real one is.
	install -o root -m 4755 "$BUILDDIR/tests/fusermount-sync" "$PRIV_DIR/sync-helper/fusermount3"
	export RUN_TMPFS
}

teardown_file() {
	remove_sbin_overlay
	umount /etc/fstab "$RUN_TMPFS"
	test_users_teardown
}

setup() {
	TEST_DIR=$(mktemp -d /tmp/fuselaunch-test.XXXXXX)
	chmod 755 "$TEST_DIR"
	MNT=$TEST_DIR/mnt
	RECORD=$TEST_DIR/record
	mkdir "$MNT"
	chown "$TEST_USER:" "$MNT"
	install -m 666 /dev/null "$RECORD"
	export LIBMOUNT_UTAB=$TEST_DIR/utab LIBMOUNT_FSTAB=$TEST_DIR/fstab
	touch "$LIBMOUNT_FSTAB"
	: >"$PRIV_DIR/fstab"
	chmod 644 "$PRIV_DIR/fstab"
	private_registry
	# The test user's runtime directory, for their launches' registry.
	install -d -o "$TEST_USER" -m 700 "$TEST_DIR/runtime"
	export XDG_RUNTIME_DIR=$TEST_DIR/runtime
}

# A server run as another user gets a clean environment: the tests that
# start one ask for their tag (helpers.bash) with --preserve-env, so that
# teardown finds its processes.

# mount(8) or umount(8) run by user $1, as from their shell: no LIBMOUNT_*,
# so the helper reads the same /etc/fstab as mount(8).
mount_as() {
	local user=$1
	shift
	run env -u LIBMOUNT_UTAB -u LIBMOUNT_FSTAB FUSELAUNCH_TEST_TAG="$TEST_DIR" \
		timeout --kill-after=5 "$BOUND" \
		setpriv --reuid="$user" --regid="$user" --init-groups -- "$@"
}

# A line of this namespace's /etc/fstab.
system_fstab() {
	echo "$*" >>"$PRIV_DIR/fstab"
}

# The options utab has for the mount on $MNT (mount(8)'s, not LIBMOUNT_UTAB).
system_utab_options() {
	sed -n "s|.* TARGET=$MNT ROOT=/ OPTS=||p" /run/mount/utab 2>/dev/null
}

status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"
}

assert_no_capabilities() {
	local set
	for set in CapInh CapPrm CapEff CapAmb; do
		[ "$(status_field "$1" "$set")" = 0000000000000000 ] ||
			{ echo "$set of $1 is $(status_field "$1" "$set")"; return 1; }
	done
}

@test "a user mounts through fusermount3 (classic protocol): readable, theirs" {
	user_launch -v -- "$TESTFS" --record="$RECORD" --record-mountpoint="$MNT" "$MNT"
	assert_status 0
	assert_output_has "unrecognized option '--sync-init'"
	[ "$(as_user cat "$MNT/hello")" = "hello from testfs" ]
	[ "$(mount_field fstype)" = fuse.testfs ]
	[[ ",$(mount_field super)," == *",user_id=$TEST_UID,"* ]]
	# Classic order: the mount was there before INIT was answered.
	[ "$(sed -n 's/^init mounted=//p' "$RECORD")" = yes ]
}

# fusermount3 mounts, then hands the device to the server: for a moment no
# process holds the mount's connection, and fusermount3's fds cannot be read.
@test "a user's server that mounts by itself through fusermount3 is adopted (watch mode)" {
	user_launch -v --mode=watch -- "$TESTFS" "$MNT"
	assert_status 0
	assert_output_has "the server mounted $MNT"
	[ "$(as_user cat "$MNT/hello")" = "hello from testfs" ]
}

@test "a user's server killed right after mounting by itself leaves no mount (watch mode)" {
	user_launch --mode=watch -- "$TESTFS" --signal-before-init=9 "$MNT"
	assert_status 4
	assert_output_has "was killed by signal 9"
	assert_nothing_left
}

@test "a user's server that fails before INIT: exit 4, nothing mounted" {
	user_launch -- "$TESTFS" --exit-before-init=3 "$MNT"
	assert_status 4
	assert_output_has "server 'testfs' exited with status 3 before answering FUSE_INIT"
	assert_nothing_left
}

@test "a user's server that never answers: timeout, nothing mounted" {
	user_launch -t 0.5 -- "$TESTFS" --hang "$MNT"
	assert_status 7
	assert_nothing_left
}

# The mountpoint rule does not skip the last directory argument because
# the user may not look at it: it says so, and takes no earlier one.
@test "a user's last directory argument below a directory they cannot search: exit 1 naming it" {
	install -d -o "$TEST_USER" "$TEST_DIR/src"
	install -d -m 700 "$TEST_DIR/closed" "$TEST_DIR/closed/mnt"
	user_launch --mode=fd -- sh -c 'exec "$0" "$1"' "$TESTFS" "$TEST_DIR/src" "$TEST_DIR/closed/mnt"
	assert_status 1
	[ "$output" = "fuselaunch: cannot tell whether '$TEST_DIR/closed/mnt' is the mountpoint: Permission denied" ]
	is_not_mounted "$TEST_DIR/src"
	assert_nothing_left
}

# Root meets a user's FUSE mount without allow_other: its stat is refused.
@test "root's last directory argument a user's FUSE mount root may not look at: exit 1 naming it" {
	launch --user "$TEST_USER" --preserve-env=FUSELAUNCH_TEST_TAG -- "$TESTFS" "$MNT"
	assert_status 0
	mkdir "$TEST_DIR/src"
	launch --mode=fd -- sh -c 'exec "$0" "$1"' "$TESTFS" "$TEST_DIR/src" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: cannot tell whether '$MNT' is the mountpoint: Permission denied" ]
	is_not_mounted "$TEST_DIR/src"
	launch -u "$MNT"
	assert_status 0
	assert_nothing_left
}

@test "allow_other without user_allow_other: fusermount3's own words, exit 6" {
	user_launch -o allow_other -- "$TESTFS" "$MNT"
	assert_status 6
	[ "$output" = "fuselaunch: fusermount3 refused the mount on $MNT: fusermount3: option allow_other only allowed if 'user_allow_other' is set in /etc/fuse.conf" ]
	assert_nothing_left
}

# As user_launch, with /dev/fuse replaced by the node $1 in a mount
# namespace of its own, which ends with the launch.
user_launch_with_device() {
	local node=$1
	shift
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
		unshare --mount --propagation private -- \
		sh -c 'mount --bind "$0" /dev/fuse && exec "$@"' "$node" \
		setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --init-groups -- \
		env PATH=/usr/bin:/bin "$FUSELAUNCH" "$@"
}

@test "a /dev/fuse the user may not open (0600 root:root): exit 2, what it needs, nothing started" {
	mknod -m 600 "$TEST_DIR/fuse" c 10 229
	user_launch_with_device "$TEST_DIR/fuse" -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 2
	[ "$output" = 'fuselaunch: cannot open /dev/fuse: Permission denied (mode 0600 root:root): mounting as a user who is not root needs read-write access to it; make it mode 0666 as most distributions do (udev rule: KERNEL=="fuse", MODE="0666"), or mount as root' ]
	[ ! -s "$RECORD" ]
	assert_nothing_left
}

@test "a /dev/fuse of a group the user is not in (0660): the message names the group" {
	mknod -m 660 "$TEST_DIR/fuse" c 10 229
	chgrp "$OTHER_USER" "$TEST_DIR/fuse"
	user_launch_with_device "$TEST_DIR/fuse" -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 2
	assert_output_has "Permission denied (mode 0660 root:$OTHER_USER): mounting as a user who is not root needs read-write access to it; add $TEST_USER to group $OTHER_USER (then log in again), or make it mode 0666"
	[ ! -s "$RECORD" ]
	assert_nothing_left
}

@test "a user's server that dies later: unmounted through fusermount3" {
	user_launch -- "$TESTFS" "$MNT"
	assert_status 0
	run as_user stat "$MNT/crash"
	wait_until is_not_mounted "$MNT"
	assert_nothing_left
}

@test "umount of a user's mount ends the launch" {
	user_launch -- "$TESTFS" "$MNT"
	assert_status 0
	as_user fusermount3 -u "$MNT"
	assert_nothing_left
}

@test "a user's --unmount: through fusermount3, once the server has exited" {
	user_launch -- "$TESTFS" --record="$RECORD" --exit-delay=300 --exit-status=2 "$MNT"
	assert_status 0
	[ "$(stat -c %U "$XDG_RUNTIME_DIR/fuselaunch")" = "$TEST_USER" ]
	ls "$XDG_RUNTIME_DIR/fuselaunch/"*.launch
	user_launch -u "$MNT"
	assert_status 4
	[ "$output" = "fuselaunch: server 'testfs' exited with status 2 after the unmount of $MNT" ]
	grep -qx exit "$RECORD"
	assert_nothing_left
	[ -z "$(ls "$XDG_RUNTIME_DIR/fuselaunch")" ]
}

# Without allow_other the kernel lets nobody but the user look at their
# mount, root included: root checks it as the mount's owner.
@test "root's --unmount of a user's launch waits for its server: exit 0" {
	run_user_runtime
	XDG_RUNTIME_DIR=$RUNTIME user_launch -- "$TESTFS" --record="$RECORD" --exit-delay=300 "$MNT"
	assert_status 0
	launch -u "$MNT"
	assert_status 0
	grep -qx exit "$RECORD"
	assert_nothing_left
	[ -z "$(ls -A "$RUNTIME/fuselaunch")" ]
}

# A user's entry names its mount, and the user wrote it: root takes it
# only for a FUSE mount of that user's.  Here it claims a root launch
# whose supervisor is gone, with that mount's id, and a supervisor of the
# user's own (a sleep).
@test "a user's entry naming a mount that is not theirs is not used by root's --unmount" {
	local entry forged sup root_sup
	run_user_runtime
	install -d -o "$TEST_USER" -m 700 "$RUNTIME/fuselaunch"
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	entry=$(ls /run/fuselaunch/*.launch)
	root_sup=$(sed -n 's/^supervisor=//p' "$entry")
	# exec's all the way down: $! is the sleep.
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" setpriv --reuid="$TEST_USER" --regid="$TEST_USER" \
		--init-groups -- sleep 60 &
	sup=$!
	wait_until sh -c '[ "$(stat -c %u "/proc/$1")" = "$2" ]' sh "$sup" "$(id -u "$TEST_USER")"
	forged=$RUNTIME/fuselaunch/$sup.launch
	sed -e "s/^supervisor=.*/supervisor=$sup/" \
		-e "s/^supervisor_start=.*/supervisor_start=$(cut -d" " -f22 "/proc/$sup/stat")/" \
		"$entry" >"$forged"
	chown "$TEST_USER:" "$forged"
	kill -KILL "$root_sup"
	wait_until test ! -d "/proc/$root_sup"
	launch -t 1 -u "$MNT"
	assert_status 10
	assert_output_has "$MNT is not a mount of fuselaunch"
	is_mounted "$MNT"
}

@test "root's --unmount of a --user launch (a FUSE mount only that user may look at): exit 0" {
	launch --user "$TEST_USER" --preserve-env=FUSELAUNCH_TEST_TAG -- "$TESTFS" "$MNT"
	assert_status 0
	launch -u "$MNT"
	assert_status 0
	assert_nothing_left
}

# Root's --unmount finds a user's launch in /run/user/UID/fuselaunch and
# makes its FIFO there.  The user owns /run/user/UID: between root's read
# of the entry and the FIFO, they swap the directory for a symlink to
# where they would like root to make a FIFO of theirs.  strace holds the
# unmounter in the statx that checks the mount (its only one by then, in a
# thread running as the user).
@test "root's --unmount of a user's launch makes nothing where a swapped-in symlink leads" {
	command -v strace >/dev/null || skip "strace is needed to hold the unmounter"
	local pid tracer unmounter code=0
	run_user_runtime
	install -d -o "$TEST_USER" -m 755 "$TEST_DIR/elsewhere"
	XDG_RUNTIME_DIR=$RUNTIME user_launch -- "$TESTFS" "$MNT"
	assert_status 0
	ls "$RUNTIME/fuselaunch/"*.launch
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$NO_LEAK_CHECK" timeout --kill-after=5 "$BOUND" \
		strace -f -qq --seccomp-bpf -o /dev/null -e trace=statx \
		-e inject=statx:delay_enter=1500000:when=1 \
		"$FUSELAUNCH" -u "$MNT" >"$TEST_DIR/err" 2>&1 &
	pid=$!
	wait_until pgrep -x strace -P "$pid" >/dev/null
	tracer=$(pgrep -x strace -P "$pid")
	wait_until pgrep -P "$tracer" >/dev/null
	unmounter=$(pgrep -P "$tracer")
	# Its statx runs in a thread as the user: any of its tasks, held.
	wait_until sh -c 'cut -d" " -f3 /proc/$1/task/*/stat | grep -qx t && sleep 0.1 &&
		cut -d" " -f3 /proc/$1/task/*/stat | grep -qx t' sh "$unmounter"
	as_user sh -c 'mv "$1/fuselaunch" "$1/registry" && ln -s "$2" "$1/fuselaunch"' \
		sh "$RUNTIME" "$TEST_DIR/elsewhere"
	wait "$pid" || code=$?
	cat "$TEST_DIR/err"
	[ -z "$(ls -A "$TEST_DIR/elsewhere")" ]
	[ "$code" -eq 2 ]
	grep -q "cannot wait for the server of $MNT" "$TEST_DIR/err"
	is_mounted "$MNT"
	as_user fusermount3 -u "$MNT"
	assert_nothing_left
}

@test "a user's --unmount of a mount that is not theirs: exit 10" {
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	user_launch -u "$MNT"
	assert_status 10
	assert_output_has "$MNT is not a mount of fuselaunch: it is a fuse.testfs mount of testfs"
	is_mounted "$MNT"
}

@test "a fusermount3 with --sync-init: INIT answered before the mount is visible" {
	USER_PATH=$PRIV_DIR/sync-helper:/usr/bin:/bin \
		user_launch -v -- "$TESTFS" --record="$RECORD" --record-mountpoint="$MNT" "$MNT"
	assert_status 0
	assert_output_has "letting $PRIV_DIR/sync-helper/fusermount3 mount"
	[ "$(sed -n 's/^init mounted=//p' "$RECORD")" = no ]
	[ "$(as_user cat "$MNT/hello")" = "hello from testfs" ]
	[[ ",$(mount_field super)," == *",user_id=$TEST_UID,"* ]]
}

@test "--sync-init fusermount3: a server that exits before INIT, exit 4 at once" {
	USER_PATH=$PRIV_DIR/sync-helper:/usr/bin:/bin \
		user_launch -t 15 -- "$TESTFS" --exit-before-init=3 "$MNT"
	assert_status 4
	assert_output_has "exited with status 3 before answering FUSE_INIT"
	assert_nothing_left
}

@test "--sync-init fusermount3: its refusal after 'proceed' reaches the user" {
	USER_PATH=$PRIV_DIR/sync-helper:/usr/bin:/bin \
		user_launch -o allow_other -- "$TESTFS" "$MNT"
	assert_status 6
	assert_output_has "fusermount3: option allow_other only allowed if 'user_allow_other' is set in /etc/fuse.conf"
	assert_nothing_left
}

# Its refusal proven by our aborted device, a refused INIT is a refusal
# however long fusermount3 then takes to say so: longer than the 5 s the
# launch once gave it made it a server that exited before answering.
@test "--sync-init fusermount3: a refusal it reports after more than 5 s is still a refusal" {
	local start=$SECONDS
	FUSERMOUNT_SYNC_REFUSAL_DELAY_MS=6500 USER_PATH=$PRIV_DIR/sync-helper:/usr/bin:/bin \
		user_launch -t 30 -- "$TESTFS" --refuse-init "$MNT"
	assert_status 5
	assert_output_has "refused"
	[ $((SECONDS - start)) -ge 6 ]
	assert_nothing_left
}

# That wait is the wait for INIT: bounded by -t, ended by a signal.
@test "--sync-init fusermount3: waiting for its slow report of a refusal, -t and a signal still end the launch" {
	local start=$SECONDS
	FUSERMOUNT_SYNC_REFUSAL_DELAY_MS=20000 USER_PATH=$PRIV_DIR/sync-helper:/usr/bin:/bin \
		user_launch -t 2 -- "$TESTFS" --refuse-init "$MNT"
	assert_status 7
	[ $((SECONDS - start)) -lt 10 ]
	assert_nothing_left
	start=$SECONDS
	FUSERMOUNT_SYNC_REFUSAL_DELAY_MS=20000 run as_user env PATH="$PRIV_DIR/sync-helper:/usr/bin:/bin" \
		timeout --preserve-status -s TERM 2 "$FUSELAUNCH" -- "$TESTFS" --refuse-init "$MNT"
	assert_status 8
	[ $((SECONDS - start)) -lt 10 ]
	assert_nothing_left
}

# A user cannot mount fusectl: where none is mounted (a directory that is
# not fusectl covers it here), whether INIT was answered is told by how
# long whoever waits for it sleeps.  With every CPU busy, 8 of 100 such
# launches were exit 4 while a user's refusal was taken as unanswered.
@test "a user's refused INIT is reported as refused on a busy machine too" {
	mount -t tmpfs fuselaunch-fusectl /sys/fs/fuse/connections
	refusals_on_busy_machine user_launch
}

@test "a user's server that exits without answering INIT: exit 4, at once" {
	local start=$SECONDS
	user_launch -t 20 -- "$TESTFS" --exit-before-init=3 "$MNT"
	assert_status 4
	assert_output_has "fuselaunch: server 'testfs' exited with status 3 before answering FUSE_INIT"
	[ $((SECONDS - start)) -lt 5 ]
	is_not_mounted "$MNT"
}

# Where fusectl is mounted (systemd does), a user reads the count of their
# own connection there, and the sleep rule above is not needed.
@test "a user's unanswered INIT is told by fusectl where it is mounted" {
	mount -t fusectl fuselaunch-fusectl /sys/fs/fuse/connections
	user_launch -v -t 20 -- "$TESTFS" --exit-before-init=3 "$MNT"
	assert_status 4
	assert_output_has "FUSE_INIT unanswered: fusectl counts it in flight on connection"
	assert_output_has "fuselaunch: server 'testfs' exited with status 3 before answering FUSE_INIT"
	assert_nothing_left
	# Covered by what is not fusectl: not read.
	mount -t tmpfs fuselaunch-fusectl /sys/fs/fuse/connections
	user_launch -v -t 20 -- "$TESTFS" --exit-before-init=3 "$MNT"
	assert_status 4
	assert_output_has "FUSE_INIT unanswered: fusectl unreadable (Operation not permitted), its waiter asleep for"
	assert_nothing_left
}

@test "--user and --drop-privileges are refused to users" {
	user_launch --user "$OTHER_USER" -- "$TESTFS" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: --user and --drop-privileges need root" ]
	user_launch --drop-privileges -- "$TESTFS" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: --user and --drop-privileges need root" ]
	assert_nothing_left
}

@test "--user: the server runs with the user's ids, groups, home and no capabilities" {
	launch --user "$TEST_USER" --preserve-env=FUSELAUNCH_TEST_TAG --pidfile "$TEST_DIR/pid" -- "$TESTFS" "$MNT"
	assert_status 0
	pid=$(cat "$TEST_DIR/pid")
	[ "$(status_field "$pid" Uid)" = "$TEST_UID	$TEST_UID	$TEST_UID	$TEST_UID" ]
	[ "$(status_field "$pid" Gid)" = "$TEST_UID	$TEST_UID	$TEST_UID	$TEST_UID" ]
	[ "$(status_field "$pid" Groups | xargs)" = "$TEST_UID 4243" ]
	assert_no_capabilities "$pid"
	tr '\0' '\n' <"/proc/$pid/environ" | grep -qx "HOME=$PRIV_DIR/home"
	tr '\0' '\n' <"/proc/$pid/environ" | grep -qx "USER=$TEST_USER"
	[[ ",$(mount_field super)," == *",user_id=$TEST_UID,group_id=$TEST_UID,"* ]]
	[ "$(as_user cat "$MNT/hello")" = "hello from testfs" ]
}

@test "--user in the classic order: the launcher asks the user's mount as the user" {
	launch --user "$TEST_USER" --preserve-env=FUSELAUNCH_TEST_TAG --sync-init=never -- "$TESTFS" "$MNT"
	assert_status 0
	[ "$(as_user cat "$MNT/hello")" = "hello from testfs" ]
	umount "$MNT"
	assert_nothing_left
}

# A thread of process $1 whose effective capabilities are CAP_SYS_ADMIN alone.
has_thread_with_only_sys_admin() {
	grep -qsx "CapEff:[[:space:]]*0000000000200000" /proc/"$1"/task/*/status
}

# The same of the daemon of the fuselaunch --foreground below.
daemon_has_thread_with_only_sys_admin() {
	local pattern="^$FUSELAUNCH --foreground -t 10 --user"
	[ "$(pgrep -c -f -- "$pattern")" -ge 2 ] &&
		has_thread_with_only_sys_admin "$(pgrep -n -f -- "$pattern")"
}

@test "--user: the mounting thread holds only CAP_SYS_ADMIN while INIT is sent" {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
		"$FUSELAUNCH" --foreground -t 10 --user "$TEST_USER" --preserve-env=FUSELAUNCH_TEST_TAG -- "$TESTFS" --hang "$MNT" &
	# The daemon (the newer of the two) mounts.
	wait_until pgrep -f -- "^$FUSELAUNCH --foreground -t 10 --user"
	pid=$(pgrep -o -f -- "^$FUSELAUNCH --foreground -t 10 --user")
	wait_until daemon_has_thread_with_only_sys_admin
	kill -TERM "$pid"
	rc=0
	wait $! || rc=$?
	[ "$rc" = 8 ]
	assert_nothing_left
}

@test "--user USER who cannot execute the server: exit 3, nothing mounted" {
	install -m 700 "$TESTFS" "$TEST_DIR/private-testfs"
	launch --user "$TEST_USER" -- "$TEST_DIR/private-testfs" "$MNT"
	assert_status 3
	[ "$output" = "fuselaunch: user '$TEST_USER' cannot execute server '$TEST_DIR/private-testfs': Permission denied" ]
	assert_nothing_left
}

@test "--user with an unknown user: exit 1" {
	launch --user no-such-user-here -- "$TESTFS" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: user 'no-such-user-here': no such user" ]
}

@test "--drop-privileges: uid 0 without capabilities, no_new_privs" {
	launch --drop-privileges --pidfile "$TEST_DIR/pid" -- "$TESTFS" "$MNT"
	assert_status 0
	pid=$(cat "$TEST_DIR/pid")
	[ "$(status_field "$pid" Uid)" = "0	0	0	0" ]
	assert_no_capabilities "$pid"
	[ "$(status_field "$pid" CapBnd)" = 0000000000000000 ]
	[ "$(status_field "$pid" NoNewPrivs)" = 1 ]
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
}

@test "--drop-privileges with a server that mounts by itself: exit 1" {
	launch --drop-privileges --mode=watch -- "$TESTFS" "$MNT"
	assert_status 1
	assert_output_has "--drop-privileges needs --mode=fd"
}

@test "mount.fuselaunch -o setuid=USER: the server runs as USER, without the option" {
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" PATH="$BUILDDIR/tests:$PATH" \
		timeout --kill-after=5 "$BOUND" "$BUILDDIR/src/mount.fuselaunch" tfs:src "$MNT" -t fuselaunch.testfs \
		-o "setuid=$TEST_USER,x-fuselaunch.preserve-env=FUSELAUNCH_TEST_TAG,record=$RECORD"
	assert_status 0
	[ "$(recorded options)" = "record=$RECORD" ]
	[ "$(status_field "$(recorded pid)" Uid)" = "$TEST_UID	$TEST_UID	$TEST_UID	$TEST_UID" ]
	[[ ",$(mount_field super)," == *",user_id=$TEST_UID,"* ]]
}

@test "mount.fuselaunch -o drop_privileges: the server has no capabilities, nor the option" {
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" PATH="$BUILDDIR/tests:$PATH" \
		timeout --kill-after=5 "$BOUND" "$BUILDDIR/src/mount.fuselaunch" tfs:src "$MNT" \
		-t fuselaunch.testfs -o "drop_privileges,record=$RECORD"
	assert_status 0
	[ "$(recorded options)" = "record=$RECORD" ]
	assert_no_capabilities "$(recorded pid)"
}

@test "mount(8) as a user, fstab entry with 'user': 0 once answering, user= in utab" {
	system_fstab "tfs:src $MNT fuselaunch.testfs user,noauto,_netdev,x-fuselaunch.timeout=20,record=$RECORD 0 0"
	mount_as "$TEST_USER" mount "$MNT"
	assert_status 0
	[ -z "$output" ]
	[ "$(as_user cat "$MNT/hello")" = "hello from testfs" ]
	[ "$(mount_field fstype)" = fuse.testfs ]
	[ "$(mount_field source)" = tfs:src ]
	# 'user' implies noexec, nosuid and nodev.
	[ "$(mount_field options)" = rw,nosuid,nodev,noexec,relatime ]
	[[ ",$(mount_field super)," == *",user_id=$TEST_UID,"* ]]
	[ "$(status_field "$(recorded pid)" Uid)" = "$TEST_UID	$TEST_UID	$TEST_UID	$TEST_UID" ]
	[ "$(recorded options)" = "record=$RECORD" ]
	# mount(8) records it, naming the user.
	[ "$(system_utab_options)" = "user=$TEST_USER,_netdev,x-fuselaunch.timeout=20" ]
}

@test "umount(8) by the user who mounted ends the launch and clears utab; another user may not" {
	system_fstab "tfs:src $MNT fuselaunch.testfs user,noauto 0 0"
	mount_as "$TEST_USER" mount "$MNT"
	assert_status 0
	mount_as "$OTHER_USER" umount "$MNT"
	assert_status 32
	[ "$output" = "umount: $MNT: must be superuser to unmount." ]
	is_mounted "$MNT"
	mount_as "$TEST_USER" umount "$MNT"
	assert_status 0
	[ -z "$output" ]
	assert_nothing_left
	[ -z "$(system_utab_options)" ]
}

@test "'users' in fstab: any user may umount(8) the mount" {
	system_fstab "tfs:src $MNT fuselaunch.testfs users,noauto 0 0"
	mount_as "$TEST_USER" mount "$MNT"
	assert_status 0
	mount_as "$OTHER_USER" umount "$MNT"
	assert_status 0
	assert_nothing_left
	[ -z "$(system_utab_options)" ]
}

@test "helper=fuselaunch in a user's fstab entry: their umount(8) returns once the server has exited" {
	system_fstab "tfs:src $MNT fuselaunch.testfs user,noauto,helper=fuselaunch,record=$RECORD,exit-delay=700 0 0"
	mount_as "$TEST_USER" mount "$MNT"
	assert_status 0
	# mount(8) records the entry's options: umount(8) reads helper= there.
	[ "$(system_utab_options)" = "user=$TEST_USER,helper=fuselaunch" ]
	[ "$(recorded options)" = "record=$RECORD,exit-delay=700" ]
	mount_as "$TEST_USER" umount "$MNT"
	assert_status 0
	[ -z "$output" ]
	# testfs records its exit after the delay, just before exiting.
	grep -qx exit "$RECORD"
	! kill -0 "$(recorded pid)" 2>/dev/null
	assert_nothing_left
	[ -z "$(system_utab_options)" ]
	[ -z "$(ls "$XDG_RUNTIME_DIR/fuselaunch")" ]
}

@test "helper=fuselaunch: umount(8) fails when the user's server fails after the unmount" {
	system_fstab "tfs:src $MNT fuselaunch.testfs user,noauto,helper=fuselaunch,exit-status=3 0 0"
	mount_as "$TEST_USER" mount "$MNT"
	assert_status 0
	mount_as "$TEST_USER" umount "$MNT"
	assert_status 32
	[ "$output" = "umount.fuselaunch: server 'testfs' exited with status 3 after the unmount of $MNT" ]
	assert_nothing_left
	[ -z "$(system_utab_options)" ]
}

@test "helper=fuselaunch: another user's umount(8) is still refused, the mount stays" {
	system_fstab "tfs:src $MNT fuselaunch.testfs user,noauto,helper=fuselaunch 0 0"
	mount_as "$TEST_USER" mount "$MNT"
	assert_status 0
	# umount(8) refuses, then retries without its privileges, which
	# runs the helper as that user: unmount -i refuses in turn.
	mount_as "$OTHER_USER" umount "$MNT"
	[ "$status" -ne 0 ]
	[ "$output" = "umount.fuselaunch: cannot unmount $MNT: umount: $MNT: must be superuser to unmount." ]
	is_mounted "$MNT"
	[ "$(system_utab_options)" = "user=$TEST_USER,helper=fuselaunch" ]
}

@test "helper=fuselaunch with 'users': another user's umount(8) unmounts, without waiting" {
	system_fstab "tfs:src $MNT fuselaunch.testfs users,noauto,helper=fuselaunch 0 0"
	mount_as "$TEST_USER" mount "$MNT"
	assert_status 0
	mount_as "$OTHER_USER" umount "$MNT"
	assert_status 0
	assert_nothing_left
	[ -z "$(system_utab_options)" ]
}

@test "x-fuselaunch.timeout in fstab bounds a user's mount(8) too" {
	system_fstab "tfs:src $MNT fuselaunch.testfs user,noauto,hang,x-fuselaunch.timeout=0.5 0 0"
	mount_as "$TEST_USER" mount "$MNT"
	assert_status 32
	[ "$output" = "mount.fuselaunch: server 'testfs' did not answer FUSE_INIT within 0.500 s (-o fuselaunch.timeout=SECONDS to wait longer)" ]
	assert_nothing_left
	[ -z "$(system_utab_options)" ]
}

@test "'user' in fstab, a /dev/fuse the user may not open: mount.fuselaunch says what it needs" {
	system_fstab "tfs:src $MNT fuselaunch.testfs user,noauto,record=$RECORD 0 0"
	mknod -m 600 "$TEST_DIR/fuse" c 10 229
	run env -u LIBMOUNT_UTAB -u LIBMOUNT_FSTAB FUSELAUNCH_TEST_TAG="$TEST_DIR" \
		timeout --kill-after=5 "$BOUND" unshare --mount --propagation private -- \
		sh -c 'mount --bind "$0" /dev/fuse && exec "$@"' "$TEST_DIR/fuse" \
		setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --init-groups -- mount "$MNT"
	# mount(8) passes on the helper's status: 2, a system error.
	assert_status 2
	assert_output_has "mount.fuselaunch: cannot open /dev/fuse: Permission denied (mode 0600 root:root)"
	[ ! -s "$RECORD" ]
	assert_nothing_left
}

@test "'user' in fstab, a mountpoint the user may not write: fusermount3's words, exit 32" {
	chown root: "$MNT"
	system_fstab "tfs:src $MNT fuselaunch.testfs user,noauto 0 0"
	mount_as "$TEST_USER" mount "$MNT"
	assert_status 32
	[ "$output" = "mount.fuselaunch: fusermount3 refused the mount on $MNT: fusermount3: user has no write access to mountpoint $MNT" ]
	assert_nothing_left
	[ -z "$(system_utab_options)" ]
}

@test "a user's mount(8) whose server dies later: detached with its utab entry" {
	system_fstab "tfs:src $MNT fuselaunch.testfs user,noauto 0 0"
	mount_as "$TEST_USER" mount "$MNT"
	assert_status 0
	[ "$(system_utab_options)" = "user=$TEST_USER" ]
	run as_user stat "$MNT/crash"
	wait_until is_not_mounted "$MNT"
	assert_nothing_left
	[ -z "$(system_utab_options)" ]
}

@test "a user's mount(8) of an fstab entry without 'user' or 'users': refused, nothing started" {
	system_fstab "tfs:src $MNT fuselaunch.testfs noauto,record=$RECORD 0 0"
	mount_as "$TEST_USER" mount "$MNT"
	# mount(8) 2.38 lets it through: it drops its privileges and runs the
	# helper as the user, and fusermount3 would mount on the user's $MNT.
	assert_status 1
	[ "$output" = "mount.fuselaunch: only root can mount tfs:src on $MNT: its entry in /etc/fstab has neither 'user' nor 'users'" ]
	assert_nothing_left
	[ ! -s "$RECORD" ]
	[ -z "$(system_utab_options)" ]
}

@test "root's fstab entry whose mountpoint is a symlink in fstab: a user's mount(8) is still refused" {
	ln -s "$MNT" "$TEST_DIR/link"
	system_fstab "tfs:src $TEST_DIR/link fuselaunch.testfs noauto,record=$RECORD 0 0"
	mount_as "$TEST_USER" mount "$TEST_DIR/link"
	assert_status 1
	[ "$output" = "mount.fuselaunch: only root can mount tfs:src on $MNT: its entry in /etc/fstab has neither 'user' nor 'users'" ]
	assert_nothing_left
	[ ! -s "$RECORD" ]
}

@test "root's fstab entry named through a symlink on the helper's command line: refused" {
	ln -s "$MNT" "$TEST_DIR/link"
	system_fstab "tfs:src $MNT fuselaunch.testfs noauto,record=$RECORD 0 0"
	mount_as "$TEST_USER" "$BUILDDIR/src/mount.fuselaunch" -t fuselaunch.testfs tfs:src "$TEST_DIR/link"
	assert_status 1
	[ "$output" = "mount.fuselaunch: only root can mount tfs:src on $TEST_DIR/link: its entry in /etc/fstab has neither 'user' nor 'users'" ]
	mount_as "$TEST_USER" "$BUILDDIR/src/mount.fuselaunch" -t fuselaunch.testfs other "$TEST_DIR/link/"
	assert_status 1
	assert_nothing_left
	[ ! -s "$RECORD" ]
}

@test "a user's mount when /etc/fstab cannot be read: refused (fails closed), nothing started" {
	system_fstab "tfs:src $MNT fuselaunch.testfs noauto,record=$RECORD 0 0"
	chmod 600 "$PRIV_DIR/fstab"
	mount_as "$TEST_USER" mount -t fuselaunch.testfs tfs:src "$MNT"
	assert_status 2
	[ "$output" = "mount.fuselaunch: cannot read /etc/fstab: Permission denied" ]
	assert_nothing_left
	[ ! -s "$RECORD" ]
}

@test "a user's mount -t fuselaunch.TYPE on the command line: fusermount3 judges, umount(8) ends it" {
	mount_as "$TEST_USER" mount -t fuselaunch.testfs tfs:src "$MNT"
	assert_status 0
	[ "$(as_user cat "$MNT/hello")" = "hello from testfs" ]
	[[ ",$(mount_field super)," == *",user_id=$TEST_UID,"* ]]
	mount_as "$TEST_USER" umount "$MNT"
	assert_status 0
	assert_nothing_left
}

# script(1) gives the launch a terminal of its own, as an admin's shell has;
# after the launch, the shell reads what was typed into that terminal.
@test "--user: the server gets no terminal, nothing it types reaches the caller's shell" {
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
		script -qec "\"$FUSELAUNCH\" --user $TEST_USER --preserve-env=FUSELAUNCH_TEST_TAG --mode=fd -- \"$BUILDDIR/tests/ttythief\" \"$TESTFS\" \"$MNT\"; echo status=\$?; read -r -t 1 line; echo \"typed=[\$line]\"" /dev/null
	assert_output_has "status=0"
	assert_output_has "ttythief: no terminal taken"
	assert_output_has "typed=[]"
	# Not even echoed by the terminal: nothing reached its input.
	[[ "$output" != *typed-by-ttythief* ]]
	[ "$(as_user cat "$MNT/hello")" = "hello from testfs" ]
}

@test "--user: the server's stdin is /dev/null and it leads a session of its own" {
	launch --user "$TEST_USER" --preserve-env=FUSELAUNCH_TEST_TAG --pidfile "$TEST_DIR/pid" -- "$TESTFS" "$MNT" </dev/zero
	assert_status 0
	pid=$(cat "$TEST_DIR/pid")
	[ "$(readlink "/proc/$pid/fd/0")" = /dev/null ]
	[ "$(ps -o sid= -p "$pid" | tr -d ' ')" = "$pid" ]
}

@test "--user: a symbolic link the user planted cannot take the mount where they may not mount" {
	mkdir -m 700 "$TEST_DIR/roots"
	mkdir -m 755 "$TEST_DIR/roots/private" "$TEST_DIR/shared"
	mkdir -m 777 "$TEST_DIR/arena"
	as_user ln -s "$TEST_DIR/roots/private" "$TEST_DIR/arena/into-private"
	as_user ln -s "$TEST_DIR/shared" "$TEST_DIR/arena/into-shared"
	launch --user "$TEST_USER" -- "$TESTFS" "$TEST_DIR/arena/into-private"
	assert_status 1
	assert_output_has "mountpoint '$TEST_DIR/roots/private': user '$TEST_USER' may not mount there: Permission denied"
	launch --user "$TEST_USER" -- "$TESTFS" "$TEST_DIR/arena/into-shared"
	assert_status 1
	assert_output_has "user '$TEST_USER' may not mount there: Permission denied"
	[ -z "$(test_mounts)" ]
}

@test "--user: a mountpoint swapped for a symbolic link in a loop, 400 launches: no mount anywhere else" {
	mkdir -m 755 "$TEST_DIR/roots"
	mkdir -m 777 "$TEST_DIR/arena"
	as_user mkdir "$TEST_DIR/arena/mnt"
	as_user ln -s "$TEST_DIR/roots" "$TEST_DIR/arena/swap"
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" setpriv --reuid="$TEST_USER" --regid="$TEST_USER" \
		--init-groups -- "$BUILDDIR/tests/swapper" "$TEST_DIR/arena/mnt" "$TEST_DIR/arena/swap" &
	local i mounted=0 refused=0 m
	for i in $(seq 400); do
		launch --user "$TEST_USER" --preserve-env=FUSELAUNCH_TEST_TAG -- "$TESTFS" "$TEST_DIR/arena/mnt"
		case $status in
		0) mounted=$((mounted + 1)) ;;
		1) refused=$((refused + 1)) ;;
		*) echo "launch $i: exit $status: $output"; false ;;
		esac
		# Wherever the mount is now, it is on the directory the user
		# owns, never on root's.
		for m in $(test_mounts); do
			[ "$(stat -c %u "$m/..")" = 0 ] || [[ "$m" == "$TEST_DIR/arena/"* ]]
			[[ "$m" != "$TEST_DIR/roots"* ]] || { echo "launch $i mounted on $m"; false; }
			umount -l "$m"
		done
	done
	echo "mounted $mounted, refused $refused"
	[ "$mounted" -gt 0 ]
}

# Every poll(2) timeout the user's launch gives is -1 (none) or one that
# fits an int: 29 days in milliseconds does not, and a negative one means
# "for ever" to poll(2).
@test "a user's -t 2500000 (29 days): no poll() timeout overflows" {
	command -v strace >/dev/null || skip "strace is needed to see poll(2)"
	install -m 666 /dev/null "$TEST_DIR/trace"
	run as_user env PATH=/usr/bin:/bin "$NO_LEAK_CHECK" \
		strace -f -qq -e trace=poll -o "$TEST_DIR/trace" \
		"$FUSELAUNCH" -t 2500000 -- "$TESTFS" --refuse-init "$MNT"
	[ "$status" -ne 0 ]
	grep -q 'poll(' "$TEST_DIR/trace"
	[ -z "$(grep -E 'poll\(.*, -([02-9]|1[0-9])[0-9]*\)' "$TEST_DIR/trace")" ]
	grep -E 'poll\(.*, 2147483647\)' "$TEST_DIR/trace"
	assert_nothing_left
}

# mount.fuselaunch for root, bounded and tagged.
helper_mount() {
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" PATH="$BUILDDIR/tests:$PATH" \
		timeout --kill-after=5 "$BOUND" "$BUILDDIR/src/mount.fuselaunch" tfs:src "$MNT" \
		-t fuselaunch.testfs "$@"
}

@test "--user with a uid beyond 32 bits is refused, not wrapped round to root: exit 1" {
	launch --user 4294967296 -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: user '4294967296': not a user name, nor a uid below 4294967295" ]
	[ ! -s "$RECORD" ]
	assert_nothing_left
	launch --user 4294967295 -- "$TESTFS" "$MNT"
	assert_status 1
	launch --user 99999999999999999999999 -- "$TESTFS" "$MNT"
	assert_status 1
}

@test "mount.fuselaunch -o setuid=4294967296: refused, exit 1" {
	helper_mount -o "setuid=4294967296,record=$RECORD"
	assert_status 1
	[ "$output" = "mount.fuselaunch: user '4294967296': not a user name, nor a uid below 4294967295" ]
	[ ! -s "$RECORD" ]
	assert_nothing_left
}

@test "--user root or --user 0 drops nothing: refused, naming --drop-privileges" {
	for user in root 0; do
		launch --user "$user" -- "$TESTFS" --record="$RECORD" "$MNT"
		assert_status 1
		[ "$output" = "fuselaunch: user 'root' is uid 0: --user would drop nothing (--drop-privileges runs the server as root without capabilities)" ]
	done
	[ ! -s "$RECORD" ]
	assert_nothing_left
}

@test "mount.fuselaunch -o setuid=root: refused, naming drop_privileges" {
	helper_mount -o "setuid=root,record=$RECORD"
	assert_status 1
	[ "$output" = "mount.fuselaunch: user 'root' is uid 0: setuid= would drop nothing (drop_privileges runs the server as root without capabilities)" ]
	[ ! -s "$RECORD" ]
}

@test "--user with --drop-privileges: refused, exit 1" {
	launch --user "$TEST_USER" --drop-privileges -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: --user and --drop-privileges cannot be used together: the server runs either as another user or as root without capabilities" ]
	[ ! -s "$RECORD" ]
	assert_nothing_left
}

@test "mount.fuselaunch: setuid= with drop_privileges, in either order, is refused" {
	for options in "setuid=$TEST_USER,drop_privileges" "drop_privileges,setuid=$TEST_USER"; do
		helper_mount -o "$options,record=$RECORD"
		assert_status 1
		[ "$output" = "mount.fuselaunch: setuid= and drop_privileges cannot be used together: the server runs either as another user or as root without capabilities" ]
	done
	[ ! -s "$RECORD" ]
	assert_nothing_left
}

@test "mount.fuselaunch: setuid= twice is refused, not passed to the server" {
	helper_mount -o "setuid=$TEST_USER,setuid=$OTHER_USER,record=$RECORD"
	assert_status 1
	[ "$output" = "mount.fuselaunch: mount option 'setuid' given more than once" ]
	[ ! -s "$RECORD" ]
}

# attackfs serving a setuid-root copy of tests/euid ("setuid") and a
# character device node, mode 0666 ("device"): /dev/null's numbers, which
# anyone could open were the node honoured (/dev/mem's would also need
# CAP_SYS_RAWIO, and so prove nothing about the mount).
attack() {
	echo "$BUILDDIR/tests/attackfs" --setuid-file="$BUILDDIR/tests/euid" --char-device=1:3
}

# The VFS options of the mount on $MNT, one a line.
mount_flags() {
	mount_field options | tr , '\n'
}

@test "--user: the user gets no euid 0 from a setuid-root file, and cannot open a device node" {
	launch --user "$TEST_USER" --preserve-env=FUSELAUNCH_TEST_TAG -- $(attack) "$MNT"
	assert_status 0
	[ "$(as_user stat -c '%u %a' "$MNT/setuid")" = "0 4755" ]
	[ "$(as_user "$MNT/setuid")" = "$TEST_UID" ]
	[ "$(as_user stat -c '%F %t:%T' "$MNT/device")" = "character special file 1:3" ]
	run as_user sh -c ": <'$MNT/device'"
	[ "$status" -ne 0 ]
	assert_output_has "Permission denied"
	mount_flags | grep -qx nosuid
	mount_flags | grep -qx nodev
}

@test "--user in the classic order: nosuid and nodev too" {
	launch --user "$TEST_USER" --preserve-env=FUSELAUNCH_TEST_TAG --sync-init=never -- $(attack) "$MNT"
	assert_status 0
	[ "$(as_user "$MNT/setuid")" = "$TEST_UID" ]
	mount_flags | grep -qx nosuid
	mount_flags | grep -qx nodev
}

@test "--user with -o suid or -o dev: refused, exit 1, nothing started" {
	for option in suid dev nosuid,suid,nodev; do
		launch --user "$TEST_USER" -o "$option" -- "$TESTFS" --record="$RECORD" "$MNT"
		assert_status 1
		[ "$output" = "fuselaunch: mount option '${option//*,suid,*/suid}' is refused: the server runs as another user, or the caller is not root" ]
	done
	[ ! -s "$RECORD" ]
	assert_nothing_left
}

@test "mount.fuselaunch -o setuid=USER,suid: refused, exit 1" {
	helper_mount -o "setuid=$TEST_USER,suid,record=$RECORD"
	assert_status 1
	[ "$output" = "mount.fuselaunch: mount option 'suid' is refused: the server runs as another user, or the caller is not root" ]
	[ ! -s "$RECORD" ]
}

@test "a user's -o suid or -o dev: refused, exit 1" {
	user_launch -o dev -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: mount option 'dev' is refused: the server runs as another user, or the caller is not root" ]
	[ ! -s "$RECORD" ]
	assert_nothing_left
}

@test "root, no options: nosuid and nodev, in both orders and through mount.fuselaunch" {
	for order in auto never; do
		launch --sync-init=$order -- $(attack) "$MNT"
		assert_status 0
		mount_flags | grep -qx nosuid
		mount_flags | grep -qx nodev
		umount "$MNT"
		assert_nothing_left
	done
	helper_mount
	assert_status 0
	mount_flags | grep -qx nosuid
	mount_flags | grep -qx nodev
}

@test "root, -o suid,dev: the mount honours both (the attacks are real)" {
	launch -o suid,dev,allow_other -- $(attack) "$MNT"
	assert_status 0
	! mount_flags | grep -qx 'nosuid\|nodev' || false
	[ "$(as_user "$MNT/setuid")" = 0 ]
	as_user sh -c ": <'$MNT/device'"
}

@test "mount.fuselaunch -o suid,dev as root: the mount honours both" {
	helper_mount -o suid,dev
	assert_status 0
	! mount_flags | grep -qx 'nosuid\|nodev' || false
}

@test "watch mode: the server is given no option, and root sets nosuid and nodev on its mount" {
	launch --mode=watch -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	[ "$(recorded argv)" = "$TESTFS --record=$RECORD $MNT" ]
	[ -z "$(recorded options)" ]
	mount_flags | grep -qx nosuid
	mount_flags | grep -qx nodev
	umount "$MNT"
	assert_nothing_left
	launch --mode=watch -o ro,suid,noexec,noatime -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	[ "$(recorded argv)" = "$TESTFS --record=$RECORD $MNT" ]
	[ -z "$(recorded options)" ]
	mount_flags | grep -qx ro
	mount_flags | grep -qx nodev
	mount_flags | grep -qx noexec
	mount_flags | grep -qx noatime
}

@test "watch mode: a server's own -o suid,dev does not get past nosuid and nodev" {
	launch --mode=watch -- $(attack) -o suid,dev,allow_other "$MNT"
	assert_status 0
	mount_flags | grep -qx nosuid
	mount_flags | grep -qx nodev
	[ "$(as_user stat -c '%u %a' "$MNT/setuid")" = "0 4755" ]
	[ "$(as_user "$MNT/setuid")" = "$TEST_UID" ]
	run as_user sh -c ": <'$MNT/device'"
	[ "$status" -ne 0 ]
	assert_output_has "Permission denied"
}

@test "watch mode: an option only the server could apply is refused, exit 1, nothing started" {
	for option in allow_other max_read=65536 fsname=mine sync; do
		launch --mode=watch -o "$option" -- "$TESTFS" --record="$RECORD" "$MNT"
		assert_status 1
		[ "$output" = "fuselaunch: mount option '$option' cannot be applied to a mount the server makes itself (--mode=watch): give it in the server's own arguments" ]
	done
	[ ! -s "$RECORD" ]
	assert_nothing_left
}

@test "mount.fuselaunch in watch mode: the server gets no option fstab lacks, its mount nosuid and nodev" {
	helper_mount -o "x-fuselaunch.mode=watch,record=$RECORD"
	assert_status 0
	[ "$(recorded options)" = "record=$RECORD" ]
	mount_flags | grep -qx nosuid
	mount_flags | grep -qx nodev
}

@test "--user in watch mode: the user's mount has nosuid and nodev" {
	launch --user "$TEST_USER" --preserve-env=FUSELAUNCH_TEST_TAG --mode=watch -- $(attack) "$MNT"
	assert_status 0
	[ "$(as_user "$MNT/setuid")" = "$TEST_UID" ]
	mount_flags | grep -qx nosuid
	mount_flags | grep -qx nodev
}

# The environment of process $1, one variable a line, sorted.
environment_of() {
	tr '\0' '\n' <"/proc/$1/environ" | sort
}

@test "--user: a clean environment, as sudo's env_reset, plus --preserve-env" {
	run env -i FUSELAUNCH_TEST_TAG="$TEST_DIR" PATH=/root/bin:/usr/sbin:/usr/bin:/sbin:/bin \
		HOME=/root USER=root LOGNAME=root SHELL=/bin/bash TERM=xterm LANG=C.UTF-8 \
		LC_TIME=en_GB.UTF-8 TZ=Europe/Paris SECRET_TOKEN=hunter2 LD_PRELOAD= FOO=1 BAR=2 \
		timeout --kill-after=5 "$BOUND" "$FUSELAUNCH" --user "$TEST_USER" \
		--preserve-env=FUSELAUNCH_TEST_TAG,FOO --pidfile "$TEST_DIR/pid" -- "$TESTFS" "$MNT"
	assert_status 0
	[ "$(environment_of "$(cat "$TEST_DIR/pid")")" = "$(sort <<END
PATH=/usr/local/bin:/usr/bin:/bin
HOME=$PRIV_DIR/home
USER=$TEST_USER
LOGNAME=$TEST_USER
SHELL=/bin/sh
TERM=xterm
LANG=C.UTF-8
LC_TIME=en_GB.UTF-8
TZ=Europe/Paris
FUSELAUNCH_TEST_TAG=$TEST_DIR
FOO=1
END
)" ]
}

@test "mount.fuselaunch setuid=: a clean environment, plus x-fuselaunch.preserve-env" {
	run env SECRET_TOKEN=hunter2 FOO=1 BAR=2 FUSELAUNCH_TEST_TAG="$TEST_DIR" \
		timeout --kill-after=5 "$BOUND" "$BUILDDIR/src/mount.fuselaunch" tfs:src "$MNT" \
		-t fuselaunch.testfs \
		-o "setuid=$TEST_USER,x-fuselaunch.preserve-env=FUSELAUNCH_TEST_TAG:FOO,record=$RECORD"
	assert_status 0
	env=$(environment_of "$(recorded pid)")
	[[ "$env" == *"PATH=/usr/local/bin:/usr/bin:/bin"* ]]
	[[ "$env" == *"FOO=1"* ]]
	[[ "$env" != *SECRET_TOKEN* ]]
	[[ "$env" != *BAR=* ]]
}

@test "--preserve-env with a bad name: exit 1" {
	launch --user "$TEST_USER" --preserve-env='FOO,A=B' -- "$TESTFS" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: invalid variable name 'A=B' to preserve" ]
}

@test "--drop-privileges keeps the caller's environment (uid 0 all the same)" {
	run env FOO=1 FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
		"$FUSELAUNCH" --drop-privileges --pidfile "$TEST_DIR/pid" -- "$TESTFS" "$MNT"
	assert_status 0
	environment_of "$(cat "$TEST_DIR/pid")" | grep -qx FOO=1
}

# The fstab line $1, a user's with helper=fuselaunch, mounted by their
# mount(8), which records it in utab under fstab's source: the kernel's
# source must be the same for umount(8) to join the two (by root, target
# and source) and run umount.fuselaunch, which waits for the server
# (exiting 1 s after the unmount, with status 3) and says how it ended.
user_umount_waits_for_the_server() {
	local start elapsed_ms kernel_source
	system_fstab "$1"
	mount_as "$TEST_USER" mount "$MNT"
	assert_status 0
	kernel_source=$(findmnt -n -o SOURCE --mountpoint "$MNT")
	[[ "$(system_utab_options)" == *helper=fuselaunch* ]]
	start=$(date +%s%N)
	mount_as "$TEST_USER" umount "$MNT"
	elapsed_ms=$((($(date +%s%N) - start) / 1000000))
	assert_status 32
	[ "$output" = "umount.fuselaunch: server 'testfs' exited with status 3 after the unmount of $MNT" ]
	[ "$elapsed_ms" -ge 1000 ]
	assert_nothing_left
	[ -z "$(system_utab_options)" ]
	[ "$kernel_source" = "${1%% *}" ]
}

@test "a user's fuselaunch.TYPE entry: umount(8) waits for the server and fails with its status" {
	user_umount_waits_for_the_server \
		"tfs:src $MNT fuselaunch.testfs user,noauto,helper=fuselaunch,exit-delay=1000,exit-status=3 0 0"
}

@test "a user's TYPE#SOURCE entry: the kernel shows fstab's source, so umount(8) waits" {
	user_umount_waits_for_the_server \
		"testfs#tfs:src $MNT fuselaunch user,noauto,helper=fuselaunch,exit-delay=1000,exit-status=3 0 0"
}

@test "a user's entry of a watch-mode server given fsname=SOURCE: umount(8) waits" {
	user_umount_waits_for_the_server \
		"tfs:src $MNT fuselaunch.testfs user,noauto,helper=fuselaunch,x-fuselaunch.mode=watch,fsname=tfs:src,exit-delay=1000,exit-status=3 0 0"
}
