/* fusermount3 mounts for a user who is not root.  Its synchronous protocol
 * first, so that INIT is synchronous for users too: it hands over the
 * device, the server starts, and told to proceed it mounts and answers
 * once INIT is answered.  An older fusermount3 hands over no device for
 * it, and mounts in the classic order instead (INIT queued, the mount's
 * root probed once the server runs). */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common.h"
#include "fuse_device.h"
#include "fusermount.h"
#include "kernel_mount.h"
#include "launch.h"
#include "log.h"
#include "mounter.h"
#include "supervisor.h"

struct fusermount_state {
	struct fusermount fm;
	bool sync_init;
};

static struct fusermount_state *own(const struct mounter *m)
{
	return m->own;
}

/* Its synchronous protocol: 0 with the device in hand and fusermount3
 * waiting, or -EPROTONOSUPPORT when it (or the kernel) has none. */
static int start_sync_protocol(struct mounter *m, const char *options, char *why, size_t len)
{
	struct fusermount *fm = &own(m)->fm;
	int rc;

	rc = fusermount_mount(fm, m->mountpoint.path, options, true, &m->device_fd, why, len);
	if (rc < 0)
		return rc;
	m->sup->fusermount_pid = fm->pid;
	rc = fuse_device_enable_sync_init(m->device_fd);
	if (rc == -ENOTTY) {
		/* Told nothing, fusermount3 exits without mounting. */
		fusermount_close(fm);
		close(steal_fd(&m->device_fd));
		rc = -EPROTONOSUPPORT;
	}
	return rc;
}

static int mount_classic(struct mounter *m, const char *options, char *why, size_t len)
{
	int rc;

	rc = fusermount_mount(&own(m)->fm, m->mountpoint.path, options, false, &m->device_fd,
			      why, len);
	if (rc == 0)
		rc = mounter_take_mount_at_mountpoint(m, &m->root_fd);
	if (rc == 0)
		log_step("%s mounted %s (FUSE_INIT queued)", m->fusermount, m->mountpoint.path);
	return rc;
}

static int fusermount_prepare(struct mounter *m)
{
	const struct launch *l = m->launch;
	struct fusermount_state *f = mounter_own_new(m, sizeof(*f));
	char why[sizeof(m->result.why)] = "";
	cleanup_free char *options = NULL;
	int rc = -EPROTONOSUPPORT;

	if (!f)
		return -ENOMEM;
	rc = mounter_watch_mounts(m, false);
	if (rc < 0)
		return rc;
	rc = -EPROTONOSUPPORT;
	f->fm.path = m->fusermount;
	f->fm.timeout_ms = l->timeout_ms;
	f->fm.socket_fd = f->fm.stderr_fd = -1;
	options = fusermount_options(l->options.vfs, l->options.fs_params, mounter_source(m),
				     mounter_subtype(m));
	if (!options) {
		mounter_fail(m, STAGE_INTERNAL, ENOMEM, "fusermount3 options");
		return -ENOMEM;
	}
	if (l->sync_init != SYNC_INIT_NEVER)
		rc = start_sync_protocol(m, options, why, sizeof(why));
	if (rc == -EPROTONOSUPPORT && l->sync_init == SYNC_INIT_ALWAYS) {
		mounter_fail(m, STAGE_SYNC_INIT, ENOTTY, NULL);
		return -ENOTTY;
	}
	if (rc == -EPROTONOSUPPORT) {
		*why = '\0';
		rc = mount_classic(m, options, why, sizeof(why));
	} else if (rc == 0) {
		f->sync_init = true;
	}
	if (rc == -EPERM)
		mounter_fail(m, STAGE_FUSERMOUNT, 0, why);
	else if (rc == -ETIMEDOUT)
		mounter_fail(m, STAGE_TIMEOUT, ETIMEDOUT, NULL);
	else if (rc < 0)
		mounter_fail(m, STAGE_INTERNAL, rc, *why ? why : "the mount made by " FUSERMOUNT_PROGRAM);
	return rc;
}

/* Synchronous INIT through fusermount3: it creates the superblock, and
 * answers once the server has answered INIT. */
static void proceed_call(void *arg)
{
	struct mounter *m = arg;
	struct init_result *r = &m->result;
	log_step("letting %s mount: FUSE_INIT sent, waiting for the server's answer",
		 m->fusermount);
	r->error = fusermount_proceed(&own(m)->fm, r->why, sizeof(r->why));
	r->answered_ms = monotonic_ms();
	if (r->error < 0) {
		r->stage = r->error == -ENOTCONN ? STAGE_INIT : STAGE_FUSERMOUNT;
		return;
	}
	r->error = mounter_open_own_mount(m, NULL, &r->mount_id);
	if (r->error < 0) {
		r->stage = STAGE_MOUNT;
		snprintf(r->why, sizeof(r->why), "the mount made by %s", m->fusermount);
		return;
	}
	r->attached = true;
}

static int fusermount_begin_waiting(struct mounter *m)
{
	return mounter_start_call(m, own(m)->sync_init ? proceed_call : mounter_probe_call);
}

/* fusermount3 holds the device while it mounts: only its end ends the
 * mount.  Once mounted, the connection is the user's, not ours to abort:
 * without our reference it ends with the server, which is stopped next. */
static int fusermount_cancel(struct mounter *m)
{
	if (m->sup->fusermount_pid > 0) {
		kill(m->sup->fusermount_pid, SIGKILL);
		log_step("killed %s (pid %d)", m->fusermount, (int)m->sup->fusermount_pid);
		return 0;
	}
	if (m->device_fd >= 0)
		close(steal_fd(&m->device_fd));
	return -EINPROGRESS;
}

static void fusermount_release(struct mounter *m)
{
	struct fusermount_state *f = own(m);

	if (!f)
		return;
	fusermount_close(&f->fm);
	free(f);
	m->own = NULL;
}

const struct mounter_ops mounter_fusermount_ops = {
	.name = "fusermount3",
	.gone_before = "before answering FUSE_INIT",
	.gone_right_after = "right after answering FUSE_INIT",
	.prepare = fusermount_prepare,
	.server_fd = mounter_device_fd,
	.begin_waiting = fusermount_begin_waiting,
	.mounts_changed = mounter_device_mounts_changed,
	.server_gone = mounter_device_server_gone,
	.cancel = fusermount_cancel,
	.unmount = mounter_unmount_attached,
	.release = fusermount_release,
};
