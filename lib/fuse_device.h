/* /dev/fuse: opening it, synchronous FUSE_INIT, and cancelling a
 * connection whose INIT will never be answered. */
#ifndef FUSELAUNCH_FUSE_DEVICE_H
#define FUSELAUNCH_FUSE_DEVICE_H

#include <linux/fuse.h>
#include <stdbool.h>
#include <sys/ioctl.h>

/* Linux 6.18: fsconfig(FSCONFIG_CMD_CREATE) on a connection with this set
 * sends FUSE_INIT and returns only once the server has answered it.  Debian
 * 12's <linux/fuse.h> predates it. */
#ifndef FUSE_DEV_IOC_SYNC_INIT
#define FUSE_DEV_IOC_SYNC_INIT _IO(FUSE_DEV_IOC_MAGIC, 3)
#endif

#define FUSE_DEVICE_PATH "/dev/fuse"

/* Open /dev/fuse close-on-exec into *FD.  Returns 0 or -errno. */
int fuse_device_open(int *fd);

/* Whether this process may open /dev/fuse for reading and writing, as
 * fusermount3 run by a user must: 0, or -errno and in HINT (LEN bytes) why
 * and, when the device's mode refused it, what would let it. */
int fuse_device_check_access(char *hint, size_t len);

/* Whether the connection of device FD was aborted (it polls POLLERR):
 * the teardown of a superblock whose INIT failed aborts it, and no
 * request of it is pending any more. */
bool fuse_device_aborted(int fd);

/* Returns 0, or -ENOTTY on kernels without synchronous INIT. */
int fuse_device_enable_sync_init(int fd);

/* Abort a connection through a private, detached fusectl mount, so that a
 * mount blocked on its INIT returns ENOTCONN.  Nothing is attached to any
 * mount namespace.  A connection's number is given up once its superblock
 * is gone, and may be another's at once: with DEVICE_FD (ours, or -1 when
 * what holds the number is a mount we hold open) nothing is written once
 * our connection is aborted already (-ENOTCONN). */
int fuse_connection_abort(unsigned int connection, int device_fd);

/* How many requests of CONNECTION are in flight; -ENOENT once the
 * connection is gone.  Who may not mount fusectl (a user) reads the one
 * mounted on /sys/fs/fuse/connections: -EPERM where there is none. */
int fuse_connection_waiting(unsigned int connection, unsigned int *waiting);

#endif
