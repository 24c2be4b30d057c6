#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include "fuse_device.h"

int fuse_device_open(int *fd)
{
	*fd = open(FUSE_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	return *fd < 0 ? -errno : 0;
}

/* NAME, or ID where the name is unknown. */
static void name_or_id(const char *name, unsigned int id, char *buf, size_t len)
{
	if (name)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "%u", id);
}

/* What a user refused /dev/fuse by its mode needs: "Permission denied
 * (mode 0600 root:root): ...".  The group is offered only when it may read
 * and write the device and is not root's. */
static void describe_permission(char *hint, size_t len)
{
	struct stat st;
	struct group *gr;
	struct passwd *pw;
	char owner[64], group[64], user[64], how[256] = "";

	if (stat(FUSE_DEVICE_PATH, &st) < 0) {
		snprintf(hint, len, "%s", strerror(EACCES));
		return;
	}
	pw = getpwuid(st.st_uid);
	name_or_id(pw ? pw->pw_name : NULL, st.st_uid, owner, sizeof(owner));
	gr = getgrgid(st.st_gid);
	name_or_id(gr ? gr->gr_name : NULL, st.st_gid, group, sizeof(group));
	pw = getpwuid(getuid());
	name_or_id(pw ? pw->pw_name : NULL, getuid(), user, sizeof(user));
	if (st.st_gid != 0 && (st.st_mode & (S_IRGRP | S_IWGRP)) == (S_IRGRP | S_IWGRP))
		snprintf(how, sizeof(how), "add %s to group %s (then log in again), or ", user, group);
	snprintf(hint, len, "%s (mode %04o %s:%s): mounting as a user who is not root needs read-write access to it; %smake it mode 0666 as most distributions do (udev rule: KERNEL==\"fuse\", MODE=\"0666\"), or mount as root",
		 strerror(EACCES), (unsigned int)(st.st_mode & 07777), owner, group, how);
}

int fuse_device_check_access(char *hint, size_t len)
{
	int fd = open(FUSE_DEVICE_PATH, O_RDWR | O_CLOEXEC);

	if (fd >= 0) {
		close(fd);
		return 0;
	}
	fd = -errno;
	if (fd == -EACCES)
		describe_permission(hint, len);
	else if (fd == -ENOENT || fd == -ENODEV || fd == -ENXIO)
		snprintf(hint, len, "%s (is the fuse module loaded? modprobe fuse)", strerror(-fd));
	else
		snprintf(hint, len, "%s", strerror(-fd));
	return fd;
}

bool fuse_device_aborted(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0 && (p.revents & POLLERR);
}

int fuse_device_enable_sync_init(int fd)
{
	return ioctl(fd, FUSE_DEV_IOC_SYNC_INIT, 0) < 0 ? -errno : 0;
}

/* fusectl where systemd (sys-fs-fuse-connections.mount) or an
 * administrator mounted it.  Not known by its path alone: the directory
 * counts only when fusectl is what is mounted there. */
#define FUSECTL_ATTACHED "/sys/fs/fuse/connections"
#define FUSECTL_SUPER_MAGIC 0x65735543

/* Open NAME of CONNECTION in the attached fusectl, for those who may not
 * mount one: the kernel makes a connection's files its owner's, so a user
 * opens their own.  -ENOENT when CONNECTION is gone; ERR when fusectl is
 * not mounted there. */
static int open_attached_connection_file(unsigned int connection, const char *name,
					 int flags, int err)
{
	struct statfs fs;
	char path[64];
	int dir, fd;

	dir = open(FUSECTL_ATTACHED, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0)
		return err;
	if (fstatfs(dir, &fs) < 0 || fs.f_type != FUSECTL_SUPER_MAGIC) {
		close(dir);
		return err;
	}
	snprintf(path, sizeof(path), "%u/%s", connection, name);
	/* Not a FIFO to block on: in their own namespaces users mount what
	 * they like. */
	fd = openat(dir, path, flags | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		fd = -errno;
	close(dir);
	return fd;
}

/* Open NAME in the directory of CONNECTION in a private fusectl mount:
 * fusectl has one superblock, so a detached mount of it sees every
 * connection without attaching anything to any mount namespace.  Who may
 * not mount it uses the attached one, if any. */
static int open_connection_file(unsigned int connection, const char *name, int flags)
{
	int fsfd, mntfd = -1, fd;
	char path[64];

	fsfd = fsopen("fusectl", FSOPEN_CLOEXEC);
	if (fsfd < 0 && errno == EPERM)
		return open_attached_connection_file(connection, name, flags, -EPERM);
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

int fuse_connection_abort(unsigned int connection, int device_fd)
{
	int fd, rc;

	fd = open_connection_file(connection, "abort", O_WRONLY);
	if (fd < 0)
		return fd;
	/* Opened, then found not aborted: the number was still ours when
	 * the file was opened (an abort comes before the number is given
	 * up), and the file stays with that connection. */
	if (device_fd >= 0 && fuse_device_aborted(device_fd))
		rc = -ENOTCONN;
	else
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
