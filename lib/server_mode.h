/* How to launch a server: hand it /dev/fd/N (libfuse 3 servers take it and
 * mount nothing themselves), or let it mount and watch for the mount. */
#ifndef FUSELAUNCH_SERVER_MODE_H
#define FUSELAUNCH_SERVER_MODE_H

#include <stddef.h>

enum server_mode {
	SERVER_MODE_AUTO,	/* choose by server_mode_choose() */
	SERVER_MODE_FD,		/* the server gets /dev/fd/N */
	SERVER_MODE_WATCH,	/* the server mounts; the launcher watches */
};

/* The mode for the executable at PATH, by the libraries it links: libfuse
 * 3 means fd, anything else (libfuse 2, a static or unknown binary) means
 * watch.  A "#!" script is judged by its interpreter, one level deep.
 * WHY gets the reason, for -v. */
enum server_mode server_mode_choose(const char *path, char *why, size_t whylen);

/* "auto", "fd" or "watch"; -EINVAL otherwise. */
int server_mode_parse(const char *name, enum server_mode *mode);

#endif
