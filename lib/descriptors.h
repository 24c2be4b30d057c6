/* The descriptors a program of ours starts with: fds 0, 1 and 2 open, and
 * nothing else of the caller's. */
#ifndef FUSELAUNCH_DESCRIPTORS_H
#define FUSELAUNCH_DESCRIPTORS_H

/* First thing in main(), before anything is opened: make sure fds 0, 1
 * and 2 are open (on /dev/null when the caller closed them), so that no
 * file of ours takes their place and reaches the server as its stdio or
 * is replaced when the daemon redirects its stdio; then close every
 * other descriptor the caller passed, so that neither we nor the daemon
 * that outlives us keep a pipe of the caller's open ("fuselaunch ... 3>&1
 * | cat" must end).  Returns 0 or -errno (nothing is printed). */
int descriptors_sanitize(void);

#endif
