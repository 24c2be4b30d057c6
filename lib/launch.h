/* One launch: what to run, where to mount, with which options; and the
 * daemon's side of it, from /dev/fuse to a mount that answers. */
#ifndef FUSELAUNCH_LAUNCH_H
#define FUSELAUNCH_LAUNCH_H

#include <sys/types.h>

#include "launch_status.h"
#include "mount_options.h"
#include "server_command.h"

#define LAUNCH_DEFAULT_TIMEOUT_MS 30000

struct launch {
	struct server_command server;
	struct mount_options options;
	unsigned int timeout_ms;	/* for FUSE_INIT; 0: none */
	int mountpoint_fd;		/* O_PATH, pins the mountpoint */
	mode_t root_mode;
	uid_t user_id;
	gid_t group_id;
};

void launch_init(struct launch *l);

/* Pin the mountpoint found in the server's arguments and take the mount's
 * ownership from it and the caller.  Prints why on failure. */
int launch_prepare(struct launch *l);

/* Run the launch in a daemon and wait for its outcome in *STATUS.
 * Returns -errno only when the daemon could not be started. */
int launch_run(struct launch *l, struct launch_status *status);

void launch_free(struct launch *l);

#endif
