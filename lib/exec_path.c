#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "exec_path.h"

static int check_executable(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EACCES;
	if (access(path, X_OK) < 0)
		return -errno;
	return 0;
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
		if (one == -EACCES)
			rc = -EACCES;
		if (!*end)
			break;
	}
	return rc;
}
