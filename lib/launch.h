/* One launch: what to run, where to mount, with which options (struct
 * launch, the request), and the flow from there to a mount that answers. */
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

struct mounter;

enum sync_init_mode {
	SYNC_INIT_AUTO,		/* synchronous when the kernel can, else classic */
	SYNC_INIT_ALWAYS,	/* synchronous or fail */
	SYNC_INIT_NEVER,	/* classic: mount, then wait for the answer */
};

/* The request, as the command line or fstab gave it. */
struct launch {
	struct server_command server;
	struct mount_options options;
	unsigned int timeout_ms;	/* for FUSE_INIT; 0: none */
	enum sync_init_mode sync_init;
	enum server_mode mode;		/* AUTO until launch_choose_mode() */
	bool auto_unmount;		/* detach the mount when the server is gone */
	bool stack;			/* mount on top of a FUSE mount already there */
	char *pidfile;			/* the serving process's pid goes here */
	int log_fd;			/* the server's output after success; -1: syslog */
	bool in_utab;			/* drop its utab entry when detaching the mount
					 * (a user's: through umount(8)) */
	struct server_identity identity;/* --user, --drop-privileges */
};

/* lib/launch_request.c: filling in the request.  Each setter prints one
 * line naming the bad value and returns -errno. */
void launch_init(struct launch *l);
int launch_set_timeout(struct launch *l, const char *seconds);
int launch_set_sync_init(struct launch *l, const char *mode);
int launch_open_log(struct launch *l, const char *path);
int launch_set_pidfile(struct launch *l, const char *path);
/* --user USER: the server runs as USER, and the mount is theirs. */
int launch_set_user(struct launch *l, const char *user);
/* Settle --mode=auto by the server's executable (resolved already). */
void launch_choose_mode(struct launch *l);
void launch_free(struct launch *l);

/* lib/launch_prepare.c: before the launch, in the foreground. */

/* The least time the checks before the launch get. */
#define LAUNCH_CHECKS_MIN_TIMEOUT_MS 1000

/* Run CHECKS(ARG), the steps before the launch that walk the server's and
 * the mountpoint's paths (finding the server, the mountpoint rule,
 * launch_prepare), which block for as long as a FUSE mount on those paths
 * does not answer: within TIMEOUT_MS (at least
 * LAUNCH_CHECKS_MIN_TIMEOUT_MS; 0: for ever) and until a cancel signal.
 * Returns what CHECKS returned; or prints why and returns -ETIMEDOUT or
 * -ECANCELED, after which the checks may still be blocked, using ARG: the
 * caller must _exit() at once (bounded_call.h); or prints why and returns
 * another -errno. */
int launch_checks_within_timeout(int (*checks)(void *arg), void *arg, unsigned int timeout_ms,
				 const char *server_name);

/* Check that the caller may open /dev/fuse, pin the mountpoint, choose
 * who mounts (this process, fusermount3, or the server itself) into
 * *MOUNTER, and check that the server's user may run it.  Prints why not; returns FL_EX_OK or the exit code (exit_codes.h). */
int launch_prepare(const struct launch *l, struct mounter **mounter);

/* After the checks, outside their bounded thread: wait for the
 * mountpoint's turn and refuse to stack by accident (mountpoint_lock.h).
 * Prints why not; returns FL_EX_OK or the exit code. */
int launch_claim_mountpoint(const struct launch *l, struct mounter *mounter);

/* lib/launch_daemon.c: the flow (lib/launch.c) run in a daemon. */

/* Run the launch in a daemon and wait for its outcome in *STATUS.
 * Returns -errno only when the daemon could not be started. */
int launch_run(const struct launch *l, struct mounter *m, struct launch_status *status);

/* --foreground: run the launch in a daemon that stays in our session
 * with our stdio and, after success, supervises the server until it is
 * gone, or until we are (even by SIGKILL): then it stops the server and
 * detaches the mount.  systemd hears READY=1, STOPPING=1 and STATUS=
 * from here.  *EXIT_CODE gets the server's exit status as a shell gives
 * it (128 + N for signal N; 0 for a clean stop), or FL_EX_SYSTEM when
 * the daemon was killed (the server then stopped and the mount detached
 * here).  Returns 0 then, 1 when the launch failed (*STATUS says why), or
 * -errno when no daemon could be started (the message is printed). */
int launch_run_foreground(const struct launch *l, struct mounter *m,
			  struct launch_status *status, int *exit_code);

#endif
