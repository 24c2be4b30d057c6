/* fusermount3, the setuid program that mounts for users who are not root,
 * spoken to in both of its protocols (DESIGN.md): the classic one, where
 * it mounts at once and hands back the device, and the synchronous one,
 * where it hands back the device first and mounts, blocking until INIT is
 * answered, once told to proceed. */
#ifndef FUSELAUNCH_FUSERMOUNT_H
#define FUSELAUNCH_FUSERMOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define FUSERMOUNT_PROGRAM "fusermount3"
#define UMOUNT_PROGRAM "umount"

struct fusermount {
	const char *path;	/* fusermount3's executable */
	unsigned int timeout_ms;/* for handing over the device; 0: none */
	pid_t pid;		/* while it runs (synchronous protocol) */
	int socket_fd;		/* our end of _FUSE_COMMFD */
	int stderr_fd;		/* fusermount3's stderr, for its own words */
};

/* Find fusermount3 in PATH, or else in /usr/bin and /bin, into *PATH
 * (malloc'ed).  Returns 0 or -ENOENT. */
int fusermount_find(char **path);

/* fusermount3's -o: the VFS options, the fuse parameters and the mount's
 * source and subtype, with commas and backslashes in values escaped the
 * way it unescapes them.  NULL when out of memory. */
char *fusermount_options(const char *vfs, const char *fs_params, const char *source,
			 const char *subtype);

/* Run fusermount3 for MOUNTPOINT and receive the device in *DEVICE_FD.
 * SYNC_INIT: the synchronous protocol; fusermount3 then waits, holding the
 * device, for fusermount_proceed(), and FM->pid runs until it answers.
 * Otherwise it has mounted (INIT queued) and exited by the time this
 * returns.  -EPROTONOSUPPORT: with SYNC_INIT, fusermount3 ended without
 * handing over a device (an older fusermount3 rejects the option; any other
 * refusal comes again from the classic protocol); -ETIMEDOUT: no device
 * within FM->timeout_ms (fusermount3 is killed); -EPERM: fusermount3
 * refused, WHY has its words; other -errno: WHY says what failed. */
int fusermount_mount(struct fusermount *fm, const char *mountpoint, const char *options,
		     bool sync_init, int *device_fd, char *why, size_t whylen);

/* Synchronous protocol: let fusermount3 mount, then wait for its answer:
 * 0 once mounted, or -errno (WHY then has its words).  Blocks until the
 * server has answered INIT or fusermount3 is gone.  fusermount3's pid is
 * for the caller to reap. */
int fusermount_proceed(struct fusermount *fm, char *why, size_t whylen);

/* Close fusermount3's descriptors (a waiting fusermount3 then exits without
 * mounting); FM->pid is left for the caller to reap. */
void fusermount_close(struct fusermount *fm);

/* fusermount3 -u -z MOUNTPOINT, waited for.  WHY gets its words. */
int fusermount_unmount(const char *fusermount, const char *mountpoint, char *why, size_t whylen);

/* As a user: fusermount3 -u [-z] MOUNTPOINT, or for a mount recorded in
 * utab (IN_UTAB), umount [-l] MOUNTPOINT; LAZY: detach it.  Waited for;
 * WHY gets its words. */
int fusermount_unmount_as_user(const char *fusermount, const char *mountpoint, bool lazy,
			       bool in_utab, char *why, size_t whylen);

/* umount -l MOUNTPOINT, waited for, for a user's mount that mount(8) may
 * have recorded in utab: fusermount3 leaves utab alone, while umount(8),
 * setuid too, lets a user unmount a FUSE mount of theirs (user_id=) and
 * drops the entry as root.  WHY gets its words. */
int fusermount_umount_recorded(const char *mountpoint, char *why, size_t whylen);

#endif
