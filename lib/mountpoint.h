/* The mountpoint, pinned: an O_PATH descriptor opened once in the
 * foreground, so the mount lands on the directory (or file) that was checked, not on
 * whatever the path names later (a rename or a symbolic link swapped in). */
#ifndef FUSELAUNCH_MOUNTPOINT_H
#define FUSELAUNCH_MOUNTPOINT_H

#include <stdbool.h>
#include <sys/types.h>

struct mountpoint {
	const char *path;	/* as given, for messages and path-only tools */
	int fd;			/* O_PATH; -1 until pinned */
	mode_t mode;		/* its file type, the mount's rootmode */
};

struct server_identity;

/* Pin PATH, a directory or (TYPE S_IFREG) a regular file, of the type the
 * mountpoint rule found.  With OWNER (--user), PATH is resolved as OWNER, and OWNER
 * must be allowed to write what it names, as fusermount3 requires of a
 * user: a symbolic link OWNER planted cannot take the mount where OWNER
 * could not mount.  Prints why not and returns -errno. */
int mountpoint_pin(struct mountpoint *mp, const char *path, mode_t type,
		   const struct server_identity *owner);
void mountpoint_release(struct mountpoint *mp);

/* The pinned mountpoint is an automount point (autofs, as systemd's
 * x-systemd.automount makes), told without triggering it. */
bool mountpoint_is_autofs(const struct mountpoint *mp);

#endif
