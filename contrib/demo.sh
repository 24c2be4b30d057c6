#!/bin/bash
# A real launch of the test server, in a private mount namespace so that
# nothing outlives the demo:  contrib/demo.sh BUILDDIR
set -eu
builddir=$(cd "${1:-.}" && pwd)
mnt=$(mktemp -d /tmp/fuselaunch-demo.XXXXXX)
trap 'rmdir "$mnt"' EXIT

timeout 60 unshare --mount --propagation private -- bash -eu -c '
	builddir=$1 mnt=$2
	set -x
	"$builddir/src/fuselaunch" -v -- "$builddir/tests/testfs" "$mnt"
	echo "fuselaunch exited $?"
	cat "$mnt/hello"
	grep " $mnt " /proc/self/mountinfo
	umount "$mnt"
' demo "$builddir" "$mnt"
