#include "config.h"

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include "terminal.h"

int terminal_set_foreground(int fd, pid_t group)
{
	sigset_t ttou, saved;
	int rc;

	sigemptyset(&ttou);
	sigaddset(&ttou, SIGTTOU);
	sigprocmask(SIG_BLOCK, &ttou, &saved);
	rc = tcsetpgrp(fd, group) < 0 ? -errno : 0;
	sigprocmask(SIG_SETMASK, &saved, NULL);
	return rc;
}
