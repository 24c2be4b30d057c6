/* This process mounts through /dev/fuse (root).  With synchronous INIT
 * (Linux 6.18) the server gets the device first, and creating the
 * superblock returns only once it has answered; the classic order, where
 * the kernel has no synchronous INIT or it is not wanted, attaches the
 * mount first with INIT queued and probes its root once the server runs. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "fuse_device.h"
#include "kernel_mount.h"
#include "launch.h"
#include "log.h"
#include "mounter.h"

struct kernel_state {
	int fsfd;		/* the fs context */
	bool sync_init;
};

static struct kernel_state *own(const struct mounter *m)
{
	return m->own;
}

/* The device, synchronous INIT if wanted and there, and an fs context
 * with every parameter set. */
static int open_fs_context(struct mounter *m)
{
	const struct launch *l = m->launch;
	struct kernel_state *k = own(m);
	struct kernel_mount_params params = {
		.root_mode = m->mountpoint.mode,
		.user_id = m->owner_uid,
		.group_id = m->owner_gid,
		.source = mounter_source(m),
		.source_option = l->options.fsname ? "fsname" : NULL,
		.subtype = mounter_subtype(m),
		.fs_params = l->options.fs_params,
	};
	char why[sizeof(m->result.why)] = "";
	int rc;

	rc = fuse_device_open(&m->device_fd);
	if (rc < 0) {
		mounter_fail(m, STAGE_DEVICE, rc, NULL);
		return rc;
	}
	params.device_fd = m->device_fd;
	log_step("opened " FUSE_DEVICE_PATH " as fd %d", m->device_fd);
	rc = l->sync_init == SYNC_INIT_NEVER ? -ENOTTY : fuse_device_enable_sync_init(m->device_fd);
	if (rc == -ENOTTY && l->sync_init != SYNC_INIT_ALWAYS) {
		log_step("synchronous FUSE_INIT %s: mounting first, then waiting for the answer",
			 l->sync_init == SYNC_INIT_NEVER ? "not wanted" : "not supported by the kernel");
	} else if (rc < 0) {
		mounter_fail(m, STAGE_SYNC_INIT, rc, NULL);
		return rc;
	} else {
		k->sync_init = true;
	}
	rc = kernel_mount_open(&k->fsfd);
	if (rc < 0) {
		mounter_fail(m, STAGE_FS_OPEN, rc, NULL);
		return rc;
	}
	rc = kernel_mount_configure(k->fsfd, &params, why, sizeof(why));
	if (rc < 0) {
		mounter_fail(m, STAGE_FS_PARAM, rc, why);
		return rc;
	}
	log_step("fs context ready: source=%s subtype=%s", params.source, params.subtype);
	return 0;
}

/* The classic order: without synchronous INIT the server must find a
 * connection on the device when it first reads it, so the mount comes
 * first, with INIT queued. */
static int mount_before_server(struct mounter *m)
{
	char why[sizeof(m->result.why)] = "";
	int rc;

	log_step("creating and attaching the mount (FUSE_INIT queued)");
	rc = kernel_mount_create(own(m)->fsfd, m->lower_caps, why, sizeof(why));
	if (rc == 0)
		rc = kernel_mount_attach(own(m)->fsfd, m->launch->options.mount_attrs,
					 m->mountpoint.fd, m->announce_fd, &m->mount_id,
					 &m->root_fd, why, sizeof(why));
	if (rc < 0) {
		mounter_fail(m, STAGE_MOUNT, rc, why);
		return rc;
	}
	m->attached = true;
	m->announced_mount_id = m->mount_id;
	return 0;
}

static int kernel_prepare(struct mounter *m)
{
	struct kernel_state *k = mounter_own_new(m, sizeof(*k));
	int rc;

	if (!k)
		return -ENOMEM;
	k->fsfd = -1;
	rc = mounter_watch_mounts(m, false);
	if (rc == 0)
		rc = open_fs_context(m);
	if (rc == 0 && !k->sync_init)
		rc = mount_before_server(m);
	return rc;
}

/* Synchronous INIT: creating the superblock blocks until the server has
 * answered; a refusal makes it fail with ENOTCONN.  Then the mount is
 * attached on the pinned mountpoint. */
static void mount_sync_call(void *arg)
{
	struct mounter *m = arg;
	struct init_result *r = &m->result;

	log_step("creating the superblock: FUSE_INIT sent, waiting for the server's answer");
	r->error = kernel_mount_create(own(m)->fsfd, m->lower_caps, r->why, sizeof(r->why));
	r->answered_ms = monotonic_ms();
	if (r->error < 0) {
		r->stage = r->error == -ENOTCONN ? STAGE_INIT : STAGE_MOUNT;
		return;
	}
	log_step("FUSE_INIT answered; attaching the mount");
	r->error = kernel_mount_attach(own(m)->fsfd, m->launch->options.mount_attrs,
				       m->mountpoint.fd, m->announce_fd, &r->mount_id, NULL,
				       r->why, sizeof(r->why));
	r->stage = STAGE_MOUNT;
	r->attached = r->error == 0;
}

static int kernel_begin_waiting(struct mounter *m)
{
	return mounter_start_call(m, own(m)->sync_init ? mount_sync_call : mounter_probe_call);
}

static int kernel_cancel(struct mounter *m)
{
	mounter_abort_connection(m);
	return 0;
}

/* The mount holds the connection now; our references would keep it alive
 * after the server died. */
static void kernel_release(struct mounter *m)
{
	struct kernel_state *k = own(m);

	if (!k)
		return;
	if (k->fsfd >= 0)
		close(k->fsfd);
	free(k);
	m->own = NULL;
}

const struct mounter_ops mounter_kernel_ops = {
	.name = "kernel",
	.gone_before = "before answering FUSE_INIT",
	.gone_right_after = "right after answering FUSE_INIT",
	.prepare = kernel_prepare,
	.server_fd = mounter_device_fd,
	.begin_waiting = kernel_begin_waiting,
	.mounts_changed = mounter_device_mounts_changed,
	.server_gone = mounter_device_server_gone,
	.cancel = kernel_cancel,
	.unmount = mounter_unmount_attached,
	.release = kernel_release,
};
