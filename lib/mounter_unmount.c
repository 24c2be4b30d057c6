/* Taking this launch's mount off its mountpoint: as root, exactly that
 * mount; as a user, through fusermount3 or umount(8); and, when it is
 * covered as its server dies, once it can be reached again. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "fuse_connection.h"
#include "fusermount.h"
#include "kernel_mount.h"
#include "launch.h"
#include "log.h"
#include "mount_watch.h"
#include "mounter.h"
#include "supervisor.h"
#include "utab.h"

static int detach(struct mounter *m, const char *path, uint64_t mount_id, bool in_utab)
{
	int rc;

	rc = kernel_mount_detach(path, mount_id);
	if (rc == 0 && in_utab)
		utab_forget(path);
	return rc;
}

/* fusermount3 (umount(8) for a mount mount.fuselaunch made, which mount(8)
 * may have put in utab) takes only a path, so check just before that the
 * mount there is still ours. */
static int unmount_as_user(struct mounter *m, const char *path, uint64_t mount_id, bool in_utab)
{
	char why[sizeof(m->result.why)] = "";
	int rc;

	rc = kernel_mount_check_at(path, mount_id, NULL);
	if (rc < 0)
		return rc;
	rc = in_utab ? fusermount_umount_recorded(path, why, sizeof(why)) :
		fusermount_unmount(m->fusermount, path, why, sizeof(why));
	if (rc < 0)
		log_error("%s", why);
	return rc;
}

static int unmount_one(struct mounter *m, const char *path, uint64_t mount_id, bool in_utab)
{
	int rc;

	rc = m->fusermount ? unmount_as_user(m, path, mount_id, in_utab) :
		detach(m, path, mount_id, in_utab);
	log_step("detaching the mount on %s: %s", path,
		 rc == -ESTALE ? "no longer there" : rc < 0 ? strerror(-rc) : "done");
	return rc;
}

static int on_mountpoint(const struct fuse_mount_entry *e, void *arg)
{
	return !strcmp(e->target, arg);
}

/* Whether a mount of this launch's connection is still on the mountpoint
 * (under whatever covers it). */
static bool still_mounted(struct mounter *m)
{
	return m->connection && mount_table_fuse_mounts(&m->connection, 1, on_mountpoint,
							(void *)m->mountpoint.path) > 0;
}

int mounter_unmount_attached(struct mounter *m)
{
	int rc = 0;

	/* Stopped, a libfuse server unmounts its own mount: usually gone. */
	if (m->stray_mount_id) {
		unmount_one(m, m->stray_path, m->stray_mount_id, false);
		m->stray_mount_id = 0;
	}
	if (!m->attached)
		return 0;
	rc = unmount_one(m, m->mountpoint.path, m->mount_id, m->launch->in_utab);
	if (rc == -ESTALE && still_mounted(m)) {
		log_step("the mount on %s is covered by another one: detaching it once uncovered",
			 m->mountpoint.path);
		return -EBUSY;
	}
	m->attached = false;
	return rc;
}

int mounter_unmount_when_reachable(struct mounter *m)
{
	int sig, rc;

	rc = m->ops->unmount(m);
	if (rc != -EBUSY)
		return rc;
	rc = mount_watch_start(&m->watch);
	if (rc < 0)
		return rc;
	m->sup->mounts_fd = m->watch.fd;
	for (;;) {
		enum supervisor_event ev = supervisor_wait(m->sup, &sig);

		if (ev == SUPERVISOR_SIGNAL) {
			rc = -ECANCELED;
			break;
		}
		if (ev != SUPERVISOR_MOUNTS_CHANGED)
			continue;
		rc = m->ops->unmount(m);
		if (rc != -EBUSY)
			break;
	}
	mount_watch_stop(&m->watch);
	m->sup->mounts_fd = -1;
	return rc;
}
