/* Mount options given with -o, sorted with libmount into what the kernel
 * mount takes (fs-context parameters, mount attributes) and what it does not. */
#ifndef FUSELAUNCH_MOUNT_OPTIONS_H
#define FUSELAUNCH_MOUNT_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>

struct mount_options {
	char *fs_params;	/* fuse fs-context parameters and superblock flags, an option string */
	uint64_t mount_attrs;	/* MOUNT_ATTR_* for fsmount() */
	char *vfs;		/* the VFS options as given, for fusermount3 to apply */
	char *fsname;		/* fsname=, the mount's source; NULL: the default */
	char *subtype;		/* subtype=; NULL: the default */
	char *userspace;	/* fstab-only words (_netdev, x-*, ...): not for the kernel */
	char *server;		/* with MOUNT_OPTIONS_FOR_SERVER: the rest, for the server */
	bool suid;		/* 'suid' asked for (and not undone by a later 'nosuid') */
	bool dev;		/* 'dev' asked for, likewise */
	bool atime;		/* noatime, relatime or strictatime asked for */
};

enum mount_options_flags {
	/* Options that are neither the kernel's nor fstab-only belong to the
	 * server (as for mount.fuselaunch) instead of being an error. */
	MOUNT_OPTIONS_FOR_SERVER = 1,
};

/* Sort OPTSTR into OPTS, which must be zeroed or freshly freed.  Prints one
 * line naming the offending option and returns -EINVAL on bad input. */
int mount_options_parse(const char *optstr, struct mount_options *opts, unsigned int flags);
void mount_options_free(struct mount_options *opts);

/* nosuid and nodev unless 'suid' or 'dev' was asked for, as libfuse,
 * mount.fuse3 and fusermount3 have them: in the mount's attributes and in
 * the VFS options for fusermount3.  FORCED (a server run as another user,
 * a caller who is not root): always, and 'suid' or 'dev' is refused with
 * one line and -EPERM.  Needs no libmount. */
int mount_options_secure_defaults(struct mount_options *opts, bool forced);

/* A server that mounts by itself (--mode=watch) is given none of OPTS:
 * its command line is the user's.  What fuselaunch can still do is set
 * the mount's attributes on the mount proven the server's, as root
 * (mount_attrs, the atime included); a caller who is not root can set
 * none, and fusermount3 forces nosuid and nodev.  Refuses, naming it in
 * one line, the first option that would be lost (-EINVAL). */
int mount_options_check_watch(const struct mount_options *opts, bool root);

/* Append OPTION (a "name" or "name=value") to the option string *OPTSTR. */
int mount_options_append(char **optstr, const char *option);

/* Append to *OPTSTR the options of MORE whose names it lacks. */
int mount_options_merge(char **optstr, const char *more);

#endif
