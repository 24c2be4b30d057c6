/* Who mounts, and how a launch learns that the mount answers.  In the
 * spirit of libmount's hooksets and libfuse's fusermount3 phases: one
 * small table of operations, three implementations, one file each:
 *
 *   mounter_kernel.c     this process mounts through /dev/fuse: synchronous
 *                        INIT, or the classic order; fusectl abort; detach
 *   mounter_fusermount.c fusermount3 mounts for a user: its synchronous
 *                        protocol, or the classic one; unmounting as a user
 *   mounter_watch.c      the server mounts by itself: the mount table is
 *                        watched, the server's mount adopted and probed
 *
 * lib/launch.c drives them: prepare, start the server on server_fd,
 * begin_waiting, then the supervisor's events, and on failure cancel and
 * unmount; release after success. */
#ifndef FUSELAUNCH_MOUNTER_H
#define FUSELAUNCH_MOUNTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "init_thread.h"
#include "launch_status.h"
#include "mount_watch.h"
#include "mountpoint.h"
#include "mountpoint_lock.h"

/* How long a cancelled blocking call may take to come back. */
#define MOUNTER_ABORT_WAIT_MS 2000

struct launch;
struct mounter;
struct supervisor;

struct mounter_ops {
	const char *name;
	/* What a server gone before the outcome had not done, and what it
	 * had just done when it answered first: fuselaunch sees INIT only
	 * where it holds the device; in watch mode it sees the mount. */
	const char *gone_before, *gone_right_after;
	/* Before the server starts: get the device and set the mount up; the
	 * classic order attaches it here, with INIT queued. */
	int (*prepare)(struct mounter *m);
	/* The descriptor the server gets as /dev/fd/N; -1: it mounts itself. */
	int (*server_fd)(const struct mounter *m);
	/* The server runs: start waiting for the answer to INIT. */
	int (*begin_waiting)(struct mounter *m);
	/* The mount table changed, or the launch is being rolled back: look
	 * for the server's own mounts (mounter_find_server_mounts). */
	int (*mounts_changed)(struct mounter *m);
	/* The blocking call was joined: 0 mounted and answering; -EINPROGRESS
	 * to wait on (the failure recorded stands unless something else
	 * comes first); -errno failed, recorded. */
	int (*init_done)(struct mounter *m);
	/* No server process is left: 1 when INIT was answered just before
	 * (the mount then follows the server), 0 when it never was, the
	 * -errno of an answer that failed (recorded), or -EINPROGRESS when
	 * it was answered and the blocking call is still to say how (wait
	 * for it as for INIT). */
	int (*server_gone)(struct mounter *m);
	/* Make the blocking call return soon: 0, or -EINPROGRESS when it
	 * returns only once the server is stopped. */
	int (*cancel)(struct mounter *m);
	/* Take this launch's mount off the mountpoint, if it is there. */
	int (*unmount)(struct mounter *m);
	/* Drop what the mount no longer needs (devices, helpers, watches). */
	void (*release)(struct mounter *m);
};

/* What the blocking call found; written by the init thread, read once it
 * is joined. */
struct init_result {
	int error;			/* 0 or -errno */
	enum launch_stage stage;	/* where it failed */
	bool attached;			/* a mount is on the mountpoint */
	uint64_t mount_id;		/* of that mount */
	uint64_t answered_ms;		/* CLOCK_MONOTONIC, when the wait for
					 * INIT's answer returned */
	char why[240];
};

struct mounter {
	const struct mounter_ops *ops;
	const struct launch *launch;
	struct mountpoint mountpoint;	/* pinned in the foreground */
	struct mountpoint_lock lock;	/* taken in the foreground, released
					 * by the daemon at the outcome */
	char *fusermount;		/* not root: fusermount3 mounts and unmounts */
	uid_t owner_uid;		/* whose the mount is (user_id=, group_id=) */
	gid_t owner_gid;
	bool lower_caps;		/* INIT is sent holding only CAP_SYS_ADMIN */
	/* the daemon's side, set by the launch flow */
	struct supervisor *sup;
	struct launch_status *status;	/* where failures are recorded */
	int device_fd;			/* /dev/fuse: the server's /dev/fd/N */
	int root_fd;			/* the mount's root, to probe (classic order) */
	struct init_thread init;
	struct init_result result;
	bool attached;			/* a mount of this launch is on the mountpoint */
	uint64_t mount_id;		/* which one */
	unsigned int connection;	/* its FUSE connection, once known; 0: not */
	int announce_fd;		/* the daemon's: where the id of each mount
					 * about to be attached or adopted goes, for
					 * a foreground whose daemon dies (daemon.h) */
	uint64_t announced_mount_id;	/* the last id written there */
	uint64_t init_started_ms;	/* the first blocking call's start */
	unsigned int init_ms;		/* how long until it came back */
	struct mount_watch watch;	/* the mount table, for the server's own mounts */
	unsigned int rechecks;		/* looks left after the table changed */
	char *stray_path;		/* where the server mounted by itself instead */
	uint64_t stray_mount_id;	/* that mount, once identified; 0: not */
	void *own;			/* the mounter's own state, from prepare to
					 * release */
};

extern const struct mounter_ops mounter_kernel_ops;
extern const struct mounter_ops mounter_fusermount_ops;
extern const struct mounter_ops mounter_watch_ops;

/* Pin the mountpoint and choose who mounts for L into *M.  Prints why
 * not: -EINVAL for a request that cannot be, -ENOENT when fusermount3 is
 * needed but missing, other -errno for the mountpoint. */
int mounter_new(const struct launch *l, struct mounter **m);
void mounter_free(struct mounter *m);

/* Take the mountpoint's turn (mountpoint_lock.h), within the launch's
 * timeout, then refuse a FUSE mount already there unless stacking was
 * asked for.  Prints why not; returns 0, -EINVAL (stacking), -ETIMEDOUT,
 * -ECANCELED (with the signal in *SIGNAL), or -errno. */
int mounter_claim_mountpoint(struct mounter *m, int *signal);

/* The mounter's own state: SIZE zeroed bytes in M->own; out of memory is
 * recorded.  Returns it or NULL. */
void *mounter_own_new(struct mounter *m, size_t size);

/* server_fd of the mounters that hand the server the device. */
int mounter_device_fd(const struct mounter *m);

/* Record a failure in the launch's status record. */
void mounter_fail(struct mounter *m, enum launch_stage stage, int error, const char *detail);

/* The mount's source and subtype: -o fsname= and subtype=, else the
 * server's source argument and name. */
const char *mounter_source(const struct mounter *m);
const char *mounter_subtype(const struct mounter *m);

/* Join the blocking call within TIMEOUT_MS (-1: for ever) and take what it
 * found; RECORD: its failure becomes the launch's.  False when it did not
 * come back in time. */
bool mounter_join(struct mounter *m, int timeout_ms, bool record);

/* Start the blocking CALL(M) and let the supervisor wait for it. */
int mounter_start_call(struct mounter *m, void (*call)(void *arg));

/* How long an answered INIT may take to come back to the init thread. */
#define MOUNTER_ANSWER_WAIT_MS 5000

/* Drop the mounter's own state, unless the blocking call still uses it
 * (then the process's exit ends both). */
void mounter_release(struct mounter *m);

/* The classic order's blocking call: a forced stat of root_fd waits for
 * INIT to be answered. */
void mounter_probe_call(void *arg);

/* server_gone for the mounters that hand the server the device. */
int mounter_device_server_gone(struct mounter *m);
/* Abort the device's connection through fusectl (root; a user where
 * fusectl is mounted on /sys/fs/fuse/connections). */
int mounter_abort_connection(struct mounter *m);
/* Open the root of the mount of this launch's device on the mountpoint:
 * 0 with *FD (NULL: not wanted) and its id; -ESTALE when something else is
 * there (it is covered, or gone).  Asks the server nothing. */
int mounter_open_own_mount(const struct mounter *m, int *fd, uint64_t *mount_id);
/* The connection of this launch's own device, once it has one; 0 before. */
unsigned int mounter_own_connection(struct mounter *m);

/* The mount of this launch's device on the mountpoint (fusermount3's)
 * becomes this launch's; asks the server nothing. */
int mounter_take_mount_at_mountpoint(struct mounter *m, int *mount_fd);
/* Watch the mount table for the server's own mounts (prepare).  Unless
 * NEEDED (watch mode), without /proc the launch goes on without. */
int mounter_watch_mounts(struct mounter *m, bool needed);
/* Look for mounts the server made by itself (fuse_connection.h: a
 * connection one of its processes holds, other than this launch's own
 * device's).  ADOPT (watch mode): the one on the mountpoint becomes this
 * launch's, with root_fd its root, once it can be reached there.  Any
 * other, wherever it is, is a mistake of the command line: recorded as
 * STAGE_ELSEWHERE, saying what to give instead, and -EXDEV.  Returns 0
 * (found or not), or -errno. */
int mounter_find_server_mounts(struct mounter *m, bool adopt);
/* After the server is gone with nothing adopted: the FUSE mount on top of
 * the mountpoint becomes this launch's, to detach, when it appeared there
 * since the mountpoint was pinned and its connection is dead.  Its server
 * died before any look could prove the mount its own (the rule needs a
 * live holder), and a dead connection serves no one: no other launch
 * loses anything. */
void mounter_adopt_dead_mount(struct mounter *m);
/* mounts_changed of the mounters that hand the server the device. */
int mounter_device_mounts_changed(struct mounter *m);
/* Tell the foreground of this launch's mount, once attached or adopted,
 * unless it was told already. */
void mounter_announce(struct mounter *m);
/* Unmount this launch's mount if it is attached: as root, detach exactly
 * that mount; as a user, through fusermount3 or, for a mount in utab,
 * umount(8), once it is checked to be still ours.  A mount the server made
 * elsewhere by itself goes the same way.  -EBUSY: the mount is covered by
 * another one, and detaching it would take that one along. */
int mounter_unmount_attached(struct mounter *m);
/* unmount, and when the mount is covered, wait (watching the mount table)
 * until it is uncovered or gone; a signal ends the wait (-ECANCELED). */
int mounter_unmount_when_reachable(struct mounter *m);

#endif
