#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <linux/close_range.h>

#include "descriptors.h"

static int ensure_stdio_open(void)
{
	int fd;

	while ((fd = open("/dev/null", O_RDWR)) >= 0 && fd <= 2)
		;
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/* Without close_range(2) (before Linux 5.9): each descriptor listed in
 * /proc/self/fd, or, without /proc, every one up to the limit. */
static void close_from_3_slowly(void)
{
	struct dirent *e;
	DIR *dir;
	long fd, max;

	dir = opendir("/proc/self/fd");
	if (!dir) {
		max = sysconf(_SC_OPEN_MAX);
		for (fd = 3; fd < (max > 0 ? max : 1024); fd++)
			close((int)fd);
		return;
	}
	while ((e = readdir(dir))) {
		fd = strtol(e->d_name, NULL, 10);
		if (fd >= 3 && fd != dirfd(dir))
			close((int)fd);
	}
	closedir(dir);
}

int descriptors_sanitize(void)
{
	int rc = ensure_stdio_open();

	if (close_range(3, ~0U, 0) < 0)
		close_from_3_slowly();
	return rc;
}
