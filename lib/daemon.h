/* The foreground process and its daemon: fork, one status record back
 * through a pipe, and cancellation when the foreground side is signalled
 * or dies (the daemon sees its end of a second pipe hang up). */
#ifndef FUSELAUNCH_DAEMON_H
#define FUSELAUNCH_DAEMON_H

#include <stdbool.h>
#include <stdint.h>

#include "launch_status.h"

/* The daemon's body: must send exactly one record on STATUS_FD and treat a
 * hang-up of PARENT_FD as cancellation; with STAY, a cancel signal of the
 * foreground's comes before it as one byte, its number
 * (daemon_parent_signal).
 * On MOUNT_FD it writes the 8-byte id of every mount it is about to
 * attach or adopts, as soon as it knows it.  It never returns. */
typedef void (*daemon_body)(void *arg, int status_fd, int parent_fd, int mount_fd);

/* Fork the daemon running BODY(ARG) and wait for its record.  SIGINT,
 * SIGTERM and SIGHUP meanwhile cancel the launch; *STATUS then says so.
 * After a failure the daemon has exited when this returns; if it died
 * without a record, what it had started (orphaned onto us, a subreaper)
 * has been stopped too, and *ORPHAN_MOUNT is the id of the last mount it
 * announced (0: none), for the caller to detach if it is still there.
 * With STAY, after a success the daemon goes on in our process group and
 * session, and the parent pipe stays open: see daemon_wait().  Returns 0,
 * or -errno when no daemon could be started (the message is printed). */
int daemon_run(daemon_body body, void *arg, bool stay, struct launch_status *status,
	       uint64_t *orphan_mount);

/* After a success with STAY: wait for the daemon to end.  A cancel signal
 * meanwhile is passed on through the parent pipe (ON_STOP(ARG, SIG) is
 * then called once, here), and so is our own end, SIGKILL included: the
 * pipe hangs up.  Returns the daemon's exit status, or -1 when it was
 * killed: what it started is then stopped, and *ORPHAN_MOUNT is its
 * mount, for the caller to detach. */
int daemon_wait(void (*on_stop)(void *arg, int sig), void *arg, uint64_t *orphan_mount);

/* In the daemon, once PARENT_FD has hung up: the signal the foreground
 * passed on, or 0 when the foreground itself ended. */
int daemon_parent_signal(int parent_fd);

#endif
