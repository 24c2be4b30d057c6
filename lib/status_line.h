/* A status line while a launch waits: when FUSE_INIT takes more than
 * 2 s and stderr is a terminal, one line that updates in place ("waiting
 * for sshfs to answer FUSE_INIT: 3 s of 30 s") and is gone at the
 * outcome.  Nothing when stderr is not a terminal. */
#ifndef FUSELAUNCH_STATUS_LINE_H
#define FUSELAUNCH_STATUS_LINE_H

/* Show the line for SERVER (its timeout TIMEOUT_MS, 0: none) from now on,
 * if stderr is a terminal. */
void status_line_enable(const char *server, unsigned int timeout_ms);

/* Wait until FD is readable (or hung up), showing the line meanwhile,
 * and clear it. */
void status_line_wait(int fd);

#endif
