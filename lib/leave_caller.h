/* After the outcome the daemon leaves the caller behind: its session and
 * terminal, its stdio, and the signals its terminal sent. */
#ifndef FUSELAUNCH_LEAVE_CALLER_H
#define FUSELAUNCH_LEAVE_CALLER_H

struct supervisor;

/* Start a session of our own, drop pending terminal signals, and send
 * fds 0, 1 and 2 to /dev/null or LOG_FD; without LOG_FD (-1) the
 * server's output goes to syslog as IDENT. */
void leave_caller(int log_fd, struct supervisor *sup, const char *ident);

#endif
