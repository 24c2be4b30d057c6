#!/usr/bin/env bats
# The registry as a user who is not root attacks it (issue 23): what they
# put in or over their /run/user/UID/fuselaunch cannot hide anyone else's
# launches from root, hang root, or make one entry count as many.  Root's
# --list, --unmount and umount.fuselaunch read every user's registry.

load helpers

# helpers.bash's, which these extend.
eval "common_$(declare -f setup)"
eval "common_$(declare -f teardown)"

setup_file() {
	test_users_setup
}

teardown_file() {
	test_users_teardown
}

setup() {
	common_setup
	chmod 755 "$TEST_DIR"
	chown "$TEST_USER:" "$MNT"
	install -m 666 /dev/null "$RECORD"
	# The test user's own launches register here, unless a test says
	# /run/user/UID (run_user_runtime).
	install -d -o "$TEST_USER" -m 700 "$TEST_DIR/runtime"
	export XDG_RUNTIME_DIR=$TEST_DIR/runtime
}

teardown() {
	if [ -n "${FUSE_CONF_BOUND:-}" ]; then
		umount /etc/fuse.conf
	fi
	common_teardown
}

# A registry directory for uid $1 at /run/user/$1 made hostile by that
# user: $2 is what stands at its fuselaunch: file, symlink, fifo.
hostile_registry() {
	local dir=/run/user/$1
	install -d -o "$1" -m 700 "$dir"
	case $2 in
	file) install -o "$1" -m 600 /dev/null "$dir/fuselaunch" ;;
	symlink) ln -s "$RUNTIME/fuselaunch" "$dir/fuselaunch"; chown -h "$1" "$dir/fuselaunch" ;;
	fifo) mkfifo -m 600 "$dir/fuselaunch"; chown "$1" "$dir/fuselaunch" ;;
	esac
}

# A user's fuselaunch in the background, mounting testfs --hang on $1
# through fusermount3 with allow_other (the classic order: the mount is
# there, its INIT never answered, anything asked of it waits); returns
# once it is mounted.  /etc/fuse.conf gets user_allow_other for this
# test's namespace only.
user_hung_mount() {
	echo user_allow_other >"$TEST_DIR/fuse.conf"
	chmod 644 "$TEST_DIR/fuse.conf"
	mount --bind "$TEST_DIR/fuse.conf" /etc/fuse.conf
	FUSE_CONF_BOUND=1
	# Longer than root's bound: the hang is root's, not the user's end.
	BOUND=60 as_user env XDG_RUNTIME_DIR="$TEST_DIR/runtime" "$FUSELAUNCH" -t 60 -o allow_other -- \
		"$TESTFS" --hang "$1" 2>/dev/null &
	wait_until is_mounted "$1"
}

# Root's fuselaunch (or $UMOUNT_HELPER) under strace, its first getdents64
# (a registry directory's read, the first thing it reads) held for 5 s:
# its pid in HELD once it is held there.
held_in_registry_read() {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$NO_LEAK_CHECK" timeout --kill-after=5 "$BOUND" \
		strace -f -qq --seccomp-bpf -o /dev/null -e trace=getdents64 \
		-e inject=getdents64:delay_enter=5000000:when=1 \
		"$@" >"$TEST_DIR/out" 2>"$TEST_DIR/err" &
	HELD_JOB=$!
	wait_until pgrep -x strace -P "$HELD_JOB" >/dev/null
	local tracer
	tracer=$(pgrep -x strace -P "$HELD_JOB")
	wait_until pgrep -P "$tracer" >/dev/null
	HELD=$(pgrep -P "$tracer")
	wait_until sh -c 'cut -d" " -f3 /proc/$1/task/*/stat | grep -qx t && sleep 0.2 &&
		cut -d" " -f3 /proc/$1/task/*/stat | grep -qx t' sh "$HELD"
}

@test "a user's file, symlink or FIFO for a registry hides no one else's launch from root" {
	local kind uid=4300
	run_user_runtime
	# Before and after the victim's directory, whatever order readdir has.
	rmdir "$RUNTIME"
	for kind in file symlink fifo; do
		hostile_registry $((uid += 1)) "$kind"
	done
	install -d -o "$TEST_USER" -m 700 "$RUNTIME"
	for kind in file symlink fifo; do
		hostile_registry $((uid += 1)) "$kind"
	done
	XDG_RUNTIME_DIR=$RUNTIME user_launch -- "$TESTFS" --record="$RECORD" --exit-delay=300 "$MNT"
	assert_status 0
	launch -v --list --raw --noheadings --output MOUNTPOINT
	assert_status 0
	[ "$(grep -cx "$MNT" <<<"$output")" = 1 ]
	for uid in 4301 4302 4303 4304 4305 4306; do
		assert_output_has "registry /run/user/$uid/fuselaunch: not a directory of $uid's alone: not read"
	done
	launch -u "$MNT"
	assert_status 0
	grep -qx exit "$RECORD"
	assert_nothing_left
	# umount(8)'s helper waits for the server too: it found the launch.
	XDG_RUNTIME_DIR=$RUNTIME user_launch -- "$TESTFS" --record="$RECORD" --exit-delay=300 "$MNT"
	assert_status 0
	: >"$RECORD"
	run timeout --kill-after=5 "$BOUND" "$BUILDDIR/src/umount.fuselaunch" -v "$MNT"
	assert_status 0
	assert_output_has "waiting for server 'testfs' to exit"
	grep -qx exit "$RECORD"
	assert_nothing_left
}

@test "another user's FUSE mount over their registry hides no one's launch from root" {
	local other=/run/user/4244
	run_user_runtime
	install -d -o "$OTHER_USER" -m 700 "$other" "$other/fuselaunch" "$TEST_DIR/other-runtime"
	chown "$OTHER_USER:" "$TEST_DIR/other-runtime"
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" XDG_RUNTIME_DIR="$TEST_DIR/other-runtime" \
		timeout --kill-after=5 "$BOUND" setpriv --reuid="$OTHER_USER" --regid="$OTHER_USER" \
		--init-groups -- "$FUSELAUNCH" -- "$TESTFS" "$other/fuselaunch"
	assert_status 0
	XDG_RUNTIME_DIR=$RUNTIME user_launch -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	launch -v --list --raw --noheadings --output MOUNTPOINT
	assert_status 0
	[ "$(grep -cx "$MNT" <<<"$output")" = 1 ]
	assert_output_has "registry $other/fuselaunch: not a directory of 4244's alone: not read"
	launch -u "$MNT"
	assert_status 0
	grep -qx exit "$RECORD"
}

@test "a user's hung FUSE mount over their registry hangs no root --list, --unmount or umount.fuselaunch" {
	run_user_runtime
	mkdir -m 755 "$TEST_DIR/victim"
	launch -- "$TESTFS" "$TEST_DIR/victim"
	assert_status 0
	install -d -o "$TEST_USER" -m 700 "$RUNTIME/fuselaunch"
	user_hung_mount "$RUNTIME/fuselaunch"
	launch -v --list --raw --noheadings --output MOUNTPOINT
	assert_status 0
	[ "$(grep -cx "$TEST_DIR/victim" <<<"$output")" = 1 ]
	assert_output_has "registry $RUNTIME/fuselaunch: not a directory of $TEST_UID's alone: not read"
	# valgrind 3.19 knows no openat2(2): the way without it refuses too.
	if command -v valgrind >/dev/null && ! ldd "$FUSELAUNCH" | grep -q libasan; then
		run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
			valgrind -q --log-file="$TEST_DIR/valgrind" "$FUSELAUNCH" --list --raw --noheadings --output MOUNTPOINT
		assert_status 0
		[ "$output" = "$TEST_DIR/victim" ]
	fi
	# No entry matches a mount of no launch: every registry is read.
	mkdir "$TEST_DIR/tmpfs"
	mount -t tmpfs fuselaunch-other "$TEST_DIR/tmpfs"
	launch -u "$TEST_DIR/tmpfs"
	assert_status 10
	run timeout --kill-after=5 "$BOUND" "$BUILDDIR/src/umount.fuselaunch" "$TEST_DIR/tmpfs"
	[ "$status" -ne 124 ] && [ "$status" -ne 137 ]
	launch -u "$TEST_DIR/victim"
	assert_status 0
}

@test "a user's hung FUSE mount over their runtime directory hangs no root --list" {
	run_user_runtime
	mkdir -m 755 "$TEST_DIR/victim"
	launch -- "$TESTFS" "$TEST_DIR/victim"
	assert_status 0
	user_hung_mount "$RUNTIME"
	launch -v --list --raw --noheadings --output MOUNTPOINT
	assert_status 0
	[ "$(grep -cx "$TEST_DIR/victim" <<<"$output")" = 1 ]
	assert_output_has "registry $RUNTIME/fuselaunch: on a FUSE mount: not read"
	launch -u "$TEST_DIR/victim"
	assert_status 0
}

@test "SIGTERM, SIGINT or SIGHUP while root reads the registry: --list, -u and umount.fuselaunch exit 8" {
	command -v strace >/dev/null || skip "strace is needed to hold the registry's read"
	local code
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	held_in_registry_read "$FUSELAUNCH" --list
	kill -TERM "$HELD"
	code=0
	wait "$HELD_JOB" || code=$?
	cat "$TEST_DIR/out" "$TEST_DIR/err"
	[ "$code" = 8 ]
	grep -qx "fuselaunch: reading the registry was cancelled by signal 15 (Terminated)" "$TEST_DIR/err"
	[ ! -s "$TEST_DIR/out" ]

	held_in_registry_read "$FUSELAUNCH" -u "$MNT"
	kill -INT "$HELD"
	code=0
	wait "$HELD_JOB" || code=$?
	cat "$TEST_DIR/err"
	[ "$code" = 8 ]
	grep -qx "fuselaunch: reading the registry was cancelled by signal 2 (Interrupt)" "$TEST_DIR/err"
	is_mounted "$MNT"

	held_in_registry_read "$BUILDDIR/src/umount.fuselaunch" "$MNT"
	kill -HUP "$HELD"
	code=0
	wait "$HELD_JOB" || code=$?
	cat "$TEST_DIR/err"
	[ "$code" = 8 ]
	grep -qx "umount.fuselaunch: reading the registry was cancelled by signal 1 (Hangup)" "$TEST_DIR/err"
	is_mounted "$MNT"
}

# strtol took "014.launch", " +14.launch" and "+0014.launch" for the entry
# 14.launch: each alias was one more row, and one more read for -u.
@test "one entry is one launch: aliases of a user's entry name are not entries" {
	local entry name i
	run_user_runtime
	XDG_RUNTIME_DIR=$RUNTIME user_launch -- "$TESTFS" "$MNT"
	assert_status 0
	entry=$(cd "$RUNTIME/fuselaunch" && ls -- *.launch)
	as_user sh -c '
		cd "$1/fuselaunch" && zeros=
		for i in $(seq 100); do
			zeros=0$zeros
			for name in "$zeros$2" "+$zeros$2" " $zeros$2" " +$zeros$2" "	$zeros$2"; do
				ln "$2" "$name" 2>/dev/null || cp "$2" "$name"
			done
		done' sh "$RUNTIME" "$entry"
	[ "$(ls "$RUNTIME/fuselaunch" | wc -l)" -gt 500 ]
	launch --list --raw --noheadings --output MOUNTPOINT
	assert_status 0
	[ "$output" = "$MNT" ]
	launch -u "$MNT"
	assert_status 0
	assert_nothing_left
}

@test "a user's registry costs root at most 1000 entries, said in one line" {
	local i
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	run_user_runtime
	install -d -o "$TEST_USER" -m 700 "$RUNTIME/fuselaunch"
	# Pids below any pid_max (32768 is the least).
	as_user sh -c 'cd "$1/fuselaunch" && for i in $(seq 20000 21500); do
		printf "mountpoint=/x%s\nsupervisor=%s\n" "$i" "$i" >"$i.launch"; done' sh "$RUNTIME"
	launch --list --raw --noheadings --output MOUNTPOINT
	assert_status 0
	[ "$(grep -c "more than 1000 entries" <<<"$output")" = 1 ]
	assert_output_has "fuselaunch: registry $RUNTIME/fuselaunch: more than 1000 entries: the rest not read"
	[ "$(grep -cx "$MNT" <<<"$output")" = 1 ]
}

# The user copies root's entry as theirs, with a supervisor of their own (a
# sleep): root's launch was listed twice, once as the user's.
@test "root's --list does not show a user's entry for a mount that is not theirs" {
	local entry forged sup
	run_user_runtime
	install -d -o "$TEST_USER" -m 700 "$RUNTIME/fuselaunch"
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	entry=$(ls /run/fuselaunch/*.launch)
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" setpriv --reuid="$TEST_USER" --regid="$TEST_USER" \
		--init-groups -- sleep 60 &
	sup=$!
	wait_until sh -c '[ "$(stat -c %u "/proc/$1")" = "$2" ]' sh "$sup" "$TEST_UID"
	forged=$RUNTIME/fuselaunch/$sup.launch
	sed -e "s/^supervisor=.*/supervisor=$sup/" \
		-e "s/^supervisor_start=.*/supervisor_start=$(cut -d" " -f22 "/proc/$sup/stat")/" \
		"$entry" >"$forged"
	chown "$TEST_USER:" "$forged"
	launch --list --raw --noheadings --output MOUNTPOINT,SUPERVISOR
	assert_status 0
	[ "$(grep -c "^$MNT " <<<"$output")" = 1 ]
	[[ "$output" != *" $sup"* ]]
	# The user's own view of their registry is theirs to make.
	run as_user env XDG_RUNTIME_DIR="$RUNTIME" "$FUSELAUNCH" --list --raw --noheadings \
		--output SUPERVISOR
	assert_status 0
	[ "$output" = "$sup" ]
}

# What the last review found refused stays refused: a FIFO, a directory, a
# sparse 10 GiB file and a symlink named as entries, a hard link to
# another's file, an entry naming pid 1, escape sequences.
@test "entries that are no file of the user's own: not read, nothing hangs, nothing shown" {
	local sup
	run_user_runtime
	XDG_RUNTIME_DIR=$RUNTIME user_launch -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	sup=$(cd "$RUNTIME/fuselaunch" && ls -- *.launch)
	sup=${sup%.launch}
	as_user sh -c '
		cd "$1/fuselaunch"
		mkfifo 2.launch
		mkdir 3.launch
		truncate -s 10G 4.launch
		ln -s "$2.launch" 5.launch
		printf "mountpoint=/\033[2J\nsupervisor=1\nsupervisor_start=0\n" >1.launch' sh "$RUNTIME" "$sup"
	ln /etc/passwd "$RUNTIME/fuselaunch/6.launch" 2>/dev/null || true
	launch --list --raw --noheadings --output MOUNTPOINT,SUPERVISOR
	assert_status 0
	[ "$output" = "$MNT $sup" ]
	launch -u "$MNT"
	assert_status 0
	grep -qx exit "$RECORD"
}
