#!/usr/bin/env bats
# Under a real systemd: PID 1 of a systemd-nspawn container over an overlay
# of this machine's root, booted once for the file, with the build
# installed in it (make install).  The shipped contrib units and fstab
# lines run there as a sysadmin would run them, changed only to reach a
# local SFTP server instead of user@host.

load helpers

# A command inside the container, bounded.
ct() {
	timeout --kill-after=5 "$BOUND" nsenter -t "$SD_LEADER" -a "$@"
}

# The container's root, as the host sees it.
ct_root() {
	echo "/proc/$SD_LEADER/root"
}

system_up() {
	case $(ct systemctl is-system-running 2>/dev/null) in
	running | degraded) return 0 ;;
	*) return 1 ;;
	esac
}

# The kernel can serve automount units: the device systemd-nspawn binds in
# and the file system systemd mounts on the mountpoint.
have_autofs() {
	[ -c /dev/autofs ] && grep -qw autofs /proc/filesystems
}

# Why the automount tests skip on a kernel without autofs.
NO_AUTOFS_REASON="no autofs in this kernel (/dev/autofs, /proc/filesystems): automount units cannot work (modprobe autofs4)"

skip_without_autofs() {
	[ "$SD_AUTOFS" = yes ] || skip "$NO_AUTOFS_REASON"
}

setup_file() {
	command -v systemd-nspawn >/dev/null ||
		skip "systemd-nspawn is not installed (package systemd-container, README.md's first command)"
	# Without autofs, an x-systemd.automount line makes systemd cancel
	# other jobs at boot: the automount lines and the device go in only
	# where the kernel has it, and only the automount tests skip.
	local autofs_bind=""
	SD_AUTOFS=no
	if have_autofs; then
		SD_AUTOFS=yes
		autofs_bind=--bind=/dev/autofs
	fi
	export SD_AUTOFS
	SD_DIR=$(mktemp -d /tmp/fuselaunch-systemd.XXXXXX)
	export SD_DIR
	mkdir "$SD_DIR/ct"
	# Its own mount namespace: the overlay and the tmpfs on /run (where
	# systemd-nspawn keeps its state) go with its last process.
	timeout --kill-after=10 600 unshare --mount --propagation private sh -ec '
		mount -t tmpfs tmpfs /run
		mount -t tmpfs tmpfs "$1"
		mkdir "$1/u" "$1/w" "$1/root"
		mount -t overlay overlay -o "lowerdir=/,upperdir=$1/u,workdir=$1/w" "$1/root"
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$2" install DESTDIR="$1/root" >"$3/install.log" 2>&1
		cp "$2/tests/testfs" "$1/root/usr/local/bin/"
		if [ -x "$2/tests/hello" ]; then cp "$2/tests/hello" "$1/root/usr/local/bin/"; fi
		exec systemd-nspawn --register=no --keep-unit --link-journal=no -D "$1/root" \
			--private-network --console=pipe --bind=/dev/fuse $4 -b \
			-- --unit=basic.target' \
		sh "$SD_DIR/ct" "$BUILDDIR" "$SD_DIR" "$autofs_bind" >"$SD_DIR/boot.log" 2>&1 3>&- &
	SD_TIMEOUT=$!
	export SD_TIMEOUT
	local nspawn="" deadline=$((SECONDS + 60))
	until [ -n "${SD_LEADER:-}" ]; do
		if [ $SECONDS -ge $deadline ] || ! kill -0 "$SD_TIMEOUT" 2>/dev/null; then
			cat "$SD_DIR/boot.log" "$SD_DIR/install.log" >&2 || true
			return 1
		fi
		nspawn=$(pgrep -P "$SD_TIMEOUT" -x systemd-nspawn || true)
		[ -n "$nspawn" ] && SD_LEADER=$(pgrep -P "$nspawn" -x systemd || true)
		sleep 0.1
	done
	export SD_LEADER
	BOUND=60 wait_until system_up || {
		ct systemctl --failed >&2 || true
		return 1
	}
	# An SFTP server for sshfs (-o directport= speaks SFTP without ssh).
	ct mkdir -p /srv/data /srv/empty
	echo "remote data" >"$(ct_root)/srv/data/file"
	ct systemd-run --unit=sftp --quiet socat \
		TCP-LISTEN:2222,bind=127.0.0.1,reuseaddr,fork EXEC:/usr/lib/openssh/sftp-server
	wait_until ct socat -u OPEN:/dev/null TCP:127.0.0.1:2222
	# Every unit and fstab line of the tests, then one reload (generators
	# take seconds).
	ct mkdir -p /mnt/svc /mnt/hello /mnt/crash /mnt/fail /mnt/bind
	install_unit mnt-data.mount
	install_unit fuselaunch-sshfs@.service
	install_service /usr/local/bin/hello hello
	install_service /usr/local/bin/testfs crashing
	if [ "$SD_AUTOFS" = yes ]; then
		ct_fstab "$(grep '^sshfs#' "$BATS_TEST_DIRNAME/../contrib/fstab.example" |
			sed 's|user@host:/backup|127.0.0.1:/srv/data|; s|x-systemd.automount|&,directport=2222|')"
		ct_fstab "/srv/data /mnt/bind fuselaunch.bindfs noauto,x-systemd.automount,fuselaunch.timeout=5 0 0"
	fi
	ct_fstab "/srv/missing /mnt/fail fuselaunch.bindfs noauto 0 0"
	cat >"$(ct_root)/etc/systemd/system/mnt-slow.mount" <<-UNIT
	[Mount]
	What=slow
	Where=/mnt/slow
	Type=fuselaunch.testfs
	Options=hang,fuselaunch.timeout=2
	TimeoutSec=30
	UNIT
	ct systemctl daemon-reload
}

teardown_file() {
	local nspawn deadline=$((SECONDS + 30))
	if [ -n "${SD_LEADER:-}" ]; then
		ct systemctl poweroff || true
	fi
	if [ -n "${SD_TIMEOUT:-}" ]; then
		while kill -0 "$SD_TIMEOUT" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
			sleep 0.1
		done
		# Not powered off: the container's PID 1 (its whole PID namespace
		# with it), then systemd-nspawn, which once timeout is gone is no
		# child of anything we know.
		if kill -0 "$SD_TIMEOUT" 2>/dev/null; then
			nspawn=$(pgrep -P "$SD_TIMEOUT" -x systemd-nspawn || true)
			[ -n "$nspawn" ] && pkill -KILL -P "$nspawn" -x systemd
			[ -n "$nspawn" ] && kill -KILL "$nspawn" 2>/dev/null
			kill -KILL "$SD_TIMEOUT" 2>/dev/null || true
		fi
	fi
	# setup_file may have skipped or failed before making it.
	if [ -n "${SD_DIR:-}" ]; then
		rm -rf "$SD_DIR"
	fi
}

# The tests run in the container, with its own tables: no scratch
# directory and no libmount variables of helpers.bash's setup.
setup() {
	:
}

# What a test started stops with it, even when the test failed.
teardown() {
	ct systemctl stop '*.automount' 'mnt-*.mount' '*@*.service' >/dev/null 2>&1 || true
	ct systemctl reset-failed >/dev/null 2>&1 || true
	ct pkill -KILL -f "$SERVERS" || true
}

# A contrib unit with user@host:/data made the local SFTP server's
# /srv/data, installed in the container.
install_unit() {
	sed -e 's|user@host:/data|127.0.0.1:/srv/data|; s|reconnect|reconnect,directport=2222|' \
		"$BATS_TEST_DIRNAME/../contrib/systemd/$1" >"$(ct_root)/etc/systemd/system/${2:-$1}"
}

# An fstab line in the container; systemd's generator makes units of it.
ct_fstab() {
	echo "$*" >>"$(ct_root)/etc/fstab"
}

# The journal of unit $1, as bats' run sets output.
journal() {
	run ct journalctl --no-pager -o cat -u "$1"
}

# The journal of unit $1 (of all, for "") has the text $2.
journal_has() {
	ct journalctl --no-pager -o cat ${1:+-u "$1"} | grep -qF -- "$2"
}

ct_mounted() {
	ct findmnt -n "$1" >/dev/null
}

ct_not_mounted() {
	! ct_mounted "$1"
}

# The command lines of fuselaunch and of the servers (pgrep -f).
SERVERS='^([^ ]*/)?(fuselaunch|mount\.fuselaunch|sshfs|bindfs|testfs|hello)( |$)'

# No fuselaunch and no server process is left in the container.
no_launch_left() {
	! ct pgrep -f "$SERVERS" >/dev/null
}

unit_state() {
	ct systemctl show -P ActiveState "$1"
}

# Unit $1 is active again with another main process than $2.
restarted() {
	[ "$(unit_state "$1")" = active ] && [ "$(ct systemctl show -P MainPID "$1")" != "$2" ]
}

@test "contrib .mount unit: active once answering; stop unmounts and leaves no process" {
	run ct systemctl start mnt-data.mount
	assert_status 0
	[ "$(ct cat /mnt/data/file)" = "remote data" ]
	[ "$(ct findmnt -n -o FSTYPE /mnt/data)" = fuse.sshfs ]
	run ct systemctl stop mnt-data.mount
	assert_status 0
	ct_not_mounted /mnt/data
	[ "$(unit_state mnt-data.mount)" = inactive ]
	wait_until no_launch_left
	# The daemon said how its server ended, through syslog.  journald
	# takes it in on its own time, and may no longer find the unit of a
	# process that has exited by then: the whole journal is searched.
	wait_until journal_has "" "mount.fuselaunch: server 'sshfs' on /mnt/data "
}

@test "contrib Type=notify service: active once answering; stop leaves it inactive, not failed" {
	run ct systemctl start fuselaunch-sshfs@mnt-svc.service
	assert_status 0
	[ "$(ct cat /mnt/svc/file)" = "remote data" ]
	[ "$(ct systemctl show -P StatusText fuselaunch-sshfs@mnt-svc.service)" = \
		"sshfs mounted on /mnt/svc and answering" ]
	run ct systemctl stop fuselaunch-sshfs@mnt-svc.service
	assert_status 0
	[ "$(unit_state fuselaunch-sshfs@mnt-svc.service)" = inactive ]
	ct_not_mounted /mnt/svc
	wait_until no_launch_left
}

# The contrib service unit running another server on /%I.
install_service() {
	sed -e "s|^ExecStart=.*|ExecStart=/usr/local/bin/fuselaunch -f -- $1 /%I|" \
		"$BATS_TEST_DIRNAME/../contrib/systemd/fuselaunch-sshfs@.service" \
		>"$(ct_root)/etc/systemd/system/$2@.service"
}

@test "Type=notify service: stopping libfuse's hello leaves it inactive, not failed" {
	[ -x "$BUILDDIR/tests/hello" ] || skip "libfuse's examples are not installed (libfuse3-dev)"
	run ct systemctl start hello@mnt-hello.service
	assert_status 0
	[ "$(ct cat /mnt/hello/hello)" = "Hello World!" ]
	run ct systemctl stop hello@mnt-hello.service
	assert_status 0
	[ "$(unit_state hello@mnt-hello.service)" = inactive ]
	ct_not_mounted /mnt/hello
}

@test "Type=notify service: a server that crashes fails the unit and Restart=on-failure brings it back" {
	run ct systemctl start crashing@mnt-crash.service
	assert_status 0
	local pid
	pid=$(ct systemctl show -P MainPID crashing@mnt-crash.service)
	run ct stat /mnt/crash/crash
	wait_until restarted crashing@mnt-crash.service "$pid"
	[ "$(ct cat /mnt/crash/hello)" = "hello from testfs" ]
	journal crashing@mnt-crash.service
	assert_output_has "fuselaunch: server 'testfs' on /mnt/crash was killed by signal 6 (Aborted)"
	assert_output_has "status=134"
	assert_output_has "restart counter is at 1"
	run ct systemctl stop crashing@mnt-crash.service
	[ "$(unit_state crashing@mnt-crash.service)" = inactive ]
}

@test "x-systemd.automount, fd mode: the contrib fstab line mounts on first access" {
	skip_without_autofs
	run ct systemctl start mnt-backup.automount
	assert_status 0
	[ "$(ct cat /mnt/backup/file)" = "remote data" ]
	# Over the autofs mount.
	[ "$(ct findmnt -n -o FSTYPE /mnt/backup | tail -n 1)" = fuse.sshfs ]
	run ct systemctl stop mnt-backup.automount mnt-backup.mount
	assert_status 0
	ct_not_mounted /mnt/backup
}

@test "a failing server fails its .mount unit, with the server's own words in the journal" {
	run ct systemctl start mnt-fail.mount
	[ "$status" -ne 0 ]
	[ "$(unit_state mnt-fail.mount)" = failed ]
	journal mnt-fail.mount
	assert_output_has "Failed to resolve source directory \`/srv/missing'"
	assert_output_has "mount.fuselaunch: server 'bindfs' exited with status"
	ct_not_mounted /mnt/fail
	wait_until no_launch_left
}
@test "a .mount unit's Options= reach the launcher: a server that never answers times out" {
	run ct systemctl start mnt-slow.mount
	[ "$status" -ne 0 ]
	[ "$(unit_state mnt-slow.mount)" = failed ]
	journal mnt-slow.mount
	assert_output_has "mount.fuselaunch: server 'testfs' did not answer FUSE_INIT within 2.000 s"
	ct_not_mounted /mnt/slow
	wait_until no_launch_left
}
@test "x-systemd.automount, watch mode (bindfs mounts by itself): mounts on first access" {
	skip_without_autofs
	run ct systemctl start mnt-bind.automount
	assert_status 0
	[ "$(ct cat /mnt/bind/file)" = "remote data" ]
	[ "$(ct findmnt -n -o SOURCE,FSTYPE /mnt/bind | tail -n 1)" = "/srv/data fuse" ]
	run ct systemctl stop mnt-bind.automount mnt-bind.mount
	assert_status 0
	ct_not_mounted /mnt/bind
}

