/* The flow of a launch, whoever mounts (mounter.h): prepare, start the
 * server, wait for the outcome of FUSE_INIT, then either release what the
 * mount no longer needs and supervise, or roll back. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "common.h"
#include "launch_run.h"
#include "log.h"
#include "mounter.h"
#include "server_process.h"
#include "supervisor.h"
#include "terminal.h"

/* The server's stdout and stderr come through pipes, so that the daemon
 * decides where they go: the caller's until the outcome is known, the log
 * or syslog afterwards, never the caller's stdout once we have exited.
 * Its stdin is the caller's (a password on stdin, say).  Without
 * --foreground the server runs in a process group of its own, so that
 * once the launch is over, signals to the caller's job (Ctrl-C in the
 * caller's shell) do not reach it; only a process that has not exec'd yet
 * can be moved, so it is put there from the start.  Until the outcome
 * that group has the caller's terminal, if the caller's job had it: the
 * server can prompt, and Ctrl-C reaches the server and the daemon, which
 * joins the group.
 * A server run with less than our privileges gets none of that: the
 * terminal would let it type into the caller's shell (TIOCSTI) or keep
 * its foreground, so it reads /dev/null and leads a session of its own,
 * and Ctrl-C reaches it through the daemon.
 * On an automount point (x-systemd.automount) the server stays in the
 * caller's group: autofs lets only the automount daemon's process group
 * (systemd runs mount(8) there) through the point while the mount is
 * pending, and a server that mounts by itself (watch mode) would wait
 * there for its own mount.
 * EXE_FD >= 0: the mount is attached already, and the server is exec'd
 * through that descriptor without waiting for the exec (server_process.h),
 * which tells how it went on *EXEC_STATUS_FD. */
static int start_server(struct launch_run *r, int exe_fd, int *exec_status_fd)
{
	const struct launch *l = r->launch;
	int device_fd = r->mounter->ops->server_fd(r->mounter);
	bool confined = server_identity_unprivileged(&l->identity);
	struct server_stdio stdio = { .in = STDIN_FILENO, .terminal = -1 };
	int out[2] = { -1, -1 }, err[2] = { -1, -1 }, null = -1;
	char **argv = NULL;
	int rc;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0) {
		rc = -errno;
		launch_status_record(&r->status, STAGE_INTERNAL, rc, "server stdio");
		goto out;
	}
	argv = server_command_exec_argv(&l->server, device_fd);
	if (!argv) {
		rc = -ENOMEM;
		launch_status_record(&r->status, STAGE_INTERNAL, rc, "server arguments");
		goto out;
	}
	stdio.out = out[1];
	stdio.err = err[1];
	if (confined) {
		null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (null < 0) {
			rc = -errno;
			launch_status_record(&r->status, STAGE_INTERNAL, rc, "/dev/null");
			goto out;
		}
		stdio.in = null;
		stdio.own_session = true;
	} else if (!r->foreground && !mountpoint_is_autofs(&r->mounter->mountpoint)) {
		stdio.own_group = true;
		stdio.terminal = terminal_lend(&r->terminal);
	}
	if (exe_fd >= 0)
		rc = server_spawn_pinned(exe_fd, l->server.path, argv, device_fd, &stdio,
					 confined ? &l->identity : NULL, &r->sup.server_pid,
					 exec_status_fd);
	else
		rc = server_spawn(l->server.path, argv, device_fd, &stdio,
				  confined ? &l->identity : NULL, &r->sup.server_pid);
	if (rc < 0) {
		launch_status_record(&r->status, STAGE_SERVER_START, rc, NULL);
		goto out;
	}
	/* A forked child may not have made its group yet: whoever comes first
	 * makes it (after the child's exec this fails, harmlessly). */
	if (stdio.own_group)
		setpgid(r->sup.server_pid, r->sup.server_pid);
	/* Not a group leader, so that setsid() works once the outcome is known. */
	if (stdio.own_group && setpgid(0, r->sup.server_pid) < 0)
		log_step("joining the server's process group: %s", strerror(errno));
	if (device_fd >= 0)
		log_step("started server %s (pid %d) with mountpoint /dev/fd/%d",
			 l->server.path, (int)r->sup.server_pid, device_fd);
	else
		log_step("started server %s (pid %d); watching %s for its mount",
			 l->server.path, (int)r->sup.server_pid, l->server.mountpoint);
	r->sup.output_fd[0] = steal_fd(&out[0]);
	r->sup.output_fd[1] = steal_fd(&err[0]);
	fcntl(r->sup.output_fd[0], F_SETFL, O_NONBLOCK);
	fcntl(r->sup.output_fd[1], F_SETFL, O_NONBLOCK);
out:
	server_command_free_exec_argv(argv, &l->server);
	cleanup_fdp(&out[0]);
	cleanup_fdp(&out[1]);
	cleanup_fdp(&err[0]);
	cleanup_fdp(&err[1]);
	cleanup_fdp(&null);
	return rc;
}

/* The mount table changed: a mount the server made by itself, once
 * adopted, is announced at once (daemon.h). */
static int mounts_changed(struct mounter *m)
{
	int rc = m->ops->mounts_changed(m);

	mounter_announce(m);
	return rc;
}

/* Every server process is gone: the status says why.  -EINPROGRESS: INIT
 * was answered, and whoever waited for the answer has yet to say which.
 * EXEC_STATUS_FD (-1: none) tells how an exec that was not waited for
 * went. */
static int server_gone(struct launch_run *r, int exec_status_fd)
{
	struct mounter *m = r->mounter;
	int rc = exec_status_fd >= 0 ? server_exec_error(exec_status_fd) : 0;

	if (rc < 0) {
		launch_status_record(&r->status, STAGE_SERVER_START, rc, NULL);
		return rc;
	}
	rc = m->ops->server_gone(m);
	if (rc < 0)
		return rc;
	launch_status_record(&r->status, STAGE_SERVER_EXIT, 0,
			     rc ? m->ops->gone_right_after : m->ops->gone_before);
	r->status.wait_status = supervisor_server_status(&r->sup);
	return -ECHILD;
}

/* Wait for the outcome of INIT.  Returns 0 once mounted and answering; on
 * failure the status says why. */
static int await_outcome(struct launch_run *r, int parent_fd, int exec_status_fd)
{
	struct mounter *m = r->mounter;
	bool gone = false;
	int sig = 0, rc;

	r->sup.parent_fd = parent_fd;
	for (;;) {
		switch (supervisor_wait(&r->sup, &sig)) {
		case SUPERVISOR_CHILD_REAPED:
			launch_run_child_reaped(r);
			continue;
		case SUPERVISOR_MOUNTS_CHANGED:
			rc = mounts_changed(m);
			if (rc < 0)
				return rc;
			continue;
		case SUPERVISOR_INIT_DONE:
			mounter_join(m, -1, true);
			/* The server went before: mounted or not, that is the
			 * outcome. */
			if (gone)
				return server_gone(r, -1);
			rc = m->ops->init_done ? m->ops->init_done(m) : m->result.error;
			if (rc == -EINPROGRESS)
				continue;
			/* Taken after the deadline (this process was stopped, or
			 * busy, past both): the server did not answer in time. */
			if (rc == 0 && r->sup.deadline_ms && m->result.answered_ms > r->sup.deadline_ms) {
				log_step("FUSE_INIT answered %llu ms after the deadline",
					 (unsigned long long)(m->result.answered_ms - r->sup.deadline_ms));
				launch_status_record(&r->status, STAGE_TIMEOUT, ETIMEDOUT, NULL);
				return -ETIMEDOUT;
			}
			return rc;
		case SUPERVISOR_SERVER_GONE:
			rc = server_gone(r, exec_status_fd);
			if (rc != -EINPROGRESS)
				return rc;
			gone = true;
			continue;
		case SUPERVISOR_TIMEOUT:
			/* A failure the mounter recorded while waiting for the
			 * server's exit stands. */
			if (r->status.stage != STAGE_MOUNTED)
				return -(int)r->status.error;
			launch_status_record(&r->status, STAGE_TIMEOUT, ETIMEDOUT, NULL);
			return -ETIMEDOUT;
		case SUPERVISOR_PARENT_GONE:
			launch_status_record(&r->status, STAGE_CANCELLED, ECANCELED, NULL);
			return -ECANCELED;
		case SUPERVISOR_SIGNAL:
		default:
			launch_status_record(&r->status, STAGE_CANCELLED, ECANCELED, NULL);
			r->status.signal = (uint32_t)sig;
			return -ECANCELED;
		}
	}
}

/* A cancellation that came while the mount was being completed wins over
 * the success, which is about to be reported and must then stand. */
static int check_not_cancelled(struct launch_run *r)
{
	struct pollfd parent = { .fd = r->sup.parent_fd, .events = POLLIN };
	int sig = supervisor_pending_signal(&r->sup);

	if (!sig && (parent.fd < 0 || poll(&parent, 1, 0) <= 0))
		return 0;
	launch_status_record(&r->status, STAGE_CANCELLED, ECANCELED, NULL);
	r->status.signal = (uint32_t)sig;
	return -ECANCELED;
}

/* Make a pending blocking call come back; if it does not, the process's
 * exit ends it (DESIGN.md: only SIGKILL-like ends do). */
static void cancel_init(struct launch_run *r)
{
	struct mounter *m = r->mounter;

	if (!m->init.running || m->ops->cancel(m) == -EINPROGRESS)
		return;
	if (!mounter_join(m, MOUNTER_ABORT_WAIT_MS, false))
		log_step("the init thread is still blocked; it ends when the daemon exits");
	else
		log_step("the init thread returned: %s",
			 m->result.error ? strerror(-m->result.error) : "mounted");
}

/* From the device to the outcome of INIT.  Returns 0 once mounted and
 * answering.  On failure the status says why and nothing is left running
 * or mounted, except an init thread that only the process's exit ends. */
int launch_until_outcome(struct launch_run *r, int parent_fd)
{
	struct mounter *m = r->mounter;
	cleanup_fd int exe_fd = -1;
	cleanup_fd int exec_status_fd = -1;
	int rc;

	signal(SIGPIPE, SIG_IGN);
	m->sup = &r->sup;
	m->status = &r->status;
	rc = supervisor_init(&r->sup);
	if (rc < 0) {
		launch_status_record(&r->status, STAGE_INTERNAL, rc, "signalfd");
		goto failed;
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
		launch_status_record(&r->status, STAGE_INTERNAL, errno, "PR_SET_CHILD_SUBREAPER");
		goto failed;
	}
	/* Before the classic order attaches the mount (prepare), which the
	 * path walk to a server under its own mountpoint would wait on. */
	exe_fd = open(r->launch->server.path, O_PATH | O_CLOEXEC);
	if (exe_fd < 0) {
		launch_status_record(&r->status, STAGE_SERVER_START, errno, NULL);
		goto failed;
	}
	rc = m->ops->prepare(m);
	/* fusermount3's mount in the classic order is there now. */
	mounter_announce(m);
	if (rc < 0)
		goto failed;
	/* Nothing attached: the exec, by path, cannot wait on our mount. */
	if (!m->attached)
		close(steal_fd(&exe_fd));
	/* The server's time to answer runs from its start, however late
	 * this process gets to wait for it. */
	supervisor_set_timeout(&r->sup, r->launch->timeout_ms);
	if (start_server(r, exe_fd, &exec_status_fd) < 0 || m->ops->begin_waiting(m) < 0)
		goto failed;
	/* The launcher must not keep the caller's working directory busy. */
	if (chdir("/") < 0)
		log_step("chdir /: %s", strerror(errno));
	if (await_outcome(r, parent_fd, exec_status_fd) < 0)
		goto failed;
	mounter_release(m);
	mountpoint_lock_release(&m->lock);
	log_step("mounted on %s", r->launch->server.mountpoint);
	supervisor_drain_output(&r->sup);
	if (check_not_cancelled(r) < 0)
		goto failed;
	/* A pidfile that cannot be written is a failed launch: whoever asked
	 * for it would find no server to stop. */
	rc = launch_run_name_serving_process(r);
	if (rc < 0) {
		launch_status_record(&r->status, STAGE_PIDFILE, rc, r->launch->pidfile);
		goto failed;
	}
	r->status.stage = STAGE_MOUNTED;
	return 0;

failed:
	/* A mount the server made just now can be proven its own only while
	 * its processes live. */
	mounts_changed(m);
	/* Cancelling first lets a server blocked on the device exit by itself. */
	cancel_init(r);
	supervisor_stop_server(&r->sup, SUPERVISOR_STOP_GRACE_MS);
	m->ops->unmount(m);
	mounter_release(m);
	mountpoint_lock_release(&m->lock);
	supervisor_drain_output(&r->sup);
	return -1;
}
