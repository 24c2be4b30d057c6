#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"
#include "fuse_connection.h"
#include "fuse_device.h"
#include "fusermount.h"
#include "kernel_mount.h"
#include "launch.h"
#include "log.h"
#include "mounter.h"
#include "supervisor.h"
#include "utab.h"

/* How often to look again for a connection the init thread is about to
 * make, or for its answer to be taken. */
#define CONNECTION_RETRY_MS 10

/* After the mount table changed, look again this often, this many times:
 * a device fusermount3 mounted is in flight to the server for a moment,
 * held by no process (and fusermount3's own fds cannot be read). */
#define MOUNT_RECHECK_MS 50
#define MOUNT_RECHECKS 20

/* How many connections a server's processes may hold that we look at. */
#define MAX_SERVER_CONNECTIONS 64

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

/* A FUSE mount already on the mountpoint would be covered by this one:
 * an accident (a second launch, fstab's TYPE#SOURCE line at every mount
 * -a) unless asked for.  The table is read, the mount is not asked. */
static int check_not_stacking(const struct mounter *m)
{
	bool helper = !strcmp(log_program_name(), "mount.fuselaunch");
	char what[512];
	int rc;

	rc = mount_table_fuse_root(m->mountpoint.fd, what, sizeof(what));
	if (rc < 0)
		log_error("mountpoint '%s': %s", m->mountpoint.path, strerror(-rc));
	else if (rc > 0)
		log_error("mountpoint '%s' already has a FUSE mount (%s): unmount it first, or give %s to mount on top of it",
			  m->mountpoint.path, what, helper ? "-o x-fuselaunch.stack" : "--stack");
	return rc == 0 ? 0 : -EINVAL;
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
	m->device_fd = m->root_fd = -1;
	m->mountpoint.fd = -1;
	m->watch.fd = -1;
	m->owner_uid = getuid();
	m->owner_gid = getgid();
	m->lower_caps = server_identity_unprivileged(&l->identity);
	init_thread_init(&m->init);
	/* Who mounts first: whether --user can be had at all decides how
	 * the mountpoint is checked.  One that cannot be pinned is the
	 * caller's error. */
	rc = choose(l, m);
	if (rc == 0 && mountpoint_pin(&m->mountpoint, l->server.mountpoint,
				      l->identity.switch_user ? &l->identity : NULL) < 0)
		rc = -EINVAL;
	if (rc == 0 && !l->stack)
		rc = check_not_stacking(m);
	if (rc < 0) {
		mounter_free(m);
		return rc;
	}
	*out = m;
	return 0;
}

void mounter_free(struct mounter *m)
{
	if (!m)
		return;
	if (m->ops)
		mounter_release(m);
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
	if (m->result.attached) {
		m->attached = true;
		m->mount_id = m->result.mount_id;
	}
	if (record && m->result.error < 0)
		mounter_fail(m, m->result.stage, m->result.error, m->result.why);
	return true;
}

/* Whether INIT is still unanswered, once every server process is gone.
 * Until the init thread has made the connection (it may not even have
 * started), INIT has not been sent, so it cannot have been answered.
 * Then INIT is pending while its request is in flight and the thread
 * sleeps on it.  An answer wakes the thread, but the request counts as in
 * flight until the thread has run and dropped it, which on a busy machine
 * may be after the server is reaped.  A connection with no request in
 * flight is one about to send INIT or one whose answer is being taken:
 * in both cases, look again until the thread is done. */
static bool init_unanswered(struct mounter *m)
{
	unsigned int connection, waiting;
	int waited, rc;

	for (waited = 0; waited < MOUNTER_ANSWER_WAIT_MS; waited += CONNECTION_RETRY_MS) {
		if (init_thread_done(&m->init))
			return false;
		if (fuse_connection_of_fd(0, m->device_fd, &connection) < 0)
			return true;
		rc = fuse_connection_waiting(connection, &waiting);
		/* A user cannot read fusectl: the answer would have woken
		 * the thread, and nothing can answer now. */
		if (rc < 0)
			return rc != -ENOENT;
		if (waiting > 0 && init_thread_asleep(&m->init))
			return true;
		usleep(CONNECTION_RETRY_MS * 1000);
	}
	return false;
}

int mounter_device_server_gone(struct mounter *m)
{
	if (init_unanswered(m) || !mounter_join(m, MOUNTER_ANSWER_WAIT_MS, true))
		return 0;
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
	rc = fuse_connection_abort(connection);
	log_step("aborting FUSE connection %u: %s", connection, rc < 0 ? strerror(-rc) : "done");
	return rc;
}

/* The connection of this launch's own device, once it has one. */
static unsigned int own_connection(struct mounter *m)
{
	unsigned int connection;

	if (!m->connection && m->device_fd >= 0 &&
	    fuse_connection_of_fd(0, m->device_fd, &connection) == 0)
		m->connection = connection;
	return m->connection;
}

/* Open the root of the mount of CONNECTION on PATH, and only that: not the
 * directory under it once it is gone, nor a mount on top of it.  Returns
 * 0 with *FD and the mount's id, -ESTALE when PATH shows something else
 * now, or -errno; asks no FUSE server anything. */
static int open_mount_of(const char *path, unsigned int connection, int *fd,
			 uint64_t *mount_id)
{
	cleanup_fd int opened = -1;
	unsigned int found;
	bool root;
	int rc;

	opened = open(path, O_PATH | O_CLOEXEC);
	if (opened < 0)
		return -errno;
	rc = fuse_connection_at(opened, &found, &root);
	if (rc < 0)
		return rc;
	if (found != connection || !root)
		return -ESTALE;
	rc = kernel_mount_id(opened, mount_id);
	if (rc == 0 && fd)
		*fd = steal_fd(&opened);
	return rc;
}

int mounter_open_own_mount(const struct mounter *m, int *fd, uint64_t *mount_id)
{
	unsigned int connection;
	int rc;

	rc = fuse_connection_of_fd(0, m->device_fd, &connection);
	if (rc == 0)
		rc = open_mount_of(m->mountpoint.path, connection, fd, mount_id);
	return rc;
}

int mounter_take_mount_at_mountpoint(struct mounter *m, int *mount_fd)
{
	int rc;

	rc = mounter_open_own_mount(m, mount_fd, &m->mount_id);
	if (rc == 0)
		m->attached = true;
	return rc;
}

int mounter_watch_mounts(struct mounter *m, bool needed)
{
	int rc;

	rc = mount_watch_start(&m->watch);
	if (rc < 0 && needed) {
		mounter_fail(m, STAGE_INTERNAL, rc, "watching the mount table");
		return rc;
	}
	if (rc < 0) {
		log_step("not watching the mount table for the server's own mounts: %s",
			 strerror(-rc));
		return 0;
	}
	m->sup->mounts_fd = m->watch.fd;
	return 0;
}

/* The server's mount on the mountpoint becomes this launch's, once it can
 * be reached there. */
static void adopt(struct mounter *m, const struct fuse_mount_entry *e)
{
	int rc;

	rc = open_mount_of(e->target, e->connection, &m->root_fd, &m->mount_id);
	if (rc < 0) {
		log_step("the server's mount on %s (FUSE connection %u) cannot be reached there: %s",
			 e->target, e->connection,
			 rc == -ESTALE ? "covered or gone" : strerror(-rc));
		return;
	}
	m->attached = true;
	m->connection = e->connection;
	log_step("the server mounted %s (mount %d, FUSE connection %u)", e->target, e->id,
		 e->connection);
}

/* The server mounted E by itself where it was not asked to: say where, and
 * what to give instead. */
static int stray(struct mounter *m, const struct fuse_mount_entry *e)
{
	const char *mountpoint = m->mountpoint.path;
	bool here = !strcmp(e->target, mountpoint);
	char detail[sizeof(m->status->detail)];
	int rc;

	if (m->stray_path)
		return -EXDEV;
	m->stray_path = strdup(e->target);
	if (!m->stray_path) {
		mounter_fail(m, STAGE_INTERNAL, ENOMEM, "the server's own mount");
		return -ENOMEM;
	}
	/* It is provably the server's: identified now, detached on the way out. */
	rc = open_mount_of(e->target, e->connection, NULL, &m->stray_mount_id);
	log_step("the server mounted %s by itself (mount %d, FUSE connection %u)%s", e->target,
		 e->id, e->connection, rc < 0 ? ", which cannot be reached there" : "");
	if (m->ops == &mounter_watch_ops)
		snprintf(detail, sizeof(detail), "mounted %s, not %s: give its mountpoint with -m %s",
			 e->target, mountpoint, e->target);
	else if (here)
		snprintf(detail, sizeof(detail), "mounted %s by itself instead of using the /dev/fd/N it was given: use --mode=watch",
			 e->target);
	else
		snprintf(detail, sizeof(detail), "mounted %s by itself instead of %s through the /dev/fd/N it was given: use --mode=watch -m %s",
			 e->target, mountpoint, e->target);
	/* Truer than a timeout blaming INIT; a cancellation stands. */
	if (m->status->stage == STAGE_MOUNTED || m->status->stage == STAGE_TIMEOUT)
		mounter_fail(m, STAGE_ELSEWHERE, 0, detail);
	return -EXDEV;
}

struct server_mounts {
	struct mounter *m;
	bool adopt;
};

static int look_at(const struct fuse_mount_entry *e, void *arg)
{
	struct server_mounts *sm = arg;
	struct mounter *m = sm->m;

	if (sm->adopt && !strcmp(e->target, m->mountpoint.path)) {
		if (!m->attached)
			adopt(m, e);
		return 0;
	}
	return stray(m, e);
}

/* Rolling back, whether the table changed since it was last looked at:
 * poll() itself consumes the change it reports. */
static bool changed_since_looked(struct mounter *m)
{
	struct pollfd p = { .fd = m->watch.fd, .events = POLLPRI };

	return m->rechecks > 0 || (poll(&p, 1, 0) > 0 && (p.revents & POLLPRI));
}

int mounter_find_server_mounts(struct mounter *m, bool adopt)
{
	struct server_mounts sm = { m, adopt };
	unsigned int held[MAX_SERVER_CONNECTIONS], own;
	bool rolling_back = m->status->stage != STAGE_MOUNTED;
	int n, i, kept = 0, rc = 0;

	if (m->watch.fd < 0 || (rolling_back && !changed_since_looked(m)))
		return 0;
	if (!m->sup->rechecking)
		m->rechecks = MOUNT_RECHECKS;
	n = fuse_connections_of_server(held, ARRAY_SIZE(held));
	own = own_connection(m);
	for (i = 0; i < n; i++)
		if (held[i] != own)
			held[kept++] = held[i];
	if (kept > 0)
		rc = mount_table_fuse_mounts(held, (size_t)kept, look_at, &sm);
	if (rc == -EXDEV)
		return rc;
	if (rc < 0) {
		mounter_fail(m, STAGE_INTERNAL, rc, "reading the mount table");
		return rc;
	}
	if (m->rechecks > 0 && !(adopt && m->attached)) {
		m->rechecks--;
		supervisor_recheck_mounts(m->sup, MOUNT_RECHECK_MS);
	}
	return 0;
}

int mounter_device_mounts_changed(struct mounter *m)
{
	/* Most often the change is our own mount, attached as the blocking
	 * call returns, whose outcome comes next: look a moment later, if
	 * the launch is still pending then. */
	if (!m->sup->rechecking && m->status->stage == STAGE_MOUNTED) {
		m->rechecks = MOUNT_RECHECKS;
		supervisor_recheck_mounts(m->sup, MOUNT_RECHECK_MS);
		return 0;
	}
	return mounter_find_server_mounts(m, false);
}

void mounter_release(struct mounter *m)
{
	if (m->init.running)
		return;
	/* Known from the device while it is open: it identifies the mount
	 * for as long as the mount is there. */
	own_connection(m);
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
	m->result.stage = STAGE_INIT;
}

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
