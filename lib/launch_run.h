/* One run of a launch, in the daemon: shared by the flow (launch.c) and
 * the supervision after success (supervise_mounted.c). */
#ifndef FUSELAUNCH_LAUNCH_RUN_H
#define FUSELAUNCH_LAUNCH_RUN_H

#include <stdbool.h>
#include <sys/types.h>

#include "launch.h"
#include "launch_status.h"
#include "registry.h"
#include "supervisor.h"
#include "terminal.h"

/* One run of a launch, in the daemon. */
struct launch_run {
	const struct launch *launch;
	struct mounter *mounter;
	struct supervisor sup;
	struct launch_status status;
	bool foreground;		/* --foreground: the daemon stays in the
					 * caller's group and session, with its
					 * stdio, and ends when fuselaunch does;
					 * else the server gets a process group of
					 * its own, lent the caller's terminal */
	struct terminal_loan terminal;
	pid_t pidfile_pid;		/* what the pidfile says now */
	pid_t serving_pid;		/* once the server has handed over and
					 * exited: the oldest process left, found
					 * at each reap, so that a launch does not
					 * look for it between INIT's answer and
					 * the report (bench/README.md) */
	struct registry_entry registry;	/* what --list and --unmount see */
};

/* From the device to the outcome of INIT (launch.c).  Returns 0 once
 * mounted and answering.  On failure the status says why and nothing is
 * left running or mounted, except an init thread that only the process's
 * exit ends. */
int launch_until_outcome(struct launch_run *r, int parent_fd);

/* A child was reaped: once the server we started is gone, the process
 * that serves may be another one. */
void launch_run_child_reaped(struct launch_run *r);

/* The pidfile and the registry name the server process that serves: the
 * one we started, or, once it has handed over and exited, the oldest left.
 * Returns 0 or the -errno of writing the pidfile. */
int launch_run_name_serving_process(struct launch_run *r);

/* After success: stay while the server lives, so that a server that dies
 * leaves no "Transport endpoint is not connected" husk behind; a stop
 * signal unmounts and waits for the server.  PARENT_FD (--foreground;
 * else -1): fuselaunch's end of the parent pipe, whose hang-up is a stop
 * too, by the signal fuselaunch passed on or by its own end.  Returns the
 * server's wait status, or 0 for a clean stop (server_end.h). */
int supervise_mounted(struct launch_run *r, int parent_fd);

#endif
