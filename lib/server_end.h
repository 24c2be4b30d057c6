/* How a mounted server ended: told in one line, and judged after a stop
 * request (fuselaunch(1), EXIT STATUS under --foreground). */
#ifndef FUSELAUNCH_SERVER_END_H
#define FUSELAUNCH_SERVER_END_H

#include <stdbool.h>

struct supervisor;

/* Servers end in their own ways when they are stopped (libfuse's hello
 * exits 8 on SIGTERM, sshfs 1, rclone 143): after a stop request any exit
 * is a clean end, and so is a death by the signal that asked for the stop
 * or by SIGTERM.  A crash (any other signal, SIGKILL after the grace time
 * included) is not. */
bool server_end_is_clean_stop(int wait_status, int stop_signal);

/* "server 'NAME' on MOUNTPOINT exited with status N", on stderr, or in
 * syslog once the daemon relays there; STOP_SIGNAL, when not 0, says it
 * was asked to stop. */
void server_end_report(const struct supervisor *s, const char *server, const char *mountpoint,
		       int wait_status, int stop_signal);

#endif
