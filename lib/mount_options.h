/* Mount options given with -o, sorted with libmount into what the kernel
 * mount takes (fs-context parameters, mount attributes) and what it does not. */
#ifndef FUSELAUNCH_MOUNT_OPTIONS_H
#define FUSELAUNCH_MOUNT_OPTIONS_H

#include <stdint.h>

struct mount_options {
	char *fs_params;	/* fuse fs-context parameters and superblock flags, an option string */
	uint64_t mount_attrs;	/* MOUNT_ATTR_* for fsmount() */
	char *fsname;		/* fsname=, the mount's source; NULL: the default */
	char *subtype;		/* subtype=; NULL: the default */
	char *userspace;	/* fstab-only words (_netdev, x-*, ...): not for the kernel */
};

/* Sort OPTSTR into OPTS, which must be zeroed or freshly freed.  Prints one
 * line naming the offending option and returns -EINVAL on bad input. */
int mount_options_parse(const char *optstr, struct mount_options *opts);
void mount_options_free(struct mount_options *opts);

/* Append OPTION (a "name" or "name=value") to the option string *OPTSTR. */
int mount_options_append(char **optstr, const char *option);

#endif
