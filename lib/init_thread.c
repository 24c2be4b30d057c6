#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "init_thread.h"
#include "kernel_mount.h"
#include "log.h"

static void *run_init(void *arg)
{
	struct init_thread *t = arg;
	uint64_t one = 1;

	log_step("creating the superblock: FUSE_INIT sent, waiting for the server's answer");
	t->error = kernel_mount_create(t->fsfd, t->why, sizeof(t->why));
	if (t->error < 0) {
		/* A server that answers INIT with an error makes the kernel
		 * fail the creation with ENOTCONN. */
		t->failed_stage = t->error == -ENOTCONN ? STAGE_INIT : STAGE_MOUNT;
		goto out;
	}
	log_step("FUSE_INIT answered; attaching the mount");
	t->error = kernel_mount_attach(t->fsfd, t->mount_attrs, t->target_fd, &t->mount_id,
				       t->why, sizeof(t->why));
	if (t->error < 0)
		t->failed_stage = STAGE_MOUNT;
out:
	if (write(t->done_fd, &one, sizeof(one)) < 0)
		t->error = t->error ? t->error : -errno;
	return NULL;
}

int init_thread_start(struct init_thread *t)
{
	sigset_t all, old;
	int rc;

	t->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->done_fd < 0)
		return -errno;
	/* Signals are the main thread's business. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = -pthread_create(&t->thread, NULL, run_init, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		close(t->done_fd);
		t->done_fd = -1;
		return rc;
	}
	t->running = 1;
	return 0;
}

int init_thread_join(struct init_thread *t, int timeout_ms)
{
	struct pollfd pfd = { .fd = t->done_fd, .events = POLLIN };
	int n;

	if (!t->running)
		return 0;
	do
		n = poll(&pfd, 1, timeout_ms);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		return -ETIMEDOUT;
	pthread_join(t->thread, NULL);
	t->running = 0;
	close(t->done_fd);
	t->done_fd = -1;
	return 0;
}
