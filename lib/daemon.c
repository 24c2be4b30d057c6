#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"

/* How long the foreground waits for a failed daemon to be gone. */
#define DAEMON_EXIT_WAIT_MS 10000

static volatile sig_atomic_t parent_fd_to_close = -1;
static volatile sig_atomic_t cancel_signal;

/* Closing our end of the parent pipe is the whole cancellation: the daemon
 * sees the hang-up, stops the server and reports. */
static void on_cancel_signal(int sig)
{
	int fd = parent_fd_to_close;

	cancel_signal = sig;
	if (fd >= 0) {
		parent_fd_to_close = -1;
		close(fd);
	}
}

static const int cancel_signals[] = { SIGINT, SIGTERM, SIGHUP };

static void cancel_signal_set(sigset_t *set)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < sizeof(cancel_signals) / sizeof(cancel_signals[0]); i++)
		sigaddset(set, cancel_signals[i]);
}

static int catch_cancel_signals(void)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_cancel_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(cancel_signals) / sizeof(cancel_signals[0]); i++)
		if (sigaction(cancel_signals[i], &sa, NULL) < 0)
			return -errno;
	return 0;
}

static void wait_daemon_exit(pid_t daemon)
{
	struct pollfd pfd = { .events = POLLIN };
	int n;

	pfd.fd = (int)syscall(SYS_pidfd_open, daemon, 0);
	if (pfd.fd >= 0) {
		do
			n = poll(&pfd, 1, DAEMON_EXIT_WAIT_MS);
		while (n < 0 && errno == EINTR);
		close(pfd.fd);
		if (n <= 0) {
			log_error("the daemon (pid %d) did not exit", (int)daemon);
			return;
		}
	}
	waitpid(daemon, NULL, 0);
}

/* The daemon starts with the cancel signals still blocked and their
 * handling reset: one sent to it before it watches signals stays pending
 * for its signalfd rather than running our handler there, which would
 * swallow it. */
static void __attribute__((noreturn))
start_daemon(daemon_body body, void *arg, int status_fd, int parent_fd)
{
	size_t i;

	for (i = 0; i < sizeof(cancel_signals) / sizeof(cancel_signals[0]); i++)
		signal(cancel_signals[i], SIG_DFL);
	body(arg, status_fd, parent_fd);
	_exit(127);
}

int daemon_run(daemon_body body, void *arg, struct launch_status *status)
{
	int status_pipe[2], parent_pipe[2], rc;
	sigset_t cancel, saved_mask;
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
	/* Blocked until each side is ready for them: here, until there is a
	 * pipe to close; in the daemon, until its signalfd reads them. */
	cancel_signal_set(&cancel);
	sigprocmask(SIG_BLOCK, &cancel, &saved_mask);
	rc = catch_cancel_signals();
	if (rc < 0) {
		log_error("cannot catch signals: %s", strerror(-rc));
		goto unblock;
	}
	daemon = fork();
	if (daemon < 0) {
		rc = -errno;
		log_error("cannot fork the daemon: %s", strerror(-rc));
		goto unblock;
	}
	if (daemon == 0) {
		close(status_pipe[0]);
		close(parent_pipe[1]);
		start_daemon(body, arg, status_pipe[1], parent_pipe[0]);
	}
	close(status_pipe[1]);
	close(parent_pipe[0]);
	parent_fd_to_close = parent_pipe[1];
	/* A signal that came meanwhile is handled here, with a pipe to close. */
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);

	rc = launch_status_receive(status_pipe[0], status);
	if (rc < 0) {
		memset(status, 0, sizeof(*status));
		status->stage = STAGE_INTERNAL;
		status->error = -rc;
		strcpy(status->detail, "the daemon ended without reporting");
	}
	/* The signal may have reached the server too (Ctrl-C goes to the
	 * whole process group): whatever failed, the user cancelled it. */
	if (status->stage != STAGE_MOUNTED && cancel_signal) {
		status->stage = STAGE_CANCELLED;
		status->signal = (uint32_t)cancel_signal;
	}
	if (status->stage != STAGE_MOUNTED)
		wait_daemon_exit(daemon);
	close(status_pipe[0]);
	if (parent_fd_to_close >= 0)
		close(parent_fd_to_close);
	parent_fd_to_close = -1;
	return 0;

unblock:
	sigprocmask(SIG_SETMASK, &saved_mask, NULL);
	close(parent_pipe[0]);
	close(parent_pipe[1]);
close_status:
	close(status_pipe[0]);
	close(status_pipe[1]);
	return rc;
}
