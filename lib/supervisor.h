/* The daemon's main thread: one poll loop over the server's processes
 * (as their child subreaper), the init thread, the clock, the foreground
 * process and signals, relaying the server's output as it goes. */
#ifndef FUSELAUNCH_SUPERVISOR_H
#define FUSELAUNCH_SUPERVISOR_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum supervisor_event {
	SUPERVISOR_INIT_DONE,	/* the init thread finished */
	SUPERVISOR_SERVER_GONE,	/* no server process is left */
	SUPERVISOR_CHILD_REAPED,/* a server process ended, others are left */
	SUPERVISOR_TIMEOUT,	/* the deadline passed */
	SUPERVISOR_PARENT_GONE,	/* the foreground process died */
	SUPERVISOR_SIGNAL,	/* a terminating signal arrived */
	SUPERVISOR_MOUNTS_CHANGED,/* the mount table changed (see mounts_fd) */
};

struct supervisor {
	int signal_fd;
	int init_fd;		/* watched when >= 0 */
	int parent_fd;		/* watched when >= 0: hangs up when the parent dies */
	int mounts_fd;		/* watched when >= 0: /proc/self/mountinfo */
	int output_fd[2];	/* the server's stdout and stderr, relayed to ours */
	pid_t server_pid;
	pid_t fusermount_pid;	/* fusermount3 mounting for us: not a server process */
	int server_status;	/* wait status of server_pid, once reaped */
	int last_status;	/* wait status of the last process reaped */
	bool server_reaped;
	bool children_changed;	/* a SIGCHLD arrived: reap before waiting */
	uint64_t deadline_ms;	/* CLOCK_MONOTONIC; 0: none */
	uint64_t recheck_ms;	/* MOUNTS_CHANGED again then, as if it had; 0: none */
	bool rechecking;	/* the last MOUNTS_CHANGED was that, not a change */
	bool to_syslog;		/* relay output to syslog, line by line */
	bool relay_blocked[2];	/* our fd 1 or 2 has no room: wait for it */
	bool poll_failing;	/* said so once; waiting for signals alone */
	struct {
		char buf[1024];
		size_t len;
	} line[2];		/* partial lines of stdout and stderr, for syslog */
};

/* Block the signals the loop reads; call before starting the server. */
int supervisor_init(struct supervisor *s);
void supervisor_close(struct supervisor *s);

/* Wait for the next event; *SIGNAL names the signal of SUPERVISOR_SIGNAL. */
enum supervisor_event supervisor_wait(struct supervisor *s, int *signal);

/* The terminating signal queued and not yet waited for (the last one
 * when several are), or 0; a queued SIGCHLD is kept for the next wait. */
int supervisor_pending_signal(struct supervisor *s);

/* Deadline TIMEOUT_MS from now, or none for 0. */
void supervisor_set_timeout(struct supervisor *s, unsigned int timeout_ms);

/* Report SUPERVISOR_MOUNTS_CHANGED once more MS from now, changed or not:
 * what was in flight when the table was read may have landed. */
void supervisor_recheck_mounts(struct supervisor *s, unsigned int ms);

/* From now on relay the server's output to syslog as IDENT. */
void supervisor_relay_to_syslog(struct supervisor *s, const char *ident);

/* Relay whatever output the server has written so far, up to end of file
 * when no server process is left. */
void supervisor_drain_output(struct supervisor *s);

/* SIG to every server process (every child); when /proc shows none while
 * the server is not reaped yet, to the server as started.  Returns how
 * many were signalled. */
int supervisor_signal_server(struct supervisor *s, int sig);

/* Wait until no server process is left (true) or MS have passed. */
bool supervisor_wait_server_gone(struct supervisor *s, unsigned int ms);

/* How long a server gets between SIGTERM and SIGKILL when fuselaunch
 * stops it (fuselaunch(1) says 2 seconds). */
#define SUPERVISOR_STOP_GRACE_MS 2000

/* SIGTERM to every server process, SIGKILL after GRACE_MS; returns once
 * none is left (or KILL_WAIT_MS more have passed). */
void supervisor_stop_server(struct supervisor *s, unsigned int grace_ms);

/* The wait status that best explains why the server is gone: the server's
 * own unless it exited 0 handing over to a descendant that then ended. */
int supervisor_server_status(const struct supervisor *s);

#endif
