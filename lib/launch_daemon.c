/* Running the launch's flow (launch.c) in a daemon, with --foreground or
 * without, and what the foreground does when that daemon dies before it
 * is done: the server stopped, the mount it announced detached. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "exit_codes.h"
#include "launch_run.h"
#include "leave_caller.h"
#include "mounter.h"
#include "sd_notify.h"

static void launch_run_init(struct launch_run *r, const struct launch *l, struct mounter *m)
{
	memset(r, 0, sizeof(*r));
	r->launch = l;
	r->mounter = m;
	r->sup.signal_fd = -1;
	r->terminal.fd = -1;
}

struct daemon_launch {
	const struct launch *launch;
	struct mounter *mounter;
	bool foreground;
};

/* A wait status as a shell gives it: the exit status, or 128 + the signal. */
static int shell_status(int wait_status)
{
	return WIFSIGNALED(wait_status) ? 128 + WTERMSIG(wait_status) : WEXITSTATUS(wait_status);
}

static void __attribute__((noreturn))
run_daemon(void *arg, int status_fd, int parent_fd, int mount_fd)
{
	struct daemon_launch *dl = arg;
	struct launch_run r;
	int rc, status;

	launch_run_init(&r, dl->launch, dl->mounter);
	r.foreground = dl->foreground;
	dl->mounter->announce_fd = mount_fd;
	rc = launch_until_outcome(&r, parent_fd);
	terminal_give_back(&r.terminal);
	launch_status_send(status_fd, &r.status);
	if (rc < 0)
		_exit(1);
	close(status_fd);
	close(mount_fd);
	dl->mounter->announce_fd = -1;
	/* With --foreground, fuselaunch waits for our exit status and holds
	 * the mount id we announced, should we be killed. */
	if (r.foreground) {
		status = supervise_mounted(&r, parent_fd);
		registry_withdraw(&r.registry, status);
		_exit(shell_status(status));
	}
	close(parent_fd);
	leave_caller(r.launch->log_fd, &r.sup, r.launch->server.name);
	registry_withdraw(&r.registry, supervise_mounted(&r, -1));
	_exit(0);
}

/* A daemon that died before it was done may have left a mount: the one it
 * announced, if that is still there, is detached like its own. */
static void detach_orphan_mount(struct mounter *m, uint64_t orphan_mount)
{
	if (!orphan_mount)
		return;
	m->attached = true;
	m->mount_id = orphan_mount;
	mounter_unmount_attached(m);
}

int launch_run(const struct launch *l, struct mounter *m, struct launch_status *status)
{
	struct daemon_launch dl = { .launch = l, .mounter = m };
	uint64_t orphan_mount;
	int rc;

	rc = daemon_run(run_daemon, &dl, false, status, &orphan_mount);
	if (rc == 0)
		detach_orphan_mount(m, orphan_mount);
	return rc;
}

/* systemd hears from its main process, fuselaunch --foreground, never
 * from the daemon (sd_notify.h). */
static void __attribute__((format(printf, 1, 2))) notify(const char *fmt, ...)
{
	char state[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(state, sizeof(state), fmt, ap);
	va_end(ap);
	sd_notify_send(state);
}

struct foreground_stop {
	const struct launch *launch;
	bool told;
};

/* A stop signal passed on to the daemon, which unmounts first. */
static void tell_stopping(void *arg, int sig)
{
	struct foreground_stop *stop = arg;

	(void)sig;
	stop->told = true;
	notify("STOPPING=1\nSTATUS=stopping %s: unmounting %s", stop->launch->server.name,
	       stop->launch->server.mountpoint);
}

/* In a daemon too, which stays in our group and session with our stdio:
 * if fuselaunch were the supervisor, its SIGKILL would leave the server
 * running unsupervised (orphaned to init or an outer subreaper, where
 * nothing stops it; PR_SET_PDEATHSIG reaches only the server's first
 * process, not one it forked away) and the mount to die with it.  The
 * daemon notices our end through the parent pipe, as before the outcome,
 * and stops the server and detaches the mount. */
int launch_run_foreground(const struct launch *l, struct mounter *m,
			  struct launch_status *status, int *exit_code)
{
	struct daemon_launch dl = { .launch = l, .mounter = m, .foreground = true };
	struct foreground_stop stop = { .launch = l };
	uint64_t orphan_mount;
	int rc;

	notify("STATUS=waiting for %s to answer FUSE_INIT on %s", l->server.name,
	       l->server.mountpoint);
	rc = daemon_run(run_daemon, &dl, true, status, &orphan_mount);
	if (rc < 0)
		return rc;
	detach_orphan_mount(m, orphan_mount);
	if (status->stage != STAGE_MOUNTED)
		return 1;
	notify("READY=1\nSTATUS=%s mounted on %s and answering", l->server.name,
	       l->server.mountpoint);
	*exit_code = daemon_wait(tell_stopping, &stop, &orphan_mount);
	if (!stop.told)
		notify("STOPPING=1\nSTATUS=%s on %s ended", l->server.name, l->server.mountpoint);
	if (*exit_code < 0) {
		detach_orphan_mount(m, orphan_mount);
		*exit_code = FL_EX_SYSTEM;
	}
	return 0;
}
