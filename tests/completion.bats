#!/usr/bin/env bats
# contrib/bash-completion: sourced in bash, asked as bash asks it (COMP_WORDS
# split as bash splits the line, '=' included); contrib/zsh-completion in a
# real zsh, at the end.

load helpers

COMPLETION=$BATS_TEST_DIRNAME/../contrib/bash-completion/fuselaunch

# complete FUNCTION WORD...: the candidates for the last WORD, one a line.
complete_words() {
	local function=$1
	shift
	run bash -c 'source "$1"; shift; f=$1; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		"$f"; printf "%s\n" "${COMPREPLY[@]}"' _ "$COMPLETION" "$function" "$@"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

has() {
	grep -qxF -- "$1" <<<"$output" || { echo "no '$1' in: $output"; return 1; }
}

@test "fuselaunch: its long options" {
	complete_words _fuselaunch fuselaunch --sy
	[ "$output" = --sync-init= ]
	complete_words _fuselaunch fuselaunch --
	has --foreground
	has --mode=
	has --drop-privileges
}

@test "fuselaunch: --mode and --sync-init values, after '=' or a space" {
	complete_words _fuselaunch fuselaunch --mode = ""
	[ "$output" = "$(printf 'auto\nfd\nwatch')" ]
	complete_words _fuselaunch fuselaunch --sync-init = a
	[ "$output" = "$(printf 'auto\nalways')" ]
	complete_words _fuselaunch fuselaunch --mode w
	[ "$output" = watch ]
}

@test "fuselaunch: server names from PATH, after -- or fuselaunch's options" {
	PATH=$BUILDDIR/tests:$PATH complete_words _fuselaunch fuselaunch -- testf
	has testfs
	PATH=$BUILDDIR/tests:$PATH complete_words _fuselaunch fuselaunch -t 5 --mode = fd testf
	has testfs
}

@test "fuselaunch: after the server's name, the words are the server's" {
	mkdir "$TEST_DIR/dir"
	complete_words _fuselaunch fuselaunch -- testfs --mo
	[ -z "$output" ]
	complete_words _fuselaunch fuselaunch -f testfs "$TEST_DIR/di"
	[ "$output" = "$TEST_DIR/dir" ]
}

@test "fuselaunch: -o completes kernel options in a list" {
	complete_words _fuselaunch fuselaunch -o ro,allow_o
	[ "$output" = ro,allow_other ]
}

@test "mount.fuselaunch: -t fuselaunch.TYPE from PATH, -o launcher options and values" {
	PATH=$BUILDDIR/tests:$PATH complete_words _mount_fuselaunch mount.fuselaunch src /mnt -t fuselaunch.testf
	has fuselaunch.testfs
	complete_words _mount_fuselaunch mount.fuselaunch src /mnt -o _netdev,fuselaunch.ti
	[ "$output" = _netdev,fuselaunch.timeout= ]
	complete_words _mount_fuselaunch mount.fuselaunch src /mnt -o _netdev,fuselaunch.mode = f
	[ "$output" = fd ]
}

@test "the completion is registered for both programs" {
	run bash -c 'source "$1"; complete -p fuselaunch mount.fuselaunch' _ "$COMPLETION"
	assert_status 0
	[ "${lines[0]}" = "complete -F _fuselaunch fuselaunch" ]
	[ "${lines[1]}" = "complete -F _mount_fuselaunch mount.fuselaunch" ]
}

@test "fuselaunch: --unmount, --list and their options; --output columns in a list" {
	complete_words _fuselaunch fuselaunch --
	has --unmount
	has --list
	has --stack
	has --preserve-env
	has --noheadings
	complete_words _fuselaunch fuselaunch --list --output MOUNTPOINT,SO
	[ "$output" = MOUNTPOINT,SOURCE ]
	mkdir "$TEST_DIR/unmountable"
	complete_words _fuselaunch fuselaunch -u "$TEST_DIR/unmou"
	[ "$output" = "$TEST_DIR/unmountable" ]
}

# zsh: contrib/zsh-completion in a real interactive zsh on a
# pseudo-terminal (tests/zsh-complete), the line typed and TAB pressed.
zsh_complete() {
	command -v zsh >/dev/null || skip "zsh is not installed (README.md's first command installs it)"
	run timeout --kill-after=5 60 "$BATS_TEST_DIRNAME/zsh-complete" \
		"$BATS_TEST_DIRNAME/../contrib/zsh-completion" "$1"
	[ "$status" -eq 0 ] || { echo "$output"; return 1; }
}

@test "zsh: fuselaunch's options and their values" {
	zsh_complete "fuselaunch --sy"
	[ "$output" = --sync-init ]
	zsh_complete "fuselaunch --mode="
	[ "$output" = "$(printf 'auto\nfd\nwatch')" ]
	zsh_complete "fuselaunch -o ro,allow_o"
	[ "$output" = allow_other ]
	zsh_complete "fuselaunch --list --output=MOUNTPOINT,SO"
	[ "$output" = SOURCE ]
}

@test "zsh: the server's name from PATH; after it, the words are the server's" {
	PATH=$BUILDDIR/tests:$PATH zsh_complete "fuselaunch -t 5 --mode=fd -- testf"
	has testfs
	mkdir "$TEST_DIR/dir"
	zsh_complete "fuselaunch -f testfs --mo"
	! has --mountpoint
	zsh_complete "fuselaunch -f testfs $TEST_DIR/di"
	[ "$output" = dir/ ] || [ "$output" = dir ]
}

@test "zsh: mount.fuselaunch's -t fuselaunch.TYPE and -o launcher options" {
	PATH=$BUILDDIR/tests:$PATH zsh_complete "mount.fuselaunch src /mnt -t fuselaunch.testf"
	has testfs
	zsh_complete "mount.fuselaunch src /mnt -o _netdev,fuselaunch.ti"
	[ "$output" = fuselaunch.timeout ]
	zsh_complete "mount.fuselaunch src /mnt -o _netdev,fuselaunch.mode=f"
	[ "$output" = fd ]
}
