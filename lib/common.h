/* Small habits shared by every file, in the spirit of util-linux's c.h and
 * bubblewrap's utils.h: cleanup attributes, ARRAY_SIZE, an EINTR retry. */
#ifndef FUSELAUNCH_COMMON_H
#define FUSELAUNCH_COMMON_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* CLOCK_MONOTONIC in milliseconds: deadlines and durations. */
static inline uint64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Evaluate EXPR again while it fails with EINTR; its value is the last one. */
#define RETRY_ON_EINTR(expr)						\
	({								\
		__typeof__(expr) retry_result_;				\
		do								\
			retry_result_ = (expr);				\
		while (retry_result_ == -1 && errno == EINTR);		\
		retry_result_;						\
	})

static inline void cleanup_fdp(const int *fd)
{
	if (*fd >= 0) {
		int saved = errno;

		close(*fd);
		errno = saved;
	}
}

static inline void cleanup_freep(void *p)
{
	free(*(void **)p);
}

/* A local descriptor (-1: none) closed when it goes out of scope. */
#define cleanup_fd __attribute__((cleanup(cleanup_fdp)))
/* A local heap pointer freed when it goes out of scope. */
#define cleanup_free __attribute__((cleanup(cleanup_freep)))

/* Take ownership of *PP, leaving NULL behind for the cleanup. */
static inline void *steal_pointer(void *pp)
{
	void **p = pp, *v = *p;

	*p = NULL;
	return v;
}

/* Take ownership of the descriptor *FDP, leaving -1 behind. */
static inline int steal_fd(int *fdp)
{
	int fd = *fdp;

	*fdp = -1;
	return fd;
}

/* The set of the N signals in SIGNALS. */
static inline void signal_set_of(sigset_t *set, const int *signals, size_t n)
{
	size_t i;

	sigemptyset(set);
	for (i = 0; i < n; i++)
		sigaddset(set, signals[i]);
}

#endif
