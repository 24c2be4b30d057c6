/* Finding an executable as execvp() does. */
#ifndef FUSELAUNCH_EXEC_PATH_H
#define FUSELAUNCH_EXEC_PATH_H

/* Where mount(8) helpers, run without PATH, look: servers such as sshfs
 * live in bin and sbin directories alike. */
#define EXEC_PATH_DEFAULT "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

#include <errno.h>

/* What exec_path_search() returns for a NAME with a slash that is a FIFO,
 * a socket or a device: never opened, since opening one may block. */
#define EFTYPE_NOT_REGULAR EMEDIUMTYPE

/* NAME with a slash is taken as it is; otherwise the first executable
 * regular file NAME in the colon-separated DIRS wins, into *FOUND
 * (malloc'ed).  -ENOENT when there is none; -EACCES only when nothing
 * executable was found but something was there; -EFTYPE_NOT_REGULAR when
 * NAME (with a slash) is neither a regular file nor a directory. */
int exec_path_search(const char *name, const char *dirs, char **found);

/* "a FIFO", "a socket", "a character device", ...: for messages. */
const char *exec_path_file_kind(const char *path);

#endif
