#include "config.h"

#include <errno.h>
#include <limits.h>
#include <malloc.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "bounded_call.h"
#include "cancel_signals.h"
#include "common.h"

/* The thread's stack: what glibc gives a thread by default, a guard page
 * below.  Ours, not glibc's, so that it is unmapped once the thread is
 * joined: glibc would keep it for a next thread, and the pages the checks
 * dirtied would be inherited by the daemon forked next, for its life. */
#define STACK_SIZE (8 << 20)

/* What the bounded function looks at: written by its thread, read by the
 * waiter once the bound is past, while that thread may still be blocked
 * (never holding the lock: it is held only to copy). */
static pthread_mutex_t subject_lock = PTHREAD_MUTEX_INITIALIZER;
static char subject[PATH_MAX];

void bounded_call_looking_at(const char *path)
{
	pthread_mutex_lock(&subject_lock);
	snprintf(subject, sizeof(subject), "%s", path ? path : "");
	pthread_mutex_unlock(&subject_lock);
}

bool bounded_call_looked_at(char *buf, size_t len)
{
	bool named;

	pthread_mutex_lock(&subject_lock);
	named = subject[0] && strlen(subject) < len;
	if (named)
		strcpy(buf, subject);
	pthread_mutex_unlock(&subject_lock);
	return named;
}

/* On the heap: a thread left blocked keeps using it until the exit. */
struct bounded {
	pthread_t thread;
	void *stack;
	int done_fd;		/* eventfd: the call returned */
	int (*fn)(void *arg);
	void *arg;
	int result;
};

static void *run(void *arg)
{
	struct bounded *b = arg;
	uint64_t one = 1;

	b->result = b->fn(b->arg);
	/* An eventfd counter this far from its limit takes the write. */
	(void)!write(b->done_fd, &one, sizeof(one));
	return NULL;
}

/* Start run(B) on a stack of its own. */
static int start_thread(struct bounded *b)
{
	long page = sysconf(_SC_PAGESIZE);
	pthread_attr_t attr;
	int rc;

	b->stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (b->stack == MAP_FAILED) {
		b->stack = NULL;
		return -errno;
	}
	if (mprotect(b->stack, (size_t)page, PROT_NONE) < 0) {
		rc = -errno;
		goto out;
	}
	rc = -pthread_attr_init(&attr);
	if (rc < 0)
		goto out;
	rc = -pthread_attr_setstack(&attr, (char *)b->stack + page, STACK_SIZE - (size_t)page);
	if (rc == 0)
		rc = -pthread_create(&b->thread, &attr, run, b);
	pthread_attr_destroy(&attr);
out:
	if (rc < 0) {
		munmap(b->stack, STACK_SIZE);
		b->stack = NULL;
	}
	return rc;
}

static int remaining_ms(const struct timespec *deadline)
{
	struct timespec now;
	long long ms;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (long long)(deadline->tv_sec - now.tv_sec) * 1000 +
	     (deadline->tv_nsec - now.tv_nsec) / 1000000;
	return ms < 0 ? 0 : ms > 1000000000 ? 1000000000 : (int)ms;
}

int bounded_call(int (*fn)(void *arg), void *arg, unsigned int timeout_ms, int *signal)
{
	struct signalfd_siginfo info;
	struct pollfd pfd[2];
	struct timespec deadline;
	struct bounded *b;
	sigset_t cancel;
	cleanup_fd int sfd = -1;
	int rc, n;

	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	cancel_signals_set(&cancel);
	sfd = signalfd(-1, &cancel, SFD_CLOEXEC | SFD_NONBLOCK);
	b->done_fd = eventfd(0, EFD_CLOEXEC);
	if (sfd < 0 || b->done_fd < 0) {
		rc = -errno;
		cleanup_fdp(&b->done_fd);
		free(b);
		return rc;
	}
	b->fn = fn;
	b->arg = arg;
	/* What FN allocates outlives the thread (the launch it builds): in
	 * the main arena, not in one of the thread's that the process and
	 * its daemon would keep. */
	mallopt(M_ARENA_MAX, 1);
	rc = start_thread(b);
	if (rc < 0) {
		close(b->done_fd);
		free(b);
		return rc;
	}
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += timeout_ms / 1000;
	deadline.tv_nsec += (long)(timeout_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pfd[0] = (struct pollfd){ .fd = b->done_fd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = sfd, .events = POLLIN };
	do
		n = poll(pfd, 2, timeout_ms ? remaining_ms(&deadline) : -1);
	while (n < 0 && errno == EINTR);
	if (n > 0 && pfd[0].revents) {
		pthread_join(b->thread, NULL);
		munmap(b->stack, STACK_SIZE);
		close(b->done_fd);
		rc = b->result;
		free(b);
		return rc;
	}
	if (n > 0 && read(sfd, &info, sizeof(info)) == sizeof(info)) {
		*signal = (int)info.ssi_signo;
		return -ECANCELED;
	}
	return -ETIMEDOUT;
}
