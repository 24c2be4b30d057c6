#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "libmount_lazy.h"
#include "mount_watch.h"

#define MOUNTINFO "/proc/self/mountinfo"

static bool is_fuse(const char *fstype)
{
	return fstype && (!strcmp(fstype, "fuse") || !strcmp(fstype, "fuseblk") ||
			  !strncmp(fstype, "fuse.", 5));
}

static bool was_there(const struct mount_watch *w, int id)
{
	size_t i;

	for (i = 0; i < w->nbefore; i++)
		if (w->before[i] == id)
			return true;
	return false;
}

/* Call FN for each mount on the target, in mountinfo order. */
static int for_each_on_target(struct mount_watch *w,
			      bool (*fn)(struct mount_watch *, struct libmnt_fs *, void *),
			      void *arg)
{
	struct libmnt_table *table;
	struct libmnt_iter *iter;
	struct libmnt_fs *fs;
	int rc = 0;

	table = sym_mnt_new_table_from_file(MOUNTINFO);
	iter = sym_mnt_new_iter(MNT_ITER_FORWARD);
	if (!table || !iter) {
		rc = -ENOMEM;
		goto out;
	}
	while (sym_mnt_table_next_fs(table, iter, &fs) == 0)
		if (!strcmp(sym_mnt_fs_get_target(fs), w->target) && !fn(w, fs, arg))
			break;
out:
	sym_mnt_free_iter(iter);
	sym_mnt_unref_table(table);
	return rc;
}

static bool remember(struct mount_watch *w, struct libmnt_fs *fs, void *arg)
{
	int *ids = realloc(w->before, (w->nbefore + 1) * sizeof(*ids));

	if (!ids) {
		*(int *)arg = -ENOMEM;
		return false;
	}
	w->before = ids;
	w->before[w->nbefore++] = sym_mnt_fs_get_id(fs);
	return true;
}

int mount_watch_start(struct mount_watch *w, const char *target)
{
	int rc;

	memset(w, 0, sizeof(*w));
	w->fd = -1;
	rc = libmount_load();
	if (rc < 0)
		return rc;
	w->target = target;
	w->fd = open(MOUNTINFO, O_RDONLY | O_CLOEXEC);
	if (w->fd < 0)
		return -errno;
	if (for_each_on_target(w, remember, &rc) < 0 || rc < 0) {
		mount_watch_stop(w);
		return rc < 0 ? rc : -ENOMEM;
	}
	return 0;
}

struct found {
	int id;
	dev_t devno;
};

/* The last new FUSE mount wins: it is the one on top. */
static bool look(struct mount_watch *w, struct libmnt_fs *fs, void *arg)
{
	struct found *found = arg;

	if (is_fuse(sym_mnt_fs_get_fstype(fs)) && !was_there(w, sym_mnt_fs_get_id(fs))) {
		found->id = sym_mnt_fs_get_id(fs);
		found->devno = sym_mnt_fs_get_devno(fs);
	}
	return true;
}

int mount_watch_find(struct mount_watch *w, int *id, dev_t *devno)
{
	struct found found = { .id = -1 };
	char buf[4096];
	int rc;

	/* Reading to the end is what rearms the poll() notification. */
	if (lseek(w->fd, 0, SEEK_SET) < 0)
		return -errno;
	while (read(w->fd, buf, sizeof(buf)) > 0)
		;
	rc = for_each_on_target(w, look, &found);
	if (rc < 0)
		return rc;
	if (found.id < 0)
		return -ENOENT;
	*id = found.id;
	*devno = found.devno;
	return 0;
}

void mount_watch_stop(struct mount_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
	free(w->before);
	w->before = NULL;
	w->nbefore = 0;
}
