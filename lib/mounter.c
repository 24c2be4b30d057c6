#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "fuse_connection.h"
#include "fuse_device.h"
#include "fusermount.h"
#include "init_verdict.h"
#include "kernel_mount.h"
#include "launch.h"
#include "log.h"
#include "mounter.h"
#include "mountpoint_lock.h"
#include "proc_stat.h"
#include "supervisor.h"

/* How often to look again for a connection the init thread is about to
 * make, or for its answer to be taken. */
#define CONNECTION_RETRY_MS 10

/* This process mounts when it may; else fusermount3, for a user.  A
 * server that mounts by itself is watched either way. */
static int choose(const struct launch *l, struct mounter *m)
{
	const struct server_identity *id = &l->identity;
	bool watching = l->mode == SERVER_MODE_WATCH;
	int rc;

	rc = kernel_mount_permitted();
	if (rc == 0 || rc != -EPERM) {
		/* Anything but EPERM is for the launch to report, as root's. */
		if (id->drop_privileges && watching) {
			log_error("--drop-privileges needs --mode=fd: a server that mounts by itself needs its privileges");
			return -EINVAL;
		}
		if (id->switch_user) {
			m->owner_uid = id->uid;
			m->owner_gid = id->gid;
			kernel_mount_set_owner(id->uid, id->gid);
		}
		m->ops = watching ? &mounter_watch_ops : &mounter_kernel_ops;
		return 0;
	}
	if (server_identity_unprivileged(id)) {
		log_error("--user and --drop-privileges need root");
		return -EINVAL;
	}
	rc = fusermount_find(&m->fusermount);
	if (rc < 0) {
		log_error("not permitted to mount, and no %s to mount as user %u (install fuse3)",
			  FUSERMOUNT_PROGRAM, (unsigned int)getuid());
		return rc;
	}
	log_step("not root: mounting through %s", m->fusermount);
	m->ops = watching ? &mounter_watch_ops : &mounter_fusermount_ops;
	return 0;
}

int mounter_new(const struct launch *l, struct mounter **out)
{
	struct mounter *m;
	int rc;

	m = calloc(1, sizeof(*m));
	if (!m) {
		log_error("out of memory");
		return -ENOMEM;
	}
	m->launch = l;
	m->device_fd = m->root_fd = m->announce_fd = -1;
	m->mountpoint.fd = -1;
	mountpoint_lock_init(&m->lock);
	m->watch.fd = -1;
	m->owner_uid = getuid();
	m->owner_gid = getgid();
	m->lower_caps = server_identity_unprivileged(&l->identity);
	init_thread_init(&m->init);
	/* Who mounts first: whether --user can be had at all decides how
	 * the mountpoint is checked.  One that cannot be pinned is the
	 * caller's error. */
	rc = choose(l, m);
	if (rc == 0 && mountpoint_pin(&m->mountpoint, l->server.mountpoint, l->server.mountpoint_type,
				      l->identity.switch_user ? &l->identity : NULL) < 0)
		rc = -EINVAL;
	if (rc < 0) {
		mounter_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

/* A FUSE mount already on the mountpoint would be covered by this one:
 * an accident (a second launch, fstab's TYPE#SOURCE line at every mount
 * -a) unless asked for.  The table is read, the mount is not asked. */
static int check_not_stacking(const struct mounter *m, bool waited)
{
	bool helper = !strcmp(log_program_name(), "mount.fuselaunch");
	char what[512];
	int rc;

	rc = mount_table_fuse_root(m->mountpoint.fd, what, sizeof(what));
	/* Mounted there since it was pinned, by a launch this one waited for
	 * (else the table is not read: libmount stays unloaded). */
	if (rc == 0 && waited)
		rc = mount_table_fuse_over(m->mountpoint.fd, what, sizeof(what));
	if (rc < 0)
		log_error("mountpoint '%s': %s", m->mountpoint.path, strerror(-rc));
	else if (rc > 0)
		log_error("mountpoint '%s' already has a FUSE mount (%s): unmount it first, or give %s to mount on top of it",
			  m->mountpoint.path, what, helper ? "-o x-fuselaunch.stack" : "--stack");
	return rc == 0 ? 0 : -EINVAL;
}

int mounter_claim_mountpoint(struct mounter *m, int *signal)
{
	const struct launch *l = m->launch;
	bool waited;
	int rc;

	rc = mountpoint_lock_take(&m->lock, &m->mountpoint, l->timeout_ms, &waited, signal);
	if (rc == -ETIMEDOUT)
		log_error("mountpoint '%s': another launch on it did not end within %u.%03u s",
			  m->mountpoint.path, l->timeout_ms / 1000, l->timeout_ms % 1000);
	else if (rc < 0 && rc != -ECANCELED)
		log_error("mountpoint '%s': taking turns with other launches: %s",
			  m->mountpoint.path, strerror(-rc));
	if (rc < 0)
		return rc;
	if (waited)
		log_step("waited for another launch on %s", m->mountpoint.path);
	if (!l->stack && check_not_stacking(m, waited) < 0) {
		mountpoint_lock_release(&m->lock);
		return -EINVAL;
	}
	return 0;
}

void mounter_free(struct mounter *m)
{
	if (!m)
		return;
	if (m->ops)
		mounter_release(m);
	mountpoint_lock_close(&m->lock);
	mountpoint_release(&m->mountpoint);
	free(m->fusermount);
	free(m->stray_path);
	free(m);
}

void *mounter_own_new(struct mounter *m, size_t size)
{
	m->own = calloc(1, size);
	if (!m->own)
		mounter_fail(m, STAGE_INTERNAL, ENOMEM, "mounter state");
	return m->own;
}

int mounter_device_fd(const struct mounter *m)
{
	return m->device_fd;
}

void mounter_fail(struct mounter *m, enum launch_stage stage, int error, const char *detail)
{
	launch_status_record(m->status, stage, error, detail);
}

const char *mounter_source(const struct mounter *m)
{
	const struct launch *l = m->launch;

	return l->options.fsname ? l->options.fsname :
	       l->server.source ? l->server.source : l->server.name;
}

const char *mounter_subtype(const struct mounter *m)
{
	const struct launch *l = m->launch;

	return l->options.subtype ? l->options.subtype : l->server.name;
}

int mounter_start_call(struct mounter *m, void (*call)(void *arg))
{
	int rc;

	memset(&m->result, 0, sizeof(m->result));
	if (!m->init_started_ms)
		m->init_started_ms = monotonic_ms();
	rc = init_thread_start(&m->init, call, m);
	if (rc < 0) {
		mounter_fail(m, STAGE_INTERNAL, rc, "init thread");
		return rc;
	}
	m->sup->init_fd = m->init.done_fd;
	return 0;
}

bool mounter_join(struct mounter *m, int timeout_ms, bool record)
{
	bool was_running = m->init.running;

	if (init_thread_join(&m->init, timeout_ms) < 0)
		return false;
	if (!was_running)
		return true;
	m->sup->init_fd = -1;
	m->init_ms = (unsigned int)(monotonic_ms() - m->init_started_ms);
	/* Which connection: what --list and --unmount show. */
	if (!m->connection && m->device_fd >= 0)
		fuse_connection_of_fd(0, m->device_fd, &m->connection);
	if (m->result.attached) {
		m->attached = true;
		m->mount_id = m->result.mount_id;
		mounter_announce(m);
	}
	if (record && m->result.error < 0)
		mounter_fail(m, m->result.stage, m->result.error, m->result.why);
	return true;
}

/* Whether the one that waits for INIT's answer is asleep: fusermount3
 * while it mounts, else the init thread. */
static bool init_waiter_asleep(const struct mounter *m)
{
	/* A fusermount3 that cannot be read is gone: it waits no more. */
	if (m->sup->fusermount_pid > 0)
		return proc_asleep(m->sup->fusermount_pid) > 0;
	return init_thread_asleep(&m->init);
}

/* Whether INIT is still unanswered, once every server process is gone
 * (the rule: init_verdict.c); *ABORTED: answered, as our aborted device
 * proves.  Each look takes the waiter's state, then fusectl's count, then
 * whether our device is aborted, in that order. */
static bool init_unanswered(struct mounter *m, bool *aborted)
{
	unsigned int connection = 0, asleep_ms = 0;
	struct init_look look;
	int waited;

	*aborted = false;

	for (waited = 0; waited < MOUNTER_ANSWER_WAIT_MS; waited += CONNECTION_RETRY_MS) {
		look = (struct init_look){ .done = init_thread_done(&m->init) };
		look.connected = !look.done &&
			fuse_connection_of_fd(0, m->device_fd, &connection) == 0;
		if (look.connected) {
			look.asleep = init_waiter_asleep(m);
			look.count_rc = fuse_connection_waiting(connection, &look.waiting);
			look.aborted = fuse_device_aborted(m->device_fd);
		}
		switch (init_verdict(&look, &asleep_ms, CONNECTION_RETRY_MS)) {
		case INIT_ANSWERED:
			if (look.aborted)
				log_step("FUSE_INIT not pending: connection %u is aborted", connection);
			*aborted = look.aborted;
			return false;
		case INIT_UNANSWERED:
			if (look.connected && look.count_rc < 0)
				log_step("FUSE_INIT unanswered: fusectl unreadable (%s), its waiter asleep for %u ms",
					 strerror(-look.count_rc), asleep_ms);
			else if (look.connected)
				log_step("FUSE_INIT unanswered: fusectl counts it in flight on connection %u",
					 connection);
			return true;
		case INIT_LOOK_AGAIN:
			break;
		}
		usleep(CONNECTION_RETRY_MS * 1000);
	}
	return false;
}

int mounter_device_server_gone(struct mounter *m)
{
	bool aborted;

	if (init_unanswered(m, &aborted))
		return 0;
	/* A refusal's teardown may outlast any wait of ours: the answer
	 * proven, its waiter says which in its time, waited for as INIT is. */
	if (!mounter_join(m, aborted ? 0 : MOUNTER_ANSWER_WAIT_MS, true))
		return aborted ? -EINPROGRESS : 0;
	return m->result.error < 0 ? m->result.error : 1;
}

int mounter_abort_connection(struct mounter *m)
{
	unsigned int connection = m->connection;
	int waited, rc;

	/* The thread may not have made the connection yet (a timeout or a
	 * signal right at the start): look again until it has one to abort,
	 * or is done. */
	for (waited = 0; !connection && m->device_fd >= 0 && waited < MOUNTER_ABORT_WAIT_MS;
	     waited += CONNECTION_RETRY_MS) {
		if (fuse_connection_of_fd(0, m->device_fd, &connection) == 0 ||
		    init_thread_done(&m->init))
			break;
		usleep(CONNECTION_RETRY_MS * 1000);
	}
	if (!connection)
		return -ENOENT;
	rc = fuse_connection_abort(connection, m->device_fd);
	log_step("aborting FUSE connection %u: %s", connection, rc < 0 ? strerror(-rc) : "done");
	return rc;
}

void mounter_announce(struct mounter *m)
{
	if (m->announce_fd < 0 || !m->attached || m->mount_id == m->announced_mount_id)
		return;
	/* A pipe of 8-byte records: the write is whole or fails. */
	if (write(m->announce_fd, &m->mount_id, sizeof(m->mount_id)) == sizeof(m->mount_id))
		m->announced_mount_id = m->mount_id;
}

void mounter_release(struct mounter *m)
{
	if (m->init.running)
		return;
	/* Known from the device while it is open: it identifies the mount
	 * for as long as the mount is there. */
	mounter_own_connection(m);
	m->ops->release(m);
	mount_watch_stop(&m->watch);
	if (m->sup) {
		m->sup->mounts_fd = -1;
		m->sup->recheck_ms = 0;
	}
	if (m->device_fd >= 0)
		close(m->device_fd);
	if (m->root_fd >= 0)
		close(m->root_fd);
	m->device_fd = m->root_fd = -1;
}

void mounter_probe_call(void *arg)
{
	struct mounter *m = arg;

	log_step("waiting for the server to answer FUSE_INIT");
	/* While the launcher holds the device, a refusal shows as
	 * ECONNREFUSED rather than as a dead connection. */
	m->result.error = kernel_mount_probe(m->root_fd);
	m->result.answered_ms = monotonic_ms();
	m->result.stage = STAGE_INIT;
}
