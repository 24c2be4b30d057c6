/* Before a launch, in the foreground: the checks of the request (bounded
 * by the timeout, ended by a signal), who mounts, and the mountpoint's
 * turn.  Both programs go through here. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "bounded_call.h"
#include "exit_codes.h"
#include "fuse_device.h"
#include "launch.h"
#include "log.h"
#include "mounter.h"
#include "server_process.h"

/* The launch of SERVER_NAME was cancelled by signal SIG before it began. */
static void say_cancelled(const char *server_name, int sig)
{
	struct launch_status cancelled = { .stage = STAGE_CANCELLED, .signal = (uint32_t)sig };
	char message[512];

	launch_status_describe(&cancelled, server_name, "", 0, message, sizeof(message));
	log_error("%s", message);
}

int launch_checks_within_timeout(int (*checks)(void *arg), void *arg, unsigned int timeout_ms,
				 const char *server_name)
{
	unsigned int bound = timeout_ms;
	char path[PATH_MAX];
	int sig = 0, rc;

	/* Checks that usually take a millisecond get at least a second: a
	 * tiny -t is for INIT, not for a busy machine's path walks. */
	if (bound && bound < LAUNCH_CHECKS_MIN_TIMEOUT_MS)
		bound = LAUNCH_CHECKS_MIN_TIMEOUT_MS;
	rc = bounded_call(checks, arg, bound, &sig);
	if (rc == -ETIMEDOUT && bounded_call_looked_at(path, sizeof(path))) {
		log_error("checking the paths of '%s' and its mountpoint did not end within %u.%03u s: a FUSE mount on '%s' or on its path is not answering",
			  server_name, bound / 1000, bound % 1000, path);
	} else if (rc == -ETIMEDOUT) {
		log_error("checking the paths of '%s' and its mountpoint did not end within %u.%03u s: a FUSE mount on them is not answering",
			  server_name, bound / 1000, bound % 1000);
	} else if (rc == -ECANCELED) {
		say_cancelled(server_name, sig);
	} else if (rc < 0) {
		log_error("cannot start checking the paths: %s", strerror(-rc));
	}
	return rc;
}

/* Whoever mounts (this process as root, fusermount3 run by a user) opens
 * /dev/fuse with the caller's rights: one the caller may not open fails
 * the launch before anything starts, saying what it needs. */
static int check_fuse_device(void)
{
	char hint[512];

	if (fuse_device_check_access(hint, sizeof(hint)) == 0)
		return 0;
	log_error("cannot open %s: %s", FUSE_DEVICE_PATH, hint);
	return -EACCES;
}

int launch_prepare(const struct launch *l, struct mounter **m)
{
	int rc;

	if (check_fuse_device() < 0)
		return FL_EX_SYSTEM;
	rc = mounter_new(l, m);
	if (rc < 0)
		return rc == -EINVAL ? FL_EX_USAGE : FL_EX_SYSTEM;
	rc = server_identity_can_execute(&l->identity, l->server.path);
	if (rc < 0) {
		log_error("user '%s' cannot execute server '%s': %s", l->identity.name,
			  l->server.path, strerror(-rc));
		return FL_EX_SERVER_NOT_FOUND;
	}
	return FL_EX_OK;
}

int launch_claim_mountpoint(const struct launch *l, struct mounter *m)
{
	int sig = 0, rc;

	rc = mounter_claim_mountpoint(m, &sig);
	if (rc == -ECANCELED)
		say_cancelled(l->server.name, sig);
	return rc == 0 ? FL_EX_OK : rc == -EINVAL ? FL_EX_USAGE : rc == -ETIMEDOUT ? FL_EX_TIMEOUT :
	       rc == -ECANCELED ? FL_EX_CANCELLED : FL_EX_SYSTEM;
}
