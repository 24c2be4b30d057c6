/* The controlling terminal's foreground process group, which the daemon
 * lends the server while the launch is pending and gives back after. */
#ifndef FUSELAUNCH_TERMINAL_H
#define FUSELAUNCH_TERMINAL_H

#include <sys/types.h>

struct terminal_loan {
	int fd;			/* the caller's terminal; -1: nothing lent */
	pid_t caller_group;	/* which gets it back */
};

/* Make GROUP the foreground process group of the terminal FD, also when
 * called from a background group: SIGTTOU, which would stop the caller
 * there, is blocked meanwhile.  Returns 0 or -errno. */
int terminal_set_foreground(int fd, pid_t group);

/* If the caller's job has the terminal, open it into LOAN and return its
 * descriptor, to be made the foreground of the server's group as the
 * server starts; else -1. */
int terminal_lend(struct terminal_loan *loan);

/* Give the terminal back to the caller's group, if it was lent. */
void terminal_give_back(struct terminal_loan *loan);

#endif
