#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "mountpoint.h"

int mountpoint_pin(struct mountpoint *mp, const char *path)
{
	struct stat st;
	int rc;

	mp->path = path;
	mp->fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mp->fd < 0 || fstat(mp->fd, &st) < 0) {
		rc = -errno;
		log_error("mountpoint '%s': %s", path, strerror(-rc));
		mountpoint_release(mp);
		return rc;
	}
	mp->mode = st.st_mode;
	return 0;
}

void mountpoint_release(struct mountpoint *mp)
{
	if (mp->fd >= 0)
		close(mp->fd);
	mp->fd = -1;
}
