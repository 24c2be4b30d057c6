#include "config.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "common.h"
#include "init_thread.h"
#include "proc_stat.h"

static void *run_call(void *arg)
{
	struct init_thread *t = arg;
	uint64_t one = 1;

	t->tid = gettid();
	t->call(t->arg);
	/* An eventfd counter this far from its limit takes the write. */
	(void)!write(t->done_fd, &one, sizeof(one));
	return NULL;
}

void init_thread_init(struct init_thread *t)
{
	t->done_fd = -1;
	t->running = false;
	t->tid = 0;
}

int init_thread_start(struct init_thread *t, void (*call)(void *arg), void *arg)
{
	sigset_t all, old;
	int rc;

	t->call = call;
	t->arg = arg;
	t->done_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->done_fd < 0)
		return -errno;
	/* Signals are the main thread's business. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	rc = -pthread_create(&t->thread, NULL, run_call, t);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc < 0) {
		close(steal_fd(&t->done_fd));
		return rc;
	}
	t->running = true;
	return 0;
}

bool init_thread_done(struct init_thread *t)
{
	struct pollfd pfd = { .fd = t->done_fd, .events = POLLIN };

	return !t->running || poll(&pfd, 1, 0) > 0;
}

bool init_thread_asleep(const struct init_thread *t)
{
	/* A running thread's stat that cannot be read says nothing against
	 * a sleep. */
	return t->running && t->tid && proc_asleep(t->tid) != 0;
}

int init_thread_join(struct init_thread *t, int timeout_ms)
{
	struct pollfd pfd = { .fd = t->done_fd, .events = POLLIN };

	if (!t->running)
		return 0;
	if (RETRY_ON_EINTR(poll(&pfd, 1, timeout_ms)) <= 0)
		return -ETIMEDOUT;
	pthread_join(t->thread, NULL);
	t->running = false;
	close(steal_fd(&t->done_fd));
	return 0;
}
