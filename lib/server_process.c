#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "privileges.h"
#include "proc_stat.h"
#include "server_process.h"
#include "terminal.h"

/* In the child between vfork and exec, on the parent's memory:
 * async-signal-safe calls only, and nothing that writes memory the parent
 * will read (errno aside, which the parent does not look at). */
static void __attribute__((noreturn))
exec_server(const char *path, char *const argv[], int device_fd,
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
	/* Close-on-exec rather than closed, so error_fd works until exec. */
	if (close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0)
		goto fail;
	if (device_fd >= 0 && fcntl(device_fd, F_SETFD, 0) < 0)
		goto fail;
	if (identity && server_identity_apply(identity) < 0)
		goto fail;
	execve(path, argv, identity && identity->environment ? identity->environment : environ);
fail:
	err = errno;
	if (write(error_fd, &err, sizeof(err)) < 0)
		_exit(127);
	_exit(127);
}

int server_spawn(const char *path, char *const argv[], int device_fd,
		 const struct server_stdio *stdio, const struct server_identity *identity,
		 pid_t *pid)
{
	int error_pipe[2], err, rc;
	sigset_t all, old;
	ssize_t n;
	pid_t child;

	if (pipe2(error_pipe, O_CLOEXEC) < 0)
		return -errno;
	/* vfork, not fork: the child borrows our memory until it execs, so
	 * neither process pays for copying page tables and for the
	 * copy-on-write faults that follow a fork (bench/README.md: a fault
	 * costs microseconds in a VM, and this sits on every launch's critical
	 * path).  Every signal stays blocked until the child has reset the
	 * dispositions, so that no handler of ours runs in it on our memory. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	child = vfork();
	if (child == 0)
		exec_server(path, argv, device_fd, stdio, identity, error_pipe[1]);
	rc = child < 0 ? -errno : 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		close(error_pipe[0]);
		close(error_pipe[1]);
		return rc;
	}
	close(error_pipe[1]);
	do
		n = read(error_pipe[0], &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(error_pipe[0]);
	if (n == sizeof(err)) {
		waitpid(child, NULL, 0);
		return -err;
	}
	*pid = child;
	return 0;
}

static pid_t parent_of(pid_t pid)
{
	char path[64];
	pid_t ppid;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return proc_stat_read(path, NULL, &ppid) < 0 ? -1 : ppid;
}

/* Call FN for every child of this process; the kernel here lacks
 * /proc/PID/task/TID/children, so scan /proc.  Returns the number of
 * children, or -errno. */
static int for_each_child(void (*fn)(pid_t child, void *arg), void *arg)
{
	pid_t self = getpid(), pid;
	struct dirent *entry;
	DIR *proc;
	int count = 0;

	proc = opendir("/proc");
	if (!proc)
		return -errno;
	while ((entry = readdir(proc))) {
		if (entry->d_name[0] < '1' || entry->d_name[0] > '9')
			continue;
		pid = atoi(entry->d_name);
		if (parent_of(pid) == self) {
			fn(pid, arg);
			count++;
		}
	}
	closedir(proc);
	return count;
}

static void signal_child(pid_t child, void *arg)
{
	kill(child, *(int *)arg);
}

int server_signal_children(int sig)
{
	return for_each_child(signal_child, &sig);
}

static void keep_oldest(pid_t child, void *arg)
{
	pid_t *oldest = arg;

	if (*oldest <= 0 || child < *oldest)
		*oldest = child;
}

pid_t server_first_child(void)
{
	pid_t oldest = 0;

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
