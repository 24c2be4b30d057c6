#!/usr/bin/env bats
# The command line, --help and the man page agree with each other.

load helpers


man_page() {
	local page
	for page in "$BUILDDIR/man/fuselaunch.1" "$(dirname "$BATS_TEST_FILENAME")/../man/fuselaunch.1"; do
		[ -r "$page" ] && { echo "$page"; return; }
	done
	return 1
}

@test "--help prints usage on stdout and exits 0" {
	run "$FUSELAUNCH" --help
	assert_status 0
	[[ "${lines[0]}" == "Usage:" ]]
	assert_output_has "fuselaunch [options] -- SERVER [SERVER-ARGS...]"
}

@test "--version prints the version and the licence, for each program" {
	local program
	run "$FUSELAUNCH" --version
	assert_status 0
	[[ "${lines[0]}" =~ ^fuselaunch\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
	[[ "${lines[1]}" == "License GPL-2.0-or-later <"* ]]
	for program in "$MOUNT_HELPER" "$BUILDDIR/src/umount.fuselaunch"; do
		run "$program" --version
		assert_status 0
		[[ "${lines[0]}" =~ ^$(basename "$program")\ from\ fuselaunch\ [0-9]+\.[0-9]+\.[0-9]+$ ]]
		[[ "${lines[1]}" == "License GPL-2.0-or-later <"* ]]
	done
}

@test "--help and --version whose output is lost fail with exit 2" {
	local program option
	for program in "$FUSELAUNCH" "$MOUNT_HELPER"; do
		for option in --help --version; do
			run bash -c '"$1" "$2" >/dev/full' _ "$program" "$option"
			assert_status 2
			assert_output_has "$(basename "$program"): write error: No space left on device"
		done
	done
}

@test "--help into a closed pipe is not an error" {
	run bash -c 'set -o pipefail; "$1" --help | true' _ "$FUSELAUNCH"
	[ "$status" -eq 0 ] || [ "$status" -eq 141 ]
	[[ "$output" != *"write error"* ]]
}

@test "an unknown option of mount.fuselaunch: exit 1 with the same hint" {
	run "$MOUNT_HELPER" --bogus src /mnt
	assert_status 1
	[ "${lines[1]}" = "Try 'mount.fuselaunch --help' for more information." ]
}

@test "no server: exit 1 with a hint" {
	run "$FUSELAUNCH"
	assert_status 1
	[ "${lines[0]}" = "fuselaunch: no server given" ]
	[ "${lines[1]}" = "Try 'fuselaunch --help' for more information." ]
}

@test "an unknown option: exit 1" {
	run "$FUSELAUNCH" --bogus -- true
	assert_status 1
}

@test "a bad timeout: exit 1 naming it" {
	run "$FUSELAUNCH" -t soon -- "$TESTFS" "$MNT"
	assert_status 1
	assert_output_has "invalid timeout 'soon'"
}

@test "options after the server's name belong to the server" {
	launch -- "$TESTFS" --record="$RECORD" -v "$MNT"
	# testfs rejects -v itself: fuselaunch must not have taken it.
	assert_status 4
	[[ "$output" != *"opened /dev/fuse"* ]]
}

@test "every option in --help is in the man page, and the reverse" {
	local page help_opts man_opts
	page=$(man_page)
	help_opts=$("$FUSELAUNCH" --help | grep -o -- '--[a-z][a-z-]*' | sort -u)
	man_opts=$(grep -o -- '^\\fB-[a-zA-Z]\\fR, \\fB--[a-z-]*\|^\\fB--[a-z-]*' "$page" | grep -o -- '--[a-z][a-z-]*' | sort -u)
	[ "$help_opts" = "$man_opts" ]
}

@test "every exit code is in --help and the man page" {
	local page code
	page=$(man_page)
	for code in 0 1 2 3 4 5 6 7 8 9 10; do
		"$FUSELAUNCH" --help | grep -q "^ $code  \?"
		grep -q "^\.IP $code\$" "$page"
	done
	[ "$(grep -c '^\.IP [0-9]*$' "$page")" = 11 ]
}

@test "README, --help and the man page agree: 1 for an option fuselaunch refuses, 6 for one the kernel refuses" {
	local page readme
	page=$(man_page)
	readme=$(dirname "$BATS_TEST_FILENAME")/../README.md
	grep -qx '| 1 | bad command line or mountpoint, or a mount option fuselaunch does not accept |' "$readme"
	grep -qx '| 6 | the kernel refused the mount or one of its mount options |' "$readme"
	"$FUSELAUNCH" --help | grep -qx ' 1  bad command line or mountpoint, or a mount option fuselaunch does not accept'
	"$FUSELAUNCH" --help | grep -qx ' 6  the kernel refused the mount or one of its mount options'
	# An entry's first sentence, its source lines joined.
	[[ "$(sed -n '/^\.IP 1$/,/^\.IP/{/^\.IP/d;p}' "$page" | tr '\n' ' ')" == "Bad command line or mountpoint, or a mount option fuselaunch does not accept (unknown, malformed, or meant for /etc/fstab). "* ]]
	[[ "$(sed -n '/^\.IP 6$/,/^\.IP/{/^\.IP/d;p}' "$page" | tr '\n' ' ')" == "The kernel refused the mount or one of its mount options (a value it does not take, or attaching the mount on the mountpoint). "* ]]
}

@test "the man page has a SECURITY section, and says --drop-privileges is no containment" {
	local page
	page=$(man_page)
	grep -qx '\.SH SECURITY' "$page"
	grep -q 'This is not containment: the server is still uid 0' "$page"
	"$FUSELAUNCH" --help | grep -q "it still owns root's files"
}

@test "the man pages are clean for mandoc -T lint" {
	command -v mandoc >/dev/null || {
		echo "mandoc is not installed (see README.md's first command)"
		return 1
	}
	local dir
	dir=$(dirname "$(man_page)")
	run mandoc -T lint "$dir"/*.[18]
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

@test "fuselaunch(1) has EXAMPLES, ENVIRONMENT and FILES, and points to mount.fuselaunch(8)" {
	local page section
	page=$(man_page)
	for section in EXAMPLES ENVIRONMENT FILES "SEE ALSO"; do
		grep -qx "\.SH \"\\?$section\"\\?" "$page" || { echo "no $section"; return 1; }
	done
	sed -n '/^\.SH SEE ALSO/,/^\.SH/p' "$page" | grep -qx '\.BR mount\.fuselaunch (8),\?'
	# The examples: a script that checks $?, an fstab line, a systemd unit.
	sed -n '/^\.SH EXAMPLES/,/^\.SH/p' "$page" >"$TEST_DIR/examples"
	grep -q '^status=\$?$' "$TEST_DIR/examples"
	grep -q ' fuselaunch\.sshfs  _netdev,' "$TEST_DIR/examples"
	grep -q '^Type=notify$' "$TEST_DIR/examples"
}

@test "mount.fuselaunch(8)'s SYNOPSIS has every option of its --help" {
	command -v mandoc >/dev/null || {
		echo "mandoc is not installed (see README.md's first command)"
		return 1
	}
	local page synopsis option options
	page=$(dirname "$(man_page)")/mount.fuselaunch.8
	synopsis=$(mandoc -T ascii "$page" | col -b | sed -n '/^SYNOPSIS/,/^DESCRIPTION/p')
	options=$("$MOUNT_HELPER" --help | sed -n 's/^ \(-[^ ]*\(, -[^ ]*\)*\).*/\1/p' | tr -d ,)
	[ "$(echo $options | wc -w)" -ge 10 ] || { echo "too few options in --help: $options"; return 1; }
	for option in $options; do
		case $option in
		--*) [[ "$synopsis" == *"$option"* ]] ;;
		*) [[ "$synopsis" =~ -[a-zA-Z]*${option#-} ]] ;;
		esac || { echo "$option is not in the SYNOPSIS: $synopsis"; return 1; }
	done
}
