#!/usr/bin/env bats
# A launch that succeeds: what fuselaunch(1) promises about it.

load helpers

@test "exits 0 and the file system answers at once" {
	launch -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
}

@test "the server answered INIT before the mount became visible" {
	launch -- "$TESTFS" --record="$RECORD" --record-mountpoint="$MNT" "$MNT"
	assert_status 0
	[ "$(sed -n 's/^init mounted=//p' "$RECORD")" = no ]
}

@test "mountinfo shows fuse.SUBTYPE with the caller's ids and the mountpoint's root mode" {
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	[ "$(mount_field fstype)" = fuse.testfs ]
	[ "$(mount_field source)" = testfs ]
	[[ ",$(mount_field super)," == *",user_id=0,group_id=0,"* ]]
	[ "$(stat -c %F "$MNT")" = directory ]
}

@test "the server gets the mountpoint as /dev/fd/N and no fd but 0, 1, 2 and N" {
	launch -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	local fd
	fd=$(recorded argv | grep -o '/dev/fd/[0-9]*' | cut -d/ -f4)
	[ -n "$fd" ]
	[ "$(recorded fds)" = "0,1,2,$fd" ]
	# And while it serves, as /proc shows it (testfs opened the record itself).
	local pid open=() n
	pid=$(recorded pid)
	for n in $(ls /proc/"$pid"/fd | sort -n); do
		[ "$(readlink /proc/"$pid"/fd/"$n")" = "$RECORD" ] || open+=("$n")
	done
	[ "${open[*]}" = "0 1 2 $fd" ]
}

@test "-o options reach the mount: VFS flags as mount attributes, the rest as fuse parameters" {
	launch -o ro,nosuid,nodev,noexec,noatime -o allow_other,default_permissions,max_read=65536 \
		-o fsname=myfs,subtype=mysub -- "$TESTFS" "$MNT"
	assert_status 0
	[ "$(mount_field fstype)" = fuse.mysub ]
	[ "$(mount_field source)" = myfs ]
	[ "$(mount_field options)" = ro,nosuid,nodev,noexec,noatime ]
	[[ ",$(mount_field super)," == *",default_permissions,allow_other,max_read=65536,"* ]]
	run touch "$MNT/new"
	[ "$status" -ne 0 ]
}

@test "fsname defaults to the server argument before the mountpoint" {
	launch --mode=fd -- sh -c 'exec "$0" "$2"' "$TESTFS" user@host:/data "$MNT"
	assert_status 0
	[ "$(mount_field source)" = user@host:/data ]
	[ "$(mount_field fstype)" = fuse.sh ]
}

@test "the mountpoint is the last non-option argument that is a directory" {
	mkdir "$TEST_DIR/other"
	launch --mode=fd -- sh -c 'exec "$0" "$1"' "$TESTFS" "$MNT" "$TEST_DIR/other/../no-such-dir" -o "$TEST_DIR/other"
	assert_status 0
	is_mounted "$MNT"
	is_not_mounted "$TEST_DIR/other"
}

@test "--mountpoint picks the mountpoint among several directories" {
	mkdir "$TEST_DIR/other"
	launch --mode=fd --mountpoint "$MNT/../mnt" -- sh -c 'exec "$0" "$1"' "$TESTFS" "$MNT" "$TEST_DIR/other"
	assert_status 0
	is_mounted "$MNT"
	is_not_mounted "$TEST_DIR/other"
}

@test "--mountpoint may name a regular file: the mount's root is a file" {
	local file=$TEST_DIR/file
	touch "$file"
	launch -m "$file" -- "$TESTFS" --file-root --content=served --record="$RECORD" "$file"
	assert_status 0
	[ "$(cat "$file")" = served ]
	mountinfo_of "$file" | grep -q ' fuse.testfs '
	[ "$(stat -c %F "$file")" = "regular file" ]
	# A server that dies leaves no dead mount on the file either.
	kill -KILL "$(recorded pid)"
	wait_until is_not_mounted "$file"
	wait_until no_test_process
}

@test "--sync-init=never: a regular file mountpoint too" {
	local file=$TEST_DIR/file
	touch "$file"
	launch --sync-init=never -m "$file" -- "$TESTFS" --file-root --content=served "$file"
	assert_status 0
	[ "$(cat "$file")" = served ]
	umount "$file"
	wait_until no_test_process
}

@test "without --mountpoint a regular file is not taken for the mountpoint" {
	local file=$TEST_DIR/file
	touch "$file"
	launch -- "$TESTFS" --file-root "$file"
	assert_status 1
	assert_output_has "file': Not a directory"
	is_not_mounted "$file"
}

@test "the mountpoint inside --KEY=PATH: the server gets --KEY=/dev/fd/N" {
	launch -- "$TESTFS" --record="$RECORD" --mountpoint="$MNT"
	assert_status 0
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
	grep -q -- "--mountpoint=/dev/fd/[0-9]" "$RECORD"
}

@test "the mountpoint inside an -o list: the server gets mountpoint=/dev/fd/N there" {
	launch -- "$TESTFS" -o "content=listed,mountpoint=$MNT"
	assert_status 0
	[ "$(cat "$MNT/hello")" = listed ]
}

@test "the stock libfuse hello example works" {
	[ -x "$HELLO" ] || skip "libfuse's hello example was not built"
	launch -- "$HELLO" "$MNT"
	assert_status 0
	[ "$(cat "$MNT/hello")" = "Hello World!" ]
	[ "$(mount_field fstype)" = fuse.hello ]
}

@test "a server that forks into the background and serves from the child" {
	launch -- "$TESTFS" --daemonize --record="$RECORD" "$MNT"
	assert_status 0
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
	[ "$(grep -c '^pid=' "$RECORD")" = 2 ]
}

@test "a late answer within the timeout still succeeds" {
	launch -t 10 -- "$TESTFS" --delay-init=300 "$MNT"
	assert_status 0
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
}

@test "\$(fuselaunch ...) returns: nothing keeps the caller's stdout open" {
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout "$BOUND" \
		sh -c 'out=$("$0" -- "$1" "$2"); echo "status $?"' "$FUSELAUNCH" "$TESTFS" "$MNT"
	[ "$status" -eq 0 ]
	[ "$output" = "status 0" ]
	is_mounted "$MNT"
}

# Loading libmount costs every launch about 0.5 ms (bench/README.md), so
# it is loaded only by what reads option strings or mount tables.
@test "libmount is loaded for -o, not for a plain launch" {
	local daemon
	launch -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	daemon=$(ps -o ppid= -p "$(recorded pid)" | tr -d " ")
	grep -q /libc "/proc/$daemon/maps"
	run grep /libmount "/proc/$daemon/maps"
	[ "$status" -eq 1 ]
	umount "$MNT"
	wait_until no_test_process
	launch -o noatime -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	daemon=$(ps -o ppid= -p "$(recorded pid)" | tr -d " ")
	grep -q /libmount "/proc/$daemon/maps"
}

# libsmartcols is for --list alone: a launch, its supervisor included,
# maps it no more than libmount.
@test "libsmartcols is not loaded by a launch or its supervisor" {
	local daemon
	launch -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	daemon=$(ps -o ppid= -p "$(recorded pid)" | tr -d " ")
	grep -q /libc "/proc/$daemon/maps"
	run grep /libsmartcols "/proc/$daemon/maps"
	[ "$status" -eq 1 ]
}

@test "umount ends the server and the daemon" {
	launch -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	umount "$MNT"
	assert_nothing_left
}

@test "a server that dies after INIT is unmounted, leaving no dead mount" {
	launch -- "$TESTFS" "$MNT"
	assert_status 0
	run stat "$MNT/crash"
	[ "$status" -ne 0 ]
	wait_until is_not_mounted "$MNT"
	assert_nothing_left
}

@test "the daemon unmounts only its own mount, not one made later at the same place" {
	launch -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	# An open file keeps the detached file system, and so its server, alive.
	exec {holder}<"$MNT/hello"
	umount -l "$MNT"
	mount -t tmpfs later "$MNT"
	kill "$(recorded pid)"
	wait_until no_test_process
	exec {holder}<&-
	[ "$(mount_field fstype)" = tmpfs ]
}

@test "-v prints each step with its time" {
	launch -v -- "$TESTFS" "$MNT"
	assert_status 0
	assert_output_has "opened /dev/fuse as fd"
	assert_output_has "FUSE_INIT answered"
	[[ "$output" =~ \[\ *[0-9]+\.[0-9]{3}\ ms\]\ mounted\ on\ $MNT ]]
}

@test "--json: the outcome of a launch is one JSON object, with --list --json's names" {
	launch --json -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	echo "$output" | python3 -m json.tool >/dev/null
	local listed
	listed=$("$FUSELAUNCH" --list --json)
	python3 -c '
import json, sys
r = json.loads(sys.argv[1])
row = json.loads(sys.argv[2])["launches"][0]
assert r["ok"] is True and r["exit-code"] == 0 and r["stage"] == "mounted", r
assert r["errno"] == 0 and r["message"] == "testfs mounted on " + sys.argv[3], r
assert r["mountpoint"] == sys.argv[3] and r["pid"] == int(sys.argv[4]), r
assert r["mode"] == "fd" and r["init"] == "sync", r
assert isinstance(r["mount-id"], int) and isinstance(r["init-ms"], int), r
for k in ("mountpoint", "pid", "supervisor", "mode", "init", "init-ms"):
    assert r[k] == row[k], (k, r, row)
' "$output" "$listed" "$MNT" "$(recorded pid)"
}

@test "--json: a failed launch is one JSON object saying why" {
	launch --json -- "$TESTFS" --exit-before-init=3 "$MNT"
	assert_status 4
	local json
	json=$(echo "$output" | grep '^{')
	echo "$json" | python3 -m json.tool >/dev/null
	python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert r["ok"] is False and r["exit-code"] == 4 and r["stage"] == "server-exit", r
assert r["message"] == "server \x27testfs\x27 exited with status 3 before answering FUSE_INIT", r
assert r["pid"] is None and r["mount-id"] is None, r
' "$json"
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$FUSELAUNCH" --json -- "$TEST_DIR/no-such-server" "$MNT"
	assert_status 3
	json=$(echo "$output" | grep '^{')
	python3 -c '
import json, sys
r = json.loads(sys.argv[1])
assert r["ok"] is False and r["exit-code"] == 3 and r["stage"] == "request", r
' "$json"
	assert_nothing_left
}

@test "a status line while INIT takes more than 2 s on a terminal, gone at the outcome" {
	local typescript=$TEST_DIR/typescript gate=$TEST_DIR/gate
	mkfifo "$gate"
	# script(1) gives fuselaunch a terminal; INIT waits for the gate.
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout "$BOUND" script -qfec \
		"$FUSELAUNCH -t 15 -- $TESTFS --init-gate=$gate $MNT; echo status=\$?" \
		"$typescript" >/dev/null &
	local job=$!
	wait_until grep -qs "fuselaunch: waiting for testfs to answer FUSE_INIT: 3 s of 15 s" "$typescript"
	: >"$gate"
	wait "$job"
	run cat "$typescript"
	[[ "$output" == *$'\r\e[K'"fuselaunch: waiting for testfs to answer FUSE_INIT: 2 s of 15 s"* ]]
	# Erased at the outcome: nothing follows the last one but the status.
	[[ "$output" == *" of 15 s"$'\r\e[K'"status=0"* ]]
	is_mounted "$MNT"
}

@test "no status line when stderr is not a terminal" {
	launch -t 10 -- "$TESTFS" --delay-init=2500 "$MNT"
	assert_status 0
	[ -z "$output" ]
}
