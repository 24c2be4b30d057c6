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

/* Open NAME in the directory of CONNECTION in a private fusectl mount:
 * fusectl has one superblock, so a detached mount of it sees every
 * connection without attaching anything to any mount namespace. */
static int open_connection_file(unsigned int connection, const char *name, int flags)
{
	int fsfd, mntfd = -1, fd;
	char path[64];

	fsfd = fsopen("fusectl", FSOPEN_CLOEXEC);
	if (fsfd < 0)
		return -errno;
	if (fsconfig(fsfd, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0) {
		fd = -errno;
		goto out;
	}
	mntfd = fsmount(fsfd, FSMOUNT_CLOEXEC, 0);
	if (mntfd < 0) {
		fd = -errno;
		goto out;
	}
	snprintf(path, sizeof(path), "%u/%s", connection, name);
	fd = openat(mntfd, path, flags | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
out:
	if (mntfd >= 0)
		close(mntfd);
	close(fsfd);
	return fd;
}

int fuse_connection_abort(unsigned int connection)
{
	int fd, rc;

	fd = open_connection_file(connection, "abort", O_WRONLY);
	if (fd < 0)
		return fd;
	rc = write(fd, "1", 1) == 1 ? 0 : -errno;
	close(fd);
	return rc;
}

int fuse_connection_waiting(unsigned int connection, unsigned int *waiting)
{
	char buf[32];
	ssize_t n;
	int fd, rc = 0;

	fd = open_connection_file(connection, "waiting", O_RDONLY);
	if (fd < 0)
		return fd;
	n = read(fd, buf, sizeof(buf) - 1);
	if (n < 0)
		rc = -errno;
	else if (n == 0)
		rc = -ENOENT;	/* the connection went between open and read */
	else {
		buf[n] = '\0';
		rc = sscanf(buf, "%u", waiting) == 1 ? 0 : -EINVAL;
	}
	close(fd);
	return rc;
}
