#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"
#include "exit_codes.h"
#include "launch_status.h"
#include "log.h"

int launch_status_send(int fd, const struct launch_status *status)
{
	ssize_t n;

	n = RETRY_ON_EINTR(write(fd, status, sizeof(*status)));
	if (n < 0)
		return -errno;
	return n == sizeof(*status) ? 0 : -EIO;
}

int launch_status_receive(int fd, struct launch_status *status)
{
	ssize_t n;

	n = RETRY_ON_EINTR(read(fd, status, sizeof(*status)));
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	if (n != sizeof(*status))
		return -EIO;
	status->detail[sizeof(status->detail) - 1] = '\0';
	return 0;
}

void launch_status_record(struct launch_status *s, enum launch_stage stage, int error,
			  const char *detail)
{
	s->stage = stage;
	s->error = error < 0 ? -error : error;
	snprintf(s->detail, sizeof(s->detail), "%s", detail ? detail : "");
}

void wait_status_describe(int wait_status, char *buf, size_t len)
{
	if (WIFEXITED(wait_status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(wait_status));
	else if (WIFSIGNALED(wait_status))
		snprintf(buf, len, "was killed by signal %d (%s)%s", WTERMSIG(wait_status),
			 strsignal(WTERMSIG(wait_status)),
			 WCOREDUMP(wait_status) ? ", core dumped" : "");
	else
		snprintf(buf, len, "ended with wait status 0x%x", wait_status);
}

/* "DETAIL: ERRNO-TEXT", or just one of them. */
static void detail_and_error(const struct launch_status *s, char *buf, size_t len)
{
	if (s->detail[0] && s->error)
		snprintf(buf, len, "%s: %s", s->detail, strerror(s->error));
	else if (s->detail[0])
		snprintf(buf, len, "%s", s->detail);
	else
		snprintf(buf, len, "%s", strerror(s->error));
}

/* How this program is given a longer timeout: mount(8)'s helper takes
 * it among the mount options. */
static const char *timeout_option(void)
{
	return strcmp(log_program_name(), "mount.fuselaunch") ?
	       "-t SECONDS" : "-o fuselaunch.timeout=SECONDS";
}

void launch_status_describe(const struct launch_status *s, const char *server,
			    const char *mountpoint, unsigned int timeout_ms,
			    char *message, size_t len)
{
	char why[512];

	detail_and_error(s, why, sizeof(why));
	switch ((enum launch_stage)s->stage) {
	case STAGE_MOUNTED:
		snprintf(message, len, "%s mounted on %s", server, mountpoint);
		break;
	case STAGE_DEVICE:
		snprintf(message, len, "cannot open /dev/fuse: %s", why);
		break;
	case STAGE_SYNC_INIT:
		if (s->error == ENOTTY)
			snprintf(message, len, "synchronous FUSE_INIT is not supported by this kernel (Linux 6.18 or newer needed)");
		else
			snprintf(message, len, "cannot enable synchronous FUSE_INIT: %s", why);
		break;
	case STAGE_FS_OPEN:
		snprintf(message, len, "cannot create a FUSE mount: %s", why);
		break;
	case STAGE_FS_PARAM:
		snprintf(message, len, "the kernel refused mount %s", why);
		break;
	case STAGE_SERVER_START:
		snprintf(message, len, "cannot start server '%s': %s", server, why);
		break;
	case STAGE_SERVER_EXIT:
		wait_status_describe(s->wait_status, why, sizeof(why));
		snprintf(message, len, "server '%s' %s %s", server, why,
			 s->detail[0] ? s->detail : "before answering FUSE_INIT");
		break;
	case STAGE_INIT:
		snprintf(message, len, "server '%s' refused FUSE_INIT: %s", server, why);
		break;
	case STAGE_MOUNT:
		snprintf(message, len, "the kernel refused the mount on %s: %s", mountpoint, why);
		break;
	case STAGE_TIMEOUT:
		snprintf(message, len, "server '%s' did not answer FUSE_INIT within %u.%03u s (%s to wait longer)",
			 server, timeout_ms / 1000, timeout_ms % 1000, timeout_option());
		break;
	case STAGE_CANCELLED:
		snprintf(message, len, "launch of '%s' cancelled by signal %u (%s)", server,
			 s->signal, strsignal((int)s->signal));
		break;
	case STAGE_FUSERMOUNT:
		snprintf(message, len, "fusermount3 refused the mount on %s: %s", mountpoint, why);
		break;
	case STAGE_PIDFILE:
		snprintf(message, len, "cannot write pidfile '%s': %s", s->detail,
			 strerror(s->error));
		break;
	case STAGE_ELSEWHERE:
		snprintf(message, len, "server '%s' %s", server, s->detail);
		break;
	case STAGE_INTERNAL:
	default:
		snprintf(message, len, "internal error: %s", why);
		break;
	}
}

int launch_status_exit_code(const struct launch_status *s)
{
	switch ((enum launch_stage)s->stage) {
	case STAGE_MOUNTED:
		return FL_EX_OK;
	case STAGE_ELSEWHERE:
		return FL_EX_USAGE;
	case STAGE_SERVER_START:
		return s->error == ENOENT || s->error == EACCES || s->error == ENOEXEC ?
			FL_EX_SERVER_NOT_FOUND : FL_EX_SYSTEM;
	case STAGE_SERVER_EXIT:
		return FL_EX_SERVER_FAILED;
	case STAGE_INIT:
		return FL_EX_INIT_REFUSED;
	case STAGE_FS_PARAM:
	case STAGE_MOUNT:
	case STAGE_FUSERMOUNT:
		return FL_EX_MOUNT_FAILED;
	case STAGE_TIMEOUT:
		return FL_EX_TIMEOUT;
	case STAGE_CANCELLED:
		return FL_EX_CANCELLED;
	case STAGE_DEVICE:
	case STAGE_SYNC_INIT:
	case STAGE_FS_OPEN:
	case STAGE_PIDFILE:
	case STAGE_INTERNAL:
	default:
		return FL_EX_SYSTEM;
	}
}

const char *launch_status_stage_name(uint32_t stage)
{
	static const char *const names[] = {
		[STAGE_MOUNTED] = "mounted",
		[STAGE_DEVICE] = "device",
		[STAGE_SYNC_INIT] = "sync-init",
		[STAGE_FS_OPEN] = "fs-open",
		[STAGE_FS_PARAM] = "fs-param",
		[STAGE_SERVER_START] = "server-start",
		[STAGE_SERVER_EXIT] = "server-exit",
		[STAGE_INIT] = "init",
		[STAGE_MOUNT] = "mount",
		[STAGE_TIMEOUT] = "timeout",
		[STAGE_CANCELLED] = "cancelled",
		[STAGE_INTERNAL] = "internal",
		[STAGE_FUSERMOUNT] = "fusermount",
		[STAGE_PIDFILE] = "pidfile",
		[STAGE_ELSEWHERE] = "elsewhere",
	};

	return stage < ARRAY_SIZE(names) && names[stage] ? names[stage] : "internal";
}
