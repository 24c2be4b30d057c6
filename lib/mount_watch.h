/* The mount table, read with libmount without asking any FUSE server
 * anything: watching /proc/self/mountinfo for changes (poll() says when),
 * and finding FUSE mounts in it by their connection (fuse_connection.h). */
#ifndef FUSELAUNCH_MOUNT_WATCH_H
#define FUSELAUNCH_MOUNT_WATCH_H

#include <stdbool.h>
#include <stddef.h>

struct mount_watch {
	int fd;			/* /proc/self/mountinfo: POLLPRI once the table
				 * changed since the last poll(); -1: none */
};

/* Start watching; libmount is loaded only once the table is read. */
int mount_watch_start(struct mount_watch *w);

void mount_watch_stop(struct mount_watch *w);

/* A FUSE mount, as the table shows it. */
struct fuse_mount_entry {
	int id;				/* mountinfo's */
	unsigned int connection;
	const char *target;
	const char *source;
	const char *fstype;
};

/* Call FN for each FUSE mount whose connection is one of the N in
 * CONNECTIONS, in table order (a mount on top comes after the one it
 * covers), until FN returns non-zero; returns that, or -errno. */
int mount_table_fuse_mounts(const unsigned int *connections, size_t n,
			    int (*fn)(const struct fuse_mount_entry *e, void *arg), void *arg);

/* Whether descriptor FD is the root of a FUSE mount, asking no FUSE
 * server anything: 1 with "FSTYPE from 'SOURCE'" in BUF; 0 when it is not
 * the root of a mount or not of a FUSE one; -errno. */
int mount_table_fuse_root(int fd, char *buf, size_t len);

/* Whether a FUSE mount is mounted on what descriptor FD names (since FD
 * was opened: the mount covers it, and a path now leads to the mount):
 * 1 with its description in BUF, as above; 0 when none is; -errno. */
int mount_table_fuse_over(int fd, char *buf, size_t len);

/* The source the table shows for the FUSE mount whose root descriptor FD
 * is (what libmount joins utab's entries by), in *SOURCE to free; -ENOENT
 * when FD is not the root of a FUSE mount; -errno. */
int mount_table_fuse_source(int fd, char **source);

/* Whether any mount (FUSE or not) is on TARGET: 1, 0, -errno. */
int mount_table_target_mounted(const char *target);

#endif
