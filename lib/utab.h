/* utab (/run/mount/utab): the userspace mount options that mount(8),
 * umount(8) and findmnt(8) keep beside the kernel's mount table. */
#ifndef FUSELAUNCH_UTAB_H
#define FUSELAUNCH_UTAB_H

/* Record the userspace options among OPTIONS for the mount on TARGET, as
 * libmount does after a helper: only what belongs in utab, nothing when
 * nothing does. */
int utab_record(const char *source, const char *target, const char *fstype,
		const char *options);

/* Drop the entry of a mount on TARGET that fuselaunch detached itself, and
 * once nothing is mounted on TARGET any more, every entry for it (the one
 * mount(8) may have added beside ours). */
int utab_forget(const char *target);

#endif
