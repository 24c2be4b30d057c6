/* The rule: a mount belongs to a launch only when its FUSE connection
 * proves it.  A FUSE mount's device number is its connection (the number
 * fusectl names it by), and /proc/PID/fdinfo of a /dev/fuse descriptor
 * names the connection that descriptor serves (`fuse_connection:`).  So a
 * mount is the server's when one of the server's processes holds a
 * descriptor of the mount's connection: never by its path, never by when
 * it appeared.  Every place that adopts, probes, aborts or detaches a
 * mount asks here. */
#ifndef FUSELAUNCH_FUSE_CONNECTION_H
#define FUSELAUNCH_FUSE_CONNECTION_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The connection of the FUSE superblock whose device is DEV: the kernel's
 * own encoding of the number (0:N for fuse, the block device for fuseblk). */
unsigned int fuse_connection_of_dev(dev_t dev);

/* The connection served by descriptor FD of process PID (0: this one),
 * from its fdinfo; -ENOENT when FD is not a /dev/fuse descriptor attached
 * to a connection (yet). */
int fuse_connection_of_fd(pid_t pid, int fd, unsigned int *connection);

/* What descriptor FD is on, asking no FUSE server anything (statx with an
 * empty mask, which FUSE answers from the superblock alone): the
 * connection its superblock would have, and whether FD is the root of its
 * mount.  Returns 0 or -errno. */
int fuse_connection_at(int fd, unsigned int *connection, bool *mount_root);

/* The connections held by this process's descendants, the launch's server
 * processes (this process is their child subreaper): every /dev/fuse
 * descriptor any of them has, up to MAX, into CONNECTIONS.  Returns how
 * many, or -errno.  A process whose fds may not be read (fusermount3,
 * setuid, while it mounts) holds none as far as this goes. */
int fuse_connections_of_server(unsigned int *connections, size_t max);

/* Whether CONNECTION is among the N in CONNECTIONS. */
bool fuse_connection_in(unsigned int connection, const unsigned int *connections, size_t n);

/* Whether a mount of type FSTYPE (the mount table's) is FUSE's: fuse,
 * fuseblk or fuse.SUBTYPE. */
bool fuse_fstype(const char *fstype);

#endif
