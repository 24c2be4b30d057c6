#!/usr/bin/env bats
# A mount is a launch's only when its FUSE connection proves it: the
# mount's device is its connection, and one of the launch's server
# processes holds a /dev/fuse descriptor of it.  Never by path or timing.

load helpers

# A FUSE mount on $MNT that is no launch's: testfs run by itself.
mount_other_testfs() {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$TESTFS" --content="not ours" "$MNT" &
	wait_until is_mounted "$MNT"
}

@test "watch mode: another mount appearing on the mountpoint is not adopted, nor aborted" {
	# The server never mounts; someone else does, during the launch.
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" "$FUSELAUNCH" \
		--mode=watch -t 2 -- sh -c 'touch "$0"; exec sleep 30' "$TEST_DIR/started" "$MNT" \
		2>"$TEST_DIR/err" &
	local pid=$! code=0
	wait_until test -e "$TEST_DIR/started"
	mount_other_testfs
	wait "$pid" || code=$?
	[ "$code" -eq 7 ] || { echo "exit $code: $(cat "$TEST_DIR/err")"; return 1; }
	# That mount is untouched, and answers.
	[ "$(cat "$MNT/hello")" = "not ours" ]
}

@test "watch mode: the probe never lands on a mount on top of the server's" {
	# The server mounts, never answers INIT, and covers its mount with a
	# tmpfs, all while the daemon (its parent) is stopped: the mountpoint's
	# path then shows the tmpfs, which would answer any probe.
	launch --mode=watch -t 1 -- sh -c '
		kill -STOP $PPID
		"$0" --hang --cover "$1" &
		until grep -q " $1 .* - tmpfs " /proc/self/mountinfo; do sleep 0.01; done
		kill -CONT $PPID
		wait' "$TESTFS" "$MNT"
	assert_status 7
	assert_output_has "did not answer FUSE_INIT"
	wait_until no_test_process
}

@test "watch mode: a server that mounts elsewhere fails at once, naming where, its mount undone" {
	mkdir "$TEST_DIR/other"
	launch --mode=watch -t 15 -- "$TESTFS" --mount-at="$TEST_DIR/other" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: server 'testfs' mounted $TEST_DIR/other, not $MNT: give its mountpoint with -m $TEST_DIR/other" ]
	is_not_mounted "$TEST_DIR/other"
	assert_nothing_left
}

@test "fd mode: a server that mounts elsewhere by itself fails at once, its mount undone" {
	mkdir "$TEST_DIR/other"
	for order in auto never; do
		launch --mode=fd --sync-init=$order -t 15 -- "$TESTFS" --mount-at="$TEST_DIR/other" "$MNT"
		assert_status 1
		[ "$output" = "fuselaunch: server 'testfs' mounted $TEST_DIR/other by itself instead of $MNT through the /dev/fd/N it was given: use --mode=watch -m $TEST_DIR/other" ]
		is_not_mounted "$TEST_DIR/other"
		assert_nothing_left
	done
}

@test "fd mode: a server that mounts the mountpoint by itself fails at once" {
	launch --mode=fd -t 15 -- "$TESTFS" --mount-at="$MNT" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: server 'testfs' mounted $MNT by itself instead of using the /dev/fd/N it was given: use --mode=watch" ]
	assert_nothing_left
}

@test "a second launch on a FUSE mount is refused, naming it, unless --stack" {
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	launch -- "$TESTFS" --content="second" first-source "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: mountpoint '$MNT' already has a FUSE mount (fuse.testfs from 'testfs'): unmount it first, or give --stack to mount on top of it" ]
	[ "$(mountinfo_of "$MNT" | wc -l)" = 1 ]
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
	launch --stack -- "$TESTFS" --content="second" "$MNT"
	assert_status 0
	[ "$(mountinfo_of "$MNT" | wc -l)" = 2 ]
	[ "$(cat "$MNT/hello")" = "second" ]
}

# The first launch holds the mountpoint's turn until its outcome: a
# server gated on a FIFO keeps it there for as long as the test wants.
start_gated_launch() {
	mkfifo "$TEST_DIR/gate"
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" "$FUSELAUNCH" "$@" -- \
		"$TESTFS" --init-gate="$TEST_DIR/gate" --content=first "$MNT" 2>"$TEST_DIR/first" &
	FIRST=$!
	wait_until compgen -G "/run/fuselaunch/lock.*"
}

@test "two launches at once on one mountpoint: the second waits for the first, then refuses to stack" {
	start_gated_launch
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" "$FUSELAUNCH" -- \
		"$TESTFS" --content=second "$MNT" 2>"$TEST_DIR/second" &
	local second=$! code=0
	# It waits: nothing of the second is mounted meanwhile.
	sleep 0.5
	kill -0 "$second"
	[ "$(mountinfo_of "$MNT" | wc -l)" -le 1 ]
	: >"$TEST_DIR/gate"
	wait "$FIRST"
	wait "$second" || code=$?
	[ "$code" = 1 ] || { echo "second: exit $code: $(cat "$TEST_DIR/second")"; return 1; }
	grep -q "already has a FUSE mount" "$TEST_DIR/second"
	[ "$(mountinfo_of "$MNT" | wc -l)" = 1 ]
	[ "$(cat "$MNT/hello")" = first ]
	# Released at the outcome, removed: no lock file accumulates.
	! compgen -G "/run/fuselaunch/lock.*"
}

@test "the second launch on a mountpoint mounts once the first has failed" {
	start_gated_launch -t 1
	launch -- "$TESTFS" --content=second "$MNT"
	assert_status 0
	wait "$FIRST" || [ $? = 7 ]
	[ "$(mountinfo_of "$MNT" | wc -l)" = 1 ]
	[ "$(cat "$MNT/hello")" = second ]
}

@test "waiting for another launch on the mountpoint ends at -t, and on a signal" {
	start_gated_launch
	launch -t 1 -- "$TESTFS" "$MNT"
	assert_status 7
	[ "$output" = "fuselaunch: mountpoint '$MNT': another launch on it did not end within 1.000 s" ]
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$FUSELAUNCH" -- "$TESTFS" "$MNT" 2>"$TEST_DIR/err" &
	local pid=$! code=0
	sleep 0.3
	kill -TERM "$pid"
	wait "$pid" || code=$?
	[ "$code" = 8 ] || { echo "exit $code: $(cat "$TEST_DIR/err")"; return 1; }
	: >"$TEST_DIR/gate"
	wait "$FIRST"
	[ "$(cat "$MNT/hello")" = first ]
}

@test "a registry that cannot hold the lock file does not fail a launch" {
	mount -o remount,ro /run/fuselaunch
	launch -v -- "$TESTFS" "$MNT"
	assert_status 0
	assert_output_has "launching without taking turns on $MNT: Read-only file system"
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
}

@test "a mount covered when its server dies is detached once uncovered, never taking the cover" {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 60 "$FUSELAUNCH" -f -v -- \
		"$TESTFS" --record="$RECORD" "$MNT" 2>"$TEST_DIR/err" &
	local pid=$!
	wait_until grep -q "mounted on $MNT" "$TEST_DIR/err"
	mount -t tmpfs cover "$MNT"
	kill -KILL "$(recorded pid)"
	wait_until grep -q "covered by another one" "$TEST_DIR/err"
	# Both still there: the cover was not taken along.
	[ "$(mountinfo_of "$MNT" | grep -c ' - tmpfs ')" = 1 ]
	[ "$(mountinfo_of "$MNT" | grep -c ' - fuse.testfs ')" = 1 ]
	umount "$MNT"
	wait_until is_not_mounted "$MNT"
	wait "$pid" || true
	assert_nothing_left
}

@test "watch mode: a server killed right after mounting by itself leaves no mount" {
	# Its connection dies with it, before any look can prove it held it:
	# a mount that appeared on the mountpoint during the launch and whose
	# connection is dead can be no one's.
	for sig in 9 11; do
		launch --mode=watch -- "$TESTFS" --signal-before-init=$sig "$MNT"
		assert_status 4
		assert_output_has "was killed by signal $sig"
		assert_nothing_left
	done
}

@test "watch mode: a server dying while the probe waits for its answer is not a refusal" {
	# INIT answered, the probe's GETATTR in flight when the server dies:
	# the kernel ends it with ECONNABORTED, which is a death, not a refusal.
	launch --mode=watch -- "$TESTFS" --signal-on-getattr=9 "$MNT"
	assert_status 4
	assert_output_has "was killed by signal 9"
	assert_nothing_left
}

@test "watch mode: another mount still waiting for INIT is left alone by a failed launch" {
	# Its connection is alive: asking its root waits (for a bound), and a
	# live connection is never taken for a dead one.
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" "$FUSELAUNCH" \
		--mode=watch -t 2 -- sh -c 'touch "$0"; exec sleep 30' "$TEST_DIR/started" "$MNT" \
		2>"$TEST_DIR/err" &
	local pid=$! code=0 other
	wait_until test -e "$TEST_DIR/started"
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$TESTFS" --hang "$MNT" &
	other=$!
	wait_until is_mounted "$MNT"
	wait "$pid" || code=$?
	[ "$code" -eq 7 ] || { echo "exit $code: $(cat "$TEST_DIR/err")"; return 1; }
	is_mounted "$MNT"
	kill -0 "$other"
	kill -KILL "$other"
	umount -l "$MNT"
}
