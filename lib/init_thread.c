#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "init_thread.h"
#include "kernel_mount.h"
#include "log.h"
#include "privileges.h"
#include "proc_stat.h"

/* Synchronous INIT: creating the superblock blocks until the server has
 * answered; a refusal makes it fail with ENOTCONN. */
static void mount_sync(struct init_thread *t)
{
	uint64_t caps = 0;

	log_step("creating the superblock: FUSE_INIT sent, waiting for the server's answer");
	if (t->lower_caps && privileges_lower_for_mount(&caps) < 0)
		log_step("cannot lower capabilities for the mount: %s", strerror(errno));
	t->error = kernel_mount_create(t->fsfd, t->why, sizeof(t->why));
	if (t->lower_caps)
		privileges_restore(caps);
	if (t->error < 0) {
		t->failed_stage = t->error == -ENOTCONN ? STAGE_INIT : STAGE_MOUNT;
		return;
	}
	log_step("FUSE_INIT answered; attaching the mount");
	t->error = kernel_mount_attach(t->fsfd, t->mount_attrs, t->target_fd, &t->mount_id,
				       NULL, t->why, sizeof(t->why));
	if (t->error < 0)
		t->failed_stage = STAGE_MOUNT;
	else
		t->attached = true;
}

/* The classic order: the mount was made with INIT queued before the server
 * started (it cannot read the device before that); wait for the answer
 * by asking the mount's root, which blocks until INIT is answered. */
static void probe_mount(struct init_thread *t)
{
	log_step("waiting for the server to answer FUSE_INIT");
	/* While the launcher holds the device, a refusal shows as
	 * ECONNREFUSED rather than as a dead connection. */
	t->error = kernel_mount_probe(t->mount_fd);
	if (t->error < 0)
		t->failed_stage = STAGE_INIT;
	close(t->mount_fd);
	t->mount_fd = -1;
}

/* Synchronous INIT through fusermount3: it creates the superblock, and
 * answers once the server has answered INIT. */
static void mount_by_helper(struct init_thread *t)
{
	int fd;

	log_step("letting %s mount: FUSE_INIT sent, waiting for the server's answer",
		 t->helper->path);
	t->error = fusermount_proceed(t->helper, t->why, sizeof(t->why));
	if (t->error < 0) {
		t->failed_stage = t->error == -ENOTCONN ? STAGE_INIT : STAGE_FUSERMOUNT;
		return;
	}
	t->error = kernel_mount_open_at(t->mountpoint, &fd, &t->mount_id);
	if (t->error == 0)
		close(fd);
	if (t->error < 0) {
		t->failed_stage = STAGE_MOUNT;
		snprintf(t->why, sizeof(t->why), "the mount made by %s", t->helper->path);
		return;
	}
	t->attached = true;
}

static void *run_init(void *arg)
{
	struct init_thread *t = arg;
	uint64_t one = 1;

	t->tid = gettid();
	if (t->helper)
		mount_by_helper(t);
	else if (t->sync_init)
		mount_sync(t);
	else
		probe_mount(t);
	if (write(t->done_fd, &one, sizeof(one)) < 0 && t->error == 0)
		t->error = -errno;
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

bool init_thread_done(struct init_thread *t)
{
	struct pollfd pfd = { .fd = t->done_fd, .events = POLLIN };

	return !t->running || poll(&pfd, 1, 0) > 0;
}

bool init_thread_asleep(const struct init_thread *t)
{
	char path[64], state;

	if (!t->running || !t->tid)
		return false;
	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int)t->tid);
	return proc_stat_read(path, &state, NULL) < 0 || state == 'S' || state == 'D';
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
