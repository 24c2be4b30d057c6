/* After success: the supervisor stays with the server, passes a stop on
 * as an unmount, and takes the mount away when the server is gone. */
#include "config.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "launch_run.h"
#include "log.h"
#include "mounter.h"
#include "pidfile.h"
#include "server_end.h"
#include "server_process.h"

void launch_run_child_reaped(struct launch_run *r)
{
	if (r->sup.server_reaped)
		r->serving_pid = server_first_child(r->sup.server_pid);
}

int launch_run_name_serving_process(struct launch_run *r)
{
	const char *path = r->launch->pidfile;
	pid_t pid;
	int rc;

	if (r->sup.server_reaped && r->serving_pid <= 0)
		launch_run_child_reaped(r);
	pid = r->sup.server_reaped ? r->serving_pid : r->sup.server_pid;
	registry_publish(&r->registry, r->mounter, &r->status, pid);
	if (!path || pid <= 0 || pid == r->pidfile_pid)
		return 0;
	rc = pidfile_write(path, pid);
	if (rc == 0)
		r->pidfile_pid = pid;
	return rc;
}

/* A stop request (systemctl stop's SIGTERM, Ctrl-C; SIG 0: fuselaunch
 * --foreground is gone): unmount first, so that the server ends as
 * servers end on unmount, then stop whatever is left.  Returns 0 when the
 * server ended as a stopped server may (server_end.h), else its wait
 * status. */
static int stop_requested(struct launch_run *r, int sig)
{
	const struct launch *l = r->launch;
	int status;

	/* Nothing to hear from there any more (the waits below would take
	 * its hang-up for news). */
	r->sup.parent_fd = -1;
	if (sig)
		log_step("signal %d (%s): stopping the server", sig, strsignal(sig));
	else
		log_step("%s is gone: stopping the server", log_program_name());
	if (!l->auto_unmount || r->mounter->ops->unmount(r->mounter) < 0 ||
	    !supervisor_wait_server_gone(&r->sup, SUPERVISOR_STOP_GRACE_MS))
		supervisor_stop_server(&r->sup, SUPERVISOR_STOP_GRACE_MS);
	supervisor_drain_output(&r->sup);
	if (l->pidfile)
		unlink(l->pidfile);
	if (l->auto_unmount)
		r->mounter->ops->unmount(r->mounter);
	status = supervisor_server_status(&r->sup);
	server_end_report(&r->sup, l->server.name, l->server.mountpoint, status, sig);
	return server_end_is_clean_stop(status, sig) ? 0 : status;
}

int supervise_mounted(struct launch_run *r, int parent_fd)
{
	int sig, status, rc;

	/* What the launch freed would stay dirty in the heap for as long as
	 * the server lives: give it back before settling down. */
	malloc_trim(0);
	r->sup.init_fd = -1;
	r->sup.parent_fd = parent_fd;
	supervisor_set_timeout(&r->sup, 0);
	for (;;) {
		switch (supervisor_wait(&r->sup, &sig)) {
		case SUPERVISOR_SERVER_GONE:
			r->sup.parent_fd = -1;
			supervisor_drain_output(&r->sup);
			if (r->launch->pidfile)
				unlink(r->launch->pidfile);
			if (r->launch->auto_unmount)
				mounter_unmount_when_reachable(r->mounter);
			status = supervisor_server_status(&r->sup);
			server_end_report(&r->sup, r->launch->server.name,
					  r->launch->server.mountpoint, status, 0);
			return status;
		case SUPERVISOR_SIGNAL:
			return stop_requested(r, sig);
		case SUPERVISOR_PARENT_GONE:
			return stop_requested(r, daemon_parent_signal(parent_fd));
		case SUPERVISOR_CHILD_REAPED:
			launch_run_child_reaped(r);
			rc = launch_run_name_serving_process(r);
			if (rc < 0)
				log_error("cannot write pidfile '%s': %s", r->launch->pidfile,
					  strerror(-rc));
			break;
		default:
			break;
		}
	}
}
