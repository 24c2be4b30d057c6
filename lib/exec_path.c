#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_path.h"

/* stat(2) and access(2) open nothing, so a FIFO or a device named as the
 * server cannot block here; it is refused before anything reads it. */
static int check_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EACCES;
	if (!S_ISREG(st.st_mode))
		return -EFTYPE_NOT_REGULAR;
	if (access(path, X_OK) < 0)
		return -errno;
	return 0;
}

const char *exec_path_file_kind(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return "not a file";
	if (S_ISFIFO(st.st_mode))
		return "a FIFO";
	if (S_ISSOCK(st.st_mode))
		return "a socket";
	if (S_ISCHR(st.st_mode))
		return "a character device";
	if (S_ISBLK(st.st_mode))
		return "a block device";
	if (S_ISDIR(st.st_mode))
		return "a directory";
	return "a regular file";
}

int exec_path_search(const char *name, const char *dirs, char **found)
{
	const char *dir, *end;
	int rc = -ENOENT;

	if (strchr(name, '/')) {
		rc = check_executable(name);
		if (rc == 0 && !(*found = strdup(name)))
			rc = -ENOMEM;
		return rc;
	}
	for (dir = dirs; ; dir = end + 1) {
		char candidate[PATH_MAX];
		int one;

		end = strchrnul(dir, ':');
		if (snprintf(candidate, sizeof(candidate), "%.*s%s%s", (int)(end - dir), dir,
			     end == dir ? "" : "/", name) >= (int)sizeof(candidate))
			one = -ENAMETOOLONG;
		else
			one = check_executable(candidate);
		if (one == 0) {
			*found = strdup(candidate);
			return *found ? 0 : -ENOMEM;
		}
		/* As execvp(): what is there but cannot run is skipped. */
		if (one == -EACCES || one == -EFTYPE_NOT_REGULAR)
			rc = -EACCES;
		if (!*end)
			break;
	}
	return rc;
}
