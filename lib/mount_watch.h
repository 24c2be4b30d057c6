/* Watching /proc/self/mountinfo for the FUSE mount a server makes itself
 * (--mode=watch): poll() says when the mount table changed, libmount reads
 * it.  Only a mount that was not there at the start counts. */
#ifndef FUSELAUNCH_MOUNT_WATCH_H
#define FUSELAUNCH_MOUNT_WATCH_H

#include <stddef.h>
#include <sys/types.h>

struct mount_watch {
	int fd;			/* /proc/self/mountinfo, for POLLPRI */
	const char *target;
	int *before;		/* ids of the mounts on target at the start */
	size_t nbefore;
};

int mount_watch_start(struct mount_watch *w, const char *target);

/* After a change: a FUSE mount on the target that is new.  Returns 0 with
 * its mountinfo id and device number (whose minor is its fusectl
 * connection), -ENOENT when there is none yet. */
int mount_watch_find(struct mount_watch *w, int *id, dev_t *devno);

void mount_watch_stop(struct mount_watch *w);

#endif
