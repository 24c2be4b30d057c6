/* mount(8)'s external-helper convention, turned into a launch:
 * "mount.fuselaunch SOURCE MOUNTPOINT [-sfnrvw] [-o OPTS] [-t fuselaunch.TYPE]"
 * runs "TYPE SOURCE /dev/fd/N -o SERVER-OPTS". */
#ifndef FUSELAUNCH_MOUNT_HELPER_H
#define FUSELAUNCH_MOUNT_HELPER_H

#include <stdint.h>

#include <stdbool.h>

#include "launch.h"

#define MOUNT_HELPER_NAME "mount.fuselaunch"
#define MOUNT_HELPER_TYPE "fuselaunch"

struct mount_helper {
	/* as mount(8) gives them */
	const char *program;	/* the name we were run as */
	const char *source;	/* SOURCE, or TYPE#SOURCE */
	const char *target;
	const char *type;	/* -t, or NULL */
	char *options;		/* -o (and -r/-w), or NULL */
	bool no_utab;		/* -n */
	/* derived */
	char *fstab_userspace;	/* userspace options of the matching fstab entry */
	bool in_fstab;		/* there is one */
	char *server_type;
	char *server_source;
	char *server_options;	/* the server's -o */
	char *argv[6];		/* TYPE SOURCE MOUNTPOINT [-o SERVER-OPTS] */
};

/* The server's type and source, from the command line alone: no path is
 * walked.  Prints why not: -EINVAL bad input, -ENOMEM. */
int mount_helper_split_type(struct mount_helper *h);

/* Then every option sorted (kernel, launcher fuselaunch.* and
 * x-fuselaunch.*, server, fstab-only), and the launch request built.  x-fuselaunch.* options are read from the matching fstab
 * entry, since mount(8) does not pass x-* options to helpers.  A user who
 * is not root may mount what fstab has only with 'user' or 'users' there,
 * entries matched by canonical path.  Prints why on failure: -EINVAL bad
 * input, -EPERM not for this user, -ENOENT/-EACCES no such server, -EIO an
 * fstab that exists but cannot be read. */
int mount_helper_prepare(struct mount_helper *h, struct launch *l);

/* Record the mount's userspace options in utab as mount(8) would (libmount
 * keeps only what belongs there; nothing when there is none), under the
 * source the kernel shows for the mount MOUNT_ID (the launch's, still on
 * the mountpoint): libmount joins a utab entry to its mount by root, target
 * and source, and a server may name its own source, or TYPE#SOURCE gives
 * the server SOURCE alone.  Not root, nothing: mount(8) runs helpers with
 * the user's ids, and records the mount itself, as root, when fstab allowed
 * the user to mount it. */
int mount_helper_record_utab(const struct mount_helper *h, const struct launch *l,
			     uint64_t mount_id);

void mount_helper_free(struct mount_helper *h);

/* fuselaunch's exit code (exit_codes.h) in mount(8)'s and umount(8)'s
 * terms (libmount's MNT_EX_*). */
int mount_helper_exit_code(int code);

/* -N: enter the mount namespace at PATH.  Prints why not; 0 or -errno. */
int mount_helper_enter_namespace(const char *path);

#endif
