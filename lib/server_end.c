#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <syslog.h>

#include "launch_status.h"
#include "log.h"
#include "server_end.h"
#include "supervisor.h"

bool server_end_is_clean_stop(int wait_status, int stop_signal)
{
	if (WIFEXITED(wait_status))
		return true;
	return WIFSIGNALED(wait_status) && (WTERMSIG(wait_status) == SIGTERM ||
					    WTERMSIG(wait_status) == stop_signal);
}

void server_end_report(const struct supervisor *s, const char *server, const char *mountpoint,
		       int wait_status, int stop_signal)
{
	char how[128], why[64] = "";

	wait_status_describe(wait_status, how, sizeof(how));
	if (stop_signal)
		snprintf(why, sizeof(why), " after signal %d (%s) asked it to stop", stop_signal,
			 strsignal(stop_signal));
	/* The daemon's stderr is the log file, or /dev/null when its output
	 * goes to syslog. */
	if (s->to_syslog)
		syslog(LOG_NOTICE, "%s: server '%s' on %s %s%s", log_program_name(), server, mountpoint, how, why);
	else
		log_error("server '%s' on %s %s%s", server, mountpoint, how, why);
}
