#include "config.h"

#include <errno.h>

#include "libmount_lazy.h"
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

int utab_forget(const char *target)
{
	struct libmnt_update *update;
	int rc;

	rc = libmount_load();
	if (rc < 0)
		return rc;
	update = sym_mnt_new_update();
	if (!update)
		return -ENOMEM;
	rc = apply(update, sym_mnt_update_set_fs(update, MNT_DETACH, target, NULL));
	sym_mnt_free_update(update);
	return rc;
}
