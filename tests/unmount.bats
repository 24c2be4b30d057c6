#!/usr/bin/env bats
# fuselaunch --unmount: it returns only once the server has exited, and
# its exit status says how the server ended; --list, the registry of
# launches.

load helpers

unmount() {
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
		"$FUSELAUNCH" "$@"
}

# /proc/$1/$2 (cwd, fd/0) is $3 (looked at afresh on each call).
proc_link_is() {
	[ "$(readlink "/proc/$1/$2")" = "$3" ]
}

# The supervisor of the launch on $MNT, from the registry.
supervisor_pid() {
	sed -n 's/^supervisor=//p' /run/fuselaunch/*.launch | head -n 1
}

@test "--unmount returns only once the server has exited, exit 0" {
	launch -- "$TESTFS" --record="$RECORD" --exit-delay=700 "$MNT"
	assert_status 0
	unmount --unmount "$MNT"
	assert_status 0
	[ -z "$output" ]
	# testfs records its exit after the delay, just before exiting.
	grep -qx exit "$RECORD"
	! kill -0 "$(recorded pid)" 2>/dev/null
	is_not_mounted "$MNT"
	assert_nothing_left
	[ -z "$(ls /run/fuselaunch)" ]
}

@test "--unmount: a server that exits non-zero after the unmount gives 4 and its status" {
	launch -- "$TESTFS" --exit-status=3 "$MNT"
	assert_status 0
	unmount -u "$MNT"
	assert_status 4
	[ "$output" = "fuselaunch: server 'testfs' exited with status 3 after the unmount of $MNT" ]
	assert_nothing_left
}

@test "--unmount of a busy mount: exit 9 naming who holds it, still mounted" {
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	(cd "$MNT" && exec sleep 30) &
	local holder=$!
	wait_until proc_link_is "$holder" cwd "$MNT"
	unmount -u "$MNT"
	kill "$holder"
	assert_status 9
	[ "$output" = "fuselaunch: $MNT is busy: held by $holder (sleep: cwd)" ]
	is_mounted "$MNT"
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
}

@test "--unmount names a process with a file open on the mount" {
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	sleep 30 <"$MNT/hello" &
	local holder=$!
	wait_until proc_link_is "$holder" fd/0 "$MNT/hello"
	unmount -u "$MNT"
	kill "$holder"
	assert_status 9
	[ "$output" = "fuselaunch: $MNT is busy: held by $holder (sleep: open file)" ]
}

@test "--unmount --lazy detaches a busy mount and waits for the server" {
	launch -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	(cd "$MNT" && exec sleep 1) &
	local holder=$!
	wait_until proc_link_is "$holder" cwd "$MNT"
	unmount -u "$MNT" --lazy
	assert_status 0
	# The server ended only once the holder let go of the mount.
	! kill -0 "$holder" 2>/dev/null
	grep -qx exit "$RECORD"
	assert_nothing_left
}

@test "--unmount: a server that ignores the unmount gets SIGTERM, then SIGKILL: exit 7" {
	launch -- "$TESTFS" --ignore-unmount "$MNT"
	assert_status 0
	unmount -t 0.5 -u "$MNT"
	assert_status 7
	[ "$output" = "fuselaunch: server 'testfs' did not exit within 0.500 s of the unmount of $MNT; killed it with SIGKILL 2 s after SIGTERM" ]
	assert_nothing_left
}

# Every wait has a bound and a cancel: systemd stops a unit with SIGTERM.
@test "--unmount: SIGTERM ends the wait for a server that ignores the unmount, exit 8" {
	launch -- "$TESTFS" --ignore-unmount --record="$RECORD" "$MNT"
	assert_status 0
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout 10 "$FUSELAUNCH" -t 60 -u "$MNT" \
		2>"$TEST_DIR/err" &
	local unmounter=$! code=0
	wait_until grep -qx unmounted "$RECORD"
	kill -TERM "$unmounter"
	wait "$unmounter" || code=$?
	cat "$TEST_DIR/err"
	[ "$code" -eq 8 ]
	[ "$(cat "$TEST_DIR/err")" = "fuselaunch: $MNT is unmounted; the wait for server 'testfs' to exit was cancelled by signal 15 (Terminated)" ]
	kill -KILL "$(recorded pid)"
	assert_nothing_left
}

@test "--unmount: a server slow to exit is stopped with SIGTERM after -t: exit 7" {
	launch -- "$TESTFS" --exit-delay=60000 "$MNT"
	assert_status 0
	unmount -t 0.5 -u "$MNT"
	assert_status 7
	[ "$output" = "fuselaunch: server 'testfs' did not exit within 0.500 s of the unmount of $MNT; stopped it with SIGTERM" ]
	assert_nothing_left
}

@test "--unmount of a mount that is not fuselaunch's: exit 10 saying what it is" {
	mount -t tmpfs fuselaunch-test-tmpfs "$MNT"
	unmount -u "$MNT"
	assert_status 10
	[[ "$output" =~ ^"fuselaunch: $MNT is not a mount of fuselaunch: it is a tmpfs mount of fuselaunch-test-tmpfs (mount "[0-9]+")"$ ]]
	is_mounted "$MNT"
	unmount -u "$TEST_DIR"
	assert_status 10
	[ "$output" = "fuselaunch: $TEST_DIR is not a mount point" ]
}

@test "--unmount: a mountpoint given relative, with a trailing slash" {
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	cd "$TEST_DIR"
	unmount -u mnt/
	assert_status 0
	is_not_mounted "$MNT"
}

@test "--unmount: the entry of a supervisor killed outright is not used, and is removed" {
	launch --no-auto-unmount -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	local sup
	sup=$(supervisor_pid)
	[ -f "/run/fuselaunch/$sup.launch" ]
	kill -KILL "$sup"
	wait_until test ! -d "/proc/$sup"
	unmount -u "$MNT"
	assert_status 10
	assert_output_has "$MNT is not a mount of fuselaunch: it is a fuse.testfs mount of testfs"
	[ ! -e "/run/fuselaunch/$sup.launch" ]
}

# Root's --unmount reads users' registries too.  A user who plants there
# an entry naming init as the supervisor of a mount (a launch of root's
# whose supervisor is gone, say) must not get root to stop init's
# children once the wait for that "server" times out.  In a pid namespace
# of its own, whose init is the scenario's shell and a sleep its victim.
@test "a user's entry naming another's process as supervisor is not used by root's --unmount" {
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
		unshare --mount --propagation private --pid --fork --mount-proc \
		bash -c '
		fl=$1 testfs=$2 mnt=$3
		mount -t tmpfs -o mode=755 fuselaunch-users /run/user
		mkdir -p /run/user/4242/fuselaunch
		chown -R 4242 /run/user/4242
		chmod 700 /run/user/4242 /run/user/4242/fuselaunch
		sleep 60 &
		victim=$!
		"$fl" -- "$testfs" "$mnt" || exit 90
		entry=$(ls /run/fuselaunch/*.launch)
		sup=$(sed -n "s/^supervisor=//p" "$entry")
		forged=/run/user/4242/fuselaunch/1.launch
		sed -e "s/^supervisor=.*/supervisor=1/" \
			-e "s/^supervisor_start=.*/supervisor_start=$(cut -d" " -f22 /proc/1/stat)/" \
			"$entry" >"$forged"
		chown 4242 "$forged"
		kill -KILL "$sup"
		while [ -d "/proc/$sup" ]; do sleep 0.02; done
		"$fl" -t 1 -u "$mnt"
		echo "unmount: $?"
		kill -0 "$victim" && echo "victim alive"
		' sh "$FUSELAUNCH" "$TESTFS" "$MNT"
	echo "$output"
	assert_output_has "is not a mount of fuselaunch"
	assert_output_has "unmount: 10"
	assert_output_has "victim alive"
}

# Root unmounts the mount it checked, not whatever the path leads to by
# then: a user who owns a directory above their mountpoint can swap it for
# one that leads to another mount.  strace holds the unmounter at its
# umount2 while the test makes that swap.
@test "--unmount unmounts the mount it checked, though the path above it is swapped meanwhile" {
	command -v strace >/dev/null || skip "strace is needed to hold the unmounter"
	mkdir -p "$TEST_DIR/a/mnt" "$TEST_DIR/b/mnt"
	launch -- "$TESTFS" "$TEST_DIR/a/mnt"
	assert_status 0
	mount -t tmpfs fuselaunch-victim "$TEST_DIR/b/mnt"
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$NO_LEAK_CHECK" timeout --kill-after=5 "$BOUND" \
		strace -f -qq --seccomp-bpf -o /dev/null -e trace=umount2 \
		-e inject=umount2:delay_enter=1500000 \
		"$FUSELAUNCH" -t 5 -u "$TEST_DIR/a/mnt" >"$TEST_DIR/err" 2>&1 &
	local pid=$! tracer unmounter code=0
	wait_until pgrep -x strace -P "$pid" >/dev/null
	tracer=$(pgrep -x strace -P "$pid")
	wait_until pgrep -P "$tracer" >/dev/null
	unmounter=$(pgrep -P "$tracer")
	# Stopped by strace at umount2, the one call it traces, once its FIFO
	# is there: the stops of its start are over by then.
	wait_until sh -c '[ -p /run/fuselaunch/*.wait."$1" ] &&
		[ "$(cut -d" " -f3 "/proc/$1/stat")" = t ]' sh "$unmounter"
	mv "$TEST_DIR/a" "$TEST_DIR/a.old"
	mv "$TEST_DIR/b" "$TEST_DIR/a"
	wait "$pid" || code=$?
	cat "$TEST_DIR/err"
	[ "$code" -eq 0 ]
	[ "$(findmnt -n -o SOURCE "$TEST_DIR/a/mnt")" = fuselaunch-victim ]
	! mountpoint -q "$TEST_DIR/a.old/mnt"
	assert_nothing_left
}

@test "--unmount takes a mountpoint and no server; --lazy needs --unmount" {
	run "$FUSELAUNCH" -u "$MNT" -- "$TESTFS" "$MNT"
	assert_status 1
	assert_output_has "--unmount takes a mountpoint and no server"
	run "$FUSELAUNCH" --lazy -- "$TESTFS" "$MNT"
	assert_status 1
	assert_output_has "--lazy is for --unmount"
}

# A second mountpoint, and the launches on both.
two_launches() {
	mkdir "$TEST_DIR/mnt2"
	launch -- "$TESTFS" tfs:one "$MNT"
	assert_status 0
	launch --sync-init=never -- "$TESTFS" --daemonize "$TEST_DIR/mnt2"
	assert_status 0
}

@test "--list: one row per launch, sorted by mountpoint" {
	two_launches
	launch --list
	assert_status 0
	[ "${#lines[@]}" = 3 ]
	[[ "${lines[0]}" =~ ^MOUNTPOINT\ +SOURCE\ +FSTYPE\ +SERVER\ +PID\ +SUPERVISOR\ +MODE\ +INIT\ +SINCE\ +INIT-MS\ +STATE$ ]]
	[[ "${lines[1]}" =~ ^"$MNT "\ *"tfs:one fuse.testfs $TESTFS tfs:one $MNT ".*" fd   sync    ".*" answering"$ ]]
	[[ "${lines[2]}" =~ ^"$TEST_DIR/mnt2 "\ *"testfs  fuse.testfs $TESTFS --daemonize $TEST_DIR/mnt2 ".*" fd   classic ".*" answering"$ ]]
}

@test "--list --raw --noheadings --output: the columns asked for" {
	two_launches
	launch --list --raw --noheadings --output MOUNTPOINT,mode,init,state,connection
	assert_status 0
	[ "${lines[0]}" = "$MNT fd sync answering $(mountinfo_of "$MNT" | awk '{ split($3, d, ":"); print d[2] }')" ]
	[ "${lines[1]}" = "$TEST_DIR/mnt2 fd classic answering $(mountinfo_of "$TEST_DIR/mnt2" | awk '{ split($3, d, ":"); print d[2] }')" ]
	launch --list --output MOUNTPOINT,bogus
	assert_status 1
	assert_output_has "unknown column 'bogus' in --output"
}

@test "--list --json: parsed by a real JSON parser; pids are the live ones" {
	two_launches
	launch --list --json
	assert_status 0
	echo "$output" | python3 -m json.tool >/dev/null
	echo "$output" | python3 -c '
import json, os, sys
rows = json.load(sys.stdin)["launches"]
assert [r["mountpoint"] for r in rows] == [sys.argv[1], sys.argv[2]], rows
for r in rows:
    assert set(r) == {"mountpoint", "source", "fstype", "server", "pid", "supervisor",
                      "mode", "init", "since", "init-ms", "state"}, r
    assert isinstance(r["pid"], int) and isinstance(r["init-ms"], int)
    os.kill(r["pid"], 0)
    os.kill(r["supervisor"], 0)
    assert r["state"] == "answering"
' "$MNT" "$TEST_DIR/mnt2"
}

@test "--list never shows the entry of a killed supervisor, and removes it" {
	two_launches
	local sup
	sup=$(launch --list --raw --noheadings --output MOUNTPOINT,SUPERVISOR; echo "$output" | awk -v m="$MNT" '$1 == m { print $2 }')
	[ -f "/run/fuselaunch/$sup.launch" ]
	kill -KILL "$sup"
	wait_until test ! -d "/proc/$sup"
	launch --list --raw --noheadings --output MOUNTPOINT
	assert_status 0
	[ "$output" = "$TEST_DIR/mnt2" ]
	[ ! -e "/run/fuselaunch/$sup.launch" ]
}

@test "--list removes the mountpoint lock of a launch killed outright, never a held one" {
	launch_pending
	local daemon lock
	lock=$(echo /run/fuselaunch/lock.*)
	[ -f "$lock" ]
	launch --list
	assert_status 0
	[ -f "$lock" ]
	daemon=$(pgrep -P "$PENDING")
	kill -KILL "$PENDING" "$daemon"
	wait_until test ! -d "/proc/$daemon"
	[ -f "$lock" ]
	launch --list
	assert_status 0
	[ ! -e "$lock" ]
}

# An entry is written under a temporary name and renamed into place: a
# supervisor killed in between leaves the temporary file, which only its
# writer's pid and start time tell from one being written now.
@test "--list removes an entry's temporary file left by a supervisor killed while writing it" {
	command -v strace >/dev/null || skip "strace is needed to kill the supervisor there"
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$NO_LEAK_CHECK" timeout --kill-after=5 "$BOUND" \
		strace -f -qq -o /dev/null -e trace=renameat,renameat2 \
		-e inject=renameat,renameat2:signal=KILL \
		"$FUSELAUNCH" -- "$TESTFS" "$MNT"
	assert_status 2
	assert_output_has "the daemon was killed by signal 9 (Killed) before reporting"
	assert_nothing_left
	local left
	left=$(ls -A /run/fuselaunch)
	[[ "$left" =~ ^\.[0-9]+\.[0-9]+\.tmp$ ]]
	launch --list --noheadings
	assert_status 0
	[ -z "$output" ]
	[ -z "$(ls -A /run/fuselaunch)" ]
}

@test "--list leaves the temporary file of an entry its live writer may still be writing" {
	local me=$BASHPID start tmp other gone odd
	start=$(awk '{ print $22 }' "/proc/$me/stat")
	tmp=/run/fuselaunch/.$me.$start.tmp
	# The same pid, but another start time: a writer long gone.
	other=/run/fuselaunch/.$me.$((start + 1)).tmp
	# A pid that no process has now, in a name no writer makes.
	true &
	gone=$!
	wait "$gone"
	odd=/run/fuselaunch/.0$gone.1.tmp
	touch "$tmp" "$other" "$odd"
	launch --list --noheadings
	assert_status 0
	[ -e "$tmp" ]
	[ ! -e "$other" ]
	[ -e "$odd" ]
}

# An entry records its supervisor's start time, by which a live one is
# told from a pid's next owner: one written without it would be taken for
# a dead supervisor's, and removed.
@test "a supervisor that cannot read its own start time does not register its launch" {
	skip_if_sanitized
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
		unshare --mount --propagation private \
		sh -c 'mount -t tmpfs none /proc && exec "$@"' sh "$FUSELAUNCH" -v -- "$TESTFS" "$MNT"
	assert_status 0
	assert_output_has "cannot read this process's start time (No such file or directory): this launch is not registered"
	[ -z "$(ls -A /run/fuselaunch)" ]
}

@test "--list without /proc removes no entry: a supervisor it cannot look at is not gone" {
	skip_if_sanitized
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	local entry
	entry=$(ls /run/fuselaunch/*.launch)
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
		unshare --mount --propagation private \
		sh -c 'mount -t tmpfs none /proc && exec "$@"' sh "$FUSELAUNCH" --list --noheadings
	assert_status 0
	[ -f "$entry" ]
	launch --list --noheadings --output MOUNTPOINT
	[ "$output" = "$MNT" ]
}

@test "--list: an entry whose pid now belongs to another process is not shown" {
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	local entry
	entry=$(ls /run/fuselaunch/*.launch)
	# The same pid, but another start time: not the supervisor that wrote it.
	sed -i 's/^supervisor_start=.*/supervisor_start=1/' "$entry"
	launch --list --noheadings
	assert_status 0
	[ -z "$output" ]
}

@test "--list: a launch being unmounted shows as unmounting" {
	launch -- "$TESTFS" --ignore-unmount --record="$RECORD" "$MNT"
	assert_status 0
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout "$BOUND" "$FUSELAUNCH" -t 15 -u "$MNT" &
	local unmounter=$!
	wait_until grep -qx unmounted "$RECORD"
	launch --list --noheadings --output STATE
	[ "$output" = unmounting ]
	kill -KILL "$(recorded pid)"
	local code=0
	wait "$unmounter" || code=$?
	[ "$code" = 4 ]
}

@test "--list: a waiter whose unmounter is gone is removed, its launch not unmounting" {
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	local sup gone
	sup=$(supervisor_pid)
	# A pid that no process has now.
	true &
	gone=$!
	wait "$gone"
	mkfifo "/run/fuselaunch/$sup.wait.$gone"
	launch --list --noheadings --output STATE
	assert_status 0
	[ "$output" = answering ]
	[ ! -e "/run/fuselaunch/$sup.wait.$gone" ]
}

@test "--list: SINCE is each launch's own" {
	two_launches
	local entries
	entries=(/run/fuselaunch/*.launch)
	sed -i 's/^since=.*/since=0/' "${entries[0]}"
	sed -i 's/^since=.*/since=86400/' "${entries[1]}"
	run env TZ=UTC "$FUSELAUNCH" --list --raw --noheadings --output SUPERVISOR,SINCE
	assert_status 0
	[ "${#lines[@]}" = 2 ]
	printf '%s\n' "${lines[@]}" | sort >"$TEST_DIR/since"
	sort <<-EOF | diff - "$TEST_DIR/since"
	$(basename "${entries[0]}" .launch) 1970-01-01T00:00:00+0000
	$(basename "${entries[1]}" .launch) 1970-01-02T00:00:00+0000
	EOF
}

# valgrind 3.19 (Debian 12) knows neither fsopen(2), which a launch needs,
# nor pidfd_open(2): under it --unmount takes its other way, waiting on
# the registry's FIFO and looking at the supervisor with kill(2).
@test "--list, --list --json and --unmount run clean under valgrind's memcheck" {
	command -v valgrind >/dev/null || skip "valgrind is not installed"
	skip_if_sanitized "valgrind cannot run a sanitizer build"
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	local memcheck=(valgrind -q --log-file="$TEST_DIR/valgrind.%p" --error-exitcode=99
		--leak-check=full --show-leak-kinds=definite,indirect
		--errors-for-leak-kinds=definite,indirect)
	launch_under_memcheck() {
		run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
			"${memcheck[@]}" "$FUSELAUNCH" "$@"
	}
	launch_under_memcheck --list --noheadings --output MOUNTPOINT,STATE
	assert_status 0
	[ "$output" = "$MNT answering" ]
	launch_under_memcheck --list --json
	assert_status 0
	assert_output_has '"state": "answering"'
	launch_under_memcheck -u "$MNT"
	cat "$TEST_DIR"/valgrind.*
	assert_status 0
	assert_nothing_left
}

@test "--output, --raw and --noheadings are for --list" {
	run "$FUSELAUNCH" --raw -- "$TESTFS" "$MNT"
	assert_status 1
	assert_output_has "--output, --raw and --noheadings are for --list"
}
