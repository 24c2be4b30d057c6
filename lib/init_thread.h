/* One blocking call in a thread of its own: carrying a mount through
 * FUSE_INIT blocks until the server answers (creating the superblock,
 * fusermount3's answer, a probe of the mount's root), so it runs apart
 * from the thread that watches the server, the clock and the caller.
 * Which call it is, is the mounter's business. */
#ifndef FUSELAUNCH_INIT_THREAD_H
#define FUSELAUNCH_INIT_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>

struct init_thread {
	int done_fd;		/* eventfd, readable when the call returned */
	pthread_t thread;
	bool running;		/* started and not joined yet */
	_Atomic pid_t tid;	/* the thread's id, once it runs */
	void (*call)(void *arg);
	void *arg;
};

void init_thread_init(struct init_thread *t);

/* Run CALL(ARG) in a new thread, with every signal blocked. */
int init_thread_start(struct init_thread *t, void (*call)(void *arg), void *arg);

/* Whether the call has returned (or never started): it can be joined. */
bool init_thread_done(struct init_thread *t);

/* Whether the thread sleeps in the kernel (in the mount's wait for INIT,
 * once it has sent it), as opposed to running, runnable or done.  When
 * that cannot be read (no /proc), it is taken to sleep. */
bool init_thread_asleep(const struct init_thread *t);

/* Wait up to TIMEOUT_MS (-1: for ever) for the thread and join it.
 * Returns 0 once joined (or never started), -ETIMEDOUT if it is still
 * blocked. */
int init_thread_join(struct init_thread *t, int timeout_ms);

#endif
