/* The server mounts by itself (--mode=watch): libfuse 2 servers, Go
 * servers, anything that insists on a directory.  The mount table is
 * watched for a new FUSE mount on the mountpoint; that mount is adopted
 * and its root probed, which waits for the answer to INIT. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "fuse_device.h"
#include "kernel_mount.h"
#include "launch.h"
#include "log.h"
#include "mount_watch.h"
#include "mounter.h"
#include "supervisor.h"

static struct mount_watch *own(const struct mounter *m)
{
	return m->own;
}

static int watch_prepare(struct mounter *m)
{
	struct mount_watch *w = mounter_own_new(m, sizeof(*w));
	int rc;

	if (!w)
		return -ENOMEM;
	w->fd = -1;
	rc = mount_watch_start(w, m->mountpoint.path);
	if (rc < 0) {
		mounter_fail(m, STAGE_INTERNAL, rc, "watching the mount table");
		return rc;
	}
	m->sup->mounts_fd = w->fd;
	return 0;
}

static int watch_server_fd(const struct mounter *m)
{
	(void)m;
	return -1;
}

/* Nothing to do until the server's mount appears. */
static int watch_begin_waiting(struct mounter *m)
{
	(void)m;
	return 0;
}

/* Take the FUSE mount the server made on the mountpoint, if there is one
 * by now, as ours to probe and, on failure, to detach.  Returns 0 (adopted
 * or not there yet) or -errno. */
static int adopt_server_mount(struct mounter *m)
{
	dev_t devno;
	int id, rc;

	if (m->attached || !own(m))
		return 0;
	rc = mount_watch_find(own(m), &id, &devno);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	rc = mounter_take_mount_at_mountpoint(m, &m->root_fd);
	if (rc < 0)
		return rc;
	m->connection = minor(devno);
	m->sup->mounts_fd = -1;
	log_step("the server mounted %s (mount %d, FUSE connection %u)", m->mountpoint.path,
		 id, m->connection);
	return 0;
}

/* Once the server's own mount is there, prove it answers, as in the
 * classic order. */
static int watch_mounts_changed(struct mounter *m)
{
	int rc;

	rc = adopt_server_mount(m);
	if (rc < 0) {
		mounter_fail(m, STAGE_INTERNAL, rc, "watching the mount table");
		return rc;
	}
	if (!m->attached || m->init.running)
		return 0;
	return mounter_start_call(m, mounter_probe_call);
}

/* The probe found the connection dead, not refused.  The server holds the
 * only device, so it closed it: it is exiting, and its exit, seen next,
 * is the failure to report. */
static int watch_init_done(struct mounter *m)
{
	return m->result.error == -ENOTCONN ? -EINPROGRESS : m->result.error;
}

/* Its device closed, so a pending probe fails at once; only one that had
 * succeeded shows INIT answered. */
static int watch_server_gone(struct mounter *m)
{
	bool probing;

	adopt_server_mount(m);
	probing = m->init.running;
	return probing && mounter_join(m, MOUNTER_ANSWER_WAIT_MS, true) && m->result.error == 0;
}

static int watch_cancel(struct mounter *m)
{
	if (m->connection)
		mounter_abort_connection(m);
	return 0;
}

/* A server that mounted by itself may have done so at the last moment. */
static int watch_unmount(struct mounter *m)
{
	adopt_server_mount(m);
	return mounter_unmount_attached(m);
}

static void watch_release(struct mounter *m)
{
	if (!own(m))
		return;
	mount_watch_stop(own(m));
	free(own(m));
	m->own = NULL;
	if (m->sup)
		m->sup->mounts_fd = -1;
}

const struct mounter_ops mounter_watch_ops = {
	.name = "watch",
	.prepare = watch_prepare,
	.server_fd = watch_server_fd,
	.begin_waiting = watch_begin_waiting,
	.mounts_changed = watch_mounts_changed,
	.init_done = watch_init_done,
	.server_gone = watch_server_gone,
	.cancel = watch_cancel,
	.unmount = watch_unmount,
	.release = watch_release,
};
