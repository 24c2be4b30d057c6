/* The controlling terminal's foreground process group, which the daemon
 * lends the server while the launch is pending and gives back after. */
#ifndef FUSELAUNCH_TERMINAL_H
#define FUSELAUNCH_TERMINAL_H

#include <sys/types.h>

/* Make GROUP the foreground process group of the terminal FD, also when
 * called from a background group: SIGTTOU, which would stop the caller
 * there, is blocked meanwhile.  Returns 0 or -errno. */
int terminal_set_foreground(int fd, pid_t group);

#endif
