/* Which processes keep a mount busy, as fuser -m would name them: open
 * files, working and root directories, executables and mapped files.
 * Only /proc is read (links read with readlink, fdinfo, maps): nothing
 * here asks the mount's FUSE server anything, so a hung server cannot
 * hang the search. */
#ifndef FUSELAUNCH_MOUNT_HOLDERS_H
#define FUSELAUNCH_MOUNT_HOLDERS_H

#include <stddef.h>
#include <sys/types.h>

/* Describe the processes holding the mount MOUNT_ID (mountinfo's id) on
 * MOUNTPOINT, device DEV, into BUF ("1234 (bash: cwd), 1240 (cat: open
 * file)").  Returns how many there are. */
int mount_holders_describe(const char *mountpoint, int mount_id, dev_t dev,
			   char *buf, size_t len);

#endif
