#include "config.h"

#include <errno.h>

#include <libmount.h>

#include "utab.h"

static int apply(struct libmnt_update *update, int rc)
{
	if (rc == 0 && mnt_update_is_ready(update))
		rc = mnt_update_table(update, NULL);
	/* > 0: nothing to do */
	return rc > 0 ? 0 : rc;
}

int utab_record(const char *source, const char *target, const char *fstype,
		const char *options)
{
	struct libmnt_update *update = mnt_new_update();
	struct libmnt_fs *fs = mnt_new_fs();
	int rc = -ENOMEM;

	if (!update || !fs)
		goto out;
	rc = mnt_fs_set_source(fs, source);
	if (rc == 0)
		rc = mnt_fs_set_target(fs, target);
	if (rc == 0)
		rc = mnt_fs_set_fstype(fs, fstype);
	if (rc == 0)
		rc = mnt_fs_set_options(fs, options);
	if (rc == 0)
		rc = apply(update, mnt_update_set_fs(update, 0, NULL, fs));
out:
	mnt_unref_fs(fs);
	mnt_free_update(update);
	return rc;
}

int utab_forget(const char *target)
{
	struct libmnt_update *update = mnt_new_update();
	int rc;

	if (!update)
		return -ENOMEM;
	rc = apply(update, mnt_update_set_fs(update, MNT_DETACH, target, NULL));
	mnt_free_update(update);
	return rc;
}
