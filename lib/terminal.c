#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
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

int terminal_lend(struct terminal_loan *loan)
{
	int fd;

	loan->fd = -1;
	fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (tcgetpgrp(fd) != getpgrp()) {
		close(fd);
		return -1;
	}
	loan->caller_group = getpgrp();
	return loan->fd = fd;
}

void terminal_give_back(struct terminal_loan *loan)
{
	int rc;

	if (loan->fd < 0)
		return;
	rc = terminal_set_foreground(loan->fd, loan->caller_group);
	if (rc < 0)
		log_step("giving the terminal back: %s", strerror(-rc));
	close(loan->fd);
	loan->fd = -1;
}
