#!/usr/bin/python3
# A FUSE server in Python for tests/servers.bats: Debian's python3-fuse,
# bindings to libfuse 2, serving /hello read-only.
#   hellofs.py [--raise-before-mount] [--exit-in-init=N] [--wait-for=FILE]
#              [-o OPTS] MOUNTPOINT
# --raise-before-mount: the start-up error users meet (a traceback, status 1).
# --wait-for=FILE: mount only once FILE exists, for a test to set the stage.
# --exit-in-init=N: the process ends with status N in the INIT handler, after
# its mount and before its answer.  Only an exit will do: the bindings print
# an exception raised there and answer INIT all the same.
import errno
import os
import stat
import time

import fuse

fuse.fuse_python_api = (0, 2)

HELLO = b"hello from python\n"


class HelloFS(fuse.Fuse):
    raise_before_mount = False
    exit_in_init = None
    wait_for = None

    def fsinit(self):
        if self.exit_in_init is not None:
            os._exit(self.exit_in_init)

    def getattr(self, path):
        st = fuse.Stat()
        if path == "/":
            st.st_mode = stat.S_IFDIR | 0o755
            st.st_nlink = 2
        elif path == "/hello":
            st.st_mode = stat.S_IFREG | 0o444
            st.st_nlink = 1
            st.st_size = len(HELLO)
        else:
            return -errno.ENOENT
        return st

    def readdir(self, path, offset):
        for name in (".", "..", "hello"):
            yield fuse.Direntry(name)

    def open(self, path, flags):
        if path != "/hello":
            return -errno.ENOENT
        if flags & (os.O_WRONLY | os.O_RDWR):
            return -errno.EACCES
        return 0

    def read(self, path, size, offset):
        return HELLO[offset:offset + size]


def main():
    server = HelloFS(usage="hellofs.py [--raise-before-mount] [--exit-in-init=N] "
                     "[--wait-for=FILE] MOUNTPOINT",
                     dash_s_do="setsingle")
    server.parser.add_option("--raise-before-mount", action="store_true",
                             help="raise an exception before mounting")
    server.parser.add_option("--exit-in-init", type="int", metavar="N",
                             help="exit with status N in the INIT handler")
    server.parser.add_option("--wait-for", metavar="FILE",
                             help="mount only once FILE exists")
    server.parse(values=server, errex=1)
    if server.raise_before_mount:
        raise RuntimeError("hellofs: raised before mounting, as asked")
    while server.wait_for and not os.path.exists(server.wait_for):
        time.sleep(0.01)
    server.main()


if __name__ == "__main__":
    main()
