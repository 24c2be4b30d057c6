#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>

#include "daemon.h"
#include "fuse_device.h"
#include "fusermount.h"
#include "init_thread.h"
#include "kernel_mount.h"
#include "launch.h"
#include "log.h"
#include "mount_watch.h"
#include "privileges.h"
#include "safe_file.h"
#include "sd_notify.h"
#include "server_process.h"
#include "supervisor.h"
#include "terminal.h"
#include "utab.h"

/* How long an aborted INIT may take to come back to the init thread. */
#define ABORT_WAIT_MS 2000
/* How long an answered INIT may take to come back to the init thread. */
#define ANSWERED_WAIT_MS 5000
/* How often to look again for a FUSE connection the init thread is
 * about to make. */
#define CONNECTION_RETRY_MS 10

void launch_init(struct launch *l)
{
	memset(l, 0, sizeof(*l));
	l->timeout_ms = LAUNCH_DEFAULT_TIMEOUT_MS;
	l->auto_unmount = true;
	l->mountpoint_fd = -1;
	l->log_fd = -1;
}

/* SECONDS: a decimal number of seconds, millisecond resolution. */
int launch_set_timeout(struct launch *l, const char *seconds)
{
	double value;
	char *end;

	errno = 0;
	value = strtod(seconds, &end);
	if (errno || end == seconds || *end || !isfinite(value) || value < 0 ||
	    value > 30 * 86400) {
		log_error("invalid timeout '%s': give seconds, e.g. 30 or 0.5", seconds);
		return -EINVAL;
	}
	/* Rounded up, not to 0: a positive timeout must not mean "for ever". */
	l->timeout_ms = value > 0 && value < 0.001 ? 1 : (unsigned int)(value * 1000 + 0.5);
	return 0;
}

int launch_set_sync_init(struct launch *l, const char *mode)
{
	if (!strcmp(mode, "auto"))
		l->sync_init = SYNC_INIT_AUTO;
	else if (!strcmp(mode, "always"))
		l->sync_init = SYNC_INIT_ALWAYS;
	else if (!strcmp(mode, "never"))
		l->sync_init = SYNC_INIT_NEVER;
	else {
		log_error("invalid --sync-init mode '%s': use auto, always or never", mode);
		return -EINVAL;
	}
	return 0;
}

/* Opened before anything runs, so that a bad path is the caller's error. */
int launch_open_log(struct launch *l, const char *path)
{
	char why[PATH_MAX + 64];
	int fd, rc;

	rc = safe_file_open_append(path, 0640, &fd, why, sizeof(why));
	if (rc < 0) {
		log_error("log file '%s': %s", path, why);
		return rc;
	}
	if (l->log_fd >= 0)
		close(l->log_fd);
	l->log_fd = fd;
	return 0;
}

/* Made absolute: the daemon works from /. */
int launch_set_pidfile(struct launch *l, const char *path)
{
	char *cwd = NULL, tmp[PATH_MAX + 64];
	int rc = 0;

	free(l->pidfile);
	l->pidfile = NULL;
	if (path[0] == '/')
		l->pidfile = strdup(path);
	else if ((cwd = getcwd(NULL, 0)) && asprintf(&l->pidfile, "%s/%s", cwd, path) < 0)
		l->pidfile = NULL;
	if (!l->pidfile) {
		rc = -ENOMEM;
		log_error("pidfile '%s': %s", path, strerror(cwd ? ENOMEM : errno));
	} else if ((rc = safe_file_check_parent(l->pidfile, tmp, sizeof(tmp))) < 0) {
		log_error("pidfile '%s': %s", l->pidfile, tmp);
	}
	free(cwd);
	return rc;
}

int launch_set_user(struct launch *l, const char *user)
{
	server_identity_free(&l->identity);
	return server_identity_set_user(&l->identity, user);
}

int launch_choose_mounter(struct launch *l)
{
	bool unprivileged = server_identity_unprivileged(&l->identity);
	int rc;

	rc = kernel_mount_permitted();
	if (rc == 0 || rc != -EPERM) {
		/* Anything but EPERM is for the launch to report, as root's. */
		if (l->identity.drop_privileges && l->mode == SERVER_MODE_WATCH) {
			log_error("--drop-privileges needs --mode=fd: a server that mounts by itself needs its privileges");
			return -EINVAL;
		}
		if (l->identity.switch_user) {
			l->user_id = l->identity.uid;
			l->group_id = l->identity.gid;
			kernel_mount_set_owner(l->user_id, l->group_id);
		}
		return 0;
	}
	if (unprivileged) {
		log_error("--user and --drop-privileges need root");
		return -EINVAL;
	}
	rc = fusermount_find(&l->fusermount);
	if (rc < 0) {
		log_error("not permitted to mount, and no %s to mount as user %u (install fuse3)",
			  FUSERMOUNT_PROGRAM, (unsigned int)getuid());
		return rc;
	}
	log_step("not root: mounting through %s", l->fusermount);
	return 0;
}

int launch_check_server_access(struct launch *l)
{
	int rc = server_identity_can_execute(&l->identity, l->server.path);

	if (rc < 0)
		log_error("user '%s' cannot execute server '%s': %s", l->identity.name,
			  l->server.path, strerror(-rc));
	return rc;
}

void launch_choose_mode(struct launch *l)
{
	char why[PATH_MAX + 64];

	if (l->mode != SERVER_MODE_AUTO)
		return;
	l->mode = server_mode_choose(l->server.path, why, sizeof(why));
	log_step("mode: %s", why);
}

int launch_prepare(struct launch *l)
{
	struct stat st;
	int rc;

	l->mountpoint_fd = open(l->server.mountpoint, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (l->mountpoint_fd < 0 || fstat(l->mountpoint_fd, &st) < 0) {
		rc = -errno;
		log_error("mountpoint '%s': %s", l->server.mountpoint, strerror(-rc));
		return rc;
	}
	l->root_mode = st.st_mode;
	l->user_id = getuid();
	l->group_id = getgid();
	return 0;
}

void launch_free(struct launch *l)
{
	if (l->mountpoint_fd >= 0)
		close(l->mountpoint_fd);
	if (l->log_fd >= 0)
		close(l->log_fd);
	free(l->pidfile);
	free(l->watch_options);
	free(l->fusermount);
	server_identity_free(&l->identity);
	server_command_free(&l->server);
	mount_options_free(&l->options);
}

/* Everything the daemon holds while a launch is pending. */
struct daemon_state {
	struct launch *launch;
	struct supervisor sup;
	struct init_thread init;
	struct launch_status status;
	int device_fd;
	int fsfd;
	bool mounted;
	pid_t pidfile_pid;	/* what the pidfile says now */
	struct mount_watch watch;	/* --mode=watch: for the server's own mount */
	struct fusermount helper;	/* not root: fusermount3, while it mounts */
	unsigned int connection;	/* fusectl number of the watched mount, or 0 */
	bool server_group;		/* the server gets a process group of its own */
	int terminal_fd;		/* the caller's terminal, lent to that group */
	pid_t caller_group;		/* which gets the terminal back */
};

static void fail(struct daemon_state *d, enum launch_stage stage, int error, const char *detail)
{
	d->status.stage = stage;
	d->status.error = error < 0 ? -error : error;
	snprintf(d->status.detail, sizeof(d->status.detail), "%s", detail ? detail : "");
}

/* The mount's source and subtype: -o fsname= and subtype=, else the
 * server's source argument and name. */
static const char *mount_source(const struct launch *l)
{
	return l->options.fsname ? l->options.fsname :
	       l->server.source ? l->server.source : l->server.name;
}

static const char *mount_subtype(const struct launch *l)
{
	return l->options.subtype ? l->options.subtype : l->server.name;
}

static int open_fs_context(struct daemon_state *d)
{
	struct launch *l = d->launch;
	struct kernel_mount_params params = {
		.device_fd = d->device_fd,
		.root_mode = l->root_mode,
		.user_id = l->user_id,
		.group_id = l->group_id,
		.source = mount_source(l),
		.source_option = l->options.fsname ? "fsname" : NULL,
		.subtype = mount_subtype(l),
		.fs_params = l->options.fs_params,
	};
	char why[sizeof(d->status.detail)] = "";
	int rc;

	rc = fuse_device_open(&d->device_fd);
	if (rc < 0) {
		fail(d, STAGE_DEVICE, rc, NULL);
		return rc;
	}
	params.device_fd = d->device_fd;
	log_step("opened " FUSE_DEVICE_PATH " as fd %d", d->device_fd);
	rc = l->sync_init == SYNC_INIT_NEVER ? -ENOTTY : fuse_device_enable_sync_init(d->device_fd);
	if (rc == -ENOTTY && l->sync_init != SYNC_INIT_ALWAYS) {
		log_step("synchronous FUSE_INIT %s: mounting first, then waiting for the answer",
			 l->sync_init == SYNC_INIT_NEVER ? "not wanted" : "not supported by the kernel");
	} else if (rc < 0) {
		fail(d, STAGE_SYNC_INIT, rc, NULL);
		return rc;
	} else {
		d->init.sync_init = true;
	}
	rc = kernel_mount_open(&d->fsfd);
	if (rc < 0) {
		fail(d, STAGE_FS_OPEN, rc, NULL);
		return rc;
	}
	rc = kernel_mount_configure(d->fsfd, &params, why, sizeof(why));
	if (rc < 0) {
		fail(d, STAGE_FS_PARAM, rc, why);
		return rc;
	}
	log_step("fs context ready: source=%s subtype=%s", params.source, params.subtype);
	return 0;
}

/* The classic order: without synchronous INIT the server must find a
 * connection on the device when it first reads it, so the mount comes
 * first, with INIT queued; the init thread then waits for the answer. */
static int mount_before_server(struct daemon_state *d)
{
	char why[sizeof(d->status.detail)] = "";
	uint64_t caps = 0;
	int rc;

	log_step("creating and attaching the mount (FUSE_INIT queued)");
	if (d->init.lower_caps && privileges_lower_for_mount(&caps) < 0)
		log_step("cannot lower capabilities for the mount: %s", strerror(errno));
	rc = kernel_mount_create(d->fsfd, why, sizeof(why));
	if (d->init.lower_caps)
		privileges_restore(caps);
	if (rc == 0)
		rc = kernel_mount_attach(d->fsfd, d->launch->options.mount_attrs,
					 d->launch->mountpoint_fd, &d->init.mount_id,
					 &d->init.mount_fd, why, sizeof(why));
	if (rc < 0) {
		fail(d, STAGE_MOUNT, rc, why);
		return rc;
	}
	d->init.attached = d->mounted = true;
	return 0;
}

/* The server's stdout and stderr come through pipes, so that the daemon
 * decides where they go: the user's terminal until the outcome is known,
 * nowhere afterwards, and never the caller's stdout once we have exited.
 * Its stdin is the caller's (a password on stdin, say). */
/* The server runs in a process group of its own, so that once the launch
 * is over, signals to the caller's job (Ctrl-C in the caller's shell) do
 * not reach it; only a process that has not exec'd yet can be moved, so
 * it is put there from the start.  Until the outcome, that group has the
 * caller's terminal, if the caller's job had it: the server can prompt,
 * and Ctrl-C reaches the server and the daemon, which joins the group. */
static void lend_terminal(struct daemon_state *d, struct server_stdio *stdio)
{
	int fd;

	stdio->own_group = true;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (tcgetpgrp(fd) != getpgrp()) {
		close(fd);
		return;
	}
	d->terminal_fd = stdio->terminal = fd;
	d->caller_group = getpgrp();
}

/* Before the outcome is reported, so that the caller's job has its
 * terminal back when fuselaunch prints it and exits. */
static void give_terminal_back(struct daemon_state *d)
{
	int rc;

	if (d->terminal_fd < 0)
		return;
	rc = terminal_set_foreground(d->terminal_fd, d->caller_group);
	if (rc < 0)
		log_step("giving the terminal back: %s", strerror(-rc));
	close(d->terminal_fd);
	d->terminal_fd = -1;
}

static int start_server(struct daemon_state *d)
{
	struct launch *l = d->launch;
	struct server_stdio stdio = { .in = STDIN_FILENO, .terminal = -1 };
	int out[2] = { -1, -1 }, err[2] = { -1, -1 };
	char **argv = NULL;
	int rc;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		rc = -errno;
		fail(d, STAGE_INTERNAL, rc, "server stdio");
		goto out;
	}
	argv = server_command_exec_argv(&l->server, d->device_fd, l->watch_options);
	if (!argv) {
		rc = -ENOMEM;
		fail(d, STAGE_INTERNAL, rc, "server arguments");
		goto out;
	}
	stdio.out = out[1];
	stdio.err = err[1];
	if (d->server_group)
		lend_terminal(d, &stdio);
	rc = server_spawn(l->server.path, argv, d->device_fd, &stdio,
			  server_identity_unprivileged(&l->identity) ? &l->identity : NULL,
			  &d->sup.server_pid);
	if (rc < 0) {
		fail(d, STAGE_SERVER_START, rc, NULL);
		goto out;
	}
	/* Not a group leader, so that setsid() works once the outcome is known. */
	if (d->server_group && setpgid(0, d->sup.server_pid) < 0)
		log_step("joining the server's process group: %s", strerror(errno));
	if (d->device_fd >= 0)
		log_step("started server %s (pid %d) with mountpoint /dev/fd/%d",
			 l->server.path, (int)d->sup.server_pid, d->device_fd);
	else
		log_step("started server %s (pid %d); watching %s for its mount",
			 l->server.path, (int)d->sup.server_pid, l->server.mountpoint);
	d->sup.output_fd[0] = out[0];
	d->sup.output_fd[1] = err[0];
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(err[0], F_SETFL, O_NONBLOCK);
	out[0] = err[0] = -1;
out:
	server_command_free_exec_argv(argv, &l->server);
	if (out[0] >= 0)
		close(out[0]);
	if (out[1] >= 0)
		close(out[1]);
	if (err[0] >= 0)
		close(err[0]);
	if (err[1] >= 0)
		close(err[1]);
	return rc;
}

/* Make a pending INIT come back: abort the connection so the blocked
 * superblock creation returns ENOTCONN.  If it still does not come back,
 * the process's exit ends the thread (DESIGN.md: only SIGKILL-like ends do). */
static void cancel_init(struct daemon_state *d)
{
	unsigned int connection;
	int waited, rc = -ENOENT;

	if (!d->init.running)
		return;
	if (d->sup.helper_pid > 0) {
		/* fusermount3 holds the device while it mounts: only its end
		 * ends the mount (DESIGN.md). */
		kill(d->sup.helper_pid, SIGKILL);
		log_step("killed %s (pid %d)", d->helper.path, (int)d->sup.helper_pid);
		rc = 0;
	}
	connection = d->connection;
	/* The thread may not have made the connection yet (a timeout or a
	 * signal right at the start): look again until it has one to abort,
	 * or is done. */
	for (waited = 0; rc < 0 && !connection && d->device_fd >= 0 && waited < ABORT_WAIT_MS;
	     waited += CONNECTION_RETRY_MS)
		if (fuse_device_connection(d->device_fd, &connection) == 0 ||
		    init_thread_join(&d->init, CONNECTION_RETRY_MS) == 0)
			break;
	if (rc < 0 && connection) {
		rc = fuse_connection_abort(connection);
		log_step("aborting FUSE connection %u: %s", connection,
			 rc < 0 ? strerror(-rc) : "done");
	}
	if (rc < 0 && d->launch->fusermount && d->init.running && d->device_fd >= 0) {
		/* Not ours to abort (a user's): without our reference the
		 * connection ends with the server, which is stopped next. */
		close(d->device_fd);
		d->device_fd = -1;
		return;
	}
	if (init_thread_join(&d->init, ABORT_WAIT_MS) < 0) {
		/* server_group: in the daemon; else in fuselaunch --foreground. */
		log_step("the init thread is still blocked; it ends when %s exits",
			 d->server_group ? "the daemon" : log_program_name());
		return;
	}
	log_step("the init thread returned: %s",
		 d->init.error ? strerror(-d->init.error) : "mounted");
	d->mounted = d->init.attached;
}

/* A user's mount: fusermount3 (umount(8) for one mount.fuselaunch made,
 * which mount(8) may have put in utab) takes only a path, so check just
 * before that the mount there is still ours. */
static int unmount_by_helper(struct daemon_state *d)
{
	const char *mountpoint = d->launch->server.mountpoint;
	char why[sizeof(d->status.detail)] = "";
	int rc;

	rc = kernel_mount_check_at(mountpoint, d->init.mount_id, NULL);
	if (rc < 0)
		return rc;
	rc = d->launch->in_utab ? fusermount_umount_recorded(mountpoint, why, sizeof(why)) :
		fusermount_unmount(d->launch->fusermount, mountpoint, why, sizeof(why));
	if (rc < 0)
		log_error("%s", why);
	return rc;
}

static void unmount_ours(struct daemon_state *d)
{
	int rc;

	if (!d->mounted)
		return;
	rc = d->launch->fusermount ? unmount_by_helper(d) :
		kernel_mount_detach(d->launch->server.mountpoint, d->init.mount_id);
	log_step("detaching the mount on %s: %s", d->launch->server.mountpoint,
		 rc == -ESTALE ? "no longer there" : rc < 0 ? strerror(-rc) : "done");
	if (rc == 0 && d->launch->in_utab && !d->launch->fusermount)
		utab_forget(d->launch->server.mountpoint);
	d->mounted = false;
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
static bool init_pending(struct daemon_state *d)
{
	unsigned int connection, waiting;
	int waited, rc;

	for (waited = 0; waited < ANSWERED_WAIT_MS; waited += CONNECTION_RETRY_MS) {
		if (init_thread_done(&d->init))
			return false;
		if (fuse_device_connection(d->device_fd, &connection) < 0)
			return true;
		rc = fuse_connection_waiting(connection, &waiting);
		/* A user cannot read fusectl: the answer would have woken
		 * the thread, and nothing can answer now. */
		if (rc < 0)
			return rc != -ENOENT;
		if (waiting > 0 && init_thread_asleep(&d->init))
			return true;
		usleep(CONNECTION_RETRY_MS * 1000);
	}
	return false;
}

/* Join the init thread within TIMEOUT_MS and take its result; false when
 * it did not come back in time. */
static bool take_init_result(struct daemon_state *d, int timeout_ms)
{
	if (init_thread_join(&d->init, timeout_ms) < 0)
		return false;
	d->mounted = d->init.attached;
	if (d->init.error < 0)
		fail(d, d->init.failed_stage, d->init.error, d->init.why);
	return true;
}

static bool watching(const struct daemon_state *d)
{
	return d->launch->mode == SERVER_MODE_WATCH;
}

/* The mount now on the mountpoint (the server's own, or fusermount3's
 * with INIT queued) becomes the one to probe and, on failure, to detach.
 * Neither the open nor the mount id asks the server anything. */
static int take_mount_on_mountpoint(struct daemon_state *d)
{
	int rc;

	rc = kernel_mount_open_at(d->launch->server.mountpoint, &d->init.mount_fd,
				  &d->init.mount_id);
	if (rc == 0)
		d->init.attached = d->mounted = true;
	return rc;
}

/* --mode=watch: take the FUSE mount the server made on the mountpoint, if
 * there is one by now, as ours to probe and, on failure, to detach.
 * Returns 0 (adopted or not there yet) or -errno. */
static int adopt_server_mount(struct daemon_state *d)
{
	const char *mountpoint = d->launch->server.mountpoint;
	dev_t devno;
	int id, rc;

	if (d->mounted)
		return 0;
	rc = mount_watch_find(&d->watch, &id, &devno);
	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return rc;
	rc = take_mount_on_mountpoint(d);
	if (rc < 0)
		return rc;
	d->connection = minor(devno);
	d->sup.mounts_fd = -1;
	log_step("the server mounted %s (mount %d, FUSE connection %u)", mountpoint, id,
		 d->connection);
	return 0;
}

/* Once the server's own mount is there, prove it answers, as in the
 * classic order. */
static int probe_server_mount(struct daemon_state *d)
{
	int rc;

	rc = adopt_server_mount(d);
	if (rc < 0 || !d->mounted || d->init.running)
		return rc;
	rc = init_thread_start(&d->init);
	if (rc == 0)
		d->sup.init_fd = d->init.done_fd;
	return rc;
}

/* Every server process is gone.  It may have answered INIT just before:
 * then the thread has been woken and its result stands. */
static int server_gone(struct daemon_state *d)
{
	bool answered;

	if (watching(d)) {
		/* Its device closed, so a pending probe fails at once. */
		bool probing = d->init.running;

		adopt_server_mount(d);
		answered = probing && take_init_result(d, ANSWERED_WAIT_MS) && d->init.error == 0;
	} else {
		answered = !init_pending(d) && take_init_result(d, ANSWERED_WAIT_MS);
		if (answered && d->init.error < 0)
			return d->init.error;
	}
	fail(d, STAGE_SERVER_EXIT, 0, answered ? "right after answering FUSE_INIT" : NULL);
	d->status.wait_status = supervisor_server_status(&d->sup);
	return -ECHILD;
}

/* --mode=watch: the probe found the connection dead, not refused.  The
 * server holds the only device, so it closed it: it is exiting, and its
 * exit, seen next, is the failure to report. */
static bool connection_died(const struct daemon_state *d)
{
	return watching(d) && d->init.error == -ENOTCONN;
}

/* Wait for the outcome of INIT.  Returns 0 once mounted; on failure the
 * status says why. */
static int await_init(struct daemon_state *d, int parent_fd)
{
	int sig = 0, rc;

	d->sup.init_fd = d->init.running ? d->init.done_fd : -1;
	d->sup.parent_fd = parent_fd;
	supervisor_set_timeout(&d->sup, d->launch->timeout_ms);
	for (;;) {
		switch (supervisor_wait(&d->sup, &sig)) {
		case SUPERVISOR_CHILD_REAPED:
			continue;
		case SUPERVISOR_MOUNTS_CHANGED:
			rc = probe_server_mount(d);
			if (rc < 0) {
				fail(d, STAGE_INTERNAL, rc, "watching the mount table");
				return rc;
			}
			continue;
		case SUPERVISOR_INIT_DONE:
			take_init_result(d, -1);
			d->sup.init_fd = -1;
			if (connection_died(d))
				continue;
			return d->init.error;
		case SUPERVISOR_SERVER_GONE:
			return server_gone(d);
		case SUPERVISOR_TIMEOUT:
			if (connection_died(d))
				return d->init.error;
			fail(d, STAGE_TIMEOUT, ETIMEDOUT, NULL);
			return -ETIMEDOUT;
		case SUPERVISOR_PARENT_GONE:
			fail(d, STAGE_CANCELLED, ECANCELED, NULL);
			return -ECANCELED;
		case SUPERVISOR_SIGNAL:
		default:
			fail(d, STAGE_CANCELLED, ECANCELED, NULL);
			d->status.signal = (uint32_t)sig;
			return -ECANCELED;
		}
	}
}

/* A cancellation that came while the mount was being completed wins over
 * the success, which is about to be reported and must then stand.
 * Returns 0, or -ECANCELED with the status saying why. */
static int check_not_cancelled(struct daemon_state *d)
{
	struct pollfd parent = { .fd = d->sup.parent_fd, .events = POLLIN };
	int sig = supervisor_pending_signal(&d->sup);

	if (!sig && (parent.fd < 0 || poll(&parent, 1, 0) <= 0))
		return 0;
	fail(d, STAGE_CANCELLED, ECANCELED, NULL);
	d->status.signal = (uint32_t)sig;
	return -ECANCELED;
}

/* Once out of the caller's session, signals that the caller's terminal
 * sent to its job (Ctrl-C, Ctrl-\, a hang-up) as the launch succeeded are
 * not for the daemon: drop those still pending (setting SIG_IGN discards
 * them, blocked or not), and ignore SIGHUP from now on, as a daemon with
 * no terminal to lose.  SIGTERM, and SIGINT or SIGQUIT sent from now on,
 * still stop the server. */
static void drop_terminal_signals(void)
{
	sigset_t hangup;

	signal(SIGINT, SIG_IGN);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&hangup);
	sigaddset(&hangup, SIGHUP);
	sigprocmask(SIG_UNBLOCK, &hangup, NULL);
}

/* Until the outcome the daemon stays in the caller's session, so that the
 * server can prompt on the terminal and Ctrl-C reaches all of the launch.
 * Afterwards it leaves the terminal and the caller's stdio behind; the
 * server's output goes to the log file, or else to syslog. */
static void detach_from_caller(struct daemon_state *d)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int log_fd = d->launch->log_fd >= 0 ? d->launch->log_fd : null;

	if (setsid() < 0)
		log_step("setsid: %s", strerror(errno));
	drop_terminal_signals();
	if (null < 0)
		return;
	dup2(null, 0);
	dup2(log_fd, 1);
	dup2(log_fd, 2);
	close(null);
	if (d->launch->log_fd < 0)
		supervisor_relay_to_syslog(&d->sup, d->launch->server.name);
}

/* Written to a fresh temporary file beside it, then renamed over it: a
 * reader never sees a partial pid, and a file or symbolic link planted
 * under a predictable name is never written through. */
static int write_pidfile(const char *path, pid_t pid)
{
	char tmp[PATH_MAX], line[32];
	int fd, len, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	rc = safe_file_check_parent(path, NULL, 0);
	if (rc < 0)
		return rc;
	/* O_CREAT | O_EXCL, so a symbolic link is never followed. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(line, sizeof(line), "%d\n", (int)pid);
	errno = 0;
	if (fchmod(fd, 0644) < 0 || write(fd, line, (size_t)len) != len)
		rc = errno ? -errno : -EIO;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

/* The pidfile names the server process that serves: the one we started,
 * or, once it has handed over and exited, the oldest left. */
static int update_pidfile(struct daemon_state *d)
{
	pid_t pid;
	int rc;

	if (!d->launch->pidfile)
		return 0;
	pid = d->sup.server_reaped ? server_first_child() : d->sup.server_pid;
	if (pid <= 0 || pid == d->pidfile_pid)
		return 0;
	rc = write_pidfile(d->launch->pidfile, pid);
	if (rc == 0)
		d->pidfile_pid = pid;
	return rc;
}

/* After success: stay while the server lives, so that a server that dies
 * leaves no "Transport endpoint is not connected" husk behind.  A signal
 * is passed on to the server.  Returns the server's wait status. */
static int supervise_mounted(struct daemon_state *d)
{
	int sig, rc;

	d->sup.init_fd = -1;
	d->sup.parent_fd = -1;
	supervisor_set_timeout(&d->sup, 0);
	for (;;) {
		switch (supervisor_wait(&d->sup, &sig)) {
		case SUPERVISOR_SERVER_GONE:
			sd_notify_send("STOPPING=1");
			supervisor_drain_output(&d->sup);
			if (d->launch->pidfile)
				unlink(d->launch->pidfile);
			if (d->launch->auto_unmount)
				unmount_ours(d);
			return supervisor_server_status(&d->sup);
		case SUPERVISOR_SIGNAL:
			sd_notify_send("STOPPING=1");
			supervisor_signal_server(&d->sup, SIGTERM);
			break;
		case SUPERVISOR_CHILD_REAPED:
			rc = update_pidfile(d);
			if (rc < 0)
				log_error("cannot write pidfile '%s': %s", d->launch->pidfile,
					  strerror(-rc));
			break;
		default:
			break;
		}
	}
}

/* Not root: fusermount3 opens the device and mounts.  Its synchronous
 * protocol first, so that INIT is synchronous for users too; an older
 * fusermount3 hands over no device for it, and mounts in the classic
 * order instead (INIT queued, answered after the server starts). */
static int mount_by_helper(struct daemon_state *d)
{
	struct launch *l = d->launch;
	char why[sizeof(d->status.detail)] = "";
	char *options;
	int rc = -EPROTONOSUPPORT;

	d->helper.path = l->fusermount;
	d->helper.timeout_ms = l->timeout_ms;
	options = fusermount_options(l->options.vfs, l->options.fs_params,
				     mount_source(l), mount_subtype(l));
	if (!options) {
		fail(d, STAGE_INTERNAL, ENOMEM, "fusermount3 options");
		return -ENOMEM;
	}
	if (l->sync_init != SYNC_INIT_NEVER)
		rc = fusermount_mount(&d->helper, l->server.mountpoint, options, true,
				      &d->device_fd, why, sizeof(why));
	if (rc == 0) {
		d->sup.helper_pid = d->helper.pid;
		rc = fuse_device_enable_sync_init(d->device_fd);
		if (rc == -ENOTTY) {
			/* Told nothing, the helper exits without mounting. */
			fusermount_close(&d->helper);
			close(d->device_fd);
			d->device_fd = -1;
			rc = -EPROTONOSUPPORT;
		}
	}
	if (rc == -EPROTONOSUPPORT && l->sync_init == SYNC_INIT_ALWAYS) {
		fail(d, STAGE_SYNC_INIT, ENOTTY, NULL);
		rc = -ENOTTY;
		goto out;
	}
	if (rc == -EPROTONOSUPPORT) {
		*why = '\0';
		rc = fusermount_mount(&d->helper, l->server.mountpoint, options, false,
				      &d->device_fd, why, sizeof(why));
		if (rc == 0)
			rc = take_mount_on_mountpoint(d);
		if (rc == 0)
			log_step("%s mounted %s (FUSE_INIT queued)", d->helper.path,
				 l->server.mountpoint);
	} else if (rc == 0) {
		d->init.sync_init = true;
		d->init.helper = &d->helper;
		d->init.mountpoint = l->server.mountpoint;
	}
	if (rc == -EPERM)
		fail(d, STAGE_FUSERMOUNT, 0, why);
	else if (rc == -ETIMEDOUT)
		fail(d, STAGE_TIMEOUT, ETIMEDOUT, NULL);
	else if (rc < 0)
		fail(d, STAGE_INTERNAL, rc, *why ? why : "the mount made by fusermount3");
out:
	free(options);
	return rc;
}

/* Through /dev/fuse: the server gets /dev/fd/N; the init thread carries
 * the mount through INIT, or (classic order) probes the mount made first. */
static int start_with_device(struct daemon_state *d)
{
	int rc;

	d->init.lower_caps = server_identity_unprivileged(&d->launch->identity);
	if (d->launch->fusermount) {
		if (mount_by_helper(d) < 0 || start_server(d) < 0)
			return -1;
	} else if (open_fs_context(d) < 0 ||
		   (!d->init.sync_init && mount_before_server(d) < 0) ||
		   start_server(d) < 0) {
		return -1;
	}
	d->init.fsfd = d->fsfd;
	d->init.target_fd = d->launch->mountpoint_fd;
	d->init.mount_attrs = d->launch->options.mount_attrs;
	rc = init_thread_start(&d->init);
	if (rc < 0)
		fail(d, STAGE_INTERNAL, rc, "init thread");
	return rc;
}

/* --mode=watch: the server mounts by itself; watch for its mount. */
static int start_watched(struct daemon_state *d)
{
	int rc;

	rc = mount_watch_start(&d->watch, d->launch->server.mountpoint);
	if (rc < 0) {
		fail(d, STAGE_INTERNAL, rc, "watching the mount table");
		return rc;
	}
	d->sup.mounts_fd = d->watch.fd;
	return start_server(d);
}

/* From /dev/fuse to the outcome of INIT.  Returns 0 once mounted and
 * answering.  On failure d->status says why and nothing is left running or
 * mounted, except an init thread that only the process's exit can end. */
static int launch_until_outcome(struct daemon_state *d, int parent_fd)
{
	int rc;

	signal(SIGPIPE, SIG_IGN);
	rc = supervisor_init(&d->sup);
	if (rc < 0) {
		fail(d, STAGE_INTERNAL, rc, "signalfd");
		goto failed;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		fail(d, STAGE_INTERNAL, errno, "PR_SET_CHILD_SUBREAPER");
		goto failed;
	}
	rc = watching(d) ? start_watched(d) : start_with_device(d);
	if (rc < 0)
		goto failed;
	/* The launcher must not keep the caller's working directory busy. */
	if (chdir("/") < 0)
		log_step("chdir /: %s", strerror(errno));
	if (await_init(d, parent_fd) < 0)
		goto failed;

	/* The mount holds the connection now; our references would keep it
	 * alive after the server died. */
	if (d->fsfd >= 0)
		close(d->fsfd);
	if (d->device_fd >= 0)
		close(d->device_fd);
	d->fsfd = d->device_fd = -1;
	mount_watch_stop(&d->watch);
	fusermount_close(&d->helper);
	log_step("mounted on %s", d->launch->server.mountpoint);
	supervisor_drain_output(&d->sup);
	if (check_not_cancelled(d) < 0)
		goto failed;
	/* A pidfile that cannot be written is a failed launch: whoever asked
	 * for it would find no server to stop. */
	rc = update_pidfile(d);
	if (rc < 0) {
		fail(d, STAGE_PIDFILE, rc, d->launch->pidfile);
		goto failed;
	}
	d->status.stage = STAGE_MOUNTED;
	d->status.server_pid = d->sup.server_pid;
	return 0;

failed:
	/* Aborting first lets a server blocked on the device exit by itself. */
	cancel_init(d);
	fusermount_close(&d->helper);
	supervisor_stop_server(&d->sup, SUPERVISOR_STOP_GRACE_MS);
	/* A server that mounted by itself may have done so at the last moment. */
	if (watching(d))
		adopt_server_mount(d);
	unmount_ours(d);
	supervisor_drain_output(&d->sup);
	return -1;
}

static void daemon_state_init(struct daemon_state *d, struct launch *l)
{
	memset(d, 0, sizeof(*d));
	d->launch = l;
	d->device_fd = d->fsfd = -1;
	d->sup.signal_fd = -1;
	d->init.mount_fd = -1;
	d->watch.fd = -1;
	d->helper.socket_fd = d->helper.stderr_fd = -1;
	d->terminal_fd = -1;
}

static void __attribute__((noreturn)) run_daemon(void *arg, int status_fd, int parent_fd)
{
	struct daemon_state d;
	int rc;

	daemon_state_init(&d, arg);
	d.server_group = true;
	rc = launch_until_outcome(&d, parent_fd);
	give_terminal_back(&d);
	launch_status_send(status_fd, &d.status);
	if (rc < 0)
		_exit(1);
	close(status_fd);
	close(parent_fd);
	detach_from_caller(&d);
	supervise_mounted(&d);
	_exit(0);
}

int launch_run(struct launch *l, struct launch_status *status)
{
	return daemon_run(run_daemon, l, status);
}

int launch_run_foreground(struct launch *l, struct launch_status *status, int *server_status)
{
	struct daemon_state d;
	int rc;

	daemon_state_init(&d, l);
	rc = launch_until_outcome(&d, -1);
	*status = d.status;
	if (rc < 0)
		return rc;
	sd_notify_send("READY=1");
	*server_status = supervise_mounted(&d);
	return 0;
}
