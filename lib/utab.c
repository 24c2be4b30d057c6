#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <sys/stat.h>

#include "libmount_lazy.h"
#include "mount_watch.h"
#include "utab.h"

static int apply(struct libmnt_update *update, int rc)
{
	if (rc == 0 && sym_mnt_update_is_ready(update))
		rc = sym_mnt_update_table(update, NULL);
	/* > 0: nothing to do */
	return rc > 0 ? 0 : rc;
}

int utab_record(const char *source, const char *target, const char *fstype,
		const char *options)
{
	struct libmnt_update *update = NULL;
	struct libmnt_fs *fs = NULL;
	int rc;

	rc = libmount_load();
	if (rc < 0)
		return rc;
	update = sym_mnt_new_update();
	fs = sym_mnt_new_fs();
	rc = -ENOMEM;
	if (!update || !fs)
		goto out;
	rc = sym_mnt_fs_set_source(fs, source);
	if (rc == 0)
		rc = sym_mnt_fs_set_target(fs, target);
	if (rc == 0)
		rc = sym_mnt_fs_set_fstype(fs, fstype);
	if (rc == 0)
		rc = sym_mnt_fs_set_options(fs, options);
	if (rc == 0)
		rc = apply(update, sym_mnt_update_set_fs(update, 0, NULL, fs));
out:
	sym_mnt_unref_fs(fs);
	sym_mnt_free_update(update);
	return rc;
}

/* The identity of the file utab is, so that a rewrite (libmount renames a
 * new copy over it only when it removed an entry) shows; 0 when there is
 * none. */
static ino_t utab_inode(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 ? st.st_ino : 0;
}

/* Drop the last entry for TARGET; *REMOVED says whether there was one. */
static int forget_one(const char *target, bool *removed)
{
	struct libmnt_update *update;
	const char *path;
	ino_t before;
	int rc;

	*removed = false;
	update = sym_mnt_new_update();
	if (!update)
		return -ENOMEM;
	rc = sym_mnt_update_set_fs(update, MNT_DETACH, target, NULL);
	path = sym_mnt_update_get_filename(update);
	before = utab_inode(path);
	rc = apply(update, rc);
	if (rc == 0 && before)
		*removed = utab_inode(path) != before;
	sym_mnt_free_update(update);
	return rc;
}

/* An entry of a mount that another stacked on TARGET still covers is that
 * mount's: only the last one goes.  Once nothing is mounted there, every
 * entry for TARGET is stale: mount(8) adds one of its own, under fstab's
 * source, beside ours (under the kernel's) when the two differ, and
 * umount(8) drops one only when its helper succeeded. */
#define UTAB_FORGET_MAX 16

int utab_forget(const char *target)
{
	bool removed;
	int mounted, rc, n;

	rc = libmount_load();
	if (rc < 0)
		return rc;
	rc = forget_one(target, &removed);
	mounted = rc == 0 ? mount_table_target_mounted(target) : 0;
	for (n = 1; rc == 0 && removed && mounted == 0 && n < UTAB_FORGET_MAX; n++)
		rc = forget_one(target, &removed);
	return rc < 0 ? rc : mounted < 0 ? mounted : 0;
}
