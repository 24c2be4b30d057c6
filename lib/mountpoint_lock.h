/* Launches on one mountpoint take turns.  The check that no FUSE mount is
 * already there (no stacking by accident) and the mount that follows are
 * not one step: two launches at once would both pass the check and stack.
 * So each holds a lock on the mountpoint from the check to its outcome;
 * the second waits, then finds the first's mount and refuses.
 *
 * The lock is a file named after the mountpoint's device and inode in the
 * caller's registry directory (registry.h), never on the mountpoint itself:
 * a directory any user can open would let any user hold root's launches
 * back.  So launches of one user (or of root) take turns with each other. */
#ifndef FUSELAUNCH_MOUNTPOINT_LOCK_H
#define FUSELAUNCH_MOUNTPOINT_LOCK_H

#include <stdbool.h>

struct mountpoint;

/* Held: both descriptors are close-on-exec, so the lock goes with the
 * launch into its daemon, never to the server. */
struct mountpoint_lock {
	int fd;			/* -1: not held */
	int dir_fd;
	char name[64];
};

void mountpoint_lock_init(struct mountpoint_lock *lock);

/* Take the lock of MP; when another launch holds it, wait at most
 * TIMEOUT_MS (0: for ever) or until a cancel signal (cancel_signals.h),
 * and say in *WAITED that it had to.  Returns 0 (held, or not when there
 * is nowhere to keep a lock: a user without a runtime directory, a
 * read-only /run, go on without); -ETIMEDOUT; -ECANCELED with the signal
 * in *SIGNAL; -errno. */
int mountpoint_lock_take(struct mountpoint_lock *lock, const struct mountpoint *mp,
			 unsigned int timeout_ms, bool *waited, int *signal);

/* Let the next launch on the mountpoint go, once the outcome is known
 * (the mount is there, or rolled back).  The file is removed while held,
 * so that none accumulate; a waiter that then gets the lock of the removed
 * file notices, and takes the new one. */
void mountpoint_lock_release(struct mountpoint_lock *lock);
/* Close this process's copy only: the launch's daemon, which shares it,
 * releases it.  (Removing the file twice could remove the next holder's.) */
void mountpoint_lock_close(struct mountpoint_lock *lock);

/* NAME in the registry directory DIR_FD is a mountpoint lock's file. */
bool mountpoint_lock_is_named(const char *name);

/* Remove the lock file NAME that no launch holds: one whose holder was
 * killed outright (its launcher and daemon both SIGKILLed) before it
 * could.  Taken first and removed while held, as a release does, so that
 * a launch that opened it meanwhile notices and takes a new one. */
void mountpoint_lock_remove_stale(int dir_fd, const char *name);

#endif
