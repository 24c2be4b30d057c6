#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuse_connection.h"
#include "libmount_lazy.h"
#include "mount_watch.h"

#define MOUNTINFO "/proc/self/mountinfo"

int mount_watch_start(struct mount_watch *w)
{
	w->fd = open(MOUNTINFO, O_RDONLY | O_CLOEXEC);
	return w->fd < 0 ? -errno : 0;
}

void mount_watch_stop(struct mount_watch *w)
{
	if (w->fd >= 0)
		close(w->fd);
	w->fd = -1;
}

/* Call FN for each mount in the table (FUSE_ONLY: each FUSE mount) until
 * it returns non-zero. */
static int for_each_mount(bool fuse_only, int (*fn)(struct libmnt_fs *fs, void *arg), void *arg)
{
	struct libmnt_table *table = NULL;
	struct libmnt_iter *iter = NULL;
	struct libmnt_fs *fs;
	int rc;

	rc = libmount_load();
	if (rc < 0)
		return rc;
	table = sym_mnt_new_table_from_file(MOUNTINFO);
	iter = sym_mnt_new_iter(MNT_ITER_FORWARD);
	if (!table || !iter) {
		rc = -ENOMEM;
		goto out;
	}
	while (rc == 0 && sym_mnt_table_next_fs(table, iter, &fs) == 0)
		if (!fuse_only || fuse_fstype(sym_mnt_fs_get_fstype(fs)))
			rc = fn(fs, arg);
out:
	sym_mnt_free_iter(iter);
	sym_mnt_unref_table(table);
	return rc;
}

struct by_connection {
	const unsigned int *connections;
	size_t n;
	int (*fn)(const struct fuse_mount_entry *e, void *arg);
	void *arg;
};

static int match_connection(struct libmnt_fs *fs, void *arg)
{
	struct by_connection *b = arg;
	struct fuse_mount_entry e = {
		.id = sym_mnt_fs_get_id(fs),
		.connection = fuse_connection_of_dev(sym_mnt_fs_get_devno(fs)),
		.target = sym_mnt_fs_get_target(fs),
		.source = sym_mnt_fs_get_source(fs),
		.fstype = sym_mnt_fs_get_fstype(fs),
	};

	if (!e.target || !fuse_connection_in(e.connection, b->connections, b->n))
		return 0;
	return b->fn(&e, b->arg);
}

int mount_table_fuse_mounts(const unsigned int *connections, size_t n,
			    int (*fn)(const struct fuse_mount_entry *e, void *arg), void *arg)
{
	struct by_connection b = { connections, n, fn, arg };

	return for_each_mount(true, match_connection, &b);
}

struct description {
	int id;			/* the mount, or */
	int parent;		/* the mount a mount is on, */
	const char *target;	/* and where */
	char *buf;
	size_t len;
};

static int describe(struct libmnt_fs *fs, void *arg)
{
	struct description *d = arg;
	const char *source = sym_mnt_fs_get_source(fs);
	const char *target = sym_mnt_fs_get_target(fs);

	if (d->target ? sym_mnt_fs_get_parent_id(fs) != d->parent || !target ||
			strcmp(target, d->target) :
			sym_mnt_fs_get_id(fs) != d->id)
		return 0;
	snprintf(d->buf, d->len, "%s from '%s'", sym_mnt_fs_get_fstype(fs),
		 source ? source : "none");
	return 1;
}

int mount_table_fuse_root(int fd, char *buf, size_t len)
{
	struct description d = { .buf = buf, .len = len };
	struct statx stx;

	/* An empty mask: FUSE's getattr sends nothing (fuse_connection.c). */
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0, &stx) < 0)
		return -errno;
	if (!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) || !(stx.stx_mask & STATX_MNT_ID))
		return 0;
	d.id = (int)stx.stx_mnt_id;
	return for_each_mount(true, describe, &d);
}

int mount_table_fuse_over(int fd, char *buf, size_t len)
{
	struct description d = { .buf = buf, .len = len };
	char link[64], path[4096];
	struct statx stx;
	ssize_t n;

	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0, &stx) < 0)
		return -errno;
	if (!(stx.stx_mask & STATX_MNT_ID))
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return -errno;
	path[n] = '\0';
	d.parent = (int)stx.stx_mnt_id;
	d.target = path;
	return for_each_mount(true, describe, &d);
}

struct source_of {
	int id;			/* the mount */
	char **source;
};

static int copy_source(struct libmnt_fs *fs, void *arg)
{
	struct source_of *s = arg;
	const char *source = sym_mnt_fs_get_source(fs);

	if (sym_mnt_fs_get_id(fs) != s->id)
		return 0;
	*s->source = strdup(source ? source : "none");
	return *s->source ? 1 : -ENOMEM;
}

int mount_table_fuse_source(int fd, char **source)
{
	struct source_of s = { .source = source };
	struct statx stx;
	int rc;

	*source = NULL;
	/* An empty mask: FUSE's getattr sends nothing (fuse_connection.c). */
	if (statx(fd, "", AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0, &stx) < 0)
		return -errno;
	if (!(stx.stx_attributes & STATX_ATTR_MOUNT_ROOT) || !(stx.stx_mask & STATX_MNT_ID))
		return -ENOENT;
	s.id = (int)stx.stx_mnt_id;
	rc = for_each_mount(true, copy_source, &s);
	return rc < 0 ? rc : rc == 0 ? -ENOENT : 0;
}

static int target_is(struct libmnt_fs *fs, void *target)
{
	const char *t = sym_mnt_fs_get_target(fs);

	return t && !strcmp(t, target);
}

int mount_table_target_mounted(const char *target)
{
	return for_each_mount(false, target_is, (void *)target);
}
