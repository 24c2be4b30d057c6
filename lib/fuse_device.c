#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

#include "fuse_device.h"

int fuse_device_open(int *fd)
{
	*fd = open(FUSE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

int fuse_device_enable_sync_init(int fd)
{
	return ioctl(fd, FUSE_DEV_IOC_SYNC_INIT, 0) < 0 ? -errno : 0;
}

int fuse_device_connection(int fd, unsigned int *connection)
{
	char path[64], line[256];
	FILE *f;
	int rc = -ENOENT;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "fuse_connection: %u", connection) == 1) {
			rc = 0;
			break;
		}
	fclose(f);
	return rc;
}

int fuse_connection_abort(unsigned int connection)
{
	int fsfd, mntfd = -1, abortfd = -1, rc;
	char name[32];

	fsfd = fsopen("fusectl", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return -errno;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		rc = -errno;
		goto out;
	}
	mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
	if (mntfd < 0) {
		rc = -errno;
		goto out;
	}
	snprintf(name, sizeof(name), "%u/abort", connection);
	abortfd = openat(mntfd, name, O_WRONLY | O_CLOEXEC);
	if (abortfd < 0) {
		rc = -errno;
		goto out;
	}
	rc = write(abortfd, "1", 1) == 1 ? 0 : -errno;
out:
	if (abortfd >= 0)
		close(abortfd);
	if (mntfd >= 0)
		close(mntfd);
	close(fsfd);
	return rc;
}
