#include "config.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include "bounded_call.h"
#include "cancel_signals.h"
#include "common.h"

/* On the heap: a thread left blocked keeps using it until the exit. */
struct bounded {
	pthread_t thread;
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
	rc = -pthread_create(&b->thread, NULL, run, b);
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
