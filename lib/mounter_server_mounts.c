/* The server's own mounts, proven by their FUSE connection (the rule:
 * a mount is this launch's only when a /dev/fuse descriptor of ours or of
 * one of the server's processes is its connection): adopting the one on
 * the mountpoint, and noticing one made anywhere else. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bounded_call.h"
#include "common.h"
#include "fuse_connection.h"
#include "kernel_mount.h"
#include "launch.h"
#include "log.h"
#include "mount_watch.h"
#include "mounter.h"
#include "supervisor.h"

/* After the mount table changed, look again this often, this many times:
 * a device fusermount3 mounted is in flight to the server for a moment,
 * held by no process (and fusermount3's own fds cannot be read). */
#define MOUNT_RECHECK_MS 50
#define MOUNT_RECHECKS 20

/* How long a dead connection may take to say so: at once, in fact. */
#define DEAD_CONNECTION_WAIT_MS 1000

/* How many connections a server's processes may hold that we look at. */
#define MAX_SERVER_CONNECTIONS 64

/* The connection of this launch's own device, once it has one. */
unsigned int mounter_own_connection(struct mounter *m)
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

/* Whether TARGET is where /dev/fd/N leads when taken for a path, as a
 * libfuse 2 server takes it: the device node. */
static bool on_device_path(const char *target)
{
	return !strcmp(target, "/dev/fuse") || !strncmp(target, "/dev/fd/", 8) ||
	       !strncmp(target, "/proc/self/fd/", 14);
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
	else if (here || on_device_path(e->target))
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
	own = mounter_own_connection(m);
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

static int probe_root(void *arg)
{
	return kernel_mount_probe(*(int *)arg);
}

/* Whether the connection of the mount whose root is FD is dead: asked
 * anything, a dead one says so at once (ENOTCONN).  A live one answers,
 * or keeps the question past the bound, and is never taken for dead. */
static bool connection_is_dead(int fd)
{
	int *root, sig, rc;

	root = malloc(sizeof(*root));
	if (!root)
		return false;
	*root = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (*root < 0) {
		free(root);
		return false;
	}
	rc = bounded_call(probe_root, root, DEAD_CONNECTION_WAIT_MS, &sig);
	/* Still asked: the thread keeps ROOT until the process exits. */
	if (rc == -ETIMEDOUT || rc == -ECANCELED)
		return false;
	close(*root);
	free(root);
	return rc == -ENOTCONN;
}

void mounter_adopt_dead_mount(struct mounter *m)
{
	cleanup_fd int top = -1;
	uint64_t pinned_id, top_id;
	unsigned int connection;
	char what[256];
	bool root;

	if (m->attached)
		return;
	top = open(m->mountpoint.path, O_PATH | O_CLOEXEC);
	if (top < 0 || mount_table_fuse_root(top, what, sizeof(what)) <= 0 ||
	    fuse_connection_at(top, &connection, &root) < 0 ||
	    kernel_mount_id(top, &top_id) < 0 ||
	    kernel_mount_id(m->mountpoint.fd, &pinned_id) < 0)
		return;
	/* The mountpoint as pinned is under every mount made since. */
	if (top_id == pinned_id || !connection_is_dead(top))
		return;
	log_step("a FUSE mount appeared on %s during the launch (%s, FUSE connection %u), and its connection is dead: detaching it",
		 m->mountpoint.path, what, connection);
	m->mount_id = top_id;
	m->connection = connection;
	m->attached = true;
}
