/* Finding an executable as execvp() does. */
#ifndef FUSELAUNCH_EXEC_PATH_H
#define FUSELAUNCH_EXEC_PATH_H

/* Where mount(8) helpers, run without PATH, look: servers such as sshfs
 * live in bin and sbin directories alike. */
#define EXEC_PATH_DEFAULT "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* NAME with a slash is taken as it is; otherwise the first executable
 * NAME in the colon-separated DIRS wins, into *FOUND (malloc'ed).  -ENOENT
 * when there is none; -EACCES only when nothing executable was found but
 * something was there. */
int exec_path_search(const char *name, const char *dirs, char **found);

#endif
