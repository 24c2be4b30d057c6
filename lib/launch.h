/* One launch: what to run, where to mount, with which options; and the
 * daemon's side of it, from /dev/fuse to a mount that answers. */
#ifndef FUSELAUNCH_LAUNCH_H
#define FUSELAUNCH_LAUNCH_H

#include <stdbool.h>
#include <sys/types.h>

#include "launch_status.h"
#include "mount_options.h"
#include "privileges.h"
#include "server_command.h"
#include "server_mode.h"

#define LAUNCH_DEFAULT_TIMEOUT_MS 30000

enum sync_init_mode {
	SYNC_INIT_AUTO,		/* synchronous when the kernel can, else classic */
	SYNC_INIT_ALWAYS,	/* synchronous or fail */
	SYNC_INIT_NEVER,	/* classic: mount, then wait for the answer */
};

struct launch {
	struct server_command server;
	struct mount_options options;
	unsigned int timeout_ms;	/* for FUSE_INIT; 0: none */
	enum sync_init_mode sync_init;
	enum server_mode mode;		/* AUTO until launch_choose_mode() */
	char *watch_options;		/* -o for a server that mounts itself */
	bool auto_unmount;		/* detach the mount when the server is gone */
	char *pidfile;			/* the serving process's pid goes here */
	int log_fd;			/* the server's output after success; -1: syslog */
	bool in_utab;			/* drop its utab entry when detaching the mount
					 * (a user's: through umount(8)) */
	struct server_identity identity;/* --user, --drop-privileges */
	char *fusermount;		/* not root: fusermount3 mounts and unmounts */
	int mountpoint_fd;		/* O_PATH, pins the mountpoint */
	mode_t root_mode;
	uid_t user_id;
	gid_t group_id;
};

void launch_init(struct launch *l);

/* Option values shared by fuselaunch and mount.fuselaunch; each prints
 * one line naming the bad value and returns -EINVAL. */
int launch_set_timeout(struct launch *l, const char *seconds);
int launch_set_sync_init(struct launch *l, const char *mode);
int launch_open_log(struct launch *l, const char *path);
int launch_set_pidfile(struct launch *l, const char *path);

/* --user USER: the server runs as USER, and the mount is theirs. */
int launch_set_user(struct launch *l, const char *user);

/* Who mounts: this process when it may, else fusermount3 (a user who is
 * not root); and whether --user and --drop-privileges can be had.  Prints
 * why not: -EINVAL for a combination that cannot be, -ENOENT when
 * fusermount3 is needed but missing.  Call after launch_choose_mode(). */
int launch_choose_mounter(struct launch *l);

/* Whether the server's user may execute it.  Prints why not. */
int launch_check_server_access(struct launch *l);

/* Settle --mode=auto by the server's executable (resolved already). */
void launch_choose_mode(struct launch *l);

/* Pin the mountpoint found in the server's arguments and take the mount's
 * ownership from it and the caller.  Prints why on failure. */
int launch_prepare(struct launch *l);

/* Run the launch in a daemon and wait for its outcome in *STATUS.
 * Returns -errno only when the daemon could not be started. */
int launch_run(struct launch *l, struct launch_status *status);

/* Run the launch in this process (--foreground).  After success, supervise
 * until the server is gone and return its wait status in *SERVER_STATUS.
 * Returns -1 when the launch failed: *STATUS says why. */
int launch_run_foreground(struct launch *l, struct launch_status *status, int *server_status);

void launch_free(struct launch *l);

#endif
