/* The outcome of a launch: one fixed-size record that the daemon sends to
 * the foreground process, which turns it into a message and an exit code. */
#ifndef FUSELAUNCH_LAUNCH_STATUS_H
#define FUSELAUNCH_LAUNCH_STATUS_H

#include <stddef.h>
#include <stdint.h>

enum launch_stage {
	STAGE_MOUNTED = 0,	/* success: mounted and answering */
	STAGE_DEVICE,		/* opening /dev/fuse */
	STAGE_SYNC_INIT,	/* enabling synchronous INIT */
	STAGE_FS_OPEN,		/* creating the fs context */
	STAGE_FS_PARAM,		/* a mount parameter the kernel refused */
	STAGE_SERVER_START,	/* fork or exec of the server */
	STAGE_SERVER_EXIT,	/* every server process exited before INIT */
	STAGE_INIT,		/* the server answered INIT with an error */
	STAGE_MOUNT,		/* the kernel refused to create or attach the mount */
	STAGE_TIMEOUT,		/* no answer to INIT in time */
	STAGE_CANCELLED,	/* a signal cancelled the launch */
	STAGE_INTERNAL,		/* anything else in the daemon */
	STAGE_FUSERMOUNT,	/* fusermount3 refused to mount */
	STAGE_PIDFILE,		/* writing the pidfile (detail: its path) */
	STAGE_ELSEWHERE,	/* the server mounted by itself where it was not
				 * asked to: the detail says where, and what to
				 * give instead */
	STAGE_COUNT		/* how many there are; not a stage */
};

struct launch_status {
	uint32_t stage;		/* enum launch_stage */
	int32_t error;		/* errno, 0 with STAGE_MOUNTED */
	int32_t wait_status;	/* the server's wait status with STAGE_SERVER_EXIT */
	uint32_t signal;	/* the signal, with STAGE_CANCELLED */
	char detail[240];	/* the kernel's words, a parameter, a step */
	/* with STAGE_MOUNTED: the launch as --json reports it */
	uint64_t mount_id;
	int32_t server_pid;
	int32_t supervisor_pid;
	uint32_t init_ms;
	uint8_t watch;		/* the server mounted by itself */
	uint8_t sync_init;	/* synchronous FUSE_INIT, not classic */
};

/* Record a failure: what failed (STAGE), the errno (either sign), and
 * DETAIL (NULL: none). */
void launch_status_record(struct launch_status *s, enum launch_stage stage, int error,
			  const char *detail);

/* How a process ended, in words: "exited with status 1", "was killed by
 * signal 9 (Killed)". */
void wait_status_describe(int wait_status, char *buf, size_t len);

/* Send or receive one record; the record is smaller than PIPE_BUF so a
 * write is atomic.  Receive returns -EPIPE when the writer died first. */
int launch_status_send(int fd, const struct launch_status *status);
int launch_status_receive(int fd, struct launch_status *status);

/* The one-line message ("what failed: why") and exit code for STATUS, for a
 * launch of SERVER_NAME on MOUNTPOINT. */
void launch_status_describe(const struct launch_status *status, const char *server_name,
			    const char *mountpoint, unsigned int timeout_ms,
			    char *message, size_t len);
int launch_status_exit_code(const struct launch_status *status);

/* STAGE in a word ("mounted", "server-exit", "timeout"), for --json. */
const char *launch_status_stage_name(uint32_t stage);

#endif
