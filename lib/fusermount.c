#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "environment.h"
#include "exec_path.h"
#include "fusermount.h"
#include "launch_status.h"
#include "log.h"
#include "mount_options.h"

/* How long fusermount3 may take to say why it failed, once it has. */
#define WORDS_WAIT_MS 2000

int fusermount_find(char **path)
{
	const char *env = getenv("PATH");

	*path = NULL;
	if (env && exec_path_search(FUSERMOUNT_PROGRAM, env, path) == 0)
		return 0;
	return exec_path_search(FUSERMOUNT_PROGRAM, "/usr/bin:/bin", path) == 0 ? 0 : -ENOENT;
}

/* fusermount3 splits its -o at commas and takes a backslash as escaping
 * the next character. */
static int append_escaped(char **optstr, const char *name, const char *value)
{
	size_t len = strlen(name) + 1 + 2 * strlen(value) + 1, at;
	char *option = malloc(len), *grown;
	const char *v;

	if (!option)
		return -ENOMEM;
	at = (size_t)sprintf(option, "%s=", name);
	for (v = value; *v; v++) {
		if (*v == ',' || *v == '\\')
			option[at++] = '\\';
		option[at++] = *v;
	}
	option[at] = '\0';
	if (!*optstr) {
		*optstr = option;
		return 0;
	}
	grown = realloc(*optstr, strlen(*optstr) + 1 + at + 1);
	if (grown) {
		strcat(grown, ",");
		strcat(grown, option);
		*optstr = grown;
	}
	free(option);
	return grown ? 0 : -ENOMEM;
}

char *fusermount_options(const char *vfs, const char *fs_params, const char *source,
			 const char *subtype)
{
	char *optstr = NULL;

	if ((vfs && *vfs && mount_options_append(&optstr, vfs) < 0) ||
	    (fs_params && *fs_params && mount_options_append(&optstr, fs_params) < 0) ||
	    append_escaped(&optstr, "fsname", source) < 0 ||
	    append_escaped(&optstr, "subtype", subtype) < 0) {
		free(optstr);
		return NULL;
	}
	return optstr;
}

/* Everything fusermount3 said on stderr until it closed it (bounded), as
 * one line: its last non-empty line, which is where it says why. */
static void read_words(int fd, char *why, size_t whylen)
{
	char buf[2048], *line, *end;
	size_t len = 0;
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	while (len < sizeof(buf) - 1 && poll(&pfd, 1, WORDS_WAIT_MS) > 0) {
		n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	while (len > 0 && (buf[len - 1] == '\n' || buf[len - 1] == ' '))
		buf[--len] = '\0';
	if (!len)
		return;
	line = strrchr(buf, '\n');
	line = line ? line + 1 : buf;
	end = line + strcspn(line, "\r");
	*end = '\0';
	snprintf(why, whylen, "%s", line);
}

/* fork and exec ARGV (fusermount3 or umount(8)); its stdin and stdout are
 * /dev/null, its stderr goes to *STDERR_FD, and CHILD_SOCKET (if >= 0) is
 * its only other descriptor. */
static int spawn_child(const char *path, char *const argv[], int child_socket,
			int *stderr_fd, pid_t *pid)
{
	int err_pipe[2] = { -1, -1 }, null = -1, rc;
	char commfd[32] = "_FUSE_COMMFD";
	const char *const assignments[] = { commfd, NULL };
	char **env = NULL;
	sigset_t none;
	pid_t child;

	if (child_socket >= 0)
		snprintf(commfd, sizeof(commfd), "_FUSE_COMMFD=%d", child_socket);
	env = environment_with(assignments);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (!env || null < 0 || pipe2(err_pipe, O_CLOEXEC) < 0) {
		rc = env ? -errno : -ENOMEM;
		goto out;
	}
	child = fork();
	if (child < 0) {
		rc = -errno;
		goto out;
	}
	if (child == 0) {
		int sig;

		for (sig = 1; sig < NSIG; sig++)
			signal(sig, SIG_DFL);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(err_pipe[1], 2) < 0 ||
		    close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) < 0 ||
		    (child_socket >= 0 && fcntl(child_socket, F_SETFD, 0) < 0))
			_exit(127);
		execve(path, argv, env);
		_exit(127);
	}
	*pid = child;
	*stderr_fd = err_pipe[0];
	err_pipe[0] = -1;
	rc = 0;
out:
	environment_free(env);
	if (null >= 0)
		close(null);
	if (err_pipe[0] >= 0)
		close(err_pipe[0]);
	if (err_pipe[1] >= 0)
		close(err_pipe[1]);
	return rc;
}

static void describe_fusermount_exit(const struct fusermount *fm, int status, char *why, size_t whylen)
{
	char how[96];

	wait_status_describe(status, how, sizeof(how));
	snprintf(why, whylen, "%s %s", fm->path, how);
}

/* The device, passed with SCM_RIGHTS and one byte of payload; -ENODATA
 * when fusermount3 closed the socket without one. */
static int receive_device(int socket_fd, int *device_fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} control;
	char byte;
	struct iovec iov = { .iov_base = &byte, .iov_len = 1 };
	struct msghdr msg = {
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = control.buf, .msg_controllen = sizeof(control.buf),
	};
	struct cmsghdr *cmsg;
	ssize_t n;

	n = RETRY_ON_EINTR(recvmsg(socket_fd, &msg, MSG_CMSG_CLOEXEC));
	if (n < 0)
		return -errno;
	cmsg = CMSG_FIRSTHDR(&msg);
	if (n == 0 || !cmsg || cmsg->cmsg_level != SOL_SOCKET || cmsg->cmsg_type != SCM_RIGHTS ||
	    cmsg->cmsg_len != CMSG_LEN(sizeof(int)))
		return -ENODATA;
	memcpy(device_fd, CMSG_DATA(cmsg), sizeof(int));
	return 0;
}

/* fusermount3 checks the mountpoint before it answers, and a stat of a
 * hung mount can block it: bounded by the launch's timeout. */
static int await_device(struct fusermount *fm, int *device_fd)
{
	struct pollfd pfd = { .fd = fm->socket_fd, .events = POLLIN };
	int n;

	do
		n = poll(&pfd, 1, !fm->timeout_ms ? -1 :
			 fm->timeout_ms > INT_MAX ? INT_MAX : (int)fm->timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -ETIMEDOUT;
	return receive_device(fm->socket_fd, device_fd);
}

int fusermount_mount(struct fusermount *fm, const char *mountpoint, const char *options,
		     bool sync_init, int *device_fd, char *why, size_t whylen)
{
	char *argv[8];
	int sv[2] = { -1, -1 }, argc = 0, status = 0, rc;

	fm->pid = 0;
	fm->socket_fd = fm->stderr_fd = -1;
	argv[argc++] = FUSERMOUNT_PROGRAM;
	if (sync_init)
		argv[argc++] = "--sync-init";
	if (options && *options) {
		argv[argc++] = "-o";
		argv[argc++] = (char *)options;
	}
	argv[argc++] = "--";
	argv[argc++] = (char *)mountpoint;
	argv[argc] = NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
		rc = -errno;
		snprintf(why, whylen, "socketpair");
		goto out;
	}
	rc = spawn_child(fm->path, argv, sv[1], &fm->stderr_fd, &fm->pid);
	close(sv[1]);
	if (rc < 0) {
		snprintf(why, whylen, "cannot run %s", fm->path);
		goto out;
	}
	fm->socket_fd = sv[0];
	sv[0] = -1;
	log_step("ran %s%s -o %s -- %s (pid %d)", fm->path, sync_init ? " --sync-init" : "",
		 options ? options : "", mountpoint, (int)fm->pid);
	rc = await_device(fm, device_fd);
	if (rc == -ETIMEDOUT) {
		snprintf(why, whylen, "%s did not answer within the timeout", fm->path);
		kill(fm->pid, SIGKILL);
	}
	if (rc == 0 && sync_init)
		goto out;
	/* The classic protocol: fusermount3 has mounted, or failed, and exits. */
	if (rc < 0)
		read_words(fm->stderr_fd, why, whylen);
	RETRY_ON_EINTR(waitpid(fm->pid, &status, 0));
	fm->pid = 0;
	if (rc == 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		close(*device_fd);
		*device_fd = -1;
		rc = -EPROTO;
	}
	if (rc < 0 && sync_init) {
		log_step("%s gave no device for --sync-init (%s): using its classic protocol",
			 fm->path, *why ? why : "no words");
		rc = -EPROTONOSUPPORT;
	} else if (rc < 0 && rc != -ETIMEDOUT) {
		if (!*why)
			describe_fusermount_exit(fm, status, why, whylen);
		rc = -EPERM;
	}
	fusermount_close(fm);
out:
	if (sv[0] >= 0)
		close(sv[0]);
	return rc;
}

int fusermount_proceed(struct fusermount *fm, char *why, size_t whylen)
{
	int32_t reply;
	size_t got = 0;
	ssize_t n;
	char go = 0;

	if (write(fm->socket_fd, &go, 1) != 1) {
		int rc = -errno;

		snprintf(why, whylen, "telling %s to mount", fm->path);
		return rc;
	}
	while (got < sizeof(reply)) {
		n = read(fm->socket_fd, (char *)&reply + got, sizeof(reply) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	if (got < sizeof(reply)) {
		read_words(fm->stderr_fd, why, whylen);
		if (!*why)
			snprintf(why, whylen, "%s ended without an answer", fm->path);
		return -EPIPE;
	}
	if (reply > 0 || reply < -4095)
		reply = -EPROTO;
	if (reply < 0)
		read_words(fm->stderr_fd, why, whylen);
	return reply;
}

void fusermount_close(struct fusermount *fm)
{
	if (fm->socket_fd >= 0)
		close(fm->socket_fd);
	if (fm->stderr_fd >= 0)
		close(fm->stderr_fd);
	fm->socket_fd = fm->stderr_fd = -1;
}

/* Run a setuid unmounting program and wait for it: 0, or -EPERM with its
 * words (or how it ended) in WHY. */
static int run_unmounter(const char *path, char *const argv[], char *why, size_t whylen)
{
	int stderr_fd = -1, status = 0, rc;
	pid_t pid;

	rc = spawn_child(path, argv, -1, &stderr_fd, &pid);
	if (rc < 0) {
		snprintf(why, whylen, "cannot run %s", path);
		return rc;
	}
	read_words(stderr_fd, why, whylen);
	close(stderr_fd);
	RETRY_ON_EINTR(waitpid(pid, &status, 0));
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (!*why)
		snprintf(why, whylen, "%s %s exited with wait status 0x%x", path, argv[1], status);
	return -EPERM;
}

int fusermount_unmount(const char *fusermount, const char *mountpoint, char *why, size_t whylen)
{
	char *argv[] = { FUSERMOUNT_PROGRAM, "-u", "-z", "--", (char *)mountpoint, NULL };

	return run_unmounter(fusermount, argv, why, whylen);
}

int fusermount_umount_recorded(const char *mountpoint, char *why, size_t whylen)
{
	char *argv[] = { UMOUNT_PROGRAM, "-l", "--", (char *)mountpoint, NULL };
	char *path = NULL;
	int rc;

	/* mount(8) runs its helpers without PATH: umount(8) is where mount(8) is. */
	if (exec_path_search(UMOUNT_PROGRAM, "/usr/bin:/bin", &path) < 0) {
		snprintf(why, whylen, "no %s in /usr/bin or /bin", UMOUNT_PROGRAM);
		return -ENOENT;
	}
	rc = run_unmounter(path, argv, why, whylen);
	free(path);
	return rc;
}

int fusermount_unmount_as_user(const char *fusermount, const char *mountpoint, bool lazy,
			       bool in_utab, char *why, size_t whylen)
{
	char *fm_argv[] = { FUSERMOUNT_PROGRAM, "-u", "--", (char *)mountpoint, NULL, NULL };
	/* -i: not umount.fuselaunch again, which is what runs us. */
	char *um_argv[] = { UMOUNT_PROGRAM, "-i", "--", (char *)mountpoint, NULL, NULL };
	char *path = NULL;
	int rc;

	if (lazy) {
		memmove(fm_argv + 3, fm_argv + 2, 3 * sizeof(char *));
		fm_argv[2] = "-z";
		memmove(um_argv + 3, um_argv + 2, 3 * sizeof(char *));
		um_argv[2] = "-l";
	}
	if (!in_utab)
		return run_unmounter(fusermount, fm_argv, why, whylen);
	if (exec_path_search(UMOUNT_PROGRAM, "/usr/bin:/bin", &path) < 0) {
		snprintf(why, whylen, "no %s in /usr/bin or /bin", UMOUNT_PROGRAM);
		return -ENOENT;
	}
	rc = run_unmounter(path, um_argv, why, whylen);
	free(path);
	return rc;
}
