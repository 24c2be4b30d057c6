#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "daemon.h"
#include "log.h"
#include "status_line.h"
#include "supervisor.h"
#include "terminal.h"

/* How long the foreground waits for a failed daemon to be gone. */
#define DAEMON_EXIT_WAIT_MS 10000

static volatile sig_atomic_t parent_fd_to_close = -1;
static volatile sig_atomic_t cancel_signal;
static volatile sig_atomic_t pass_signal_number;	/* to a daemon that stays */
/* The daemon that stayed after a success (daemon_wait). */
static struct {
	pid_t pid;
	int mount_fd;
} staying = { 0, -1 };

/* Closing our end of the parent pipe is the whole cancellation: the daemon
 * sees the hang-up, stops the server and reports.  For a daemon that
 * stays, the signal's number goes first, for it to stop the server as
 * that signal asks (a daemon already gone makes that EPIPE: SIGPIPE is
 * ignored then). */
static void on_cancel_signal(int sig)
{
	int fd = parent_fd_to_close, saved_errno = errno;
	unsigned char number = (unsigned char)sig;

	cancel_signal = sig;
	if (fd >= 0) {
		parent_fd_to_close = -1;
		if (pass_signal_number)
			(void)!write(fd, &number, sizeof(number));
		close(fd);
	}
	errno = saved_errno;
}

/* The last, SIGQUIT, only for a daemon that stays (--foreground): there
 * it stops the server, as it does when sent to the daemon. */
static const int cancel_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

static size_t cancel_signal_count(bool stay)
{
	return ARRAY_SIZE(cancel_signals) - (stay ? 0 : 1);
}

static void cancel_signal_set(sigset_t *set, bool stay)
{
	signal_set_of(set, cancel_signals, cancel_signal_count(stay));
}

static int catch_cancel_signals(bool stay)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_cancel_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < cancel_signal_count(stay); i++)
		if (sigaction(cancel_signals[i], &sa, NULL) < 0)
			return -errno;
	return 0;
}

/* Wait for the daemon to be gone and reap it: its wait status, or -1 if
 * it did not exit in time. */
static int wait_daemon_exit(pid_t daemon)
{
	struct pollfd pfd = { .events = POLLIN };
	int n, status = -1;

	pfd.fd = (int)syscall(SYS_pidfd_open, daemon, 0);
	if (pfd.fd >= 0) {
		n = RETRY_ON_EINTR(poll(&pfd, 1, DAEMON_EXIT_WAIT_MS));
		close(pfd.fd);
		if (n <= 0) {
			log_error("the daemon (pid %d) did not exit", (int)daemon);
			return -1;
		}
	}
	if (waitpid(daemon, &status, 0) < 0)
		return -1;
	return status;
}

/* A daemon that died without reporting (killed outright, or a crash)
 * orphaned what it had started onto us, its subreaper: the server, maybe
 * fusermount3.  Stop them as the daemon would have: every child of ours is
 * one of them now. */
static void stop_orphans(void)
{
	struct supervisor orphans = { 0 };

	if (supervisor_init(&orphans) < 0)
		return;
	supervisor_stop_server(&orphans, SUPERVISOR_STOP_GRACE_MS);
	supervisor_close(&orphans);
}

/* The daemon lends the terminal to the server's process group while the
 * launch is pending.  Once that group is gone, the terminal's foreground
 * is a group with no process left: give it back to ours.  A foreground
 * that still has processes (the caller's shell, say, if it put us in the
 * background) is left as it is. */
static void take_back_terminal(void)
{
	pid_t foreground;
	int fd, rc;

	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return;
	foreground = tcgetpgrp(fd);
	if (foreground > 0 && foreground != getpgrp() && kill(-foreground, 0) < 0 &&
	    errno == ESRCH) {
		rc = terminal_set_foreground(fd, getpgrp());
		if (rc < 0)
			log_step("taking the terminal back: %s", strerror(-rc));
	}
	close(fd);
}

static void describe_unreported_end(int wait_status, char *detail, size_t len)
{
	char how[96];

	if (wait_status == -1) {
		snprintf(detail, len, "the daemon ended without reporting");
		return;
	}
	wait_status_describe(wait_status, how, sizeof(how));
	snprintf(detail, len, "the daemon %s before reporting", how);
}

/* The daemon starts with the cancel signals still blocked and their
 * handling reset: one sent to it before it watches signals stays pending
 * for its signalfd rather than running our handler there, which would
 * swallow it. */
static void __attribute__((noreturn))
start_daemon(daemon_body body, void *arg, int status_fd, int parent_fd, int mount_fd)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(cancel_signals); i++)
		signal(cancel_signals[i], SIG_DFL);
	body(arg, status_fd, parent_fd, mount_fd);
	_exit(127);
}

/* The last mount id the daemon announced, or 0. */
static uint64_t last_announced_mount(int fd)
{
	uint64_t id, last = 0;

	while (read(fd, &id, sizeof(id)) == sizeof(id))
		last = id;
	return last;
}

int daemon_run(daemon_body body, void *arg, bool stay, struct launch_status *status,
	       uint64_t *orphan_mount)
{
	int status_pipe[2], parent_pipe[2], mount_pipe[2], daemon_status = -1, rc;
	sigset_t cancel, saved_mask;
	bool unreported;
	pid_t daemon;

	if (pipe2(status_pipe, O_CLOEXEC) < 0) {
		rc = -errno;
		log_error("cannot create the status pipe: %s", strerror(-rc));
		return rc;
	}
	if (pipe2(parent_pipe, O_CLOEXEC) < 0) {
		rc = -errno;
		log_error("cannot create the parent pipe: %s", strerror(-rc));
		goto close_status;
	}
	*orphan_mount = 0;
	/* Read only once the daemon is gone; the daemon never waits on it. */
	if (pipe2(mount_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		rc = -errno;
		log_error("cannot create the mount pipe: %s", strerror(-rc));
		goto close_parent;
	}
	/* Blocked until each side is ready for them: here, until there is a
	 * pipe to close; in the daemon, until its signalfd reads them. */
	cancel_signal_set(&cancel, stay);
	sigprocmask(SIG_BLOCK, &cancel, &saved_mask);
	/* With STAY fuselaunch writes nothing else that SIGPIPE would be for:
	 * the server's output comes from the daemon. */
	if (stay) {
		signal(SIGPIPE, SIG_IGN);
		pass_signal_number = 1;
	}
	rc = catch_cancel_signals(stay);
	if (rc < 0) {
		log_error("cannot catch signals: %s", strerror(-rc));
		goto unblock;
	}
	/* Should the daemon die without reporting, what it started comes to
	 * us, to be stopped. */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_step("PR_SET_CHILD_SUBREAPER: %s", strerror(errno));
	daemon = fork();
	if (daemon < 0) {
		rc = -errno;
		log_error("cannot fork the daemon: %s", strerror(-rc));
		goto unblock;
	}
	if (daemon == 0) {
		close(status_pipe[0]);
		close(parent_pipe[1]);
		close(mount_pipe[0]);
		start_daemon(body, arg, status_pipe[1], parent_pipe[0], mount_pipe[1]);
	}
	close(status_pipe[1]);
	close(parent_pipe[0]);
	close(mount_pipe[1]);
	parent_fd_to_close = parent_pipe[1];
	/* A signal that came meanwhile, or before (the program blocks them
	 * from its start: cancel_signals.h), is handled here, with a pipe to
	 * close. */
	sigprocmask(SIG_UNBLOCK, &cancel, NULL);

	status_line_wait(status_pipe[0]);
	rc = launch_status_receive(status_pipe[0], status);
	unreported = rc < 0;
	if (unreported) {
		memset(status, 0, sizeof(*status));
		status->stage = STAGE_INTERNAL;
		status->error = rc == -EPIPE ? 0 : -rc;
	}
	/* The signal may have reached the server too (Ctrl-C goes to the
	 * whole process group): whatever failed, the user cancelled it. */
	if (status->stage != STAGE_MOUNTED && cancel_signal) {
		status->stage = STAGE_CANCELLED;
		status->signal = (uint32_t)cancel_signal;
	}
	if (status->stage != STAGE_MOUNTED)
		daemon_status = wait_daemon_exit(daemon);
	if (unreported) {
		describe_unreported_end(daemon_status, status->detail, sizeof(status->detail));
		stop_orphans();
		take_back_terminal();
		*orphan_mount = last_announced_mount(mount_pipe[0]);
	}
	close(status_pipe[0]);
	if (stay && status->stage == STAGE_MOUNTED) {
		staying.pid = daemon;
		staying.mount_fd = mount_pipe[0];
		return 0;
	}
	close(mount_pipe[0]);
	if (parent_fd_to_close >= 0)
		close(parent_fd_to_close);
	parent_fd_to_close = -1;
	return 0;

unblock:
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	close(mount_pipe[0]);
	close(mount_pipe[1]);
close_parent:
	close(parent_pipe[0]);
	close(parent_pipe[1]);
close_status:
	close(status_pipe[0]);
	close(status_pipe[1]);
	return rc;
}

int daemon_wait(void (*on_stop)(void *arg, int sig), void *arg, uint64_t *orphan_mount)
{
	bool stopping = false;
	char how[96];
	int status, code = -1, error;
	pid_t rc;

	*orphan_mount = 0;
	/* A signal interrupts the wait; one that came just before it is seen
	 * once the daemon is gone, its stop passed on all the same. */
	do {
		rc = waitpid(staying.pid, &status, 0);
		error = rc < 0 ? errno : 0;
		if (cancel_signal && !stopping) {
			stopping = true;
			on_stop(arg, cancel_signal);
		}
	} while (error == EINTR);
	if (rc < 0) {
		log_error("cannot wait for the daemon (pid %d): %s", (int)staying.pid,
			  strerror(error));
	} else if (WIFEXITED(status)) {
		code = WEXITSTATUS(status);
	} else {
		wait_status_describe(status, how, sizeof(how));
		log_error("the daemon supervising the server %s: stopping the server", how);
		stop_orphans();
		take_back_terminal();
		*orphan_mount = last_announced_mount(staying.mount_fd);
	}
	close(staying.mount_fd);
	staying.mount_fd = -1;
	if (parent_fd_to_close >= 0)
		close(parent_fd_to_close);
	parent_fd_to_close = -1;
	return code;
}

int daemon_parent_signal(int parent_fd)
{
	unsigned char number;

	return read(parent_fd, &number, sizeof(number)) == sizeof(number) ? number : 0;
}
