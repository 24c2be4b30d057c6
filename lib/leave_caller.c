#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "leave_caller.h"
#include "log.h"
#include "supervisor.h"

/* Signals that the caller's terminal sent to its job (Ctrl-C, Ctrl-\, a
 * hang-up) as the launch succeeded are not for the daemon: drop those
 * still pending (setting SIG_IGN discards them, blocked or not), and
 * ignore SIGHUP from now on, as a daemon with no terminal to lose.
 * SIGTERM, and SIGINT or SIGQUIT sent from now on, still stop the server. */
static void drop_terminal_signals(void)
{
	sigset_t hangup;

	signal(SIGINT, SIG_IGN);
	signal(SIGINT, SIG_DFL);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGHUP, SIG_IGN);
	sigemptyset(&hangup);
	sigaddset(&hangup, SIGHUP);
	sigprocmask(SIG_UNBLOCK, &hangup, NULL);
}

/* Until the outcome the daemon stays in the caller's session, so that the
 * server can prompt on the terminal and Ctrl-C reaches all of the launch. */
void leave_caller(int log_fd, struct supervisor *sup, const char *ident)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (setsid() < 0)
		log_step("setsid: %s", strerror(errno));
	drop_terminal_signals();
	if (null < 0)
		return;
	dup2(null, 0);
	dup2(log_fd >= 0 ? log_fd : null, 1);
	dup2(log_fd >= 0 ? log_fd : null, 2);
	close(null);
	if (log_fd < 0)
		supervisor_relay_to_syslog(sup, ident);
}
