/* The mountpoint, pinned: an O_PATH descriptor opened once in the
 * foreground, so the mount lands on the directory that was checked, not on
 * whatever the path names later. */
#ifndef FUSELAUNCH_MOUNTPOINT_H
#define FUSELAUNCH_MOUNTPOINT_H

#include <sys/types.h>

struct mountpoint {
	const char *path;	/* as given, for messages and path-only tools */
	int fd;			/* O_PATH; -1 until pinned */
	mode_t mode;		/* its file type, the mount's rootmode */
};

/* Pin PATH.  Prints why not and returns -errno. */
int mountpoint_pin(struct mountpoint *mp, const char *path);
void mountpoint_release(struct mountpoint *mp);

#endif
