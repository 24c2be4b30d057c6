#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"
#include "pidfile.h"
#include "safe_file.h"

int pidfile_absolute(const char *path, char **absolute)
{
	cleanup_free char *cwd = NULL;

	if (path[0] == '/')
		*absolute = strdup(path);
	else if (!(cwd = getcwd(NULL, 0)))
		return -errno;
	else if (asprintf(absolute, "%s/%s", cwd, path) < 0)
		*absolute = NULL;
	return *absolute ? 0 : -ENOMEM;
}

int pidfile_write(const char *path, pid_t pid)
{
	char tmp[PATH_MAX], line[32];
	cleanup_fd int fd = -1;
	int len, rc = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	/* Its directory may have changed hands since the launch began. */
	rc = safe_file_check_parent(path, NULL, 0);
	if (rc < 0)
		return rc;
	/* O_CREAT | O_EXCL, so a symbolic link is never followed. */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	len = snprintf(line, sizeof(line), "%d\n", (int)pid);
	errno = 0;
	if (fchmod(fd, 0644) < 0 || write(fd, line, (size_t)len) != len)
		rc = errno ? -errno : -EIO;
	if (close(steal_fd(&fd)) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}
