/* The server mounts by itself (--mode=watch): libfuse 2 servers, Go
 * servers, anything that insists on a directory.  The mount table is
 * watched for the server's mount on the mountpoint: only a mount whose
 * FUSE connection one of the server's processes holds is adopted
 * (fuse_connection.h), and exactly that mount's root is probed, which
 * waits for the answer to INIT. */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "fuse_device.h"
#include "kernel_mount.h"
#include "launch.h"
#include "log.h"
#include "mounter.h"
#include "supervisor.h"

static int watch_prepare(struct mounter *m)
{
	return mounter_watch_mounts(m, true);
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

/* The server was given none of the mount's options (its command line is
 * the user's): root sets them, nosuid and nodev among them, on exactly the
 * mount just proven the server's, before anything asks it or reports it.
 * Nothing the server set is cleared.  A caller who is not root cannot;
 * fusermount3 forced nosuid and nodev on that mount. */
static int set_attributes(struct mounter *m)
{
	const struct mount_options *opts = &m->launch->options;
	int rc;

	if (m->fusermount || (!opts->mount_attrs && !opts->atime))
		return 0;
	rc = kernel_mount_set_attributes(m->root_fd, opts->mount_attrs, opts->atime);
	if (rc < 0) {
		mounter_fail(m, STAGE_MOUNT, rc, "setting the mount options on the server's own mount");
		return rc;
	}
	log_step("set the mount options on the server's mount (attributes 0x%llx)",
		 (unsigned long long)opts->mount_attrs);
	return 0;
}

/* Once the server's own mount is there, give it its attributes and prove
 * it answers, as in the classic order: once, unless the launch is being
 * rolled back. */
static int watch_mounts_changed(struct mounter *m)
{
	bool adopted = m->attached;
	int rc;

	rc = mounter_find_server_mounts(m, true);
	if (rc < 0 || adopted || !m->attached || m->status->stage != STAGE_MOUNTED)
		return rc;
	rc = set_attributes(m);
	return rc < 0 ? rc : mounter_start_call(m, mounter_probe_call);
}

/* The probe found the connection dead, not refused: ENOTCONN, or
 * ECONNABORTED when the probe was already waiting as it died.  The server
 * holds the only device, so it closed it: it is exiting, and its exit,
 * seen next, is the failure to report. */
static int watch_init_done(struct mounter *m)
{
	int error = m->result.error;

	return error == -ENOTCONN || error == -ECONNABORTED ? -EINPROGRESS : error;
}

/* Its device closed, so a pending probe fails at once; only one that had
 * succeeded shows INIT answered.  (A mount no process holds any more can
 * no longer be proven the server's: it is not adopted now.) */
static int watch_server_gone(struct mounter *m)
{
	bool probing = m->init.running;

	return probing && mounter_join(m, MOUNTER_ANSWER_WAIT_MS, true) && m->result.error == 0;
}

/* Only the connection of the mount adopted, proven the server's. */
static int watch_cancel(struct mounter *m)
{
	if (m->connection)
		mounter_abort_connection(m);
	return 0;
}

/* Rolled back with nothing adopted, the server may still have mounted and
 * died at once: its mount must not outlive the launch. */
static int watch_unmount(struct mounter *m)
{
	mounter_adopt_dead_mount(m);
	return mounter_unmount_attached(m);
}

static void watch_release(struct mounter *m)
{
	(void)m;
}

const struct mounter_ops mounter_watch_ops = {
	.name = "watch",
	.gone_before = "before its mount answered",
	.gone_right_after = "right after its mount answered",
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
