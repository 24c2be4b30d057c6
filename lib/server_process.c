#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "privileges.h"
#include "proc_stat.h"
#include "server_process.h"
#include "terminal.h"

/* Exec the server: by EXE_FD when it is pinned (>= 0), whose path walk was
 * done before any mount of the launch was attached, so that a server under
 * its own mountpoint starts in the classic order too.  A script comes back
 * with ENOENT (its interpreter cannot open a close-on-exec descriptor):
 * that one, and its interpreter, are found by path. */
static void exec_program(int exe_fd, const char *path, char *const argv[], char *const envp[])
{
	if (exe_fd >= 0) {
		syscall(SYS_execveat, exe_fd, "", argv, envp, AT_EMPTY_PATH);
		if (errno != ENOENT)
			return;
	}
	execve(path, argv, envp);
}

/* In the child between vfork or fork and exec: async-signal-safe calls
 * only (a forked child of a process with threads), and nothing that writes
 * memory the parent will read (a vforked one runs on the parent's memory;
 * errno aside, which the parent does not look at). */
static void __attribute__((noreturn))
exec_server(int exe_fd, const char *path, char *const argv[], int device_fd,
	    const struct server_stdio *stdio, const struct server_identity *identity,
	    int error_fd)
{
	extern char **environ;
	sigset_t none;
	int sig, err;

	sigemptyset(&none);
	for (sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	/* The server outlives the terminal it was started from (libfuse
	 * leaves an ignored SIGHUP ignored). */
	signal(SIGHUP, SIG_IGN);
	if (stdio->own_group && setpgid(0, 0) < 0)
		goto fail;
	if (stdio->own_session && setsid() < 0)
		goto fail;
	/* Failing to take the terminal is no reason not to run. */
	if (stdio->terminal >= 0)
		terminal_set_foreground(stdio->terminal, getpid());
	sigprocmask(SIG_SETMASK, &none, NULL);

	if (dup2(stdio->in, 0) < 0 || dup2(stdio->out, 1) < 0 || dup2(stdio->err, 2) < 0)
		goto fail;
	/* Close-on-exec rather than closed, so error_fd and exe_fd work
	 * until exec. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		goto fail;
	if (device_fd >= 0 && fcntl(device_fd, F_SETFD, 0) < 0)
		goto fail;
	if (identity && server_identity_apply(identity) < 0)
		goto fail;
	exec_program(exe_fd, path, argv,
		     identity && identity->environment ? identity->environment : environ);
fail:
	err = errno;
	if (write(error_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

/* fork to exec a pinned EXE_FD, else vfork.  Every signal stays blocked
 * until the child has reset the dispositions, so that no handler of ours
 * runs in it (on our memory, after vfork). */
static pid_t start_child(int exe_fd, const char *path, char *const argv[],
			 int device_fd, const struct server_stdio *stdio,
			 const struct server_identity *identity, int error_fd)
{
	sigset_t all, old;
	pid_t child;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	child = exe_fd >= 0 ? fork() : vfork();
	if (child == 0)
		exec_server(exe_fd, path, argv, device_fd, stdio, identity, error_fd);
	if (child < 0)
		child = -errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return child;
}

int server_spawn(const char *path, char *const argv[], int device_fd,
		 const struct server_stdio *stdio, const struct server_identity *identity,
		 pid_t *pid)
{
	int error_pipe[2], err;
	ssize_t n;
	pid_t child;

	if (pipe2(error_pipe, O_CLOEXEC) < 0)
		return -errno;
	/* vfork, not fork: the child borrows our memory until it execs, so
	 * neither process pays for copying page tables and for the
	 * copy-on-write faults that follow a fork (bench/README.md: a fault
	 * costs microseconds in a VM, and this sits on every launch's critical
	 * path).  We are frozen until the exec: nothing of the launch is
	 * mounted yet for its path walk to wait on. */
	child = start_child(-1, path, argv, device_fd, stdio, identity, error_pipe[1]);
	close(error_pipe[1]);
	if (child < 0) {
		close(error_pipe[0]);
		return child;
	}
	n = RETRY_ON_EINTR(read(error_pipe[0], &err, sizeof(err)));
	close(error_pipe[0]);
	if (n == sizeof(err)) {
		RETRY_ON_EINTR(waitpid(child, NULL, 0));
		return -err;
	}
	*pid = child;
	return 0;
}

/* fork, not vfork: the mount is attached, and an exec whose path walk
 * crosses it (an interpreter or library under the mountpoint) waits for
 * an INIT only the server can answer.  We would never run our timeout
 * nor see a signal, frozen in vfork; a forked child blocks alone, in a
 * killable wait, and aborting the connection (the timeout, a
 * cancellation) ends its walk. */
int server_spawn_pinned(int exe_fd, const char *path, char *const argv[], int device_fd,
			const struct server_stdio *stdio,
			const struct server_identity *identity, pid_t *pid, int *exec_status_fd)
{
	int error_pipe[2];
	pid_t child;

	if (pipe2(error_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	child = start_child(exe_fd, path, argv, device_fd, stdio, identity, error_pipe[1]);
	close(error_pipe[1]);
	if (child < 0) {
		close(error_pipe[0]);
		return child;
	}
	*pid = child;
	*exec_status_fd = error_pipe[0];
	return 0;
}

int server_exec_error(int exec_status_fd)
{
	ssize_t n;
	int err;

	n = RETRY_ON_EINTR(read(exec_status_fd, &err, sizeof(err)));
	return n == sizeof(err) ? -err : 0;
}

static int for_each_child_from(pid_t from, void (*fn)(pid_t child, void *arg), void *arg)
{
	return proc_for_each_child_of(getpid(), from, fn, arg);
}

static int for_each_child(void (*fn)(pid_t child, void *arg), void *arg)
{
	return for_each_child_from(1, fn, arg);
}

int server_signal_children(int sig)
{
	return proc_signal_children_of(getpid(), sig);
}

static void keep_oldest(pid_t child, void *arg)
{
	pid_t *oldest = arg;

	if (*oldest <= 0 || child < *oldest)
		*oldest = child;
}

pid_t server_first_child(pid_t after)
{
	pid_t oldest = 0;

	/* Unless pids wrapped around since, the server's children have
	 * higher pids than the server. */
	if (for_each_child_from(after + 1, keep_oldest, &oldest) <= 0)
		for_each_child(keep_oldest, &oldest);
	return oldest;
}

struct child_count {
	pid_t except;
	int count;
};

static void count_other(pid_t child, void *arg)
{
	struct child_count *c = arg;

	if (child != c->except)
		c->count++;
}

int server_count_children_except(pid_t except)
{
	struct child_count c = { except, 0 };
	int rc;

	rc = for_each_child(count_other, &c);
	return rc < 0 ? rc : c.count;
}
