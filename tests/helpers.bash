# Shared by the bats suites: a scratch directory per test, bounded waits,
# and a teardown that leaves no mount and no process behind.

: "${BUILDDIR:?run the suite through tests/run or make check}"
FUSELAUNCH=${FUSELAUNCH:-$BUILDDIR/src/fuselaunch}
MOUNT_HELPER=$BUILDDIR/src/mount.fuselaunch
TESTFS=$BUILDDIR/tests/testfs
HELLO=$BUILDDIR/tests/hello
HOLDTHREAD=$BUILDDIR/tests/holdthread
# Anything that can block runs under this many seconds.
BOUND=20
# For env: in a sanitizer build, LeakSanitizer cannot work under ptrace
# (strace) nor without /proc; the tests that need those go without it.
NO_LEAK_CHECK=ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0

# The sanitizers read their options from /proc: a build with them cannot
# run where /proc is hidden.  $1: another reason it cannot.
skip_if_sanitized() {
	if ldd "$FUSELAUNCH" | grep -q 'libasan\|libubsan'; then
		skip "${1:-a sanitizer build needs /proc}"
	fi
}

setup() {
	TEST_DIR=$(mktemp -d /tmp/fuselaunch-test.XXXXXX)
	MNT=$TEST_DIR/mnt
	RECORD=$TEST_DIR/record
	mkdir "$MNT"
	# libmount's tables, for mount(8), the helper and the daemon: never
	# the host's.
	export LIBMOUNT_UTAB=$TEST_DIR/utab
	export LIBMOUNT_FSTAB=$TEST_DIR/fstab
	touch "$LIBMOUNT_FSTAB"
	private_registry
}

# The registry of root's launches (--list, --unmount): a fresh one per
# test, never the host's.
private_registry() {
	mkdir -p /run/fuselaunch
	mount -t tmpfs -o mode=755 fuselaunch-registry /run/fuselaunch
}

# Mounts below the scratch directory, deepest first.
test_mounts() {
	awk -v dir="$TEST_DIR" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# Processes a test started: launch() tags their environment, which the
# daemon and every server process inherit.
test_processes() {
	local f pid
	for f in $(grep -lsxzF "FUSELAUNCH_TEST_TAG=$TEST_DIR" /proc/[0-9]*/environ); do
		pid=${f#/proc/}
		pid=${pid%/environ}
		[ "$pid" != "$$" ] && [ "$pid" != "$BASHPID" ] && echo "$pid"
	done
	return 0
}

# Kill what the test started, again until nothing is left (bounded): a
# killed tracer lets its tracee run on, and a daemon caught before its
# fork starts a server after the first pass.
kill_test_processes() {
	local deadline=$((SECONDS + BOUND)) pids
	while pids=$(test_processes) && [ -n "$pids" ] && [ "$SECONDS" -le "$deadline" ]; do
		kill -KILL $pids 2>/dev/null || true
		sleep 0.05
	done
}

# Loop devices over files of the scratch directory (servers.bats' fuseblk).
test_loop_devices() {
	losetup -n -l -O NAME,BACK-FILE | awk -v dir="$TEST_DIR/" 'index($2, dir) == 1 { print $1 }'
}

teardown() {
	local m
	for m in $(test_mounts); do
		umount -l "$m" || true
	done
	kill_test_processes
	# Detached at once, or by the kernel when its last holder goes.
	for m in $(test_loop_devices); do
		losetup -d "$m" || true
	done
	if [ "$(findmnt -n -o SOURCE /run/fuselaunch)" = fuselaunch-registry ]; then
		umount -l /run/fuselaunch
	fi
	if [ "$(findmnt -n -o SOURCE /run/user | tail -n 1)" = fuselaunch-users ]; then
		umount -l /run/user
	fi
	while [ "$(findmnt -n -o SOURCE /sys/fs/fuse/connections | tail -n 1)" = fuselaunch-fusectl ]; do
		umount -l /sys/fs/fuse/connections || break
	done
	rm -rf "$TEST_DIR"
}

# fuselaunch with a time limit; status, output and lines as bats' run sets them.
launch() {
	run env FUSELAUNCH_TEST_TAG="$TEST_DIR" \
		timeout --kill-after=5 "$BOUND" "$FUSELAUNCH" "$@"
}

# Thirty launches by LAUNCHER (launch, or user_launch in privileges.bats)
# of a server that refuses INIT, with every CPU kept busy: each must say
# refused (exit 5) and leave nothing mounted.
refusals_on_busy_machine() {
	local launcher=$1 i busy=() rc=0
	for i in $(seq 0 "$(nproc)"); do
		env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout 60 sh -c 'while :; do :; done' &
		busy+=($!)
	done
	for i in $(seq 30); do
		"$launcher" -- "$TESTFS" --refuse-init "$MNT"
		if [ "$status" -ne 5 ]; then
			echo "launch $i: exit $status: $output"
			rc=1
			break
		fi
		is_not_mounted "$MNT" || { rc=1; break; }
	done
	# On a loaded machine the loops may have reached their 60 s bound already.
	kill "${busy[@]}" 2>/dev/null || true
	wait "${busy[@]}" 2>/dev/null || true
	return "$rc"
}

# fuselaunch in the background with a server that never answers INIT, once
# that server runs; its pid in PENDING, its stderr in $TEST_DIR/err.  The
# arguments, if any, are a command that runs it (setsid).
launch_pending() {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" "$@" "$FUSELAUNCH" -- "$TESTFS" --hang \
		--record="$RECORD" "$MNT" 2>"$TEST_DIR/err" &
	PENDING=$!
	wait_until test -s "$RECORD"
}

# Poll a condition every 20 ms for at most BOUND seconds.
wait_until() {
	local deadline=$((SECONDS + BOUND))
	until "$@"; do
		if [ $SECONDS -ge $deadline ]; then
			echo "timed out waiting for: $*" >&2
			return 1
		fi
		sleep 0.02
	done
}

# The mountinfo line of the mount on $1, or nothing.
mountinfo_of() {
	awk -v mp="$1" '$5 == mp' /proc/self/mountinfo
}

is_mounted() {
	[ -n "$(mountinfo_of "$1")" ]
}

is_not_mounted() {
	! is_mounted "$1"
}

no_test_process() {
	[ -z "$(test_processes)" ]
}

# Nothing mounted and, within the bound, nothing left running.
assert_nothing_left() {
	is_not_mounted "$MNT" || { echo "still mounted: $(mountinfo_of "$MNT")"; return 1; }
	wait_until no_test_process || { ps -f $(test_processes); return 1; }
}

# Fields of the mount on $MNT: fstype, source, mount options, super options.
mount_field() {
	mountinfo_of "$MNT" | awk -v want="$1" '{
		for (i = 7; $i != "-"; i++) ;
		if (want == "fstype") print $(i + 1);
		if (want == "source") print $(i + 2);
		if (want == "options") print $6;
		if (want == "super") print $(i + 3);
	}'
}

# The last value recorded by testfs for KEY.
recorded() {
	sed -n "s/^$1=//p" "$RECORD" | tail -n 1
}

assert_status() {
	if [ "$status" -ne "$1" ]; then
		echo "expected exit status $1, got $status; output:"
		echo "$output"
		return 1
	fi
}

assert_output_has() {
	if [[ "$output" != *"$1"* ]]; then
		echo "output lacks: $1"
		echo "output was: $output"
		return 1
	fi
}

# fuselaunch $1 (a background job of this test, its stderr in
# $TEST_DIR/err) ended cancelled by signal $2 ("2 (Interrupt)").
assert_cancelled() {
	local code=0
	wait "$1" || code=$?
	if [ "$code" -ne 8 ]; then
		echo "expected exit status 8, got $code"
		return 1
	fi
	if [ "$(cat "$TEST_DIR/err")" != "fuselaunch: launch of 'testfs' cancelled by signal $2" ]; then
		echo "stderr was: $(cat "$TEST_DIR/err")"
		return 1
	fi
}

# mount(8) finds helpers in /sbin and runs them without PATH: for a suite
# that mounts through mount(8) (the run has a private mount namespace),
# /usr/sbin gets mount.fuselaunch and testfs through a read-only overlay,
# which users may search too.
overlay_sbin() {
	SBIN_EXTRA=$(mktemp -d /tmp/fuselaunch-sbin.XXXXXX)
	chmod 755 "$SBIN_EXTRA"
	ln -s "$BUILDDIR/src/mount.fuselaunch" "$SBIN_EXTRA/mount.fuselaunch"
	ln -s "$BUILDDIR/src/umount.fuselaunch" "$SBIN_EXTRA/umount.fuselaunch"
	ln -s "$BUILDDIR/tests/testfs" "$SBIN_EXTRA/testfs"
	mount -t overlay fuselaunch-tests -o lowerdir="$SBIN_EXTRA:/usr/sbin" /usr/sbin
	export SBIN_EXTRA
}

remove_sbin_overlay() {
	umount /usr/sbin
	rm -rf "$SBIN_EXTRA"
}

# For a suite's setup_file (the run has a private mount namespace): a test
# user and group, another user, in bind-mounted copies of /etc/passwd and
# /etc/group, and a /dev/fuse that users may open, as on most
# distributions (here it is 0600).  fusermount3 reads the same files, so
# it sees the same user.  PRIV_DIR holds them; test_users_teardown undoes it.
test_users_setup() {
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
	mkdir -m 755 "$PRIV_DIR/home"
	chown "$TEST_USER:" "$PRIV_DIR/home"
	export PRIV_DIR TEST_USER TEST_UID OTHER_USER
}

test_users_teardown() {
	umount /etc/passwd /etc/group /dev/fuse
	rm -rf "$PRIV_DIR"
}

# As the test user, tagged and bounded like launch().
as_user() {
	env FUSELAUNCH_TEST_TAG="$TEST_DIR" timeout --kill-after=5 "$BOUND" \
		setpriv --reuid="$TEST_USER" --regid="$TEST_USER" --init-groups -- "$@"
}

user_launch() {
	run as_user env PATH="${USER_PATH:-/usr/bin:/bin}" "$FUSELAUNCH" "$@"
}

# The test user's runtime directory where root's --list and --unmount look
# for users' launches, /run/user/UID, on a tmpfs of the test's own (which
# teardown takes away): its path in RUNTIME.
run_user_runtime() {
	mount -t tmpfs -o mode=755 fuselaunch-users /run/user
	RUNTIME=/run/user/$(id -u "$TEST_USER")
	install -d -o "$TEST_USER" -m 700 "$RUNTIME"
}
