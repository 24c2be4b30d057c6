/* The thread that carries the mount through FUSE_INIT: creating the
 * superblock blocks until the server answers, so it runs apart from the
 * thread that watches the server, the clock and the caller. */
#ifndef FUSELAUNCH_INIT_THREAD_H
#define FUSELAUNCH_INIT_THREAD_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/types.h>
#include <stdint.h>

#include "fusermount.h"
#include "launch_status.h"

struct init_thread {
	/* in */
	int fsfd;
	int target_fd;
	uint64_t mount_attrs;
	bool sync_init;			/* else: INIT is answered after the mount */
	int mount_fd;			/* without sync_init: the mount made, to probe */
	struct fusermount *helper;	/* with sync_init: fusermount3 mounts instead */
	const char *mountpoint;		/* where the helper mounts */
	bool lower_caps;		/* while INIT is sent: see privileges.h */
	/* out, valid once done_fd is readable */
	int error;			/* 0 or -errno */
	enum launch_stage failed_stage;	/* STAGE_INIT, STAGE_MOUNT or STAGE_FUSERMOUNT */
	bool attached;			/* the mount is on the mountpoint */
	uint64_t mount_id;		/* of the attached mount */
	char why[240];
	/* private */
	int done_fd;			/* eventfd, readable when the thread is done */
	pthread_t thread;
	int running;
	_Atomic pid_t tid;		/* the thread's id, once it runs */
};

int init_thread_start(struct init_thread *t);

/* Whether the thread has finished (or never started): its result is
 * ready to be joined. */
bool init_thread_done(struct init_thread *t);

/* Whether the thread sleeps in the kernel (in the mount's wait for INIT,
 * once it has sent it), as opposed to running, runnable or done.  When
 * that cannot be read (no /proc), it is taken to sleep. */
bool init_thread_asleep(const struct init_thread *t);

/* Wait up to TIMEOUT_MS (-1: for ever) for the thread and join it.
 * Returns 0 once joined, -ETIMEDOUT if it is still blocked. */
int init_thread_join(struct init_thread *t, int timeout_ms);

#endif
