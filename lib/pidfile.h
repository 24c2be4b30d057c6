/* --pidfile: the file that names the serving process. */
#ifndef FUSELAUNCH_PIDFILE_H
#define FUSELAUNCH_PIDFILE_H

#include <sys/types.h>

/* PATH made absolute in *ABSOLUTE (malloc'ed): the daemon works from /.
 * Returns 0 or -errno. */
int pidfile_absolute(const char *path, char **absolute);

/* Write PID to PATH through a fresh file beside it, renamed over it: a
 * reader never sees a partial pid, and nothing planted under the name is
 * written through.  Returns 0 or -errno. */
int pidfile_write(const char *path, pid_t pid);

#endif
