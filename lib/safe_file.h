/* Files a launch opens or writes by a name the caller gave (--log,
 * --pidfile, x-fuselaunch.log, x-fuselaunch.pidfile), as root most of the
 * time: never through a symbolic link in the last component, and never
 * in a directory that another user could change under us.  A directory is
 * safe when it belongs to root or to us (the effective uid) and neither
 * its group nor others may write it, unless it is sticky (/tmp), as
 * systemd checks PID files.
 *
 * Each function returns 0 or -errno; when WHY is not NULL it then holds
 * the reason for a message ("DIR is writable by other users and not
 * sticky", "a symbolic link (not followed)", or strerror's words).  They
 * print nothing. */
#ifndef FUSELAUNCH_SAFE_FILE_H
#define FUSELAUNCH_SAFE_FILE_H

#include <stddef.h>
#include <sys/types.h>

/* Whether DIR is safe to create files in.  -EPERM when it is not. */
int safe_file_check_dir(const char *dir, char *why, size_t len);

/* Whether PATH may be written (or replaced by rename(2)): its directory
 * is safe (-EPERM), and PATH, if it exists, is neither a symbolic link
 * (-ELOOP) nor a directory (-EISDIR).  Call it before writing a pidfile. */
int safe_file_check_parent(const char *path, char *why, size_t len);

/* Open PATH to append to, creating it with MODE: in a safe directory, not
 * through a symbolic link (O_NOFOLLOW), and without blocking (a FIFO with
 * no reader is -ENXIO).  *FD is close-on-exec and blocking. */
int safe_file_open_append(const char *path, mode_t mode, int *fd, char *why, size_t len);

#endif
