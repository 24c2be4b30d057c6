#!/usr/bin/env bats
# A launch's whole life: INIT modes, cancellation, the supervisor, the
# foreground mode, pidfile and log.

load helpers

# The daemon: the parent of the serving process.
daemon_pid() {
	ps -o ppid= -p "$(recorded pid)" | tr -d ' '
}

@test "--sync-init=never mounts first, then waits for the answer" {
	launch --sync-init=never -- "$TESTFS" --record="$RECORD" --record-mountpoint="$MNT" "$MNT"
	assert_status 0
	[ "$(sed -n 's/^init mounted=//p' "$RECORD")" = yes ]
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
}

@test "--sync-init=always succeeds where the kernel has synchronous INIT" {
	launch --sync-init=always -- "$TESTFS" --record="$RECORD" --record-mountpoint="$MNT" "$MNT"
	assert_status 0
	[ "$(sed -n 's/^init mounted=//p' "$RECORD")" = no ]
}

@test "--sync-init=never: a server that exits before INIT gives 4 and no mount" {
	launch --sync-init=never -- "$TESTFS" --exit-before-init=3 "$MNT"
	assert_status 4
	assert_output_has "server 'testfs' exited with status 3 before answering FUSE_INIT"
	assert_nothing_left
}

@test "--sync-init=never: a refused INIT gives 5 and no mount" {
	launch --sync-init=never -- "$TESTFS" --refuse-init "$MNT"
	assert_status 5
	assert_output_has "server 'testfs' refused FUSE_INIT"
	assert_nothing_left
}

@test "--sync-init=never: no answer gives 7 and no mount" {
	launch --sync-init=never -t 0.5 -- "$TESTFS" --hang "$MNT"
	assert_status 7
	assert_nothing_left
}

@test "--sync-init=never: a background server whose child serves" {
	launch --sync-init=never -- "$TESTFS" --daemonize "$MNT"
	assert_status 0
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
}

@test "--sync-init=never: a server whose executable lies under its own mountpoint starts" {
	cp "$TESTFS" "$MNT/testfs"
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=1 10 \
		"$FUSELAUNCH" --sync-init=never -t 5 -- "$MNT/testfs" "$MNT"
	assert_status 0
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
}

@test "--sync-init=never: a server that is a script starts (exec'd by path)" {
	printf '#!/bin/sh\nexec "%s" "$@"\n' "$TESTFS" >"$TEST_DIR/server"
	chmod 755 "$TEST_DIR/server"
	launch --sync-init=never --mode=fd -- "$TEST_DIR/server" "$MNT"
	assert_status 0
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
}

# A server script whose interpreter lies under the mountpoint: in the
# classic order its exec waits for the INIT only it could answer.
interpreter_under_mountpoint() {
	printf '#!%s/sh\n' "$MNT" >"$TEST_DIR/server"
	chmod 755 "$TEST_DIR/server"
}

# Whether a process of this test has a thread blocked (D state): the
# server's exec, waiting on the mount for INIT.
test_process_blocked() {
	local pid task
	for pid in $(test_processes); do
		for task in /proc/"$pid"/task/*/stat; do
			[ "$(awk '{ print $3 }' "$task" 2>/dev/null)" = D ] && return 0
		done
	done
	return 1
}

@test "--sync-init=never: an exec that waits on the pending mount still ends at -t" {
	interpreter_under_mountpoint
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=1 10 \
		"$FUSELAUNCH" --sync-init=never --mode=fd -t 1 -- "$TEST_DIR/server" "$MNT"
	assert_status 7
	assert_nothing_left
}

@test "--sync-init=never: an exec that waits on the pending mount is cancelled by SIGTERM" {
	interpreter_under_mountpoint
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=1 10 \
		"$FUSELAUNCH" --sync-init=never --mode=fd -t 0 -- "$TEST_DIR/server" "$MNT" \
		2>"$TEST_DIR/err" &
	local pid=$! code=0
	wait_until test_process_blocked
	kill -TERM "$(pgrep -P "$pid")"
	wait "$pid" || code=$?
	[ "$code" -eq 8 ]
	[ "$(cat "$TEST_DIR/err")" = "fuselaunch: launch of 'server' cancelled by signal 15 (Terminated)" ]
	assert_nothing_left
}

@test "--sync-init=never: while INIT is pending the daemon is in the server's process group, which the server leads" {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$FUSELAUNCH" --sync-init=never -- "$TESTFS" --hang \
		--record="$RECORD" "$MNT" 2>"$TEST_DIR/err" &
	PENDING=$!
	wait_until test -s "$RECORD"
	local server daemon
	server=$(recorded pid)
	daemon=$(daemon_pid)
	[ "$(ps -o pgid= -p "$server" | tr -d ' ')" = "$server" ]
	[ "$(ps -o pgid= -p "$daemon" | tr -d ' ')" = "$server" ]
	kill -TERM "$PENDING"
	assert_cancelled "$PENDING" "15 (Terminated)"
	assert_nothing_left
}

@test "an unknown --sync-init mode: exit 1" {
	launch --sync-init=maybe -- "$TESTFS" "$MNT"
	assert_status 1
	assert_output_has "invalid --sync-init mode 'maybe'"
}

@test "SIGTERM to fuselaunch while INIT is pending: exit 8" {
	launch_pending
	kill -TERM "$PENDING"
	assert_cancelled "$PENDING" "15 (Terminated)"
	assert_nothing_left
}

@test "SIGINT to fuselaunch's whole process group while INIT is pending: exit 8" {
	launch_pending setsid
	kill -INT -- -"$(ps -o pgid= -p "$PENDING" | tr -d ' ')"
	wait "$PENDING" || status=$?
	[ "$status" -eq 8 ]
	assert_nothing_left
}

# The fuselaunch that strace runs under timeout $1, once it is held in a
# system call.
held_fuselaunch() {
	local tracer foreground
	tracer=$(pgrep -P "$1") && foreground=$(pgrep -P "$tracer" | head -n 1) || return 1
	grep -q '^State:.*tracing stop' "/proc/$foreground/status" ||
		[ -n "$(grep -l 'tracing stop' /proc/"$foreground"/task/*/status 2>/dev/null)" ] || return 1
	echo "$foreground"
}

@test "SIGINT, SIGTERM or SIGHUP before fuselaunch has set anything up: exit 8, nothing left" {
	command -v strace >/dev/null || skip "strace is needed to hold fuselaunch"
	local point sig pid held code
	# Held in its first system call on /dev/null (main's first steps),
	# then on the mountpoint (the mountpoint rule, in a thread).
	for point in /dev/null:INT /dev/null:HUP "$MNT":TERM; do
		sig=${point##*:}
		env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$NO_LEAK_CHECK" timeout --kill-after=5 "$BOUND" \
			strace -f -qq -o /dev/null -P "${point%:*}" \
			-e inject=all:delay_enter=1000000:when=1 \
			"$FUSELAUNCH" -- "$TESTFS" --hang "$MNT" 2>"$TEST_DIR/err" &
		pid=$!
		wait_until held_fuselaunch "$pid"
		held=$(held_fuselaunch "$pid")
		kill -"$sig" "$held"
		code=0
		wait "$pid" || code=$?
		if [ "$code" -ne 8 ]; then
			echo "SIG$sig while held on ${point%:*} gave exit $code: $(cat "$TEST_DIR/err")"
			return 1
		fi
		assert_nothing_left
	done
}

# Process $1 runs fuselaunch and has taken charge of SIGTERM: blocked or
# caught (the dynamic loader, before, cannot).
handles_sigterm() {
	local blocked caught
	[ "$(readlink "/proc/$1/exe")" = "$(readlink -f "$FUSELAUNCH")" ] &&
		blocked=$(awk '/^SigBlk:/ { print $2 }' "/proc/$1/status") &&
		caught=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status") || return 1
	(( (0x$blocked | 0x$caught) & 0x4000 ))
}

@test "SIGINT, SIGTERM or SIGHUP at random moments of the launch: always exit 8, nothing left" {
	local i pid sig code foreground
	for i in $(seq 50); do
		sig=$(shuf -n 1 -e INT TERM HUP)
		foreground=$(shuf -n 1 -e -- "" -f)
		env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$FUSELAUNCH" $foreground -- \
			"$TESTFS" --hang "$MNT" 2>"$TEST_DIR/err" &
		pid=$!
		wait_until handles_sigterm "$pid"
		sleep "0.00$((RANDOM % 4))"
		kill -"$sig" "$pid"
		code=0
		wait "$pid" || code=$?
		if [ "$code" -ne 8 ]; then
			echo "round $i: SIG$sig ${foreground:+(-f) }gave exit $code: $(cat "$TEST_DIR/err")"
			return 1
		fi
		assert_nothing_left
	done
}

# The daemon of the fuselaunch that strace runs under timeout $1, once it
# is held in a sigaction(2).
held_daemon() {
	local tracer foreground daemon nr rest
	tracer=$(pgrep -P "$1") && foreground=$(pgrep -P "$tracer") &&
		daemon=$(pgrep -P "$foreground") || return 1
	read -r nr rest <"/proc/$daemon/syscall" || return 1
	[ "$nr" = 13 ] && echo "$daemon"
}

@test "a signal to the daemon before it watches signals still cancels the launch" {
	command -v strace >/dev/null || skip "strace is needed to hold the daemon"
	# Hold the daemon in its first sigaction(2), before it watches signals.
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$NO_LEAK_CHECK" timeout --kill-after=5 "$BOUND" \
		strace -f -qq -o /dev/null -e trace=rt_sigaction \
		-e inject=rt_sigaction:delay_enter=3000000:when=1 \
		"$FUSELAUNCH" -- "$TESTFS" --record="$RECORD" "$MNT" 2>"$TEST_DIR/err" &
	local pid=$! daemon code=0
	wait_until held_daemon "$pid"
	daemon=$(held_daemon "$pid")
	kill -INT "$daemon"
	wait "$pid" || code=$?
	[ "$code" -eq 8 ]
	# strace may say something of its own about fuselaunch's threads.
	grep -qx "fuselaunch: launch of 'testfs' cancelled by signal 2 (Interrupt)" "$TEST_DIR/err"
	assert_nothing_left
}

@test "a signal that comes as the mount completes cancels it: no success is taken back" {
	mkfifo "$TEST_DIR/gate"
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$FUSELAUNCH" -- \
		"$TESTFS" --init-gate="$TEST_DIR/gate" --record="$RECORD" "$MNT" 2>"$TEST_DIR/err" &
	local pid=$! daemon
	wait_until grep -qs "^init" "$RECORD"
	daemon=$(daemon_pid)
	# While the daemon's main thread is held, the server answers, the
	# init thread attaches the mount and ends, and a SIGINT comes: the
	# main thread then finds both at once.
	run "$HOLDTHREAD" "$daemon" bash -c "$(declare -f wait_until is_mounted mountinfo_of)
		BOUND=$BOUND
		: >'$TEST_DIR/gate'
		wait_until is_mounted '$MNT'
		wait_until test \"\$(ls /proc/$daemon/task)\" = $daemon
		kill -INT $daemon"
	assert_status 0
	assert_cancelled "$pid" "2 (Interrupt)"
	assert_nothing_left
}

# Whether process $1 is blocked in poll(2) with no signal pending: it has
# handled every signal sent so far (x86_64 numbers).
idle_in_poll() {
	local pending nr rest
	pending=$(sed -n 's/^ShdPnd:[[:space:]]*//p' "/proc/$1/status")
	read -r nr rest <"/proc/$1/syscall"
	[ "$((16#$pending))" = 0 ] && [ "$nr" = 7 ]
}

in_syscall() {
	local nr rest
	read -r nr rest <"/proc/$1/syscall" && [ "$nr" = "$2" ]
}

@test "a Ctrl-C, Ctrl-\\ or hang-up that reaches the daemon as it leaves the caller spares the server" {
	command -v strace >/dev/null || skip "strace is needed to hold the daemon"
	[ "$(uname -m)" = x86_64 ] || skip "reads system call numbers as x86_64 numbers them"
	# The daemon is held in setsid(2): it has reported success, and it
	# still is in the caller's session; strace also records every kill(2).
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$NO_LEAK_CHECK" timeout --kill-after=5 "$BOUND" \
		strace -f -qq -o "$TEST_DIR/trace" -e trace=kill,setsid \
		-e inject=setsid:delay_enter=3000000 \
		"$FUSELAUNCH" -- "$TESTFS" --record="$RECORD" "$MNT" &
	local daemon
	wait_until grep -qs "^pid=" "$RECORD"
	daemon=$(daemon_pid)
	wait_until in_syscall "$daemon" 112
	kill -INT "$daemon"
	kill -QUIT "$daemon"
	kill -HUP "$daemon"
	wait_until is_mounted "$MNT"
	wait_until idle_in_poll "$daemon"
	# Afterwards the daemon has no terminal to lose: SIGHUP is ignored.
	kill -HUP "$daemon"
	wait_until idle_in_poll "$daemon"
	run grep "kill(" "$TEST_DIR/trace"
	[ -z "$output" ]
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
	# SIGTERM still stops the server.
	kill -TERM "$daemon"
	wait_until is_not_mounted "$MNT"
	assert_nothing_left
}

@test "a server can prompt on the terminal while the launch is pending" {
	cat >"$TEST_DIR/prompting" <<-'SH'
	#!/bin/sh
	printf 'Password: ' >/dev/tty
	read -r password </dev/tty
	echo "$password" >"$(dirname "$0")/password"
	exec "$@"
	SH
	chmod +x "$TEST_DIR/prompting"
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout "$BOUND" script -qec \
		"'$FUSELAUNCH' -- '$TEST_DIR/prompting' '$TESTFS' '$MNT'; echo status=\$?
		 [ \$(ps -o tpgid= -p \$\$) = \$(ps -o pgid= -p \$\$) ] && echo terminal back" /dev/null <<<"secret"
	assert_output_has "Password: "
	assert_output_has "status=0"
	assert_output_has "terminal back"
	[ "$(cat "$TEST_DIR/password")" = secret ]
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
}

@test "Ctrl-C at the terminal while INIT is pending: exit 8" {
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout "$BOUND" bash -c "
		$(declare -f wait_until); BOUND=$BOUND
		{ wait_until grep -qs '^pid=' '$RECORD'; printf '\\003'; } |
		script -qec \"'$FUSELAUNCH' -- '$TESTFS' --hang --record='$RECORD' '$MNT'; echo status=\\\$?\" /dev/null"
	assert_output_has "cancelled by signal 2 (Interrupt)"
	assert_output_has "status=8"
	assert_nothing_left
}

@test "a daemon killed outright during the launch: exit 2, its server stopped, the terminal back" {
	cat >"$TEST_DIR/caller" <<-SH
	#!/bin/sh
	"$FUSELAUNCH" -- "$TESTFS" --hang --record="$RECORD" "$MNT"
	echo status=\$?
	[ "\$(ps -o tpgid= -p \$\$)" = "\$(ps -o pgid= -p \$\$)" ] && echo terminal back
	SH
	chmod +x "$TEST_DIR/caller"
	(
		wait_until grep -qs '^pid=' "$RECORD"
		kill -KILL "$(daemon_pid)"
	) &
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout "$BOUND" script -qec "$TEST_DIR/caller" /dev/null
	wait
	assert_output_has "fuselaunch: internal error: the daemon was killed by signal 9 (Killed) before reporting"
	assert_output_has "status=2"
	assert_output_has "terminal back"
	assert_nothing_left
}

@test "a daemon killed outright after attaching the mount: the foreground detaches it" {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$FUSELAUNCH" --sync-init=never -v -- \
		"$TESTFS" --hang --record="$RECORD" "$MNT" 2>"$TEST_DIR/err" &
	local pid=$! code=0
	wait_until grep -qs '^pid=' "$RECORD"
	is_mounted "$MNT"
	kill -KILL "$(daemon_pid)"
	wait "$pid" || code=$?
	[ "$code" -eq 2 ]
	grep -q "the daemon was killed by signal 9 (Killed) before reporting" "$TEST_DIR/err"
	grep -q "detaching the mount on $MNT: done" "$TEST_DIR/err"
	assert_nothing_left
}

@test "a daemon killed outright after adopting its server's own mount: the foreground detaches it" {
	[ "$(uname -m)" = x86_64 ] || skip "reads system call numbers as x86_64 numbers them"
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$FUSELAUNCH" -v --mode=watch -- \
		"$TESTFS" --hang --record="$RECORD" "$MNT" 2>"$TEST_DIR/err" &
	local pid=$! code=0 daemon
	wait_until grep -qs '^pid=' "$RECORD"
	daemon=$(daemon_pid)
	wait_until grep -q "the server mounted $MNT" "$TEST_DIR/err"
	# Back in its poll(2): done with the change that adopted the mount.
	wait_until in_syscall "$daemon" 7
	kill -KILL "$daemon"
	wait "$pid" || code=$?
	[ "$code" -eq 2 ]
	grep -q "detaching the mount on $MNT: done" "$TEST_DIR/err"
	assert_nothing_left
}

@test "a daemon killed outright right after attaching a synchronous mount: the foreground detaches it" {
	command -v strace >/dev/null || skip "strace is needed to hold the daemon"
	# The init thread is held just after move_mount(2): attached, not
	# reported.
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$NO_LEAK_CHECK" timeout --kill-after=5 "$BOUND" \
		strace -f -qq -o /dev/null -e trace=move_mount \
		-e inject=move_mount:delay_exit=5000000 \
		"$FUSELAUNCH" -v --sync-init=always -- "$TESTFS" --record="$RECORD" "$MNT" \
		2>"$TEST_DIR/err" &
	local pid=$! code=0
	wait_until grep -qs '^pid=' "$RECORD"
	wait_until is_mounted "$MNT"
	kill -KILL "$(daemon_pid)"
	wait "$pid" || code=$?
	[ "$code" -eq 2 ]
	grep -q "detaching the mount on $MNT: done" "$TEST_DIR/err"
	assert_nothing_left
}

@test "a daemon killed outright: the foreground detaches only the daemon's mount" {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$FUSELAUNCH" -- \
		"$TESTFS" --hang --record="$RECORD" "$MNT" 2>"$TEST_DIR/err" &
	local pid=$! code=0
	wait_until grep -qs '^pid=' "$RECORD"
	# Not this launch's: nothing of it is attached yet (synchronous INIT).
	mount -t tmpfs other "$MNT"
	kill -KILL "$(daemon_pid)"
	wait "$pid" || code=$?
	[ "$code" -eq 2 ]
	[ "$(mount_field fstype)" = tmpfs ]
	umount "$MNT"
	assert_nothing_left
}

@test "SIGTERM to the daemon stops the server and unmounts" {
	launch -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	kill -TERM "$(daemon_pid)"
	wait_until is_not_mounted "$MNT"
	assert_nothing_left
}

@test "the daemon leaves the caller's session once the launch succeeded" {
	launch -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	local daemon
	daemon=$(daemon_pid)
	[ "$(ps -o sid= -p "$daemon" | tr -d ' ')" = "$daemon" ]
}

@test "the daemon keeps none of the caller's descriptors: a pipe on fd 3 ends with fuselaunch" {
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=1 10 bash -c \
		'( "$1" -- "$2" --record="$3" "$4" 3>&1 4>"$5" ) | cat' \
		sh "$FUSELAUNCH" "$TESTFS" "$RECORD" "$MNT" "$TEST_DIR/file"
	assert_status 0
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
	# Its descriptors: stdio (/dev/null now), its signalfd, pidfd and
	# output pipes; nothing of the caller's.
	[ -z "$(ls -l "/proc/$(daemon_pid)/fd" | grep "$TEST_DIR/file")" ]
	[ -z "$(ls -l "/proc/$(recorded pid)/fd" | grep "$TEST_DIR/file")" ]
}

@test "--foreground keeps none of the caller's descriptors either" {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$FUSELAUNCH" -f -- "$TESTFS" --record="$RECORD" \
		"$MNT" 3>"$TEST_DIR/file" &
	local pid=$!
	wait_until test -s "$RECORD"
	wait_until is_mounted "$MNT"
	local held
	held=$(ls -l "/proc/$pid/fd" | grep "$TEST_DIR/file" || true)
	kill "$pid"
	wait "$pid" || true
	[ -z "$held" ]
}

@test "started with stdin closed, the server's stdin is /dev/null, not a file of ours" {
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=1 "$BOUND" bash -c \
		'exec "$@" <&-' sh "$FUSELAUNCH" -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	[ "$(readlink "/proc/$(recorded pid)/fd/0")" = /dev/null ]
}

@test "after success the server is out of the caller's process group: a Ctrl-C there spares it" {
	# The caller: a shell in a process group of its own that stays.
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" setsid sh -c \
		'"$0" -- "$1" --record="$2" "$3"; echo $? >"$4"; exec sleep "$5"' \
		"$FUSELAUNCH" "$TESTFS" "$RECORD" "$MNT" "$TEST_DIR/status" "$BOUND" &
	local caller=$!
	wait_until test -s "$TEST_DIR/status"
	[ "$(cat "$TEST_DIR/status")" = 0 ]
	[ "$(ps -o pgid= -p "$caller" | tr -d ' ')" = "$caller" ]
	[ "$(ps -o pgid= -p "$(recorded pid)" | tr -d ' ')" != "$caller" ]
	kill -INT -- -"$caller"
	wait "$caller" || true
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
	kill -0 "$(recorded pid)"
}

@test "a supervisor whose poll(2) fails keeps the server and still supervises it" {
	launch --log "$TEST_DIR/log" -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	local daemon soft
	daemon=$(daemon_pid)
	soft=$(prlimit --pid "$daemon" --nofile --raw --noheadings -o SOFT | tr -d ' ')
	# poll(2) of more descriptors than RLIMIT_NOFILE fails with EINVAL;
	# a SIGCHLD wakes the daemon to try it.
	prlimit --pid "$daemon" --nofile=3:
	kill -CHLD "$daemon"
	wait_until grep -q "cannot wait for events: Invalid argument" "$TEST_DIR/log"
	prlimit --pid "$daemon" --nofile="$soft":
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
	kill "$(recorded pid)"
	wait_until is_not_mounted "$MNT"
	assert_nothing_left
}

@test "--no-auto-unmount leaves the mount of a dead server in place" {
	launch --no-auto-unmount -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	run stat "$MNT/crash"
	wait_until no_test_process
	is_mounted "$MNT"
	run stat "$MNT/hello"
	assert_output_has "Transport endpoint is not connected"
}

@test "--pidfile names the serving process and is removed when it is gone" {
	launch --pidfile "$TEST_DIR/pid" -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	[ "$(cat "$TEST_DIR/pid")" = "$(recorded pid)" ]
	umount "$MNT"
	assert_nothing_left
	[ ! -e "$TEST_DIR/pid" ]
}

@test "a relative --pidfile is relative to the caller's directory, not the daemon's" {
	mkdir "$TEST_DIR/here"
	cd "$TEST_DIR/here"
	launch --pidfile pid -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	[ "$(cat "$TEST_DIR/here/pid")" = "$(recorded pid)" ]
	umount "$MNT"
	assert_nothing_left
	[ ! -e "$TEST_DIR/here/pid" ]
}

@test "--pidfile writes through no file planted next to it" {
	echo precious >"$TEST_DIR/victim"
	ln -s "$TEST_DIR/victim" "$TEST_DIR/pid.tmp"
	launch --pidfile "$TEST_DIR/pid" -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	[ "$(cat "$TEST_DIR/victim")" = precious ]
	[ -f "$TEST_DIR/pid" ]
	[ ! -L "$TEST_DIR/pid" ]
	[ "$(cat "$TEST_DIR/pid")" = "$(recorded pid)" ]
	[ "$(stat -c %a "$TEST_DIR/pid")" = 644 ]
}

@test "--pidfile that is a symbolic link: refused before anything runs, link and target untouched" {
	echo precious >"$TEST_DIR/victim"
	ln -s "$TEST_DIR/victim" "$TEST_DIR/pid"
	launch --pidfile "$TEST_DIR/pid" -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 2
	[ "$output" = "fuselaunch: pidfile '$TEST_DIR/pid': a symbolic link (not followed)" ]
	[ "$(cat "$TEST_DIR/victim")" = precious ]
	[ "$(readlink "$TEST_DIR/pid")" = "$TEST_DIR/victim" ]
	[ ! -s "$RECORD" ]
	assert_nothing_left
}

@test "--pidfile in a directory other users may write, not sticky: refused; sticky: written" {
	mkdir -m 777 "$TEST_DIR/open"
	launch --pidfile "$TEST_DIR/open/pid" -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 2
	[ "$output" = "fuselaunch: pidfile '$TEST_DIR/open/pid': directory '$TEST_DIR/open' is writable by other users and not sticky" ]
	[ ! -s "$RECORD" ]
	assert_nothing_left
	mkdir -m 775 "$TEST_DIR/group"
	launch --pidfile "$TEST_DIR/group/pid" -- "$TESTFS" "$MNT"
	assert_status 2
	mkdir -m 1777 "$TEST_DIR/sticky"
	launch --pidfile "$TEST_DIR/sticky/pid" -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 0
	[ "$(cat "$TEST_DIR/sticky/pid")" = "$(recorded pid)" ]
}

@test "--pidfile in a directory of another user: refused" {
	mkdir -m 755 "$TEST_DIR/theirs"
	chown nobody "$TEST_DIR/theirs"
	launch --pidfile "$TEST_DIR/theirs/pid" -- "$TESTFS" "$MNT"
	assert_status 2
	[ "$output" = "fuselaunch: pidfile '$TEST_DIR/theirs/pid': directory '$TEST_DIR/theirs' belongs to uid $(id -u nobody), neither root nor us" ]
	assert_nothing_left
}

@test "a pidfile that cannot be written fails the launch: exit 2, nothing mounted, no server left" {
	mkdir "$TEST_DIR/ro"
	mount -t tmpfs -o ro fuselaunch-test "$TEST_DIR/ro"
	launch --pidfile "$TEST_DIR/ro/pid" -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 2
	[ "$output" = "fuselaunch: cannot write pidfile '$TEST_DIR/ro/pid': Read-only file system" ]
	# The server had started and answered: it was stopped.
	[ -s "$RECORD" ]
	assert_nothing_left
}

@test "--foreground: a pidfile that cannot be written fails the launch with exit 2" {
	mkdir "$TEST_DIR/ro"
	mount -t tmpfs -o ro fuselaunch-test "$TEST_DIR/ro"
	launch -f --pidfile "$TEST_DIR/ro/pid" -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 2
	[ "${lines[-1]}" = "fuselaunch: cannot write pidfile '$TEST_DIR/ro/pid': Read-only file system" ]
	assert_nothing_left
}

@test "--pidfile follows a server that hands over to a background child" {
	launch --pidfile "$TEST_DIR/pid" -- "$TESTFS" --daemonize --record="$RECORD" "$MNT"
	assert_status 0
	wait_until test "$(cat "$TEST_DIR/pid")" = "$(recorded pid)"
	[ "$(grep -c '^pid=' "$RECORD")" = 2 ]
}

@test "--log FILE gets the server's output once mounted; the caller got it before" {
	launch --log "$TEST_DIR/log" -- "$TESTFS" --debug "$MNT"
	assert_status 0
	assert_output_has "opcode: INIT"
	cat "$MNT/hello"
	wait_until grep -q "opcode: READ" "$TEST_DIR/log"
	! grep -q "opcode: INIT" "$TEST_DIR/log"
}

@test "without --log the server's output goes to syslog once mounted" {
	# /dev/log, for this test only: a socket of ours in a /dev of ours.
	mkdir "$TEST_DIR/dev"
	touch "$TEST_DIR/dev/null" "$TEST_DIR/dev/fuse"
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" \
		socat -u UNIX-RECV:"$TEST_DIR/dev/log" OPEN:"$TEST_DIR/syslog",creat,append &
	wait_until test -S "$TEST_DIR/dev/log"
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout "$BOUND" \
		unshare --mount --propagation private sh -ec '
		mount --bind /dev/null "$1/dev/null"
		mount --bind /dev/fuse "$1/dev/fuse"
		mount --rbind "$1/dev" /dev
		"$2" -- "$3" --debug "$4"
		cat "$4/hello"' sh "$TEST_DIR" "$FUSELAUNCH" "$TESTFS" "$MNT"
	assert_status 0
	assert_output_has "opcode: INIT"
	wait_until grep -q "testfs\[[0-9]*\]: unique: [0-9]*, opcode: READ" "$TEST_DIR/syslog"
	! grep -q "opcode: INIT" "$TEST_DIR/syslog"
}

@test "--log names a file that cannot be written: exit 1" {
	launch --log "$TEST_DIR/no/such/dir/log" -- "$TESTFS" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: log file '$TEST_DIR/no/such/dir/log': No such file or directory" ]
	assert_nothing_left
}

@test "--log that is a symbolic link: refused, exit 1, its target untouched" {
	echo precious >"$TEST_DIR/victim"
	ln -s "$TEST_DIR/victim" "$TEST_DIR/log"
	launch --log "$TEST_DIR/log" -- "$TESTFS" --record="$RECORD" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: log file '$TEST_DIR/log': a symbolic link (not followed)" ]
	[ "$(cat "$TEST_DIR/victim")" = precious ]
	[ ! -s "$RECORD" ]
	assert_nothing_left
}

@test "--log in a directory other users may write, not sticky: refused, exit 1" {
	mkdir -m 777 "$TEST_DIR/open"
	launch --log "$TEST_DIR/open/log" -- "$TESTFS" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: log file '$TEST_DIR/open/log': directory '$TEST_DIR/open' is writable by other users and not sticky" ]
	[ ! -e "$TEST_DIR/open/log" ]
	assert_nothing_left
}

@test "--log naming a FIFO that nothing reads: refused at once, exit 1" {
	mkfifo "$TEST_DIR/log"
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=1 5 \
		"$FUSELAUNCH" --log "$TEST_DIR/log" -- "$TESTFS" "$MNT"
	assert_status 1
	[ "$output" = "fuselaunch: log file '$TEST_DIR/log': a FIFO that nothing reads" ]
	assert_nothing_left
}

@test "--log with --foreground is refused: the output stays on fuselaunch's own" {
	launch -f --log "$TEST_DIR/log" -- "$TESTFS" "$MNT"
	assert_status 1
	[ "${lines[0]}" = "fuselaunch: --log cannot be used with --foreground: there the server's output stays on fuselaunch's own" ]
	[ ! -e "$TEST_DIR/log" ]
	assert_nothing_left
}

@test "--foreground sends READY=1 once mounted, then exits with the server's status" {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" \
		socat -u UNIX-RECV:"$TEST_DIR/notify" OPEN:"$TEST_DIR/notified",creat,append &
	wait_until test -S "$TEST_DIR/notify"
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" NOTIFY_SOCKET="$TEST_DIR/notify" \
		"$FUSELAUNCH" -f -- "$TESTFS" --record="$RECORD" "$MNT" &
	local pid=$!
	wait_until grep -q READY=1 "$TEST_DIR/notified"
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
	run stat "$MNT/crash"
	wait "$pid" || status=$?
	# testfs died of SIGABRT: 128 + 6, as a shell reports it.
	[ "$status" -eq 134 ]
	grep -q STOPPING=1 "$TEST_DIR/notified"
	is_not_mounted "$MNT"
}

@test "--foreground tells systemd its STATUS=; the server does not get NOTIFY_SOCKET" {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" \
		socat -u UNIX-RECV:"$TEST_DIR/notify" OPEN:"$TEST_DIR/notified",creat,append &
	local socat=$!
	wait_until test -S "$TEST_DIR/notify"
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" NOTIFY_SOCKET="$TEST_DIR/notify" \
		"$FUSELAUNCH" -f --mode=fd -- sh -c 'echo "socket=${NOTIFY_SOCKET-}" >"$1"; exec "$2" "$3"' \
		sh "$TEST_DIR/env" "$TESTFS" "$MNT" &
	local pid=$!
	wait_until grep -q READY=1 "$TEST_DIR/notified"
	grep -q "STATUS=waiting for sh to answer FUSE_INIT on $MNT" "$TEST_DIR/notified"
	grep -q "STATUS=sh mounted on $MNT and answering" "$TEST_DIR/notified"
	[ "$(cat "$TEST_DIR/env")" = "socket=" ]
	kill -TERM "$pid"
	wait "$pid"
	grep -q "STATUS=stopping sh: unmounting $MNT" "$TEST_DIR/notified"
	kill "$socat"
	assert_nothing_left
}

@test "--foreground stopped by SIGTERM: unmounted, the server ends, exit 0 and one line saying how" {
	local server
	for server in "$TESTFS" "$HELLO"; do
		[ -x "$server" ] || continue
		env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$FUSELAUNCH" -f -- "$server" "$MNT" \
			2>"$TEST_DIR/err" &
		local pid=$!
		wait_until is_mounted "$MNT"
		kill -TERM "$pid"
		status=0
		wait "$pid" || status=$?
		[ "$status" -eq 0 ] || { cat "$TEST_DIR/err"; return 1; }
		grep -q "^fuselaunch: server '$(basename "$server")' on $MNT exited with status [0-9]* after signal 15 (Terminated) asked it to stop$" "$TEST_DIR/err"
		assert_nothing_left
	done
}

@test "--foreground SIGKILLed after success: the server is stopped and the mount detached" {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$FUSELAUNCH" -f -- "$TESTFS" --record="$RECORD" "$MNT" &
	local pid=$!
	wait_until grep -qs '^init' "$RECORD"
	wait_until is_mounted "$MNT"
	[ "$(cat "$MNT/hello")" = "hello from testfs" ]
	kill -KILL "$pid"
	wait "$pid" || true
	assert_nothing_left
}

@test "--foreground SIGKILLed before the outcome: the server is stopped" {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$FUSELAUNCH" -f -- "$TESTFS" --hang --record="$RECORD" "$MNT" &
	local pid=$!
	wait_until grep -qs '^pid=' "$RECORD"
	kill -KILL "$pid"
	wait "$pid" || true
	assert_nothing_left
}

@test "--foreground whose daemon is killed after success: exit 2, the server stopped, the mount detached" {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$FUSELAUNCH" -f -- "$TESTFS" --record="$RECORD" "$MNT" \
		2>"$TEST_DIR/err" &
	local pid=$! code=0
	wait_until grep -qs '^init' "$RECORD"
	wait_until is_mounted "$MNT"
	kill -KILL "$(daemon_pid)"
	wait "$pid" || code=$?
	[ "$code" -eq 2 ]
	grep -q "the daemon supervising the server was killed by signal 9 (Killed): stopping the server" \
		"$TEST_DIR/err"
	assert_nothing_left
}

@test "--foreground stopped by SIGQUIT: passed on to the daemon, exit 0" {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" \
		socat -u UNIX-RECV:"$TEST_DIR/notify" OPEN:"$TEST_DIR/notified",creat,append &
	local socat=$!
	wait_until test -S "$TEST_DIR/notify"
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" NOTIFY_SOCKET="$TEST_DIR/notify" \
		"$FUSELAUNCH" -f -- "$TESTFS" "$MNT" 2>"$TEST_DIR/err" &
	local pid=$! code=0
	wait_until grep -q READY=1 "$TEST_DIR/notified"
	kill -QUIT "$pid"
	wait "$pid" || code=$?
	[ "$code" -eq 0 ] || { cat "$TEST_DIR/err"; return 1; }
	grep -q "after signal 3 (Quit) asked it to stop$" "$TEST_DIR/err"
	kill "$socat"
	assert_nothing_left
}

@test "--foreground: a failed launch exits with the launch's code" {
	launch -f -- "$TESTFS" --exit-before-init=3 "$MNT"
	assert_status 4
	assert_nothing_left
}
