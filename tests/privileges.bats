#!/usr/bin/env bats
# Users who are not root (through fusermount3, both protocols, and
# through mount(8) with /etc/fstab), and root launching a server as someone
# else (--user, --drop-privileges).

load helpers

# For this suite only (the run has a private mount namespace): a test user
# and group in bind-mounted copies of /etc/passwd and /etc/group, and a
# /dev/fuse that users may open, as on most distributions (here it is
# 0600).  fusermount3 reads the same files, so it sees the same user.
# For mount(8), which ignores LIBMOUNT_* when it runs setuid for a user:
# an empty /etc/fstab bound over the real one, a tmpfs for utab (on /run
# if there is no /run/mount to cover), and the helper in /usr/sbin.
setup_file() {
	PRIV_DIR=$(mktemp -d /tmp/fuselaunch-priv.XXXXXX)
	chmod 755 "$PRIV_DIR"
	TEST_USER=fltest
	TEST_UID=4242
	OTHER_USER=flother
	cp /etc/passwd "$PRIV_DIR/passwd"
	cp /etc/group "$PRIV_DIR/group"
	echo "$TEST_USER:x:$TEST_UID:$TEST_UID:fuselaunch test:$PRIV_DIR/home:/bin/sh" >>"$PRIV_DIR/passwd"
	echo "$OTHER_USER:x:4244:4244:fuselaunch test 2:/:/bin/sh" >>"$PRIV_DIR/passwd"
	echo "$TEST_USER:x:$TEST_UID:" >>"$PRIV_DIR/group"
	echo "flextra:x:4243:$TEST_USER" >>"$PRIV_DIR/group"
	echo "$OTHER_USER:x:4244:" >>"$PRIV_DIR/group"
	mount --bind "$PRIV_DIR/passwd" /etc/passwd
	mount --bind "$PRIV_DIR/group" /etc/group
	mknod -m 666 "$PRIV_DIR/fuse" c 10 229
	mount --bind "$PRIV_DIR/fuse" /dev/fuse
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
	mkdir -m 755 "$PRIV_DIR/home" "$PRIV_DIR/sync-helper"
	chown "$TEST_USER:" "$PRIV_DIR/home"
	# A fusermount3 with --sync-init, setuid root as the real one is.
	install -o root -m 4755 "$BUILDDIR/tests/fusermount-sync" "$PRIV_DIR/sync-helper/fusermount3"
	export PRIV_DIR TEST_USER TEST_UID OTHER_USER RUN_TMPFS
}

teardown_file() {
	remove_sbin_overlay
	umount /etc/passwd /etc/group /dev/fuse /etc/fstab "$RUN_TMPFS"
	rm -rf "$PRIV_DIR"
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
}

# As the test user, tagged and bounded like launch().
as_user() {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
		setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --init-groups -- "$@"
}

user_launch() {
	run as_user env PATH="${USER_PATH:-/usr/bin:/bin}" "$FUSELAUNCH" "$@"
}

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

@test "allow_other without user_allow_other: fusermount3's own words, exit 6" {
	user_launch -o allow_other -- "$TESTFS" "$MNT"
	assert_status 6
	[ "$output" = "fuselaunch: fusermount3 refused the mount on $MNT: fusermount3: option allow_other only allowed if 'user_allow_other' is set in /etc/fuse.conf" ]
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

@test "--user and --drop-privileges are refused to users" {
	user_launch --user root -- "$TESTFS" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: --user and --drop-privileges need root" ]
}

@test "--user: the server runs with the user's ids, groups, home and no capabilities" {
	launch --user "$TEST_USER" --pidfile "$TEST_DIR/pid" -- "$TESTFS" "$MNT"
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
	launch --user "$TEST_USER" --sync-init=never -- "$TESTFS" "$MNT"
	assert_status 0
	[ "$(as_user cat "$MNT/hello")" = "hello from testfs" ]
	umount "$MNT"
	assert_nothing_left
}

# A thread of process $1 whose effective capabilities are CAP_SYS_ADMIN alone.
has_thread_with_only_sys_admin() {
	grep -qsx "CapEff:[[:space:]]*0000000000200000" /proc/"$1"/task/*/status
}

@test "--user: the mounting thread holds only CAP_SYS_ADMIN while INIT is sent" {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
		"$FUSELAUNCH" --foreground -t 10 --user "$TEST_USER" -- "$TESTFS" --hang "$MNT" &
	# In the foreground, fuselaunch itself mounts.
	wait_until pgrep -f -- "^$FUSELAUNCH --foreground -t 10 --user"
	pid=$(pgrep -f -- "^$FUSELAUNCH --foreground -t 10 --user")
	wait_until has_thread_with_only_sys_admin "$pid"
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
		-o "setuid=$TEST_USER,record=$RECORD"
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

@test "x-fuselaunch.timeout in fstab bounds a user's mount(8) too" {
	system_fstab "tfs:src $MNT fuselaunch.testfs user,noauto,hang,x-fuselaunch.timeout=0.5 0 0"
	mount_as "$TEST_USER" mount "$MNT"
	assert_status 32
	[ "$output" = "mount.fuselaunch: server 'testfs' did not answer FUSE_INIT within 0.500 s" ]
	assert_nothing_left
	[ -z "$(system_utab_options)" ]
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
		script -qec "\"$FUSELAUNCH\" --user $TEST_USER --mode=fd -- \"$BUILDDIR/tests/ttythief\" \"$TESTFS\" \"$MNT\"; echo status=\$?; read -r -t 1 line; echo \"typed=[\$line]\"" /dev/null
	assert_output_has "status=0"
	assert_output_has "ttythief: no terminal taken"
	assert_output_has "typed=[]"
	# Not even echoed by the terminal: nothing reached its input.
	[[ "$output" != *typed-by-ttythief* ]]
	[ "$(as_user cat "$MNT/hello")" = "hello from testfs" ]
}

@test "--user: the server's stdin is /dev/null and it leads a session of its own" {
	launch --user "$TEST_USER" --pidfile "$TEST_DIR/pid" -- "$TESTFS" "$MNT" </dev/zero
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
		launch --user "$TEST_USER" -- "$TESTFS" "$TEST_DIR/arena/mnt"
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
