/* The kernel side of a FUSE mount with the new mount API: an fs context,
 * the superblock (whose creation sends FUSE_INIT), and the attached mount. */
#ifndef FUSELAUNCH_KERNEL_MOUNT_H
#define FUSELAUNCH_KERNEL_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct kernel_mount_params {
	int device_fd;
	mode_t root_mode;	/* file type of the mountpoint */
	uid_t user_id;
	gid_t group_id;
	const char *source;	/* shown as the mount's source (fsname) */
	const char *source_option; /* the option that gave it, for messages */
	const char *subtype;	/* the mount's type is fuse.SUBTYPE */
	const char *fs_params;	/* more parameters, as an option string */
};

/* The mounts made from now on belong to UID and GID (--user): without
 * allow_other only they may ask them anything, so kernel_mount_id() and
 * kernel_mount_probe() ask as them. */
void kernel_mount_set_owner(uid_t uid, gid_t gid);

/* Whether this process may create FUSE mounts itself: 0, or -EPERM for a
 * user who needs fusermount3. */
int kernel_mount_permitted(void);

/* fsopen("fuse"): a new fs context in *FSFD. */
int kernel_mount_open(int *fsfd);

/* Set every parameter.  On failure WHY names the parameter and what the
 * kernel said about it. */
int kernel_mount_configure(int fsfd, const struct kernel_mount_params *params,
			   char *why, size_t whylen);

/* FSCONFIG_CMD_CREATE: with synchronous INIT this blocks until the server
 * has answered FUSE_INIT.  LOWER_CAPS: for an unprivileged server, send
 * INIT holding only CAP_SYS_ADMIN (privileges.h).  WHY gets the kernel's
 * messages on failure. */
int kernel_mount_create(int fsfd, bool lower_caps, char *why, size_t whylen);

/* Make the mount (with MOUNT_ATTR_* ATTRS) and attach it on TARGET_FD, an
 * O_PATH descriptor of the mountpoint.  *MOUNT_ID identifies this mount
 * for kernel_mount_detach(); it is written to ANNOUNCE_FD (-1: nowhere)
 * before the mount is attached, so that whoever reads it there knows of
 * every mount that may be on the mountpoint.  With MOUNT_FD the caller
 * gets a descriptor of the mount's root, which it must close soon: an
 * open file on the mount makes a plain umount(8) fail with EBUSY. */
int kernel_mount_attach(int fsfd, uint64_t attrs, int target_fd, int announce_fd,
			uint64_t *mount_id, int *mount_fd, char *why, size_t whylen);

/* Set the MOUNT_ATTR_* ATTRS on exactly the mount MOUNT_FD is on (its
 * root, opened O_PATH), clearing none; with ATIME, its atime becomes the
 * one in ATTRS (none of them: relatime).  Root only; asks the server
 * nothing. */
int kernel_mount_set_attributes(int mount_fd, uint64_t attrs, bool atime);

/* Prove that the server answers: a forced stat of the mount's root waits
 * for FUSE_INIT to be answered.  ECONNREFUSED: INIT was answered with an
 * error; ENOTCONN: the connection is gone. */
int kernel_mount_probe(int mount_fd);

/* The id of the mount FD is on (unique where the kernel has such ids);
 * asks no FUSE server anything. */
int kernel_mount_id(int fd, uint64_t *mount_id);

/* An O_PATH descriptor of what is on MOUNTPOINT now, in *FD, and the id of
 * its mount; asks no FUSE server anything. */
int kernel_mount_open_at(const char *mountpoint, int *fd, uint64_t *mount_id);

/* Whether the mount on MOUNTPOINT is still the one identified by
 * MOUNT_ID: 0, -ESTALE when another mount (or none) is there now, or
 * -errno.  With FD, the caller gets the descriptor checked. */
int kernel_mount_check_at(const char *mountpoint, uint64_t mount_id, int *fd);

/* Detach-unmount the mount at MOUNTPOINT if, and only if, it is still the
 * one identified by MOUNT_ID.  Returns 0, -ESTALE when another mount (or
 * none) is there now, or -errno. */
int kernel_mount_detach(const char *mountpoint, uint64_t mount_id);

/* Unmount (umount2 FLAGS: 0, or MNT_DETACH) the mount at MOUNTPOINT if it
 * is the one identified by MOUNT_ID, by its name in the parent directory
 * held open while it is checked: however the path above is changed
 * meanwhile, the mount checked is the one unmounted, and no descriptor
 * of ours keeps it busy.  Returns 0, -ESTALE, or -errno. */
int kernel_mount_unmount_at(const char *mountpoint, uint64_t mount_id, int flags);

#endif
